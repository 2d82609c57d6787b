package resolvers_test

import (
	"fmt"
	"testing"
)

// TestSolverRequestsQuery: solverRequests answers, for one environment,
// versions of its unsolved backlog, every one of another package while
// packages remain, with the environment's solver name.
func TestSolverRequestsQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var out struct {
		SolverRequests []struct {
			Kind, PackageName, Solver string
			PackageVersion, IndexURL  *string
		}
		UnsolvedPackageVersions struct {
			Edges []struct {
				Node struct{ Name, Version, IndexURL string }
			}
		}
	}
	h.query(t, `query($env: EnvironmentInput!) {
		solverRequests(environment: $env, first: 5, kind: "unresolved-package") { kind packageName packageVersion indexUrl solver }
		unsolvedPackageVersions(environment: $env, first: 200) { edges { node { name version indexUrl } } }
	}`, map[string]any{"env": envVar(envs[0])}, &out)
	backlog := map[string]bool{}
	for _, e := range out.UnsolvedPackageVersions.Edges {
		backlog[fmt.Sprint(e.Node.Name, " ", e.Node.Version, " ", e.Node.IndexURL)] = true
	}
	if len(out.SolverRequests) != 5 {
		t.Fatalf("%d requests, want 5 (the backlog has %d)", len(out.SolverRequests), len(backlog))
	}
	packages := map[string]bool{}
	for _, r := range out.SolverRequests {
		if r.Kind != "unresolved-package" || r.Solver != "solver-rhel-8-py38" || r.PackageVersion == nil || r.IndexURL == nil ||
			!backlog[fmt.Sprint(r.PackageName, " ", *r.PackageVersion, " ", *r.IndexURL)] || packages[r.PackageName] {
			t.Errorf("request %+v: not a backlog version of another package", r)
		}
		packages[r.PackageName] = true
	}
}
