package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

const rhel8 = `{osName: "rhel", osVersion: "8", pythonVersion: "3.8"}`

// versionFields selects every field of PackageVersion, each list and
// connection with the fields below it.
const versionFields = `id name version indexUrl index { url enabled } package { name latestVersion { version } }
  environments { osName } solved { solverName error environment { osName } }
  dependencies(environment: ` + rhel8 + `) { name versionRange extras resolvedVersions { name version } package { name } }
  dependents { totalCount edges { depth node { name version } } }
  solverErrors { error errorDetails environment { osName } }
  vulnerabilities { id summary link } metadata { summary license classifiers }`

func walkQuery(name, version string, depth int, selection string) string {
	return fmt.Sprintf(`{ dependencyGraph(root: {name: %q, version: %q}, environment: %s, maxDepth: %d) { %s } }`,
		name, version, rhel8, depth, selection)
}

// cost is the cost the gateway computes for query under the default limits.
func cost(t *testing.T, query string) int {
	t.Helper()
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}, Complexity: server.Complexity(resolvers.DefaultLimits)})
	doc, errs := gqlparser.LoadQuery(es.Schema(), query)
	if errs != nil {
		t.Fatalf("%v: %s", errs, query)
	}
	return complexity.Calculate(context.Background(), es, doc.Operations[0], nil)
}

// TestWalkCostRule: a field selected under a walk's nodes costs what it
// costs under one packageVersion, whatever maxDepth (the prefetch plan reads
// it for every node in one statement); maxDepth still costs.
func TestWalkCostRule(t *testing.T) {
	t.Parallel()
	single := func(sel string) int {
		return cost(t, `{ packageVersion(name: "a", version: "1") { `+sel+` } }`)
	}
	for _, sel := range []string{
		"vulnerabilities { id }",
		"solverErrors { error errorDetails environment { osName } }",
		"dependencies(environment: " + rhel8 + ") { resolvedVersions { version } }",
		"package { versions(first: 1000) { edges { node { version } } } }",
		versionFields,
	} {
		want := single(sel) - single("id")
		for _, depth := range []int{0, 1, 10, 50} {
			under := func(s string) int { return cost(t, walkQuery("a", "1", depth, "nodes { packageVersion { "+s+" } }")) }
			if got := under(sel) - under("id"); got != want {
				t.Errorf("maxDepth %d: %.60s... costs %d under the nodes, %d under one packageVersion", depth, sel, got, want)
			}
		}
	}
	prev := -1
	for _, depth := range []int{0, 1, 5, 10, 20, 50} {
		c := cost(t, walkQuery("a", "1", depth, "nodes { id } edges { from to }"))
		if c <= prev {
			t.Errorf("maxDepth %d costs %d, not more than the shallower walk (%d)", depth, c, prev)
		}
		prev = c
	}
}

// TestWalkCostLimits: at the default budget and limits, a maxDepth-50 walk
// asking every node for every PackageVersion field with its own batched
// loader is accepted (it was refused with complexity 230050 when the
// nodes' fields were multiplied by the node count) and runs a bounded
// number of statements; queries that really are too expensive, under the
// walk's nodes or not, are still refused with COMPLEXITY_LIMIT before any SQL.
func TestWalkCostLimits(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{
		opts:   server.GraphQLOptions{Complexity: 100000, MaxQueryDepth: 15},
		limits: resolvers.DefaultLimits,
	})
	root := g.graph.Versions[0]
	walk := func(depth int, sel string) string { return walkQuery(root.Name, root.Version, depth, sel) }
	tests := []struct {
		name     string
		query    string
		wantCode string
	}{
		{"vulnerabilities and solver errors of every node", walk(50,
			"nodes { id packageVersion { vulnerabilities { id } solverErrors { error errorDetails environment { osName } } } }"), ""},
		{"every field of every node", walk(50,
			"nodes { id name version indexUrl depth solved solverError extras packageVersion { "+versionFields+" } } edges { from to versionRange marker extra markerEvaluationResult } root { "+versionFields+" } environment { osName } truncated depthReached"), ""},
		{"maxDepth above its cap", walk(51, "depthReached"), "INVALID"},
		{"pages of pages", `{ packages(first: 1000) { edges { node { versions(first: 1000) { edges { node { version
			dependencies(environment: ` + rhel8 + `) { resolvedVersions { version } } } } } } } } }`, "COMPLEXITY_LIMIT"},
		{"pages of pages under the walk's nodes", walk(50, `nodes { packageVersion { package { versions(first: 1000) { edges { node {
			dependents(first: 1000) { edges { node { version } } } } } } } } }`), "COMPLEXITY_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.tracer.Reset()
			got := g.do(t, req{query: tt.query})
			if got.code() != tt.wantCode {
				t.Fatalf("code %q, want %q: %.300s", got.code(), tt.wantCode, got.raw)
			}
			n := g.tracer.Count()
			switch tt.wantCode {
			case "":
				var data struct {
					DependencyGraph struct{ Nodes []json.RawMessage }
				}
				if err := json.Unmarshal(got.Data, &data); err != nil || len(got.Errors) > 0 {
					t.Fatalf("errors, or data that does not decode (%v): %.300s", err, got.raw)
				}
				if nodes := len(data.DependencyGraph.Nodes); nodes < 20 {
					t.Fatalf("%d nodes: too few to show anything", nodes)
				}
				// The walk (<= maxDepth+2) and, per level of fields below
				// the nodes and the root, one statement per field.
				if n > 52+20 {
					t.Errorf("%d SQL statements", n)
				}
				t.Logf("%d nodes, %d SQL statements", len(data.DependencyGraph.Nodes), n)
			case "COMPLEXITY_LIMIT":
				if n != 0 {
					t.Errorf("a query over the budget ran %d SQL statements", n)
				}
			}
		})
	}
}
