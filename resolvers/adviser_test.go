package resolvers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

// Digests of the adviser graph's artifacts.
var (
	shaOne = strings.Repeat("1a", 32)
	shaTwo = strings.Repeat("2b", 32)
)

// adviserHarness is the harness's graph plus a small hand-made one:
// adv-flask 1.0 (failed), 2.0rc1 (solved in the second environment only),
// 2.0 on both indexes, 2.1 (known, unsolved); adv-flask 2.0 on indexA
// requires adv-werkzeug, resolved to 2.0 and 2.1, which require nothing.
func adviserHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.ingest(t, "solver-adviser-0", adviserDocument(envs[0]))
	second := &persistence.SolverResult{SolverName: "solver-fedora-38-py311", SolverVersion: "1.0", Environment: envs[1],
		SolvedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		Entries:  []persistence.SolvedEntry{{Name: "adv-flask", Version: "2.0rc1", IndexURL: indexA}}}
	h.ingest(t, "solver-adviser-1", second)
	return h
}

func adviserDocument(env persistence.EnvironmentKey) *persistence.SolverResult {
	werkzeug := persistence.DependencyEntry{Name: "adv-werkzeug", VersionRange: ">=2.0",
		Resolved: []persistence.ResolvedEntry{{IndexURL: indexA, Versions: []string{"2.0", "2.1"}}}}
	flask21 := persistence.DependencyEntry{Name: "adv-flask", VersionRange: ">=2.1",
		Resolved: []persistence.ResolvedEntry{{IndexURL: indexA, Versions: []string{"2.1"}}}}
	return &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: env,
		SolvedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Duration: 1,
		Entries: []persistence.SolvedEntry{
			{Name: "adv-flask", Version: "2.0", IndexURL: indexA, Dependencies: []persistence.DependencyEntry{werkzeug},
				Artifacts: []persistence.ArtifactEntry{{SHA256: shaTwo}, {SHA256: shaOne}, {Name: "adv_flask-2.0.tar.gz", SHA256: shaOne}}},
			{Name: "adv-flask", Version: "2.0", IndexURL: indexB},
			{Name: "adv-flask", Version: "1.0", IndexURL: indexA, Error: true},
			{Name: "adv-werkzeug", Version: "2.0", IndexURL: indexA},
			{Name: "adv-werkzeug", Version: "2.1", IndexURL: indexA},
			// Brings adv-flask 2.1 to the graph, unsolved.
			{Name: "adv-other", Version: "1.0", IndexURL: indexA, Dependencies: []persistence.DependencyEntry{flask21}},
		}}
}

func (h *harness) ingest(t *testing.T, id string, res *persistence.SolverResult) {
	t.Helper()
	if _, err := h.store.IngestSolverResult(context.Background(), persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, true); err != nil {
		t.Fatal(err)
	}
}

// mutate runs a mutation with the admin token that must succeed.
func (h *harness) mutate(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	if errs := h.do(t, adminSecret, query, vars, out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
}

// wantCode checks that a request fails with code at path.
func wantCode(t *testing.T, errs []gqlError, code, path string) {
	t.Helper()
	if len(errs) == 0 {
		t.Fatalf("no error, want %s at %s", code, path)
	}
	if got := errs[0].Extensions["code"]; got != code || fieldPath(errs[0].Path) != path {
		t.Fatalf("error %v at %q (%s), want %s at %q", got, fieldPath(errs[0].Path), errs[0].Message, code, path)
	}
}

type artifactResult struct {
	Name    *string
	SHA256  string
	Present bool
}

// TestArtifacts: a version's artifacts and hashes; setArtifactPresent
// (admin only) marks one removed, which hashes then leave out and which a
// re-ingestion of the document keeps; bad arguments are refused.
func TestArtifacts(t *testing.T) {
	t.Parallel()
	h := adviserHarness(t)
	type got struct {
		PackageVersion struct {
			Artifacts []artifactResult
			Hashes    []string
		}
	}
	read := func() got {
		var g got
		h.query(t, `query($i: String) { packageVersion(name: "adv-flask", version: "2.0", indexUrl: $i) {
		  artifacts { name sha256 present } hashes } }`, map[string]any{"i": indexA}, &g)
		return g
	}
	g := read()
	if len(g.PackageVersion.Artifacts) != 3 || g.PackageVersion.Artifacts[0].SHA256 != shaOne || g.PackageVersion.Artifacts[0].Name != nil ||
		g.PackageVersion.Artifacts[1].Name == nil || *g.PackageVersion.Artifacts[1].Name != "adv_flask-2.0.tar.gz" ||
		g.PackageVersion.Artifacts[2].SHA256 != shaTwo || !g.PackageVersion.Artifacts[2].Present {
		t.Fatalf("artifacts = %+v", g.PackageVersion.Artifacts)
	}
	if !slices.Equal(g.PackageVersion.Hashes, []string{shaOne, shaTwo}) {
		t.Fatalf("hashes = %v, want sorted and distinct", g.PackageVersion.Hashes)
	}

	const set = `mutation($s: String!, $p: Boolean!) { setArtifactPresent(name: "ADV_Flask", version: "2.0",
	  indexUrl: "https://pypi.org/simple", sha256: $s, present: $p) { name sha256 present } }`
	if errs := h.do(t, ingestSecret, set, map[string]any{"s": shaOne, "p": false}, nil); len(errs) == 0 || errs[0].Extensions["code"] != "FORBIDDEN" {
		t.Fatalf("ingest token: %+v, want FORBIDDEN", errs)
	}
	var m struct{ SetArtifactPresent artifactResult }
	h.mutate(t, set, map[string]any{"s": strings.ToUpper(shaOne), "p": false}, &m)
	if m.SetArtifactPresent.SHA256 != shaOne || m.SetArtifactPresent.Present || m.SetArtifactPresent.Name == nil {
		t.Fatalf("setArtifactPresent = %+v", m.SetArtifactPresent)
	}
	check := func(when string) {
		g := read()
		if !slices.Equal(g.PackageVersion.Hashes, []string{shaTwo}) {
			t.Errorf("%s: hashes = %v, want the removed one left out", when, g.PackageVersion.Hashes)
		}
		for _, a := range g.PackageVersion.Artifacts {
			if a.Present != (a.SHA256 == shaTwo) {
				t.Errorf("%s: artifact %+v", when, a)
			}
		}
	}
	check("after the removal")
	h.ingest(t, "solver-adviser-0", adviserDocument(envs[0]))
	check("after re-ingesting the document")
	h.mutate(t, set, map[string]any{"s": shaOne, "p": true}, &m)
	if g := read(); !m.SetArtifactPresent.Present || len(g.PackageVersion.Hashes) != 2 {
		t.Errorf("present again: %+v, hashes %v", m.SetArtifactPresent, g.PackageVersion.Hashes)
	}

	for _, c := range []struct {
		vars map[string]any
		q    string
		code string
	}{
		{map[string]any{"s": "abc", "p": false}, set, "INVALID"},
		{map[string]any{"s": strings.Repeat("x", 64), "p": false}, set, "INVALID"},
		{map[string]any{"s": strings.Repeat("0", 64), "p": false}, set, "NOT_FOUND"},
		{map[string]any{"s": shaOne, "p": false}, strings.Replace(set, `version: "2.0"`, `version: "9.9"`, 1), "NOT_FOUND"},
		{map[string]any{"s": shaOne, "p": false}, strings.Replace(set, `https://pypi.org/simple`, `https://unknown.example.com/simple`, 1), "NOT_FOUND"},
		{map[string]any{"s": shaOne, "p": false}, strings.Replace(set, `"ADV_Flask"`, `""`, 1), "INVALID"},
	} {
		wantCode(t, h.do(t, adminSecret, c.q, c.vars, nil), c.code, "setArtifactPresent")
	}
}

// TestAdviserFieldsStatements: artifacts, hashes, isMissing,
// providesSourceDistro, rules (with their index) and records of every
// version of a page of packages, and the release lister, cost one
// statement per level whatever the breadth.
func TestAdviserFieldsStatements(t *testing.T) {
	t.Parallel()
	h := adviserHarness(t)
	var r struct{ CreateRule struct{ Rule struct{ ID string } } }
	h.mutate(t, `mutation { createRule(input: {package: "adv-flask", versionRange: "==2.*", indexUrl: "https://pypi.org/simple"}) { rule { id } } }`, nil, &r)
	var got struct {
		Packages struct {
			Edges []struct {
				Node struct {
					Name     string
					Versions struct {
						Edges []struct {
							Node struct {
								Version              string
								Artifacts            []artifactResult
								Hashes               []string
								IsMissing            bool
								ProvidesSourceDistro bool
								Rules                []struct{ Index *struct{ URL string } }
								Records              []struct{ IndexURL *string }
							}
						}
					}
					Solved struct{ TotalCount int }
				}
			}
		}
	}
	// Levels: packages; versions and the release lister; artifacts (hashes
	// share them), rules and records; the rules' indexes.
	n := h.query(t, `query($env: EnvironmentInput!) { packages(first: 200) { edges { node { name
	  versions(first: 10) { edges { node { version artifacts { sha256 present } hashes isMissing providesSourceDistro
	    rules { index { url } } records(environment: $env) { indexUrl } } } }
	  solved: versions(environment: $env) { totalCount } } } } }`, map[string]any{"env": envVar(envs[0])}, &got)
	versions, artifacts, rules, records := 0, 0, 0, 0
	for _, p := range got.Packages.Edges {
		for _, v := range p.Node.Versions.Edges {
			versions++
			artifacts += len(v.Node.Artifacts)
			records += len(v.Node.Records)
			for _, rule := range v.Node.Rules {
				rules++
				if rule.Index == nil || rule.Index.URL != indexA {
					t.Errorf("%s %s: rule index %+v", p.Node.Name, v.Node.Version, rule.Index)
				}
			}
			if !v.Node.ProvidesSourceDistro || v.Node.IsMissing {
				t.Errorf("%s %s: flags %+v", p.Node.Name, v.Node.Version, v.Node)
			}
		}
	}
	if versions < 300 || artifacts == 0 || records < 100 || rules != 3 {
		t.Errorf("query too small to prove batching: %d versions, %d artifacts, %d records, %d rules", versions, artifacts, records, rules)
	}
	if n > 7 {
		t.Errorf("%d statements, want <= 7 (one per level and field)", n)
	}
	t.Logf("%d statements for %d versions, %d artifacts, %d records, %d rules", n, versions, artifacts, records, rules)
}
