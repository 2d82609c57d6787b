package ingest_test

import (
	"fmt"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestDeleteDocumentsAndResync: deleting a document removes its facts and
// its row and nothing else, and syncing again restores the same row
// counts; so does deleting every document of a kind, and purging one
// environment's solver facts.
func TestDeleteDocumentsAndResync(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	for _, f := range fixtures(t) {
		if err := b.docs.Put(ctx, f.key, f.raw); err != nil {
			t.Fatal(err)
		}
	}
	putSecurityTree(t, b.docs, testenv.Testdata(t, "security"))
	sync := func() {
		t.Helper()
		rep, err := b.svc.Sync(ctx, ingest.SyncOptions{})
		if err != nil || rep.Failed != 0 {
			t.Fatalf("sync: %+v, %v", rep, err)
		}
	}
	sync()
	full := tableCounts(t, b.db)
	if full["solved"] == 0 || full["security_indicator"] == 0 {
		t.Fatalf("nothing to delete: %v", full)
	}

	one := fixtures(t)[0].id
	del, err := b.store.DeleteDocuments(ctx, []string{one, "no-such-document"})
	if err != nil {
		t.Fatal(err)
	}
	after := tableCounts(t, b.db)
	if fmt.Sprint(del.Documents) != fmt.Sprint([]string{one}) || after["document"] != full["document"]-1 || del.Rows["solved"] == 0 ||
		after["solved"] != full["solved"]-del.Rows["solved"] || after["package_version"] != full["package_version"] ||
		after["security_indicator"] != full["security_indicator"] {
		t.Errorf("deleting %s: %+v; counts %v, were %v", one, del, after, full)
	}
	if d, err := b.store.Document(ctx, one); d != nil || err != nil {
		t.Errorf("the deleted document's row: %+v, %v", d, err)
	}
	sync()
	if got := tableCounts(t, b.db); fmt.Sprint(got) != fmt.Sprint(full) {
		t.Errorf("re-sync after deleting %s: %v, want %v", one, got, full)
	}

	ids, err := b.store.DocumentsToDelete(ctx, persistence.DeletionFilter{Kind: "security-indicator"})
	if err != nil || len(ids) != 3 {
		t.Fatalf("security-indicator documents: %v, %v", ids, err)
	}
	if _, err := b.store.DeleteDocuments(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if got := tableCounts(t, b.db); got["security_indicator"] != 0 || got["security_finding"] != 0 || got["solved"] != full["solved"] {
		t.Errorf("after deleting the security indicators: %v", got)
	}
	sync()
	if got := tableCounts(t, b.db); fmt.Sprint(got) != fmt.Sprint(full) {
		t.Errorf("re-sync after deleting a kind: %v, want %v", got, full)
	}

	env := persistence.EnvironmentKey{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"}
	purged, err := b.store.PurgeEnvironment(ctx, env)
	if err != nil || len(purged.Documents) == 0 {
		t.Fatalf("purge %v: %+v, %v", env, purged, err)
	}
	var left, others int
	if err := b.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE e.os_name = 'fedora' AND e.os_version = '31'),
		count(*) FILTER (WHERE NOT (e.os_name = 'fedora' AND e.os_version = '31'))
		FROM solved s JOIN environment e ON e.id = s.environment_id`).Scan(&left, &others); err != nil {
		t.Fatal(err)
	}
	if left != 0 || others == 0 {
		t.Errorf("after the purge: %d solved rows in the environment, %d in others", left, others)
	}
	sync()
	if got := tableCounts(t, b.db); fmt.Sprint(got) != fmt.Sprint(full) {
		t.Errorf("re-sync after the purge: %v, want %v", got, full)
	}

	if _, err := b.store.DocumentsToDelete(ctx, persistence.DeletionFilter{}); persistence.ErrorCode(err) != persistence.CodeInvalid {
		t.Errorf("an empty filter: %v", err)
	}
	if _, err := b.store.PurgeEnvironment(ctx, persistence.EnvironmentKey{OSName: "fedora"}); persistence.ErrorCode(err) != persistence.CodeInvalid {
		t.Errorf("an invalid environment: %v", err)
	}
}
