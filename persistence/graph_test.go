package persistence_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

var (
	indexA = "https://pypi.org/simple"
	indexB = "https://mirror.example.com/simple"
	envs   = []persistence.EnvironmentKey{
		{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		{OSName: "fedora", OSVersion: "38", PythonVersion: "3.11"},
	}
)

// testGraph is the graph the walk tests share: >= 300 versions, cycles,
// false markers, extras, two indexes, two environments, unsolved versions
// and solver errors.
func testGraph() *graphgen.Graph {
	return graphgen.Generate(graphgen.Config{
		Seed: 7, Packages: 120, VersionsPerPackage: 4, DepsPerVersion: 4,
		Indexes: []string{indexA, indexB}, Environments: envs,
		Unsolved: 0.12, SolverError: 0.05, FalseMarker: 0.15, Extra: 0.2, TargetExtras: 0.2,
	})
}

func TestDependencyGraphMatchesReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, tracer, _ := testenv.Store(t)
	g := testGraph()
	if err := g.Ingest(ctx, store, "solver-test"); err != nil {
		t.Fatal(err)
	}
	if len(g.Versions) < 300 {
		t.Fatalf("generated %d versions, want >= 300", len(g.Versions))
	}
	cases := g.Cases()
	if len(cases) < 10 {
		t.Fatalf("only %d cases", len(cases))
	}
	var seen coverage
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			want := g.Walk(c.Env, c.Root, c.MaxDepth, c.Extras, c.MarkerTrueOnly)
			seen.add(want)
			tracer.Reset()
			idx := c.Root.Index
			got, err := store.DependencyGraph(ctx, persistence.GraphQuery{
				Root:        persistence.VersionRef{Name: c.Root.Name, Version: c.Root.Version, IndexURL: &idx},
				Environment: envs[c.Env], MaxDepth: c.MaxDepth, Extras: c.Extras, MarkerTrueOnly: c.MarkerTrueOnly,
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := tracer.Count(); n > int64(c.MaxDepth+2) {
				t.Errorf("%d statements, want <= maxDepth+2 = %d", n, c.MaxDepth+2)
			}
			compareGraph(t, want, got)
		})
	}
	// The cases must exercise what the walk is about.
	if seen.truncated == 0 || seen.complete == 0 || seen.carriedExtras == 0 || seen.unsolved == 0 ||
		seen.failed == 0 || seen.cycleEdges == 0 || seen.maxNodes < 100 {
		t.Errorf("cases do not cover the semantics: %+v", seen)
	}
	t.Logf("coverage: %+v", seen)
}

// coverage counts what the expected answers of the cases contain.
type coverage struct {
	truncated, complete, carriedExtras, unsolved, failed, cycleEdges, maxNodes int
}

func (c *coverage) add(e graphgen.Expected) {
	if e.Truncated {
		c.truncated++
	} else if e.DepthReached > 1 {
		c.complete++
	}
	c.maxNodes = max(c.maxNodes, len(e.Nodes))
	for _, n := range e.Nodes {
		if n.Depth > 0 && len(n.Extras) > 0 {
			c.carriedExtras++
		}
		switch n.State {
		case graphgen.Unsolved:
			c.unsolved++
		case graphgen.Failed:
			c.failed++
		}
	}
	for a := range e.Arcs {
		if e.Nodes[a.To].Depth <= e.Nodes[a.From].Depth {
			c.cycleEdges++
		}
	}
}

func compareGraph(t *testing.T, want graphgen.Expected, got *persistence.Graph) {
	t.Helper()
	key := func(v persistence.PackageVersion) graphgen.Version {
		ix := ""
		if v.IndexURL != nil {
			ix = *v.IndexURL
		}
		return graphgen.Version{Name: v.Name, Version: v.Version, Index: ix}
	}
	byID := map[int64]graphgen.Version{}
	gotNodes := map[graphgen.Version]graphgen.Node{}
	for _, n := range got.Nodes {
		k := key(n.Version)
		byID[n.Version.ID] = k
		st := graphgen.Unsolved
		switch {
		case n.Solved:
			st = graphgen.Solved
		case n.SolverError:
			st = graphgen.Failed
		}
		gotNodes[k] = graphgen.Node{Depth: n.Depth, State: st, Extras: n.Extras}
	}
	if len(gotNodes) != len(want.Nodes) {
		t.Errorf("%d nodes, want %d", len(gotNodes), len(want.Nodes))
	}
	for k, w := range want.Nodes {
		gn, ok := gotNodes[k]
		if !ok {
			t.Errorf("missing node %v %+v", k, w)
			continue
		}
		if fmt.Sprint(gn) != fmt.Sprint(w) {
			t.Errorf("node %v = %+v, want %+v", k, gn, w)
		}
	}
	for k := range gotNodes {
		if _, ok := want.Nodes[k]; !ok {
			t.Errorf("unexpected node %v", k)
		}
	}
	gotArcs := map[graphgen.Arc]int{}
	for _, e := range got.Edges {
		a := graphgen.Arc{From: byID[e.From], To: byID[e.To], VersionRange: e.VersionRange}
		if e.Extra != nil {
			a.Extra = *e.Extra
		}
		if e.Marker != nil {
			a.Marker = *e.Marker
		}
		gotArcs[a]++
	}
	if fmt.Sprint(gotArcs) != fmt.Sprint(want.Arcs) {
		t.Errorf("edges differ: got %d, want %d", len(got.Edges), len(want.Arcs))
		for a, n := range want.Arcs {
			if gotArcs[a] != n {
				t.Errorf("  edge %v: got %d, want %d", a, gotArcs[a], n)
			}
		}
		for a, n := range gotArcs {
			if _, ok := want.Arcs[a]; !ok {
				t.Errorf("  unexpected edge %v x%d", a, n)
			}
		}
	}
	if got.Truncated != want.Truncated {
		t.Errorf("truncated = %v, want %v", got.Truncated, want.Truncated)
	}
	if got.DepthReached != want.DepthReached {
		t.Errorf("depthReached = %d, want %d", got.DepthReached, want.DepthReached)
	}
}

// TestDependencyGraphUnknowns: an environment the graph does not know (no
// data, e.g. rhel 9 / Python 3.11) has nothing solved in it, so the walk of
// a known root is the root alone, unsolved, without edges; an unknown root
// is an empty graph in a known environment and in an unknown one alike.
func TestDependencyGraphUnknowns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, tracer, _ := testenv.Store(t)
	g := testGraph()
	if err := g.Ingest(ctx, store, "solver-test"); err != nil {
		t.Fatal(err)
	}
	known := g.Versions[0]
	unknownEnv := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "9", PythonVersion: "3.11"}
	for _, c := range []struct {
		name     string
		root     graphgen.Version
		env      persistence.EnvironmentKey
		maxDepth int
		wantRoot bool
		wantEnv  bool
	}{
		{"known root, unknown environment", known, unknownEnv, 10, true, false},
		{"known root, unknown environment, maxDepth 0", known, unknownEnv, 0, true, false},
		{"unknown version, unknown environment", graphgen.Version{Name: known.Name, Version: "999.0"}, unknownEnv, 10, false, false},
		{"unknown package, known environment", graphgen.Version{Name: "no-such-package", Version: "1.0"}, envs[0], 10, false, true},
		{"unknown version, known environment", graphgen.Version{Name: known.Name, Version: "999.0"}, envs[0], 10, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tracer.Reset()
			got, err := store.DependencyGraph(ctx, persistence.GraphQuery{
				Root:        persistence.VersionRef{Name: c.root.Name, Version: c.root.Version},
				Environment: c.env, MaxDepth: c.maxDepth, Extras: []string{"Some.Extra"}, MarkerTrueOnly: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if (got.Environment != nil) != c.wantEnv {
				t.Errorf("environment = %+v, want present %v", got.Environment, c.wantEnv)
			}
			if len(got.Edges) != 0 || got.Truncated || got.DepthReached != 0 {
				t.Errorf("edges %d, truncated %v, depthReached %d; want none, false, 0", len(got.Edges), got.Truncated, got.DepthReached)
			}
			if n := tracer.Count(); n != 1 {
				t.Errorf("%d statements, want 1 (the root lookup)", n)
			}
			if !c.wantRoot {
				if got.Root != nil || len(got.Nodes) != 0 {
					t.Errorf("root %+v, %d nodes; want an empty graph", got.Root, len(got.Nodes))
				}
				return
			}
			if got.Root == nil || got.Root.Name != c.root.Name || got.Root.Version != c.root.Version {
				t.Fatalf("root = %+v, want %v", got.Root, c.root)
			}
			if len(got.Nodes) != 1 {
				t.Fatalf("%d nodes, want the root only", len(got.Nodes))
			}
			n := got.Nodes[0]
			if n.Version.ID != got.Root.ID || n.Depth != 0 || n.Solved || n.SolverError || fmt.Sprint(n.Extras) != "[some-extra]" {
				t.Errorf("root node = %+v, want depth 0, unsolved, without solver error, extras [some-extra]", n)
			}
		})
	}
}
