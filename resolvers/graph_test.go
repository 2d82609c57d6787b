package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/graphgen"
)

const graphQuery = `query($root: PackageVersionInput!, $env: EnvironmentInput!, $d: Int, $x: [String!], $m: Boolean) {
  dependencyGraph(root: $root, environment: $env, maxDepth: $d, extras: $x, markerTrueOnly: $m) {
    root { id name version indexUrl }
    environment { osName osVersion pythonVersion }
    nodes { id name version indexUrl depth solved solverError extras }
    edges { from to versionRange marker extra markerEvaluationResult }
    truncated
    depthReached
  }
}`

type graphResult struct {
	DependencyGraph struct {
		Root *struct {
			ID, Name, Version string
			IndexURL          *string
		}
		Environment *struct{ OSName, OSVersion, PythonVersion string }
		Nodes       []struct {
			ID, Name, Version   string
			IndexURL            *string
			Depth               int
			Solved, SolverError bool
			Extras              []string
		}
		Edges []struct {
			From, To, VersionRange string
			Marker, Extra          *string
		}
		Truncated    bool
		DepthReached int
	}
}

// TestDependencyGraph checks dependencyGraph through the real handler
// against the walk computed by definition, for every generated case, and
// its statement budget.
func TestDependencyGraph(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := h.g.Cases()
	if len(cases) < 10 {
		t.Fatalf("%d cases, want >= 10", len(cases))
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			name, extras := c.Root.Name, c.Extras
			if i%3 == 1 { // names and extras are normalised on the way in
				name = strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
				extras = nil
				for _, x := range c.Extras {
					extras = append(extras, strings.ToUpper(x[:1])+strings.ReplaceAll(x[1:], "-", "."))
				}
			}
			want := h.g.Walk(c.Env, c.Root, c.MaxDepth, c.Extras, c.MarkerTrueOnly)
			var got graphResult
			n := h.query(t, graphQuery, map[string]any{
				"root": map[string]any{"name": name, "version": c.Root.Version, "indexUrl": c.Root.Index},
				"env":  envVar(envs[c.Env]), "d": c.MaxDepth, "x": extras, "m": c.MarkerTrueOnly,
			}, &got)
			if n > int64(c.MaxDepth+2) {
				t.Errorf("%d SQL statements, want <= maxDepth+2 = %d", n, c.MaxDepth+2)
			}
			compare(t, want, got)
		})
	}
}

func compare(t *testing.T, want graphgen.Expected, got graphResult) {
	t.Helper()
	g := got.DependencyGraph
	if g.Root == nil || g.Environment == nil {
		t.Fatalf("root or environment missing: %+v", g)
	}
	byID := map[string]graphgen.Version{}
	nodes := map[graphgen.Version]graphgen.Node{}
	for _, n := range g.Nodes {
		k := graphgen.Version{Name: n.Name, Version: n.Version, Index: deref(n.IndexURL)}
		byID[n.ID] = k
		st := graphgen.Unsolved
		if n.Solved {
			st = graphgen.Solved
		} else if n.SolverError {
			st = graphgen.Failed
		}
		nodes[k] = graphgen.Node{Depth: n.Depth, State: st, Extras: n.Extras}
	}
	if byID[g.Root.ID] != (graphgen.Version{Name: g.Root.Name, Version: g.Root.Version, Index: deref(g.Root.IndexURL)}) {
		t.Errorf("root %+v is not the node with its id", g.Root)
	}
	if fmt.Sprint(nodes) != fmt.Sprint(want.Nodes) {
		t.Errorf("nodes differ: got %d, want %d", len(nodes), len(want.Nodes))
		for k, w := range want.Nodes {
			if fmt.Sprint(nodes[k]) != fmt.Sprint(w) {
				t.Errorf("  node %v: got %+v, want %+v", k, nodes[k], w)
			}
		}
	}
	arcs := map[graphgen.Arc]int{}
	for _, e := range g.Edges {
		from, ok1 := byID[e.From]
		to, ok2 := byID[e.To]
		if !ok1 || !ok2 {
			t.Errorf("edge %+v has an end that is not a node", e)
		}
		arcs[graphgen.Arc{From: from, To: to, VersionRange: e.VersionRange, Marker: deref(e.Marker), Extra: deref(e.Extra)}]++
	}
	if fmt.Sprint(arcs) != fmt.Sprint(want.Arcs) {
		t.Errorf("edges differ: got %d, want %d", len(g.Edges), len(want.Arcs))
	}
	if g.Truncated != want.Truncated {
		t.Errorf("truncated = %v, want %v", g.Truncated, want.Truncated)
	}
	if g.DepthReached != want.DepthReached {
		t.Errorf("depthReached = %d, want %d", g.DepthReached, want.DepthReached)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
