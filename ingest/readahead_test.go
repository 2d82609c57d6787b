package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestSyncSkipsUnchangedByBatch: a sync over documents it ingested before
// reads each one and skips it with the counts written then, looking the
// documents' rows up in one statement per batch (as many documents as
// workers), with no transaction and no statement of each document's own.
func TestSyncSkipsUnchangedByBatch(t *testing.T) {
	t.Parallel()
	store, tracer, _ := testenv.Store(t)
	docs, err := objectstore.Open(t.Context(), testenv.Bucket(t, "thoth/data"))
	if err != nil {
		t.Fatal(err)
	}
	const workers = 2
	svc := &ingest.Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: workers}
	fx := fixtures(t)
	for _, f := range fx {
		put(t, docs, f.key, f.raw)
	}
	// results are the status and counts of each document of a sync.
	results := func(opts ingest.SyncOptions) (ingest.Report, map[string]string) {
		t.Helper()
		seen := map[string]string{}
		opts.Progress = func(r ingest.Result) { seen[r.DocumentID] = fmt.Sprintf("%s %v", r.Status, r.Counts) }
		return sync(t, svc, opts), seen
	}
	rep, first := results(ingest.SyncOptions{Prefix: "solver"})
	if rep.Synced != len(fx) {
		t.Fatalf("first sync %+v, want %d synced", rep, len(fx))
	}
	tracer.Reset()
	rep, again := results(ingest.SyncOptions{Prefix: "solver"})
	if rep.Skipped != len(fx) || rep.Synced != 0 || rep.Failed != 0 {
		t.Errorf("second sync %+v, want %d skipped", rep, len(fx))
	}
	if n, batches := tracer.Count(), int64((len(fx)+workers-1)/workers); n > batches {
		t.Errorf("the second sync ran %d statements, want at most %d (one per batch)", n, batches)
	}
	for id, f := range first {
		want := strings.Replace(f, string(persistence.StatusIngested), string(persistence.StatusSkipped), 1)
		if again[id] != want {
			t.Errorf("%s: skipped as %q, want %q", id, again[id], want)
		}
	}
}
