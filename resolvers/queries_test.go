package resolvers_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/seshat-graph/seshat/internal/graphgen"
)

// TestNestedQueryStatements: dataloaders batch each nesting level into one
// statement whatever the breadth.
func TestNestedQueryStatements(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var got struct {
		Packages struct {
			Edges []struct {
				Node struct {
					Name     string
					Versions struct {
						Edges []struct {
							Node struct {
								Version      string
								Dependencies []struct {
									Name             string
									ResolvedVersions []struct{ Name, Version string }
								}
							}
						}
					}
				}
			}
		}
	}
	n := h.query(t, `query($env: EnvironmentInput!) {
	  packages(first: 50) { totalCount edges { node { name versions { edges { node {
	    version dependencies(environment: $env) { name versionRange resolvedVersions { name version indexUrl } } } } } } } }
	}`, map[string]any{"env": envVar(envs[0])}, &got)
	if n > 4 {
		t.Errorf("nested query cost %d statements, want <= 4", n)
	}
	pkgs, versions, deps, resolved := 0, 0, 0, 0
	for _, p := range got.Packages.Edges {
		pkgs++
		for _, v := range p.Node.Versions.Edges {
			versions++
			for _, d := range v.Node.Dependencies {
				deps++
				resolved += len(d.ResolvedVersions)
			}
		}
	}
	if pkgs != 50 || versions < 100 || deps < 100 || resolved < 100 {
		t.Errorf("query too small to prove batching: %d packages, %d versions, %d dependencies, %d resolved", pkgs, versions, deps, resolved)
	}
	t.Logf("%d statements for %d packages, %d versions, %d dependencies, %d resolved versions", n, pkgs, versions, deps, resolved)
}

// TestVersionFieldsStatements: every PackageVersion field resolver is batched.
func TestVersionFieldsStatements(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var got struct {
		Packages struct {
			Edges []struct {
				Node struct {
					LatestVersion *struct{ Version string }
					Versions      struct {
						Edges []struct {
							Node struct {
								Index        *struct{ URL string }
								Package      struct{ Name string }
								Environments []struct{ OSName string }
								Solved       []struct{ Environment struct{ OSName string } }
								SolverErrors []struct {
									Error        bool
									ErrorDetails any
								}
								Metadata        *struct{ Summary *string }
								Vulnerabilities []struct{ ID string }
							}
						}
					}
				}
			}
		}
	}
	// Levels: packages; versions (latestVersion shares the loader); the
	// version fields (index, package, environments, solved, metadata,
	// vulnerabilities: one statement each, in parallel); solved environments.
	n := h.query(t, `{ packages(first: 40) { edges { node { latestVersion { version } versions { edges { node {
	  index { url } package { name } environments { osName } solved { environment { osName } }
	  solverErrors { error errorDetails } metadata { summary } vulnerabilities { id } } } } } } } }`, nil, &got)
	if n > 9 {
		t.Errorf("%d statements, want <= 9", n)
	}
	failures := 0
	for _, p := range got.Packages.Edges {
		for _, v := range p.Node.Versions.Edges {
			failures += len(v.Node.SolverErrors)
			for _, e := range v.Node.SolverErrors {
				if !e.Error || e.ErrorDetails == nil {
					t.Errorf("solver error without details: %+v", e)
				}
			}
		}
	}
	if failures == 0 {
		t.Error("no solver errors reported")
	}
}

func TestNamesAndUnknowns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct{ in, want string }{
		{"Py_YAML", "py-yaml"}, {"ruamel.yaml", "ruamel-yaml"}, {"RUAMEL__YAML", "ruamel-yaml"}, {"py-yaml", "py-yaml"},
	} {
		var got struct{ Package *struct{ Name string } }
		h.query(t, `query($n: String!) { package(name: $n) { name } }`, map[string]any{"n": c.in}, &got)
		if got.Package == nil || got.Package.Name != c.want {
			t.Errorf("package(%q) = %+v, want %s", c.in, got.Package, c.want)
		}
	}
	var got struct {
		Package        *struct{ Name string }
		PackageVersion *struct{ Name string }
	}
	h.query(t, `{ package(name: "no-such-package") { name } packageVersion(name: "Py.YAML", version: "9.9") { name } }`, nil, &got)
	if got.Package != nil || got.PackageVersion != nil {
		t.Errorf("unknown package/version = %+v, want nulls", got)
	}
	var pv struct {
		PackageVersion *struct {
			Name, Version string
			Dependencies  []struct {
				Name             string
				ResolvedVersions []struct{ Name string }
			}
		}
	}
	h.query(t, `{ packageVersion(name: "PY_yaml", version: "6.0") { name version
	  dependencies(environment: {osName: "UBI", osVersion: "8.4", pythonVersion: "3.8.10"}) { name resolvedVersions { name } } } }`, nil, &pv)
	if pv.PackageVersion == nil || len(pv.PackageVersion.Dependencies) != 1 || pv.PackageVersion.Dependencies[0].Name != "ruamel-yaml" ||
		pv.PackageVersion.Dependencies[0].ResolvedVersions[0].Name != "ruamel-yaml" {
		t.Errorf("py-yaml 6.0 in ubi 8.4 (normalised to rhel 8) = %+v", pv.PackageVersion)
	}
}

func TestVersionsPEP440(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	type conn struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct{ Node struct{ Version string } }
	}
	var all []string
	var after *string
	for {
		var got struct {
			Package struct {
				Versions      conn
				LatestVersion struct{ Version string }
			}
		}
		h.query(t, `query($a: String) { package(name: "pep-order") { latestVersion { version }
		  versions(first: 4, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { version } } } } }`,
			map[string]any{"a": after}, &got)
		if got.Package.LatestVersion.Version != "2.0" {
			t.Errorf("latestVersion = %s, want 2.0", got.Package.LatestVersion.Version)
		}
		if got.Package.Versions.TotalCount != 6 {
			t.Errorf("totalCount = %d, want 6", got.Package.Versions.TotalCount)
		}
		for _, e := range got.Package.Versions.Edges {
			all = append(all, e.Node.Version)
		}
		if !got.Package.Versions.PageInfo.HasNextPage {
			break
		}
		after = got.Package.Versions.PageInfo.EndCursor
	}
	want := []string{"2.0", "2.0rc1", "1.10", "1.9", "1.0.dev1", "0.9"}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("versions = %v, want %v", all, want)
	}
	var pre struct {
		Package struct{ LatestVersion struct{ Version string } }
	}
	h.query(t, `{ package(name: "only-pre") { latestVersion { version } } }`, nil, &pre)
	if pre.Package.LatestVersion.Version != "3.0b1" {
		t.Errorf("latestVersion of a package with only a pre-release = %q", pre.Package.LatestVersion.Version)
	}
}

func TestPackagesPagination(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var names []string
	var after *string
	total := -1
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		var got struct {
			Packages struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct {
					Cursor string
					Node   struct{ ID, Name string }
				}
			}
		}
		h.query(t, `query($a: String) { packages(first: 7, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`,
			map[string]any{"a": after}, &got)
		total = got.Packages.TotalCount
		for _, e := range got.Packages.Edges {
			names = append(names, e.Node.Name)
		}
		if !got.Packages.PageInfo.HasNextPage {
			break
		}
		after = got.Packages.PageInfo.EndCursor
	}
	want := len(h.g.ByPackage) + 4 // pep-order, py-yaml, ruamel-yaml, only-pre
	if total != want || len(names) != want {
		t.Errorf("totalCount %d, %d names, want %d", total, len(names), want)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("names not in order: %v", names)
	}
	var prefixed struct {
		Packages struct {
			TotalCount int
			Edges      []struct{ Node struct{ Name string } }
		}
	}
	h.query(t, `{ packages(nameStartsWith: "PKG_000", first: 100) { totalCount edges { node { name } } } }`, nil, &prefixed)
	if prefixed.Packages.TotalCount != 10 || len(prefixed.Packages.Edges) != 10 {
		t.Errorf("prefix pkg-000: %d of %d", len(prefixed.Packages.Edges), prefixed.Packages.TotalCount)
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	root := `root: {name: "pkg-0001", version: "1.0"}, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}`
	for _, c := range []struct{ name, query, code string }{
		{"negative maxDepth", `{ dependencyGraph(` + root + `, maxDepth: -1) { truncated } }`, "INVALID"},
		{"maxDepth above cap", `{ dependencyGraph(` + root + `, maxDepth: 21) { truncated } }`, "INVALID"},
		{"empty root name", `{ dependencyGraph(root: {name: "", version: "1"}, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}) { truncated } }`, "INVALID"},
		{"empty environment", `{ dependencyGraph(root: {name: "a", version: "1"}, environment: {osName: "", osVersion: "8", pythonVersion: "3.8"}) { truncated } }`, "INVALID"},
		{"empty package name", `{ package(name: "") { name } }`, "INVALID"},
		{"empty dependents name", `{ dependents(name: " ") { totalCount } }`, "INVALID"},
		{"negative dependents maxDepth", `{ dependents(name: "pkg-0001", maxDepth: -2) { totalCount } }`, "INVALID"},
		{"negative first", `{ packages(first: -1) { totalCount } }`, "INVALID"},
		{"forged cursor", `{ packages(after: "bm90LWEtY3Vyc29y") { totalCount } }`, "INVALID"},
		{"cursor of another list", `{ unsolvedPackageVersions(environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}, after: "eyJrIjoicGFja2FnZSIsInYiOlsiYSJdfQ") { totalCount } }`, "INVALID"},
		{"bad node id", `{ node(id: "???") { id } }`, "INVALID"},
		{"unknown field", `{ nope }`, "INVALID"},
		{"mutation without token", `mutation { registerPackageIndex(url: "https://x.example/simple") { id } }`, "UNAUTHENTICATED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := h.do(t, "", c.query, nil, nil)
			if len(errs) == 0 || errs[0].Extensions["code"] != c.code {
				t.Errorf("errors = %+v, want code %s", errs, c.code)
			}
		})
	}
	errs := h.do(t, ingestSecret, `mutation { registerPackageIndex(url: "https://x.example/simple") { id } }`, nil, nil)
	if len(errs) == 0 || errs[0].Extensions["code"] != "FORBIDDEN" {
		t.Errorf("ingest token registering an index: %+v, want FORBIDDEN", errs)
	}
	errs = h.do(t, adminSecret, `mutation { registerPackageIndex(url: "not a url") { id } }`, nil, nil)
	if len(errs) == 0 || errs[0].Extensions["code"] != "INVALID" {
		t.Errorf("bad index url: %+v, want INVALID", errs)
	}
}

func TestNodeIDs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var got struct {
		PackageVersion struct {
			ID, Version string
			Package     struct{ ID string }
			Index       struct{ ID string }
		}
		Environments []struct{ ID string }
	}
	h.query(t, `{ packageVersion(name: "py-yaml", version: "6.0") { id version package { id } index { id } } environments { id } }`, nil, &got)
	ids := []string{got.PackageVersion.ID, got.PackageVersion.Package.ID, got.PackageVersion.Index.ID, got.Environments[0].ID}
	for _, id := range ids {
		var n struct {
			Node *struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		h.query(t, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": id}, &n)
		if n.Node == nil || n.Node.ID != id {
			t.Errorf("node(%s) = %+v", id, n.Node)
		}
	}
	var missing struct{ Node *struct{ ID string } }
	h.query(t, `{ node(id: "UGFja2FnZVZlcnNpb246OTk5OTk5") { id } }`, nil, &missing) // PackageVersion:999999
	if missing.Node != nil {
		t.Errorf("unknown node = %+v, want null", missing.Node)
	}
}

// TestDependents checks the reverse walk against one computed from the
// generated graph, and the per-package and per-version dependents fields.
func TestDependents(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	target := graphgen.Name(5)
	for _, c := range []struct {
		env      int // -1: all environments
		maxDepth int
	}{{0, 1}, {1, 2}, {-1, 1}, {-1, 3}} {
		t.Run(fmt.Sprintf("env%d/depth%d", c.env, c.maxDepth), func(t *testing.T) {
			want := reverseWalk(h.g, target, c.env, c.maxDepth)
			vars := map[string]any{"n": "PKG_0005", "d": c.maxDepth, "env": nil}
			if c.env >= 0 {
				vars["env"] = envVar(envs[c.env])
			}
			got := map[string]int{}
			var after *string
			for {
				vars["a"] = after
				var page struct {
					Dependents struct {
						TotalCount int
						PageInfo   struct {
							HasNextPage bool
							EndCursor   *string
						}
						Edges []struct {
							Depth       int
							Node        struct{ Name, Version, IndexURL string }
							Environment struct{ OSName string }
						}
					}
				}
				n := h.query(t, `query($n: String!, $d: Int, $env: EnvironmentInput, $a: String) {
				  dependents(name: $n, maxDepth: $d, environment: $env, first: 25, after: $a) {
				    totalCount pageInfo { hasNextPage endCursor }
				    edges { depth node { name version indexUrl } environment { osName } } } }`, vars, &page)
				if n > int64(c.maxDepth) {
					t.Errorf("%d statements, want <= maxDepth %d", n, c.maxDepth)
				}
				if page.Dependents.TotalCount != len(want) {
					t.Errorf("totalCount = %d, want %d", page.Dependents.TotalCount, len(want))
				}
				for _, e := range page.Dependents.Edges {
					got[fmt.Sprintf("%s==%s@%s/%s", e.Node.Name, e.Node.Version, e.Node.IndexURL, e.Environment.OSName)] = e.Depth
				}
				if !page.Dependents.PageInfo.HasNextPage {
					break
				}
				after = page.Dependents.PageInfo.EndCursor
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("dependents differ:\n got %v\nwant %v", got, want)
			}
			if len(want) == 0 {
				t.Error("no dependents: the case proves nothing")
			}
		})
	}
	// The fields: direct dependents of the package, and of one version.
	var got struct {
		Package struct {
			Dependents struct{ TotalCount int }
		}
	}
	h.query(t, `query($env: EnvironmentInput) { package(name: "pkg-0005") { dependents(environment: $env) { totalCount } } }`,
		map[string]any{"env": envVar(envs[0])}, &got)
	if want := len(reverseWalk(h.g, target, 0, 1)); got.Package.Dependents.TotalCount != want {
		t.Errorf("Package.dependents totalCount = %d, want %d", got.Package.Dependents.TotalCount, want)
	}
}

// reverseWalk computes dependents by definition: (version, environment)
// pairs whose edges (marker not false) reach the target package in depth hops.
func reverseWalk(g *graphgen.Graph, target string, env, maxDepth int) map[string]int {
	osNames := []string{envs[0].OSName, envs[1].OSName}
	type pair struct {
		v   graphgen.Version
		env int
	}
	depth := map[pair]int{}
	var frontier []pair
	for e := range g.Edges {
		if env >= 0 && e != env {
			continue
		}
		for v, edges := range g.Edges[e] {
			for _, d := range edges {
				if d.Package == target && (d.MarkerResult == nil || *d.MarkerResult) {
					if _, ok := depth[pair{v, e}]; !ok {
						depth[pair{v, e}] = 1
						frontier = append(frontier, pair{v, e})
					}
				}
			}
		}
	}
	for d := 2; d <= maxDepth; d++ {
		in := map[pair]bool{}
		for _, p := range frontier {
			in[p] = true
		}
		frontier = nil
		for e := range g.Edges {
			for v, edges := range g.Edges[e] {
				for _, ed := range edges {
					if ed.MarkerResult != nil && !*ed.MarkerResult {
						continue
					}
					for _, t := range ed.Targets {
						if in[pair{t, e}] {
							if _, ok := depth[pair{v, e}]; !ok {
								depth[pair{v, e}] = d
								frontier = append(frontier, pair{v, e})
							}
						}
					}
				}
			}
		}
	}
	out := map[string]int{}
	for p, d := range depth {
		out[fmt.Sprintf("%s==%s@%s/%s", p.v.Name, p.v.Version, p.v.Index, osNames[p.env])] = d
	}
	return out
}

// TestUnsolvedVersions checks the solvers' backlog against the generated
// graph, before and after an index is disabled through the mutation.
func TestUnsolvedVersions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	list := func(env int) map[string]bool {
		out := map[string]bool{}
		var after *string
		for {
			var got struct {
				UnsolvedPackageVersions struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   *string
					}
					Edges []struct {
						Node struct{ Name, Version, IndexURL string }
					}
				}
			}
			h.query(t, `query($env: EnvironmentInput!, $a: String) { unsolvedPackageVersions(environment: $env, first: 50, after: $a) {
			  totalCount pageInfo { hasNextPage endCursor } edges { node { name version indexUrl } } } }`,
				map[string]any{"env": envVar(envs[env]), "a": after}, &got)
			for _, e := range got.UnsolvedPackageVersions.Edges {
				out[e.Node.Name+"=="+e.Node.Version+"@"+e.Node.IndexURL] = true
			}
			if !got.UnsolvedPackageVersions.PageInfo.HasNextPage {
				if got.UnsolvedPackageVersions.TotalCount != len(out) {
					t.Errorf("totalCount %d, listed %d", got.UnsolvedPackageVersions.TotalCount, len(out))
				}
				return out
			}
			after = got.UnsolvedPackageVersions.PageInfo.EndCursor
		}
	}
	want := func(env int, skipIndex string) map[string]bool {
		out := map[string]bool{}
		for _, v := range h.g.Versions {
			if _, solved := h.g.States[env][v]; !solved && v.Index != skipIndex {
				out[v.Name+"=="+v.Version+"@"+v.Index] = true
			}
		}
		if env == 1 { // the fixtures are solved in env 0 only
			for _, v := range []string{"1.9", "1.10", "2.0rc1", "2.0", "1.0.dev1", "0.9"} {
				out["pep-order=="+v+"@"+indexA] = indexA != skipIndex
			}
			out["py-yaml==6.0@"+indexA] = indexA != skipIndex
			out["ruamel-yaml==0.17.21@"+indexA] = indexA != skipIndex
			out["only-pre==3.0b1@"+indexB] = indexB != skipIndex
			for k, keep := range out {
				if !keep {
					delete(out, k)
				}
			}
		}
		return out
	}
	for env := range envs {
		if got, w := list(env), want(env, ""); fmt.Sprint(got) != fmt.Sprint(w) || len(w) == 0 {
			t.Errorf("env %d: %d unsolved, want %d", env, len(got), len(w))
		}
	}
	var reg struct {
		RegisterPackageIndex struct {
			URL     string
			Enabled bool
		}
	}
	if errs := h.do(t, adminSecret, `mutation($u: String!) { registerPackageIndex(url: $u, enabled: false) { url enabled } }`,
		map[string]any{"u": indexB}, &reg); len(errs) > 0 || reg.RegisterPackageIndex.Enabled {
		t.Fatalf("disable index: %+v %+v", errs, reg)
	}
	if got, w := list(0), want(0, indexB); fmt.Sprint(got) != fmt.Sprint(w) {
		t.Errorf("after disabling %s: %d unsolved, want %d", indexB, len(got), len(w))
	}
	var ix struct {
		Indexes []struct{ URL string }
	}
	h.query(t, `{ indexes(enabled: false) { url } }`, nil, &ix)
	if len(ix.Indexes) != 1 || ix.Indexes[0].URL != indexB {
		t.Errorf("disabled indexes = %+v", ix.Indexes)
	}
}
