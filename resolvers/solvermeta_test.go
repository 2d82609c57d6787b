package resolvers_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// metadataDoc is the testdata document with the complete solver metadata
// (see testdata/README.md).
const metadataDoc = "solver-rhel-8-py38-211201120000-5eedcafe0ddba115"

// ingestTestdata ingests a testdata/solver document as sync does.
func (h *harness) ingestTestdata(t *testing.T, id string) {
	t.Helper()
	doc, err := solver.Parse("", testenv.ReadTestdata(t, "solver", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.IngestSolverResult(context.Background(), persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id},
		ingest.SolverResult(doc), false); err != nil {
		t.Fatal(err)
	}
}

type metadataOut struct {
	Author, AuthorEmail, HomePage *string
	RequiresDist, ProvidesExtra   []string
	Platforms                     []string
	ProjectUrls                   []struct{ Label, URL string }
	PackageLicense                *struct {
		Name, Identifier, Version *string
		Warning                   *bool
	}
}

type versionOut struct {
	Name, Version, VersionText string
	IndexURL                   *string
	ImportNames                []string
	Metadata                   *metadataOut
	Solved                     []struct{ Platform *string }
}

const versionMetaFields = `name version versionText indexUrl importNames
	metadata { author authorEmail homePage requiresDist providesExtra platforms projectUrls { label url }
		packageLicense { name identifier version warning } }
	solved { platform }`

// TestSolverMetadataFields: what the solver and the license solver
// recorded, through the real handler: packagesProvidingImport("yaml")
// finds pyyaml (exact and by prefix), with its metadata, license, import
// names and the solver's platform; a version spelled 2.0.0-RC1 is found as
// 2.0.0-rc1 and 2.0.0rc1 and shows its spelling; the old PyPI URL finds
// the version on https://pypi.org/simple.
func TestSolverMetadataFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.ingestTestdata(t, metadataDoc)

	var out struct {
		PackagesProvidingImport struct {
			TotalCount int
			Edges      []struct{ Node versionOut }
		}
	}
	h.query(t, `query($n: String!, $p: Boolean) { packagesProvidingImport(name: $n, prefix: $p) { totalCount edges { node { `+versionMetaFields+` } } } }`,
		map[string]any{"n": "yaml"}, &out)
	if c := out.PackagesProvidingImport; c.TotalCount != 1 || len(c.Edges) != 1 {
		t.Fatalf("packagesProvidingImport(yaml) = %+v, want pyyaml", c)
	}
	y := out.PackagesProvidingImport.Edges[0].Node
	m := y.Metadata
	if y.Name != "pyyaml" || y.Version != "6.0.1" || y.VersionText != "6.0.1" || y.IndexURL == nil || *y.IndexURL != indexA ||
		!reflect.DeepEqual(y.ImportNames, []string{"_yaml", "yaml"}) || m == nil ||
		*m.Author != "Ada Sample" || *m.AuthorEmail != "ada@example.org" || *m.HomePage != "https://example.org/pyyaml-sample" ||
		len(m.RequiresDist) != 0 || len(m.ProvidesExtra) != 0 || !reflect.DeepEqual(m.Platforms, []string{"Any"}) ||
		fmt.Sprint(m.ProjectUrls) != "[{Bug Tracker https://example.org/pyyaml-sample/issues} {Source https://example.org/pyyaml-sample/src} { https://example.org/no-label}]" ||
		m.PackageLicense == nil || *m.PackageLicense.Name != "MIT License" || *m.PackageLicense.Identifier != "MIT" ||
		*m.PackageLicense.Version != "LICENSE-WITHOUT-VERSION" || *m.PackageLicense.Warning ||
		len(y.Solved) != 1 || y.Solved[0].Platform == nil || *y.Solved[0].Platform != "linux-x86_64" {
		t.Errorf("pyyaml = %+v, metadata %+v", y, m)
	}
	for _, c := range []struct {
		name   string
		prefix bool
		want   string
	}{
		{"ya", false, ""}, {"ya", true, "pyyaml==6.0.1"}, {"_yaml", false, "pyyaml==6.0.1"}, {"quarto_tide.tables", false, "quarto-tide==2.0.0rc1"},
		{"quarto_tide", true, "quarto-tide==2.0.0rc1"}, {"tide_cli", false, ""}, {"bin.tide", true, ""},
	} {
		h.query(t, `query($n: String!, $p: Boolean) { packagesProvidingImport(name: $n, prefix: $p) { totalCount edges { node { name version } } } }`,
			map[string]any{"n": c.name, "p": c.prefix}, &out)
		var got []string
		for _, e := range out.PackagesProvidingImport.Edges {
			got = append(got, e.Node.Name+"=="+e.Node.Version)
		}
		if strings.Join(got, " ") != c.want || out.PackagesProvidingImport.TotalCount != len(got) {
			t.Errorf("packagesProvidingImport(%q, prefix: %v) = %v (total %d), want %q", c.name, c.prefix, got, out.PackagesProvidingImport.TotalCount, c.want)
		}
	}

	var pv struct{ PackageVersion *versionOut }
	for _, spelling := range []string{"2.0.0-rc1", "2.0.0rc1", "2.0.0.RC1", "v2.0.0-rc.1"} {
		h.query(t, `query($v: String!) { packageVersion(name: "Quarto.Tide", version: $v) { `+versionMetaFields+` } }`, map[string]any{"v": spelling}, &pv)
		q := pv.PackageVersion
		if q == nil || q.Version != "2.0.0rc1" || q.VersionText != "2.0.0-RC1" || *q.IndexURL != indexA ||
			!reflect.DeepEqual(q.ImportNames, []string{"quarto_tide", "quarto_tide.tables"}) ||
			!reflect.DeepEqual(q.Metadata.RequiresDist, []string{"PyYAML (>=5.1)", "tomli ; extra == 'toml'"}) ||
			!reflect.DeepEqual(q.Metadata.ProvidesExtra, []string{"toml"}) || len(q.Metadata.ProjectUrls) != 0 ||
			q.Metadata.PackageLicense == nil || *q.Metadata.PackageLicense.Name != "UNDETECTED" || q.Metadata.PackageLicense.Identifier != nil ||
			!*q.Metadata.PackageLicense.Warning {
			t.Errorf("packageVersion(quarto-tide, %q) = %+v", spelling, q)
		}
	}
	for _, url := range []string{"https://pypi.python.org/simple", "https://pypi.python.org/simple/", "https://pypi.org/simple/", "HTTPS://PYPI.ORG/simple"} {
		h.query(t, `query($u: String) { packageVersion(name: "pyyaml", version: "6.0.1", indexUrl: $u) { name indexUrl } }`, map[string]any{"u": url}, &pv)
		if pv.PackageVersion == nil || *pv.PackageVersion.IndexURL != indexA {
			t.Errorf("packageVersion(pyyaml, 6.0.1, %s) = %+v, want the version on %s", url, pv.PackageVersion, indexA)
		}
	}
	// A version resolved under another spelling is the same node: the
	// edge of harbour-charts (==2.0.0rc1 on its own index) and a version
	// without metadata answer empty lists and a null license.
	h.query(t, `{ packageVersion(name: "tomli", version: "2.0.0") { `+versionMetaFields+` } }`, nil, &pv)
	if q := pv.PackageVersion; q == nil || q.ImportNames == nil || len(q.ImportNames) != 0 || q.Metadata != nil || q.VersionText != "2.0.0" {
		t.Errorf("tomli = %+v, want no import names and no metadata", q)
	}
}

// TestNewIndexDisabled: an index first seen in a document is created
// disabled, so its versions join no backlog (acceptance: the unsolved
// backlog without versions of a newly seen index) until an admin enables
// it; versions on PyPI, known from the start, are offered at once.
func TestNewIndexDisabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.ingestTestdata(t, metadataDoc)
	charts := "https://charts.example.com/simple"

	var ix struct {
		Indexes []struct {
			URL     string
			Enabled bool
		}
	}
	h.query(t, `{ indexes { url enabled } }`, nil, &ix)
	enabled := map[string]bool{}
	for _, i := range ix.Indexes {
		enabled[i.URL] = i.Enabled
	}
	if len(ix.Indexes) != 3 || !enabled[indexA] || !enabled[indexB] {
		t.Errorf("indexes = %+v, want PyPI, the registered mirror and the new index", ix.Indexes)
	}
	if e, ok := enabled[charts]; !ok || e {
		t.Errorf("the index first seen in the document: %v (known %v), want it disabled", e, ok)
	}
	backlog := func() map[string]bool {
		t.Helper()
		out := map[string]bool{}
		after := ""
		for {
			var page struct {
				UnsolvedPackageVersions struct {
					Edges    []struct{ Node versionOut }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			h.query(t, `query($e: EnvironmentInput!, $a: String) { unsolvedPackageVersions(environment: $e, first: 200, after: $a) {
				edges { node { name version indexUrl } } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"e": envVar(envs[0]), "a": after}, &page)
			for _, e := range page.UnsolvedPackageVersions.Edges {
				out[e.Node.Name+"=="+e.Node.Version+"@"+*e.Node.IndexURL] = true
			}
			if !page.UnsolvedPackageVersions.PageInfo.HasNextPage {
				return out
			}
			after = page.UnsolvedPackageVersions.PageInfo.EndCursor
		}
	}
	got := backlog()
	if !got["pyyaml==5.4.1@"+indexA] || !got["tomli==2.0.0@"+indexA] {
		t.Errorf("backlog lacks the versions the document resolved on PyPI")
	}
	for k := range got {
		if strings.HasSuffix(k, "@"+charts) {
			t.Errorf("backlog offers %s of the disabled index", k)
		}
	}
	var reg struct{ RegisterPackageIndex struct{ Enabled bool } }
	h.mutate(t, `mutation { registerPackageIndex(url: "https://charts.example.com/simple/", enabled: true) { enabled } }`, nil, &reg)
	if got := backlog(); !got["quarto-tide==2.0.0rc1@"+charts] || got["harbour-charts==1.0@"+charts] {
		t.Errorf("after enabling %s: quarto-tide %v, harbour-charts %v; want the unsolved one only (harbour-charts is solved)",
			charts, got["quarto-tide==2.0.0rc1@"+charts], got["harbour-charts==1.0@"+charts])
	}
}

// TestSolverMetadataBatched: the new fields cost one statement per level
// whatever the level's breadth: importNames and versionText one each,
// the metadata fields and the license none beyond metadata's, platform
// none beyond solved's.
func TestSolverMetadataBatched(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.ingestTestdata(t, metadataDoc)
	base := `metadata { summary } solved { error }`
	full := `versionText importNames metadata { summary author authorEmail homePage requiresDist providesExtra platforms
		projectUrls { label url } packageLicense { name identifier version warning } } solved { error platform }`
	count := func(first int, fields string) int64 {
		var out struct {
			Packages struct {
				Edges []struct {
					Node struct {
						Versions struct{ Edges []struct{ Node versionOut } }
					}
				}
			}
		}
		n := h.query(t, fmt.Sprintf(`{ packages(first: %d) { edges { node { versions(first: 10) { edges { node { name %s } } } } } } }`, first, fields), nil, &out)
		versions := 0
		for _, p := range out.Packages.Edges {
			versions += len(p.Node.Versions.Edges)
		}
		if versions < first {
			t.Fatalf("%d versions under %d packages", versions, first)
		}
		return n
	}
	for _, first := range []int{3, 120} {
		b, f := count(first, base), count(first, full)
		t.Logf("%d packages: %d statements with metadata and solved, %d with every new field", first, b, f)
		if f != b+2 {
			t.Errorf("%d packages: %d statements with the new fields, want %d (importNames and versionText: one each)", first, f, b+2)
		}
	}
	// Under a walk's nodes the same: one statement per field for the graph.
	walk := func(fields string) int64 {
		return h.query(t, `query($e: EnvironmentInput!) { dependencyGraph(root: {name: "quarto-tide", version: "2.0.0-RC1"}, environment: $e) {
			nodes { packageVersion { name `+fields+` } } } }`, map[string]any{"e": envVar(envs[0])}, nil)
	}
	if b, f := walk(base), walk(full); f != b+2 {
		t.Errorf("dependencyGraph: %d statements with the new fields, %d without; want 2 more", f, b)
	}
}

// TestRegisterPackageVersions: registerPackageVersions needs an ingest or
// admin token; it stores versions in normal form, answers created and
// known, returns the versions with the fields below planned (statements
// independent of how many), puts them in the backlog of every environment,
// and refuses a bad item whole, naming it.
func TestRegisterPackageVersions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const m = `mutation($in: [PackageVersionInput!]!) { registerPackageVersions(input: $in) {
		created known versions { name version versionText indexUrl importNames index { enabled } } } }`
	type result struct {
		RegisterPackageVersions struct {
			Created, Known int
			Versions       []versionOut
		}
	}
	item := func(name, version, index string) map[string]any {
		return map[string]any{"name": name, "version": version, "indexUrl": index}
	}
	errs := h.do(t, "", m, map[string]any{"in": []any{item("reg-a", "1.0", indexA)}}, nil)
	if len(errs) == 0 || errs[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("without a token: %+v, want UNAUTHENTICATED", errs)
	}
	var out result
	h.tracer.Reset()
	if errs := h.do(t, ingestSecret, m, map[string]any{"in": []any{
		item("Reg_A", "1.0-RC1", "https://pypi.python.org/simple/"), item("reg-a", "1.0rc1", indexA), item("reg.b", "2.0", indexB),
	}}, &out); len(errs) > 0 {
		t.Fatalf("with an ingest token: %+v", errs)
	}
	few := h.tracer.Count()
	r := out.RegisterPackageVersions
	if r.Created != 2 || r.Known != 0 || len(r.Versions) != 2 || r.Versions[0].Name != "reg-a" || r.Versions[0].Version != "1.0rc1" ||
		r.Versions[0].VersionText != "1.0-RC1" || *r.Versions[0].IndexURL != indexA || r.Versions[1].Name != "reg-b" || *r.Versions[1].IndexURL != indexB {
		t.Fatalf("registerPackageVersions = %+v", r)
	}
	var many []any
	for i := range 40 {
		many = append(many, item("reg-many", fmt.Sprintf("%d.0", i), indexA))
	}
	many = append(many, item("reg-a", "1.0rc1", indexA))
	h.tracer.Reset()
	if errs := h.do(t, adminSecret, m, map[string]any{"in": many}, &out); len(errs) > 0 {
		t.Fatal(errs)
	}
	if r := out.RegisterPackageVersions; r.Created != 40 || r.Known != 1 || len(r.Versions) != 41 {
		t.Errorf("second registration = created %d, known %d, %d versions", r.Created, r.Known, len(r.Versions))
	}
	if n := h.tracer.Count(); n != few {
		t.Errorf("41 versions cost %d statements, 2 cost %d: want the same", n, few)
	}
	for _, env := range envs {
		var page struct {
			UnsolvedPackageVersions struct{ Edges []struct{ Node versionOut } }
		}
		h.query(t, `query($e: EnvironmentInput!) { unsolvedPackageVersions(environment: $e, first: 200, after: null) { edges { node { name version } } } }`,
			map[string]any{"e": envVar(env)}, &page)
		found := map[string]bool{}
		for _, e := range page.UnsolvedPackageVersions.Edges {
			found[e.Node.Name+"=="+e.Node.Version] = true
		}
		if !found["reg-a==1.0rc1"] || !found["reg-b==2.0"] || !found["reg-many==39.0"] {
			t.Errorf("%+v: registered versions missing from the backlog", env)
		}
	}
	for _, c := range []struct {
		in   []any
		code string
		want string
	}{
		{[]any{item("reg-c", "1.0", indexA), item("reg-c", "1.0-foo", indexA)}, "INVALID", "input[1].version: "},
		{[]any{item("reg c", "1.0", indexA)}, "INVALID", "input[0].name: "},
		{[]any{map[string]any{"name": "reg-c", "version": "1.0"}}, "INVALID", "input[0].indexUrl: "},
		{[]any{item("reg-c", "1.0", "https://unknown.example.com/simple")}, "NOT_FOUND", "input[0].indexUrl: "},
	} {
		errs := h.do(t, adminSecret, m, map[string]any{"in": c.in}, nil)
		if len(errs) == 0 || errs[0].Extensions["code"] != c.code || !strings.HasPrefix(errs[0].Message, c.want) ||
			fieldPath(errs[0].Path) != "registerPackageVersions" {
			t.Errorf("registerPackageVersions(%v) = %+v, want %s %q...", c.in, errs, c.code, c.want)
		}
	}
	var pv struct{ PackageVersion *versionOut }
	h.query(t, `{ packageVersion(name: "reg-c", version: "1.0") { name } }`, nil, &pv)
	if pv.PackageVersion != nil {
		t.Errorf("a refused registration stored reg-c 1.0")
	}
}
