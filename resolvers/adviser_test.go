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
	// The old PyPI URL and another spelling of the version name the same release.
	h.mutate(t, strings.NewReplacer(`https://pypi.org/simple`, `https://pypi.python.org/simple/`, `version: "2.0"`, `version: "v2.0"`).Replace(set),
		map[string]any{"s": shaOne, "p": true}, &m)
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
	var r struct {
		CreateRule struct{ Rule struct{ ID string } }
	}
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

type versionRef struct {
	Version   string
	IndexURL  *string
	IsMissing bool
}

func refs(vs []versionRef) []string {
	out := []string{}
	for _, v := range vs {
		ix := ""
		if v.IndexURL != nil {
			ix = "@" + strings.TrimPrefix(strings.TrimPrefix(*v.IndexURL, "https://"), "pypi.")
		}
		out = append(out, v.Version+ix)
	}
	return out
}

func connRefs(c struct{ Edges []struct{ Node versionRef } }) []string {
	vs := make([]versionRef, len(c.Edges))
	for i, e := range c.Edges {
		vs[i] = e.Node
	}
	return refs(vs)
}

type versionConn = struct{ Edges []struct{ Node versionRef } }

// TestMissingVersions: markPackageVersion (admin only) marks a release
// missing on its index; versions, latestVersion, resolvedVersions, records,
// packageVersions and the walk leave it out unless includeMissing, and the
// solvers' backlog never offers it.
func TestMissingVersions(t *testing.T) {
	t.Parallel()
	h := adviserHarness(t)
	const mark = `mutation($v: String!, $m: Boolean) { markPackageVersion(input: {name: "adv-werkzeug", version: $v,
	  indexUrl: "https://pypi.org/simple", isMissing: $m}) { version isMissing providesSourceDistro } }`
	if errs := h.do(t, ingestSecret, mark, map[string]any{"v": "2.1", "m": true}, nil); len(errs) == 0 || errs[0].Extensions["code"] != "FORBIDDEN" {
		t.Fatalf("ingest token: %+v, want FORBIDDEN", errs)
	}
	var m struct {
		MarkPackageVersion struct {
			Version                         string
			IsMissing, ProvidesSourceDistro bool
		}
	}
	h.mutate(t, mark, map[string]any{"v": "2.1", "m": true}, &m)
	if !m.MarkPackageVersion.IsMissing || !m.MarkPackageVersion.ProvidesSourceDistro || m.MarkPackageVersion.Version != "2.1" {
		t.Fatalf("markPackageVersion = %+v", m.MarkPackageVersion)
	}
	// The unsolved adv-flask 2.1 is in the backlog until it is missing.
	backlog := func() []string {
		var got struct{ UnsolvedPackageVersions versionConn }
		h.query(t, `query($env: EnvironmentInput!) { unsolvedPackageVersions(environment: $env, first: 200) {
		  edges { node { version indexUrl isMissing } } } }`, map[string]any{"env": envVar(envs[0])}, &got)
		var out []string
		for _, e := range got.UnsolvedPackageVersions.Edges {
			if e.Node.IsMissing {
				t.Errorf("backlog offers missing %+v", e.Node)
			}
		}
		for _, r := range connRefs(got.UnsolvedPackageVersions) {
			if strings.HasPrefix(r, "2.1") {
				out = append(out, r)
			}
		}
		return out
	}
	if got := backlog(); len(got) != 1 {
		t.Fatalf("backlog before: 2.1 releases %v, want adv-flask's", got)
	}
	var mf struct{ MarkPackageVersion struct{ IsMissing bool } }
	h.mutate(t, `mutation { markPackageVersion(input: {name: "adv-flask", version: "2.1", indexUrl: "https://pypi.org/simple", isMissing: true}) { isMissing } }`, nil, &mf)
	if got := backlog(); len(got) != 0 {
		t.Errorf("backlog after: %v, want the missing release left out", got)
	}

	var got struct {
		Werkzeug struct {
			Versions, All versionConn
			Latest        *versionRef
			LatestAll     *versionRef
		}
		Flask *struct {
			Dependencies []struct {
				ResolvedVersions, All []versionRef
			}
		}
		Same, SameAll []versionRef
		Werkzeug21    *struct{ Records, RecordsAll []versionRef }
	}
	n := h.query(t, `query($env: EnvironmentInput!) {
	  werkzeug: package(name: "adv-werkzeug") {
	    versions { edges { node { version indexUrl isMissing } } }
	    all: versions(includeMissing: true) { edges { node { version indexUrl isMissing } } }
	    latest: latestVersion { version } latestAll: latestVersion(includeMissing: true) { version } }
	  flask: packageVersion(name: "adv-flask", version: "2.0", indexUrl: "https://pypi.org/simple") {
	    dependencies(environment: $env) { resolvedVersions { version isMissing } all: resolvedVersions(includeMissing: true) { version isMissing } } }
	  same: packageVersions(name: "adv-werkzeug", version: "2.1") { version }
	  sameAll: packageVersions(name: "adv-werkzeug", version: "2.1", environment: $env, includeMissing: true) { version isMissing }
	  werkzeug21: packageVersion(name: "adv-werkzeug", version: "2.1", indexUrl: "https://pypi.org/simple") {
	    records(environment: $env) { version indexUrl } recordsAll: records(environment: $env, includeMissing: true) { version indexUrl } }
	}`, map[string]any{"env": envVar(envs[0])}, &got)
	if w := connRefs(got.Werkzeug.Versions); !slices.Equal(w, []string{"2.0@org/simple"}) {
		t.Errorf("versions = %v", w)
	}
	if w := connRefs(got.Werkzeug.All); !slices.Equal(w, []string{"2.1@org/simple", "2.0@org/simple"}) || !got.Werkzeug.All.Edges[0].Node.IsMissing {
		t.Errorf("versions(includeMissing) = %v", w)
	}
	if got.Werkzeug.Latest == nil || got.Werkzeug.Latest.Version != "2.0" || got.Werkzeug.LatestAll == nil || got.Werkzeug.LatestAll.Version != "2.1" {
		t.Errorf("latestVersion = %+v, with includeMissing %+v", got.Werkzeug.Latest, got.Werkzeug.LatestAll)
	}
	if got.Flask == nil || len(got.Flask.Dependencies) != 1 || !slices.Equal(refs(got.Flask.Dependencies[0].ResolvedVersions), []string{"2.0"}) ||
		!slices.Equal(refs(got.Flask.Dependencies[0].All), []string{"2.0", "2.1"}) {
		t.Errorf("resolvedVersions = %+v", got.Flask)
	}
	if len(got.Same) != 0 || len(got.SameAll) != 1 || !got.SameAll[0].IsMissing {
		t.Errorf("packageVersions = %v, with includeMissing %+v", got.Same, got.SameAll)
	}
	if got.Werkzeug21 == nil || len(got.Werkzeug21.Records) != 0 || !slices.Equal(refs(got.Werkzeug21.RecordsAll), []string{"2.1@org/simple"}) {
		t.Errorf("records of the missing release = %+v", got.Werkzeug21)
	}
	t.Logf("%d statements", n)

	// The walk: adv-werkzeug 2.1 is absent, and present on request.
	walk := func(includeMissing bool) []string {
		var g struct {
			DependencyGraph struct {
				Nodes []struct{ Name, Version string }
				Edges []struct{ From, To string }
			}
		}
		h.query(t, `query($env: EnvironmentInput!, $m: Boolean) { dependencyGraph(root: {name: "adv-flask", version: "2.0",
		  indexUrl: "https://pypi.org/simple"}, environment: $env, includeMissing: $m) { nodes { name version } edges { from to } } }`,
			map[string]any{"env": envVar(envs[0]), "m": includeMissing}, &g)
		var out []string
		for _, n := range g.DependencyGraph.Nodes {
			out = append(out, n.Name+"=="+n.Version)
		}
		if len(g.DependencyGraph.Edges) != len(out)-1 {
			t.Errorf("includeMissing %v: %d edges for nodes %v", includeMissing, len(g.DependencyGraph.Edges), out)
		}
		return out
	}
	if w := walk(false); !slices.Equal(w, []string{"adv-flask==2.0", "adv-werkzeug==2.0"}) {
		t.Errorf("walk = %v, want the missing release absent", w)
	}
	if w := walk(true); !slices.Equal(w, []string{"adv-flask==2.0", "adv-werkzeug==2.0", "adv-werkzeug==2.1"}) {
		t.Errorf("walk with includeMissing = %v", w)
	}

	// adv-other 1.0's one requirement resolves to the missing adv-flask 2.1
	// alone: at the depth bound it truncates nothing, unless includeMissing.
	for _, c := range []struct {
		depth          int
		includeMissing bool
		nodes          int
		truncated      bool
	}{{0, false, 1, false}, {0, true, 1, true}, {1, false, 1, false}, {1, true, 2, false}} {
		var g struct {
			DependencyGraph struct {
				Nodes     []struct{ Name string }
				Truncated bool
			}
		}
		h.query(t, `query($env: EnvironmentInput!, $d: Int, $m: Boolean) { dependencyGraph(root: {name: "adv-other", version: "1.0"},
		  environment: $env, maxDepth: $d, includeMissing: $m) { nodes { name } truncated } }`,
			map[string]any{"env": envVar(envs[0]), "d": c.depth, "m": c.includeMissing}, &g)
		if len(g.DependencyGraph.Nodes) != c.nodes || g.DependencyGraph.Truncated != c.truncated {
			t.Errorf("maxDepth %d, includeMissing %v: %+v, want %d nodes, truncated %v", c.depth, c.includeMissing, g.DependencyGraph, c.nodes, c.truncated)
		}
	}

	// Marking it served again brings it back; bad marks are refused.
	h.mutate(t, mark, map[string]any{"v": "2.1", "m": false}, &m)
	if w := walk(false); len(w) != 3 {
		t.Errorf("walk after unmarking = %v", w)
	}
	wantCode(t, h.do(t, adminSecret, mark, map[string]any{"v": "2.1", "m": nil}, nil), "INVALID", "markPackageVersion")
	wantCode(t, h.do(t, adminSecret, mark, map[string]any{"v": "9.9", "m": true}, nil), "NOT_FOUND", "markPackageVersion")
}

// TestReleaseLister: Package.versions in an environment (solved ones, in
// PEP 440 order; failed runs with includeErrors), solvedOnly, and the
// indexes a release is solved on (records, packageVersions).
func TestReleaseLister(t *testing.T) {
	t.Parallel()
	h := adviserHarness(t)
	var got struct {
		Package struct {
			All, Env0, Env0Errors, Env1, Solved, SolvedErrors, OnB versionConn
		}
		PackageVersion struct {
			Records, Records1 []versionRef
			Errors            []versionRef
		}
		Everywhere, Env0, Spelled []versionRef
	}
	const fields = `edges { node { version indexUrl } }`
	h.query(t, `query($e0: EnvironmentInput!, $e1: EnvironmentInput!) { package(name: "adv-flask") {
	  all: versions { `+fields+` }
	  env0: versions(environment: $e0) { `+fields+` }
	  env0Errors: versions(environment: $e0, includeErrors: true) { `+fields+` }
	  env1: versions(environment: $e1) { `+fields+` }
	  solved: versions(solvedOnly: true) { `+fields+` }
	  solvedErrors: versions(solvedOnly: true, includeErrors: true) { `+fields+` }
	  onB: versions(environment: $e0, indexUrl: "https://mirror.example.com/simple") { `+fields+` } }
	  packageVersion(name: "adv-flask", version: "2.0", indexUrl: "https://mirror.example.com/simple") {
	    records(environment: $e0) { version indexUrl } records1: records(environment: $e1) { version indexUrl } }
	  everywhere: packageVersions(name: "adv-flask", version: "2.0") { version indexUrl }
	  spelled: packageVersions(name: "adv-flask", version: "2.0-RC1") { version indexUrl }
	  env0: packageVersions(name: "ADV.flask", version: "2.0", environment: $e0) { version indexUrl }
	}`, map[string]any{"e0": envVar(envs[0]), "e1": envVar(envs[1])}, &got)
	for _, c := range []struct {
		name string
		got  []string
		want []string
	}{
		{"all", connRefs(got.Package.All), []string{"2.1@org/simple", "2.0@org/simple", "2.0@mirror.example.com/simple", "2.0rc1@org/simple", "1.0@org/simple"}},
		{"environment", connRefs(got.Package.Env0), []string{"2.0@org/simple", "2.0@mirror.example.com/simple"}},
		{"environment, includeErrors", connRefs(got.Package.Env0Errors), []string{"2.0@org/simple", "2.0@mirror.example.com/simple", "1.0@org/simple"}},
		{"second environment", connRefs(got.Package.Env1), []string{"2.0rc1@org/simple"}},
		{"solvedOnly", connRefs(got.Package.Solved), []string{"2.0@org/simple", "2.0@mirror.example.com/simple", "2.0rc1@org/simple"}},
		{"solvedOnly, includeErrors", connRefs(got.Package.SolvedErrors), []string{"2.0@org/simple", "2.0@mirror.example.com/simple", "2.0rc1@org/simple", "1.0@org/simple"}},
		{"environment and index", connRefs(got.Package.OnB), []string{"2.0@mirror.example.com/simple"}},
		{"records", refs(got.PackageVersion.Records), []string{"2.0@org/simple", "2.0@mirror.example.com/simple"}},
		{"records where unsolved", refs(got.PackageVersion.Records1), []string{}},
		{"packageVersions", refs(got.Everywhere), []string{"2.0@org/simple", "2.0@mirror.example.com/simple"}},
		{"packageVersions in an environment", refs(got.Env0), []string{"2.0@org/simple", "2.0@mirror.example.com/simple"}},
		{"packageVersions of a version spelled otherwise", refs(got.Spelled), []string{"2.0rc1@org/simple"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// A page of the lister continues after its cursor.
	var page struct {
		Package struct {
			Versions struct {
				Edges    []struct{ Node versionRef }
				PageInfo struct{ EndCursor string }
			}
		}
	}
	const q = `query($e: EnvironmentInput!, $a: String) { package(name: "adv-flask") { versions(environment: $e, includeErrors: true, first: 2, after: $a) {
	  edges { node { version indexUrl } } pageInfo { endCursor } } } }`
	h.query(t, q, map[string]any{"e": envVar(envs[0])}, &page)
	h.query(t, q, map[string]any{"e": envVar(envs[0]), "a": page.Package.Versions.PageInfo.EndCursor}, &page)
	if w := connRefs(versionConn{Edges: page.Package.Versions.Edges}); !slices.Equal(w, []string{"1.0@org/simple"}) {
		t.Errorf("second page = %v", w)
	}
	errs := h.do(t, "", `{ package(name: "adv-flask") { versions(environment: {osName: "", osVersion: "", pythonVersion: ""}) { totalCount } } }`, nil, nil)
	wantCode(t, errs, "INVALID", "package.versions")
}

type ruleResult struct {
	ID           string
	Package      string
	VersionRange *string
	IndexURL     *string
	Index        *struct{ URL string }
	Description  string
	CreatedAt    string
}

const ruleFields = `id package versionRange indexUrl index { url } description createdAt`

// TestSolverRules: createRule (admin only) matches PEP 440 specifiers, pre-
// releases included, on one index or on every index; PackageVersion.rules
// lists both scopes; a version that arrives later is matched on arrival;
// ruled-out versions leave the solvers' backlog and deleteRule brings them
// back; rules, rule and the refusals.
func TestSolverRules(t *testing.T) {
	t.Parallel()
	h := adviserHarness(t)
	const create = `mutation($in: CreateRuleInput!) { createRule(input: $in) { created rule { ` + ruleFields + ` } } }`
	type created struct {
		CreateRule struct {
			Created bool
			Rule    ruleResult
		}
	}
	newRule := func(in map[string]any) ruleResult {
		var c created
		h.mutate(t, create, map[string]any{"in": in}, &c)
		if !c.CreateRule.Created {
			t.Fatalf("createRule(%v): created false", in)
		}
		return c.CreateRule.Rule
	}
	if errs := h.do(t, ingestSecret, create, map[string]any{"in": map[string]any{"package": "adv-flask"}}, nil); len(errs) == 0 || errs[0].Extensions["code"] != "FORBIDDEN" {
		t.Fatalf("ingest token: %+v, want FORBIDDEN", errs)
	}
	// The unsolved adv-flask 2.1 is in the backlog before any rule.
	inBacklog := func(version string) bool {
		var got struct{ UnsolvedPackageVersions versionConn }
		h.query(t, `query($env: EnvironmentInput!) { unsolvedPackageVersions(environment: $env, first: 200) {
		  edges { node { version indexUrl } } } }`, map[string]any{"env": envVar(envs[0])}, &got)
		for _, e := range got.UnsolvedPackageVersions.Edges {
			if e.Node.Version == version && e.Node.IndexURL != nil && *e.Node.IndexURL == indexA {
				return true
			}
		}
		return false
	}
	if !inBacklog("2.1") {
		t.Fatal("adv-flask 2.1 is not in the backlog before any rule")
	}

	// On indexA, pre-releases included: 2.0rc1 and 2.0 there, not 2.0 on indexB, nor 1.0 or 2.1.
	onA := newRule(map[string]any{"package": "ADV_Flask", "versionRange": " >= 2.0rc1 , < 2.1 ", "indexUrl": indexA + "/", "description": "broken wheels"})
	if onA.Package != "adv-flask" || onA.VersionRange == nil || *onA.VersionRange != ">=2.0rc1,<2.1" || onA.IndexURL == nil || *onA.IndexURL != indexA ||
		onA.Index == nil || onA.Index.URL != indexA || onA.Description != "broken wheels" || onA.CreatedAt == "" {
		t.Fatalf("createRule = %+v", onA)
	}
	// On every index: ==2.* (2.0rc1, 2.0 on both, 2.1) and one without specifier on indexB.
	anyIndex := newRule(map[string]any{"package": "adv-flask", "versionRange": "==2.*"})
	onB := newRule(map[string]any{"package": "adv-flask", "indexUrl": indexB})
	if anyIndex.IndexURL != nil || anyIndex.Index != nil || onB.VersionRange != nil || anyIndex.Description != "" {
		t.Fatalf("rules %+v, %+v", anyIndex, onB)
	}
	// An equal rule is not created twice.
	var again created
	h.mutate(t, create, map[string]any{"in": map[string]any{"package": "adv-flask", "versionRange": "==2.*"}}, &again)
	if again.CreateRule.Created || again.CreateRule.Rule.ID != anyIndex.ID {
		t.Errorf("createRule again = %+v, want the existing %s", again.CreateRule, anyIndex.ID)
	}
	if inBacklog("2.1") {
		t.Error("adv-flask 2.1 is still in the backlog under ==2.*")
	}

	// A pre-release that arrives later is matched as it arrives.
	h.ingest(t, "solver-adviser-2", &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: envs[0],
		SolvedAt: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC),
		Entries: []persistence.SolvedEntry{{Name: "adv-other", Version: "1.1", IndexURL: indexA, Dependencies: []persistence.DependencyEntry{
			{Name: "adv-flask", VersionRange: ">=2.2.dev0", Resolved: []persistence.ResolvedEntry{{IndexURL: indexA, Versions: []string{"2.2.dev1", "3.0"}}}}}}}})
	if inBacklog("2.2.dev1") || !inBacklog("3.0") {
		t.Errorf("backlog: 2.2.dev1 %v (want out), 3.0 %v (want in)", inBacklog("2.2.dev1"), inBacklog("3.0"))
	}

	var got struct {
		Package struct {
			Versions struct {
				Edges []struct {
					Node struct {
						Version  string
						IndexURL *string
						Rules    []ruleResult
					}
				}
			}
		}
	}
	read := func() map[string][]string {
		h.query(t, `{ package(name: "adv-flask") { versions(includeMissing: true) { edges { node { version indexUrl rules { `+ruleFields+` } } } } } }`, nil, &got)
		names := map[string]string{onA.ID: "onA", anyIndex.ID: "any", onB.ID: "onB"}
		out := map[string][]string{}
		for _, e := range got.Package.Versions.Edges {
			k := e.Node.Version + "@" + strings.TrimPrefix(*e.Node.IndexURL, "https://")
			out[k] = []string{}
			for _, r := range e.Node.Rules {
				out[k] = append(out[k], names[r.ID])
			}
		}
		return out
	}
	want := map[string][]string{
		"3.0@pypi.org/simple":           {},
		"2.2.dev1@pypi.org/simple":      {"any"},
		"2.1@pypi.org/simple":           {"any"},
		"2.0@pypi.org/simple":           {"onA", "any"},
		"2.0@mirror.example.com/simple": {"any", "onB"},
		"2.0rc1@pypi.org/simple":        {"onA", "any"},
		"1.0@pypi.org/simple":           {},
	}
	check := func(when string, want map[string][]string) {
		got := read()
		for k, w := range want {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s: rules of %s = %v, want %v", when, k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: versions %v", when, got)
		}
	}
	check("after creating", want)

	// rules, rule.
	var list struct {
		Rules struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   ruleResult
			}
		}
		Rule *ruleResult
	}
	n := h.query(t, `query($id: ID!) { rules(package: "Adv.Flask", first: 2) { totalCount edges { cursor node { `+ruleFields+` } } }
	  rule(id: $id) { `+ruleFields+` } }`, map[string]any{"id": onB.ID}, &list)
	if list.Rules.TotalCount != 3 || len(list.Rules.Edges) != 2 || list.Rules.Edges[0].Node.ID != onA.ID || list.Rules.Edges[1].Node.ID != anyIndex.ID ||
		list.Rule == nil || list.Rule.ID != onB.ID || list.Rule.Index == nil || list.Rule.Index.URL != indexB {
		t.Errorf("rules = %+v, rule = %+v", list.Rules, list.Rule)
	}
	// Two root fields, each one statement for its rules and one for their indexes.
	if n > 4 {
		t.Errorf("rules and rule with their indexes: %d statements, want <= 4", n)
	}
	h.query(t, `query($a: String) { rules(package: "adv-flask", first: 2, after: $a) { totalCount edges { cursor node { `+ruleFields+` } } } rule(id: "UnVsZTo5OTk5OTk=") { id } }`,
		map[string]any{"a": list.Rules.Edges[1].Cursor}, &list)
	if len(list.Rules.Edges) != 1 || list.Rules.Edges[0].Node.ID != onB.ID || list.Rule != nil {
		t.Errorf("second page = %+v, unknown rule = %+v", list.Rules.Edges, list.Rule)
	}

	// deleteRule: what only it matched is offered again.
	var del struct{ DeleteRule ruleResult }
	h.mutate(t, `mutation($id: ID!) { deleteRule(id: $id) { `+ruleFields+` } }`, map[string]any{"id": anyIndex.ID}, &del)
	if del.DeleteRule.ID != anyIndex.ID || del.DeleteRule.VersionRange == nil || *del.DeleteRule.VersionRange != "==2.*" {
		t.Errorf("deleteRule = %+v", del.DeleteRule)
	}
	if !inBacklog("2.1") || !inBacklog("2.2.dev1") {
		t.Error("the versions only the deleted rule matched are not back in the backlog")
	}
	check("after deleting", map[string][]string{
		"3.0@pypi.org/simple": {}, "2.2.dev1@pypi.org/simple": {}, "2.1@pypi.org/simple": {}, "2.0@pypi.org/simple": {"onA"},
		"2.0@mirror.example.com/simple": {"onB"}, "2.0rc1@pypi.org/simple": {"onA"}, "1.0@pypi.org/simple": {},
	})

	for _, c := range []struct {
		q    string
		vars map[string]any
		code string
	}{
		{create, map[string]any{"in": map[string]any{"package": "adv-flask", "versionRange": ">=1.0.*"}}, "INVALID"},
		{create, map[string]any{"in": map[string]any{"package": "adv-flask", "versionRange": "latest"}}, "INVALID"},
		{create, map[string]any{"in": map[string]any{"package": " ", "versionRange": ">=1"}}, "INVALID"},
		{create, map[string]any{"in": map[string]any{"package": "adv-flask", "indexUrl": "https://never-registered.example.com/simple"}}, "NOT_FOUND"},
		{`mutation($id: ID!) { deleteRule(id: $id) { id } }`, map[string]any{"id": anyIndex.ID}, "NOT_FOUND"},
		{`mutation($id: ID!) { deleteRule(id: $id) { id } }`, map[string]any{"id": "UGFja2FnZToy"}, "INVALID"},
	} {
		path := "createRule"
		if strings.Contains(c.q, "deleteRule") {
			path = "deleteRule"
		}
		wantCode(t, h.do(t, adminSecret, c.q, c.vars, nil), c.code, path)
	}
}

// TestDocumentSaysMissing: a solver document whose error shows pip finding
// the index's versions without this one marks the release missing on
// ingestion; an error that shows nothing of the kind leaves it as it is.
func TestDocumentSaysMissing(t *testing.T) {
	t.Parallel()
	h, _ := ingestHarness(t)
	doc := readFixture(t, "solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1.json")
	const id = "solver-rhel-8-py38-210611093016-5e5a7ba70c0ffee2"
	doc["metadata"].(map[string]any)["document_id"] = id
	res := doc["result"].(map[string]any)
	res["errors"] = append(res["errors"].([]any), map[string]any{
		"package_name": "armillary", "package_version": "1.8.0", "index_url": "https://pypi.org/simple", "type": "command_error",
		"details": map[string]any{"message": "Command exited with non-zero status code (1)", "return_code": 1,
			"stderr": "ERROR: Could not find a version that satisfies the requirement armillary==1.8.0 (from versions: 1.9.0, 2.0.0)\n" +
				"ERROR: No matching distribution found for armillary==1.8.0\n"}})
	var out struct{ IngestDocument struct{ Status string } }
	if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": doc}}, &out); len(errs) > 0 || out.IngestDocument.Status != "INGESTED" {
		t.Fatalf("ingestDocument: %+v, %+v", errs, out)
	}
	var got struct {
		Package struct {
			Versions, All struct{ Edges []struct{ Node versionRef } }
		}
	}
	h.query(t, `{ package(name: "armillary") { versions { edges { node { version isMissing } } }
	  all: versions(includeMissing: true) { edges { node { version isMissing } } } } }`, nil, &got)
	missing := map[string]bool{}
	for _, e := range got.Package.All.Edges {
		missing[e.Node.Version] = e.Node.IsMissing
	}
	if !missing["1.8.0"] || missing["1.9.0"] || missing["2.0.0"] {
		t.Errorf("isMissing by version: %v, want 1.8.0 alone", missing)
	}
	for _, e := range got.Package.Versions.Edges {
		if e.Node.Version == "1.8.0" {
			t.Errorf("versions lists the missing 1.8.0")
		}
	}
}
