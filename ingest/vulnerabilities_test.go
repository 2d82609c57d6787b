package ingest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/osv"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// solverDocument is a thoth-solver document (the shape of testdata/solver's
// 0a11ce55) whose tree holds the given versions of the given packages on
// PyPI, without dependencies.
func solverDocument(t *testing.T, id string, versions ...[2]string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(testenv.ReadTestdata(t, "solver", "solver-fedora-31-py37-0a11ce55.json"), &doc); err != nil {
		t.Fatal(err)
	}
	doc["metadata"].(map[string]any)["document_id"] = id
	result := doc["result"].(map[string]any)
	var tree []any
	for _, v := range versions {
		tree = append(tree, map[string]any{
			"package_name": v[0], "package_version": v[1], "package_version_requested": v[1],
			"index_url": "https://pypi.org/simple", "sha256": []any{}, "dependencies": []any{},
			"importlib_metadata": map[string]any{"metadata": map[string]any{"Name": v[0], "Version": v[1]}},
		})
	}
	result["tree"], result["errors"], result["unparsed"], result["unresolved"] = tree, []any{}, []any{}, []any{}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// storedAffects lists vulnerability_affects as "id name version fixed".
func storedAffects(t *testing.T, db *pgx.Conn) []string {
	t.Helper()
	rows, err := db.Query(t.Context(), `
		SELECT v.external_id, p.name, pv.version, coalesce(a.fixed_in, '-')
		FROM vulnerability_affects a JOIN vulnerability v ON v.id = a.vulnerability_id
		JOIN package_version pv ON pv.id = a.version_id JOIN package p ON p.id = pv.package_id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var id, name, version, fixed string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name, &version, &fixed}, func() error {
		out = append(out, strings.Join([]string{id, name, version, fixed}, " "))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func walkOf(path string) func(func(string, []byte) error) error {
	return func(fn func(string, []byte) error) error { return osv.Walk(path, fn) }
}

// The versions the import tests' graph holds.
var exampleVersions = [][2]string{
	{"example-pkg", "0.1"}, {"example-pkg", "1.0.1"}, {"example-pkg", "1.2"}, {"example-pkg", "1.2.3"},
	{"example-pkg", "1.2.7"}, {"example-pkg", "1.10"}, {"example-pkg", "1.10.1"}, {"example-pkg", "1.10.2"},
	{"example-pkg", "2.0"}, {"other-pkg", "0.9rc1"}, {"other-pkg", "1.0"}, {"other-pkg", "1.2"}, {"other-pkg", "1.5"},
}

// exampleAffects are the affected versions of exampleVersions by
// testdata/osv's records, worked out by hand from them: PYSEC-0000-1's two
// ECOSYSTEM intervals (its explicit versions add none the graph has),
// PYSEC-0000-3's open range, GHSA-xxxx-yyyy-zzzz's PyPI range (1.4 is not in
// the graph; the npm entry is not PyPI); PYSEC-0000-2 is withdrawn.
var exampleAffects = []string{
	"GHSA-xxxx-yyyy-zzzz other-pkg 1.0 1.5", "GHSA-xxxx-yyyy-zzzz other-pkg 1.2 1.5",
	"PYSEC-0000-1 example-pkg 0.1 1.2.7", "PYSEC-0000-1 example-pkg 1.0.1 1.2.7", "PYSEC-0000-1 example-pkg 1.10 1.10.2",
	"PYSEC-0000-1 example-pkg 1.10.1 1.10.2", "PYSEC-0000-1 example-pkg 1.2 1.2.7", "PYSEC-0000-1 example-pkg 1.2.3 1.2.7",
	"PYSEC-0000-3 example-pkg 0.1 -", "PYSEC-0000-3 example-pkg 1.0.1 -", "PYSEC-0000-3 example-pkg 1.10 -",
	"PYSEC-0000-3 example-pkg 1.10.1 -", "PYSEC-0000-3 example-pkg 1.10.2 -", "PYSEC-0000-3 example-pkg 1.2 -",
	"PYSEC-0000-3 example-pkg 1.2.3 -", "PYSEC-0000-3 example-pkg 1.2.7 -", "PYSEC-0000-3 example-pkg 2.0 -",
}

func TestImportVulnerabilities(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	if r, _ := b.svc.Ingest(ctx, "solver-fedora-31-py37-0511ab01", solverDocument(t, "solver-fedora-31-py37-0511ab01", exampleVersions...), false); r.Err != nil {
		t.Fatal(r.Err)
	}
	n := 0
	rep, err := ingest.ImportVulnerabilities(ctx, b.store, "testdata", walkOf(testenv.Testdata(t, "osv")), func() { n++ })
	if err != nil {
		t.Fatal(err)
	}
	if rep.New != 3 || rep.Withdrawn != 1 || rep.Invalid != 0 || rep.Updated != 0 || rep.Unchanged != 0 || n != 4 {
		t.Fatalf("report %+v, %d progress calls", rep, n)
	}
	if got := storedAffects(t, b.db); !slices.Equal(got, exampleAffects) {
		t.Fatalf("affects:\n got %q\nwant %q", got, exampleAffects)
	}
	// The import is a document, and every record it wrote names it.
	doc, err := b.store.Document(ctx, rep.DocumentID)
	if err != nil {
		t.Fatalf("the import's document %q: %v", rep.DocumentID, err)
	}
	if doc.Kind != "vulnerability" || doc.Status != persistence.StatusIngested || doc.ObjectKey == nil || *doc.ObjectKey != "testdata" ||
		doc.Counts["new"] != 3 || doc.Counts["withdrawn"] != 1 {
		t.Errorf("import document %+v", doc)
	}
	var unnamed int
	if err := b.db.QueryRow(ctx, `SELECT count(*) FROM vulnerability WHERE document_id IS DISTINCT FROM $1`, rep.DocumentID).Scan(&unnamed); err != nil || unnamed != 0 {
		t.Errorf("%d records do not name the import (%v)", unnamed, err)
	}

	t.Run("re-import changes no row", func(t *testing.T) {
		before := tableCounts(t, b.db)
		rep, err := ingest.ImportVulnerabilities(ctx, b.store, "testdata", walkOf(testenv.Testdata(t, "osv")), nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unchanged != 4 || rep.New+rep.Updated+rep.Withdrawn+rep.Invalid != 0 || rep.DocumentID != "" {
			t.Errorf("re-import: %+v", rep)
		}
		if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("re-import changed counts: %v, was %v", after, before)
		}
	})

	// 1.2.4 is inside PYSEC-0000-1's first interval but not in its versions
	// list: the solver document that brings it makes it affected.
	t.Run("a version arriving later is matched", func(t *testing.T) {
		r, _ := b.svc.Ingest(ctx, "solver-fedora-31-py37-0511ab02",
			solverDocument(t, "solver-fedora-31-py37-0511ab02", [2]string{"example-pkg", "1.2.4"}, [2]string{"six", "1.16.0"}), false)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		if r.Counts["affects"] != 2 {
			t.Errorf("counts %v; want affects 2", r.Counts)
		}
		want := append(slices.Clone(exampleAffects), "PYSEC-0000-1 example-pkg 1.2.4 1.2.7", "PYSEC-0000-3 example-pkg 1.2.4 -")
		slices.Sort(want)
		if got := storedAffects(t, b.db); !slices.Equal(got, want) {
			t.Errorf("affects:\n got %q\nwant %q", got, want)
		}
	})

	t.Run("bad records are refused, the others imported", func(t *testing.T) {
		records := map[string]string{
			"a/no-id.json":       `{"modified":"2024-01-01T00:00:00Z","affected":[]}`,
			"b/bad-range.json":   `{"id":"PYSEC-9999-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"CALVER","events":[{"introduced":"0"}]}]}]}`,
			"c/bad-version.yaml": "id: PYSEC-9999-2\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: x}\n  ranges:\n  - type: ECOSYSTEM\n    events: [{introduced: '0'}, {fixed: 'not a version'}]\n",
			"d/good.json":        `{"id":"PYSEC-9999-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Example.Pkg"},"versions":["2.0"]}]}`,
		}
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range records {
				if !yield(k) {
					return
				}
			}
		})
		rep, err := ingest.ImportVulnerabilities(ctx, b.store, "", func(fn func(string, []byte) error) error {
			for _, name := range names {
				if err := fn(name, []byte(records[name])); err != nil {
					return err
				}
			}
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Invalid != 3 || rep.New != 1 || rep.Affects != 1 {
			t.Errorf("report %+v", rep)
		}
		want := []struct{ path, id, in string }{
			{"a/no-id.json", "", "id: missing"},
			{"b/bad-range.json", "PYSEC-9999-1", "affected[0].ranges[0].type"},
			{"c/bad-version.yaml", "", "affected[0].ranges[0].events[1].fixed"},
		}
		if len(rep.Failures) != len(want) {
			t.Fatalf("failures %+v", rep.Failures)
		}
		for i, w := range want {
			f := rep.Failures[i]
			if f.Path != w.path || f.ID != w.id || f.Code != persistence.CodeInvalid || !strings.Contains(f.Message, w.in) {
				t.Errorf("failure %d: %+v; want %s (%q) INVALID naming %q", i, f, w.path, w.id, w.in)
			}
		}
	})

	t.Run("an import stopped by an error is recorded failed", func(t *testing.T) {
		stop := persistence.Wrap(persistence.CodeInvalid, errors.New("unreadable"), "b.zip: not a zip file")
		rep, err := ingest.ImportVulnerabilities(ctx, b.store, "a.json b.zip", func(fn func(string, []byte) error) error {
			if err := fn("a.json", []byte(`{"id":"PYSEC-9999-4","modified":"2024-01-01T00:00:00Z","affected":[]}`)); err != nil {
				return err
			}
			return stop
		}, nil)
		if !errors.Is(err, stop) || rep.New != 1 {
			t.Fatalf("report %+v, error %v; want 1 new and the walk's error", rep, err)
		}
		doc, err := b.store.Document(ctx, rep.DocumentID)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Status != persistence.StatusFailed || doc.ErrorCode == nil || *doc.ErrorCode != string(persistence.CodeInvalid) || doc.Counts["new"] != 1 {
			t.Errorf("import document %+v", doc)
		}
		var named string
		if err := b.db.QueryRow(ctx, `SELECT document_id FROM vulnerability WHERE external_id = 'PYSEC-9999-4'`).Scan(&named); err != nil || named != rep.DocumentID {
			t.Errorf("the record written before the error names %q (%v), want %q", named, err, rep.DocumentID)
		}
	})
}

// TestSyncVulnerabilityDocuments: records kept in the document store's
// vulnerabilities/ folder, JSON or YAML, with or without an extension, are
// ingested by sync like any other document, and remember their document.
func TestSyncVulnerabilityDocuments(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	if r, _ := b.svc.Ingest(ctx, "solver-fedora-31-py37-0511ab01", solverDocument(t, "solver-fedora-31-py37-0511ab01", exampleVersions...), false); r.Err != nil {
		t.Fatal(r.Err)
	}
	read := func(elem ...string) []byte {
		raw, err := os.ReadFile(testenv.Testdata(t, append([]string{"osv"}, elem...)...))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	put(t, b.docs, "vulnerabilities/PYSEC-0000-1.yaml", read("vulns", "example-pkg", "PYSEC-0000-1.yaml"))
	put(t, b.docs, "vulnerabilities/PYSEC-0000-2.yml", read("vulns", "example-pkg", "PYSEC-0000-2.yml"))
	put(t, b.docs, "vulnerabilities/PYSEC-0000-3.json", read("all", "PYSEC-0000-3.json"))
	put(t, b.docs, "vulnerabilities/GHSA-xxxx-yyyy-zzzz", read("vulns", "other-pkg", "GHSA-xxxx-yyyy-zzzz.json"))
	put(t, b.docs, "vulnerabilities/PYSEC-9999-9.json", []byte(`{"id":"PYSEC-9999-9","affected":[]}`))
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "vulnerabilities/"})
	if rep.Processed != 5 || rep.Synced != 4 || rep.Failed != 1 {
		t.Fatalf("sync: %+v", rep)
	}
	if f := rep.Failures[0]; f.DocumentID != "PYSEC-9999-9.json" || f.Code != persistence.CodeInvalid || !strings.Contains(f.Message, "modified") {
		t.Errorf("failure %+v", f)
	}
	if got := storedAffects(t, b.db); !slices.Equal(got, exampleAffects) {
		t.Errorf("affects:\n got %q\nwant %q", got, exampleAffects)
	}
	var docs []string
	rows, err := b.db.Query(ctx, `SELECT v.external_id || ' ' || d.id || ' ' || d.kind || ' ' || d.status
		FROM vulnerability v JOIN document d ON d.id = v.document_id ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if docs, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GHSA-xxxx-yyyy-zzzz GHSA-xxxx-yyyy-zzzz vulnerability INGESTED",
		"PYSEC-0000-1 PYSEC-0000-1.yaml vulnerability INGESTED",
		"PYSEC-0000-2 PYSEC-0000-2.yml vulnerability INGESTED",
		"PYSEC-0000-3 PYSEC-0000-3.json vulnerability INGESTED",
	}
	if !slices.Equal(docs, want) {
		t.Errorf("documents:\n got %q\nwant %q", docs, want)
	}
	before := tableCounts(t, b.db)
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "vulnerabilities/"})
	if rep.Skipped != 4 || rep.Synced != 0 {
		t.Errorf("second sync: %+v", rep)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second sync changed counts: %v, was %v", after, before)
	}
}
