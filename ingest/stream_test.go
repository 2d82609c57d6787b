package ingest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// counted is a document store that counts the keys its listing has handed out.
type counted struct {
	objectstore.Store
	listed atomic.Int64
}

func (c *counted) List(ctx context.Context, prefix string, fn func(objectstore.Object) error) error {
	return c.Store.List(ctx, prefix, func(o objectstore.Object) error {
		c.listed.Add(1)
		return fn(o)
	})
}

// countedStores are a fresh database and a counted document store in a
// temporary directory.
func countedStores(t *testing.T) (*persistence.Store, *counted) {
	t.Helper()
	store, _, _ := testenv.Store(t)
	dir, err := objectstore.Open(t.Context(), objectstore.Config{URL: "dir://" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return store, &counted{Store: dir}
}

// TestSyncStreams shows that a sync does not read its listing ahead of its
// workers: while the first result is held, the listing has handed out no
// more keys than the queue, the workers and the results in flight hold, so
// memory does not grow with the number of documents. The report keeps at
// most MaxReportedFailures failures and counts them all.
func TestSyncStreams(t *testing.T) {
	t.Parallel()
	store, docs := countedStores(t)
	n := ingest.MaxReportedFailures + 500
	for i := range n {
		put(t, docs, fmt.Sprintf("solver/solver-fedora-31-py37-%08x", i), []byte(`{}`))
	}
	const workers = 2
	svc := &ingest.Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: workers}
	var first int64 = -1
	rep, err := svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver", DryRun: true, Progress: func(ingest.Result) {
		if first < 0 {
			time.Sleep(300 * time.Millisecond) // let the listing run as far as it can
			first = docs.listed.Load()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// queue (workers) + one per worker + results buffer (workers) + the
	// result being reported + the key the listing is trying to queue.
	if limit := int64(3*workers + 2); first > limit {
		t.Errorf("%d keys listed while the first result was held, want at most %d", first, limit)
	}
	if rep.Processed != n || rep.Failed != n || len(rep.Failures) != ingest.MaxReportedFailures {
		t.Errorf("report: processed %d failed %d, %d failures listed; want %d, %d, %d",
			rep.Processed, rep.Failed, len(rep.Failures), n, n, ingest.MaxReportedFailures)
	}
	if rep.Failures[0].Code != persistence.CodeInvalid {
		t.Errorf("failure %v, want INVALID", rep.Failures[0])
	}
}

// TestSyncInterrupted ends a sync's context midway: Sync returns the report
// of what it processed with an UNAVAILABLE error, and lists nothing more.
func TestSyncInterrupted(t *testing.T) {
	t.Parallel()
	store, docs := countedStores(t)
	const n, stopAt, workers = 300, 5, 2
	for i := range n {
		put(t, docs, fmt.Sprintf("solver/solver-fedora-31-py37-%08x", i), []byte(`{}`))
	}
	svc := &ingest.Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: workers}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	seen := 0
	rep, err := svc.Sync(ctx, ingest.SyncOptions{Prefix: "solver", DryRun: true, Progress: func(ingest.Result) {
		if seen++; seen == stopAt {
			cancel()
		}
	}})
	if persistence.ErrorCode(err) != persistence.CodeUnavailable {
		t.Fatalf("err = %v, want UNAVAILABLE", err)
	}
	if rep.Processed < stopAt || rep.Processed > stopAt+3*workers+2 {
		t.Errorf("processed %d, want from %d to %d", rep.Processed, stopAt, stopAt+3*workers+2)
	}
	if listed := docs.listed.Load(); listed > int64(stopAt+3*workers+2) {
		t.Errorf("listed %d keys after the context ended", listed)
	}
}
