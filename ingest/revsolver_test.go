package ingest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// sixOfAstrolabe is the six versions astrolabe 0.9.1's requirement
// resolves to in a walk in fedora 31 / Python 3.7.
func sixOfAstrolabe(t *testing.T, b *bundle) []string {
	t.Helper()
	g, err := b.store.DependencyGraph(t.Context(), persistence.GraphQuery{
		Root:        persistence.VersionRef{Name: "astrolabe", Version: "0.9.1"},
		Environment: persistence.EnvironmentKey{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"}, MaxDepth: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range g.Nodes {
		if n.Version.Name == "six" {
			out = append(out, n.Version.Version)
		}
	}
	slices.Sort(out)
	return out
}

// TestRevsolver: a walk sees six 1.16.0 under astrolabe 0.9.1 after the
// revsolver document that says the release satisfies its requirement, and
// not before; only that edge changes; a re-sync and a forced one change no
// row; deleting the document takes the release out again; a malformed copy
// is refused with its path.
func TestRevsolver(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	raw := testenv.ReadTestdata(t, "solver", "solver-fedora-31-py37-0a11ce55.json")
	if err := b.docs.Put(ctx, "solver/solver-fedora-31-py37-0a11ce55", raw); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.svc.Sync(ctx, ingest.SyncOptions{}); err != nil || rep.Failed != 0 {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
	before := sixOfAstrolabe(t, b)
	if fmt.Sprint(before) != "[1.10.0 1.12.0 1.14.0]" {
		t.Fatalf("before the revsolver: six %v", before)
	}
	counts := tableCounts(t, b.db)

	const id = "revsolver-six-1.16.0-5eca1ab1"
	if err := b.docs.Put(ctx, "revsolver/"+id, testenv.ReadTestdata(t, "revsolver", id+".json")); err != nil {
		t.Fatal(err)
	}
	rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "revsolver"})
	if err != nil || rep.Synced != 1 || rep.Failed != 0 {
		t.Fatalf("revsolver sync: %+v, %v", rep, err)
	}
	if got := sixOfAstrolabe(t, b); fmt.Sprint(got) != "[1.10.0 1.12.0 1.14.0 1.16.0]" {
		t.Errorf("after the revsolver: six %v", got)
	}
	doc, err := b.store.Document(ctx, id)
	if err != nil || doc == nil || doc.Counts["edges"] != 1 || doc.Counts["resolved"] != 1 || doc.Counts["unmatched"] != 1 {
		t.Errorf("the revsolver document: %+v, %v", doc, err)
	}
	after := tableCounts(t, b.db)
	if after["depends_on_resolved"] != counts["depends_on_resolved"]+1 || after["depends_on"] != counts["depends_on"] {
		t.Errorf("rows: %v, were %v; want one resolved version more", after, counts)
	}
	for _, force := range []bool{false, true} {
		if _, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "revsolver", Force: force}); err != nil {
			t.Fatal(err)
		}
		if got := tableCounts(t, b.db); fmt.Sprint(got) != fmt.Sprint(after) {
			t.Errorf("re-sync (force %v) changed the rows: %v, want %v", force, got, after)
		}
	}
	if _, err := b.store.DeleteDocuments(ctx, []string{id}); err != nil {
		t.Fatal(err)
	}
	if got := sixOfAstrolabe(t, b); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("after deleting the revsolver document: six %v, want %v", got, before)
	}

	bad := strings.Replace(string(testenv.ReadTestdata(t, "revsolver", id+".json")), `"index_url": "https://pypi.org/simple"`, `"index_url": 7`, 1)
	bad = strings.Replace(bad, `"document_id": "`+id+`"`, `"document_id": "revsolver-bad"`, 1)
	if err := b.docs.Put(ctx, "revsolver/revsolver-bad", []byte(bad)); err != nil {
		t.Fatal(err)
	}
	rep, err = b.svc.Sync(ctx, ingest.SyncOptions{IDs: []string{"revsolver-bad"}})
	if err != nil || rep.Failed != 1 || rep.Failures[0].Code != persistence.CodeInvalid || !strings.Contains(rep.Failures[0].Message, "result[0].index_url") {
		t.Errorf("malformed copy: %+v, %v", rep, err)
	}
}
