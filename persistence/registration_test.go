package persistence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

func strp(s string) *string { return &s }

// TestRegisterVersions: registered versions are stored in their normal
// forms once, counted as created or known, returned in input order, and
// join the backlog of every environment when their index is enabled; bad
// items are refused whole with the item's path.
func TestRegisterVersions(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	ctx := t.Context()
	mirror := "https://mirror.example.com/simple"
	if _, err := store.RegisterIndex(ctx, persistence.IndexRegistration{URL: mirror + "/", Enabled: new(bool)}); err != nil {
		t.Fatal(err)
	}
	got, err := store.RegisterVersions(ctx, []persistence.VersionRegistration{
		{Name: "Tide_Tables", Version: "2.0.0-RC1", IndexURL: strp("https://pypi.python.org/simple/")},
		{Name: "tide-tables", Version: "2.0.0rc1", IndexURL: strp(python.PyPI)},
		{Name: "tide.tables", Version: " 1.0 ", IndexURL: strp(mirror)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Created != 2 || got.Known != 0 || len(got.Versions) != 2 ||
		got.Versions[0].Name != "tide-tables" || got.Versions[0].Version != "2.0.0rc1" || *got.Versions[0].IndexURL != python.PyPI ||
		got.Versions[1].Version != "1.0" || *got.Versions[1].IndexURL != mirror {
		t.Fatalf("RegisterVersions = %+v", got)
	}
	texts, err := store.VersionTexts(ctx, []int64{got.Versions[0].ID, got.Versions[1].ID})
	if err != nil || texts[got.Versions[0].ID] != "2.0.0-RC1" || texts[got.Versions[1].ID] != "1.0" {
		t.Errorf("VersionTexts = %v, %v; want the first spelling, and the normal form where it was the spelling", texts, err)
	}
	again, err := store.RegisterVersions(ctx, []persistence.VersionRegistration{
		{Name: "tide-tables", Version: "2.0.0.rc1", IndexURL: strp(python.PyPI)},
		{Name: "tide-tables", Version: "3.0", IndexURL: strp(python.PyPI)},
	})
	if err != nil || again.Created != 1 || again.Known != 1 || again.Versions[0].ID != got.Versions[0].ID {
		t.Fatalf("second RegisterVersions = %+v, %v", again, err)
	}
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	backlog, err := store.UnsolvedVersions(ctx, env, nil, persistence.Page{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range backlog.Items {
		names = append(names, v.Version+"@"+*v.IndexURL)
	}
	if strings.Join(names, " ") != "2.0.0rc1@https://pypi.org/simple 3.0@https://pypi.org/simple" {
		t.Errorf("backlog of an environment the graph does not know = %v, want PyPI's versions (the mirror is disabled)", names)
	}

	for _, c := range []struct {
		item persistence.VersionRegistration
		code persistence.Code
		want string
	}{
		{persistence.VersionRegistration{Name: "a b", Version: "1.0", IndexURL: strp(python.PyPI)}, persistence.CodeInvalid, "input[1].name"},
		{persistence.VersionRegistration{Name: "", Version: "1.0", IndexURL: strp(python.PyPI)}, persistence.CodeInvalid, "input[1].name"},
		{persistence.VersionRegistration{Name: "a", Version: "1.0-foo", IndexURL: strp(python.PyPI)}, persistence.CodeInvalid, "input[1].version"},
		{persistence.VersionRegistration{Name: "a", Version: strings.Repeat("1.", 200) + "0", IndexURL: strp(python.PyPI)}, persistence.CodeInvalid, "input[1].version"},
		{persistence.VersionRegistration{Name: "a", Version: "1.0"}, persistence.CodeInvalid, "input[1].indexUrl"},
		{persistence.VersionRegistration{Name: "a", Version: "1.0", IndexURL: strp(" ")}, persistence.CodeInvalid, "input[1].indexUrl"},
		{persistence.VersionRegistration{Name: "a", Version: "1.0", IndexURL: strp("https://unknown.example.com/simple")}, persistence.CodeNotFound, "input[1].indexUrl"},
	} {
		_, err := store.RegisterVersions(ctx, []persistence.VersionRegistration{
			{Name: "ok-first", Version: "1.0", IndexURL: strp(python.PyPI)}, c.item})
		if persistence.ErrorCode(err) != c.code || !strings.HasPrefix(persistence.ErrorMessage(err), c.want+": ") {
			t.Errorf("RegisterVersions(%+v) = %v, want %s naming %s", c.item, err, c.code, c.want)
		}
	}
	if v, err := store.PackageVersion(ctx, "ok-first", "1.0", nil); err != nil || v != nil {
		t.Errorf("a refused call registered ok-first: %+v, %v", v, err)
	}
	if _, err := store.RegisterVersions(ctx, make([]persistence.VersionRegistration, persistence.MaxRegisteredVersions+1)); persistence.ErrorCode(err) != persistence.CodeInvalid {
		t.Errorf("too many versions: %v, want INVALID", err)
	}
}

// TestSolverMetadataStored: a document's complete metadata, license,
// import names and platform read back; a newer document's import names
// replace the older ones, and re-ingesting the newer one removes nothing
// the older one wrote and still holds.
func TestSolverMetadataStored(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	doc := func(id string, at time.Time, imports []string) {
		t.Helper()
		res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1", Environment: env, SolvedAt: at,
			Platform: "linux-x86_64",
			Entries: []persistence.SolvedEntry{{Name: "pyyaml", Version: "6.0", IndexURL: "https://pypi.python.org/simple", Metadata: &persistence.MetadataEntry{
				Summary: strp("YAML"), Author: strp("Ada"), HomePage: strp("https://example.org"),
				RequiresDist: []string{"a ; extra == 'x'"}, ProvidesExtra: []string{"x"}, Platforms: []string{"Any"},
				ProjectURLs:    []persistence.ProjectURL{{Label: "Source", URL: "https://example.org/src"}},
				PackageLicense: &persistence.LicenseEntry{Name: strp("MIT License"), Identifier: strp("MIT"), Version: strp("LICENSE-WITHOUT-VERSION"), Warning: new(bool)},
				ImportNames:    imports,
			}}}}
		if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, true); err != nil {
			t.Fatal(err)
		}
	}
	doc("solver-a", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), []string{"yaml", "_yaml", "yaml.composer"})
	doc("solver-b", time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), []string{"yaml", "_yaml"})
	v, err := store.PackageVersion(ctx, "PyYAML", "6.0", strp("https://pypi.org/simple/"))
	if err != nil || v == nil {
		t.Fatalf("PackageVersion by the new URL with a slash = %v, %v", v, err)
	}
	names, err := store.ImportNamesOfVersions(ctx, []int64{v.ID})
	if err != nil || strings.Join(names[v.ID], " ") != "_yaml yaml" {
		t.Errorf("import names = %v, %v; want the newer document's, by name", names, err)
	}
	md, err := store.MetadataOfVersions(ctx, []int64{v.ID})
	m := md[v.ID]
	if err != nil || *m.Author != "Ada" || *m.HomePage != "https://example.org" || m.RequiresDist[0] != "a ; extra == 'x'" ||
		m.ProvidesExtra[0] != "x" || m.Platforms[0] != "Any" || m.URLs[0] != (persistence.ProjectURL{Label: "Source", URL: "https://example.org/src"}) ||
		!m.HasLicense || *m.LicenseName != "MIT License" || *m.LicenseIdentifier != "MIT" || *m.LicenseVersion != "LICENSE-WITHOUT-VERSION" || *m.LicenseWarning {
		t.Errorf("metadata = %+v, %v", m, err)
	}
	solved, err := store.SolvedOfVersions(ctx, []int64{v.ID})
	if err != nil || len(solved[v.ID]) != 1 || solved[v.ID][0].Platform == nil || *solved[v.ID][0].Platform != "linux-x86_64" {
		t.Errorf("solved = %+v, %v; want the platform", solved, err)
	}
	providers, err := store.ImportProviders(ctx, "yaml", false, persistence.Page{First: 5})
	if err != nil || providers.TotalCount != 1 || providers.Items[0].ID != v.ID {
		t.Errorf("ImportProviders(yaml) = %+v, %v", providers, err)
	}
	for _, c := range []struct {
		name   string
		prefix bool
		want   int
	}{{"yam", false, 0}, {"yam", true, 1}, {"YAML", false, 0}, {" yaml ", false, 1}, {"_", true, 1}, {"%", true, 0}, {"y_ml", true, 0}} {
		p, err := store.ImportProviders(ctx, c.name, c.prefix, persistence.Page{First: 5})
		if err != nil || p.TotalCount != c.want {
			t.Errorf("ImportProviders(%q, prefix %v) = %d, %v; want %d", c.name, c.prefix, p.TotalCount, err, c.want)
		}
	}
	if _, err := store.ImportProviders(ctx, " ", false, persistence.Page{First: 5}); persistence.ErrorCode(err) != persistence.CodeInvalid {
		t.Errorf("ImportProviders(blank) = %v, want INVALID", err)
	}
	var licenses int
	if err := testenv.Conn(t, dbURL).QueryRow(ctx, `SELECT count(*) FROM package_license`).Scan(&licenses); err != nil || licenses != 1 {
		t.Errorf("%d license rows (%v), want the one both documents name", licenses, err)
	}
}

// TestVersionTextPrefersTreeEntry: a version a document both resolves
// (spelled 1.05 by the index listing) and solves (1.5, as installed) keeps
// the tree entry's spelling, wherever the resolution comes in the document.
func TestVersionTextPrefersTreeEntry(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	ctx := t.Context()
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1",
		Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		SolvedAt:    time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		Entries: []persistence.SolvedEntry{
			{Name: "a", Version: "1.0", IndexURL: python.PyPI, Dependencies: []persistence.DependencyEntry{{Name: "b", VersionRange: "*",
				Resolved: []persistence.ResolvedEntry{{IndexURL: python.PyPI, Versions: []string{"1.05", "2.0-1"}}}}}},
			{Name: "b", Version: "1.5", IndexURL: python.PyPI},
		}}
	if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-x", Kind: "solver", SHA256: "x"}, res, false); err != nil {
		t.Fatal(err)
	}
	for version, want := range map[string]string{"1.5": "1.5", "1.05": "1.5", "2.0.post1": "2.0-1"} {
		v, err := store.PackageVersion(ctx, "b", version, nil)
		if err != nil || v == nil {
			t.Fatalf("b %s: %v, %v", version, v, err)
		}
		texts, err := store.VersionTexts(ctx, []int64{v.ID})
		if err != nil || texts[v.ID] != want {
			t.Errorf("b %s: version text %q, %v; want %q", version, texts[v.ID], err, want)
		}
	}
}
