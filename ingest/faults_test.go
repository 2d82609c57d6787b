package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// variants makes n documents from the real solver document base, each with
// its own id; the solved version of document i is version(i).
func variants(t *testing.T, base fixture, n int, version func(i int) string) []fixture {
	t.Helper()
	out := make([]fixture, n)
	for i := range out {
		doc := clone(t, base.doc)
		id := fmt.Sprintf("solver-fedora-31-py37-%08x", 0x5eed0000+i)
		setPath(t, doc, "metadata.document_id", id)
		setPath(t, doc, "result.tree[0].package_version", version(i))
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fixture{id: id, key: "solver/" + id, raw: raw, doc: doc}
	}
	return out
}

// lockBundle is a bundle for a test that holds locks in its database: a
// second connection to it, to take the locks with, and its name, to find
// the backends waiting for them.
func lockBundle(t *testing.T) (b *bundle, locker *pgx.Conn, dbName string) {
	t.Helper()
	b = newBundle(t)
	if err := b.db.QueryRow(t.Context(), `SELECT current_database()`).Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	return b, testenv.Conn(t, b.dbURL), dbName
}

func fixtureByID(t *testing.T, id string) fixture {
	t.Helper()
	for _, f := range fixtures(t) {
		if f.id == id {
			return f
		}
	}
	t.Fatalf("fixture %s missing", id)
	return fixture{}
}

// TestDocumentStoreStopsMidSync stops a private MinIO while a sync runs:
// the documents it could not read fail with UNAVAILABLE and keep no facts,
// those it ingested are whole, and the next sync after a restart ingests
// the rest.
func TestDocumentStoreStopsMidSync(t *testing.T) {
	t.Parallel()
	m := testenv.PrivateMinIO(t)
	store, _, dbURL := testenv.Store(t)
	db := testenv.Conn(t, dbURL)
	docs, err := objectstore.Open(t.Context(), m.Bucket(t, "thoth"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &ingest.Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: 2}
	fx := variants(t, fixtureByID(t, "solver-fedora-31-py37-0a11ce55"), 40, func(i int) string { return fmt.Sprintf("1.%d.0", i) })
	for _, f := range fx {
		put(t, docs, f.key, f.raw)
	}

	const stopAfter = 10
	n := 0
	rep, err := svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver", Progress: func(ingest.Result) {
		if n++; n == stopAfter {
			m.Stop(t)
		}
	}})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if rep.Processed != len(fx) || rep.Synced < stopAfter || rep.Failed == 0 || rep.Synced+rep.Failed != len(fx) {
		t.Fatalf("report %+v: want all %d processed, at least %d synced, the rest failed", rep, len(fx), stopAfter)
	}
	failed := map[string]bool{}
	for _, f := range rep.Failures {
		failed[f.DocumentID] = true
		if f.Code != persistence.CodeUnavailable {
			t.Errorf("failure %v, want UNAVAILABLE", f)
		}
	}
	for _, f := range fx {
		d, err := store.Document(t.Context(), f.id)
		if err != nil || d == nil {
			t.Fatalf("%s: %v, %v", f.id, d, err)
		}
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, db, f.id)
		if failed[f.id] {
			if d.Status != persistence.StatusFailed || d.ErrorCode == nil || *d.ErrorCode != "UNAVAILABLE" || len(gotTree)+len(gotEdges) != 0 {
				t.Errorf("%s: status %s code %v, %d entries, %d edges; want FAILED UNAVAILABLE and nothing", f.id, d.Status, d.ErrorCode, len(gotTree), len(gotEdges))
			}
			continue
		}
		if d.Status != persistence.StatusIngested {
			t.Errorf("%s: status %s", f.id, d.Status)
		}
		diff(t, f.id+" tree", wantTree, gotTree)
		diff(t, f.id+" edges", wantEdges, gotEdges)
	}

	m.Start(t)
	rep, err = svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 || rep.Synced != len(failed) || rep.Skipped != len(fx)-len(failed) {
		t.Errorf("sync after the restart %+v, want %d synced and %d skipped", rep, len(failed), len(fx)-len(failed))
	}
	for _, f := range fx {
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, db, f.id)
		diff(t, f.id+" tree after the restart", wantTree, gotTree)
		diff(t, f.id+" edges after the restart", wantEdges, gotEdges)
	}
}

// TestBackendTerminated kills the database backend ingesting a document
// while it waits inside its transaction: once, and the document is retried
// and ingested whole; every time, and it fails whole with UNAVAILABLE, to be
// ingested by the next attempt.
func TestBackendTerminated(t *testing.T) {
	t.Parallel()
	b, locker, dbName := lockBundle(t)
	store, docs, db, svc := b.store, b.docs, b.db, b.svc
	svc.Workers = 1
	f := fixtureByID(t, "solver-fedora-31-py37-01dea5ed")

	// ingestWhileLocked ingests f while locker holds depends_on, killing the
	// backend that waits for the lock up to kills times.
	ingestWhileLocked := func(kills int) (ingest.Result, int) {
		t.Helper()
		ctx := t.Context()
		tx, err := locker.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE depends_on IN EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		done := make(chan ingest.Result, 1)
		go func() {
			r, _ := svc.Ingest(ctx, f.id, f.raw, true)
			done <- r
		}()
		killed := 0
		deadline := time.After(2 * time.Minute)
		for {
			select {
			case r := <-done:
				_ = tx.Rollback(ctx)
				return r, killed
			case <-deadline:
				t.Fatal("ingestion did not finish")
			case <-time.After(20 * time.Millisecond):
			}
			if killed == kills {
				_ = tx.Rollback(ctx)
				continue
			}
			var n int
			err := db.QueryRow(ctx, `
				SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`, dbName).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			killed += n
		}
	}

	r, killed := ingestWhileLocked(1)
	if killed != 1 || r.Status != persistence.StatusIngested {
		t.Fatalf("one kill: %d killed, result %+v; want the document retried and INGESTED", killed, r)
	}
	wantTree, _, wantEdges := expected(f.doc)
	gotTree, _, gotEdges := stored(t, db, f.id)
	diff(t, "tree after a retry", wantTree, gotTree)
	diff(t, "edges after a retry", wantEdges, gotEdges)

	// Forced again, every attempt killed: the old facts were deleted inside
	// the killed transactions only, so they are all still there.
	before := tableCounts(t, db)
	r, killed = ingestWhileLocked(100)
	if r.Status != persistence.StatusFailed || persistence.ErrorCode(r.Err) != persistence.CodeUnavailable || killed < 2 {
		t.Fatalf("every attempt killed (%d): result %+v, want FAILED UNAVAILABLE", killed, r)
	}
	after := tableCounts(t, db)
	delete(before, "document")
	delete(after, "document")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a failed forced ingestion changed rows:\nbefore %v\nafter  %v", before, after)
	}
	d, err := store.Document(t.Context(), f.id)
	if err != nil || d.Status != persistence.StatusFailed || d.ErrorCode == nil || *d.ErrorCode != "UNAVAILABLE" {
		t.Errorf("document row %+v, %v", d, err)
	}
	put(t, docs, "solver/"+f.id, f.raw)
	rep := sync(t, svc, ingest.SyncOptions{IDs: []string{f.id}})
	if rep.Synced != 1 {
		t.Errorf("next sync %+v, want the document ingested", rep)
	}
	gotTree, _, gotEdges = stored(t, db, f.id)
	diff(t, "tree after the next sync", wantTree, gotTree)
	diff(t, "edges after the next sync", wantEdges, gotEdges)
}

// TestConcurrentSyncs runs 4 syncs at once over the same overlapping
// documents (shared packages and versions, pairs solving the same version):
// none fails, each document is ingested exactly once, and the graph has the
// rows one sequential sync of the same documents writes.
func TestConcurrentSyncs(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	store, docs, db, logger := b.store, b.docs, b.db, b.svc.Logger
	fx := variants(t, fixtureByID(t, "solver-fedora-31-py37-01dea5ed"), 24, func(i int) string { return fmt.Sprintf("2.17.%d", i%12) })
	for _, f := range fx {
		put(t, docs, f.key, f.raw)
	}
	var wg gosync.WaitGroup
	reps := make([]ingest.Report, 4)
	errs := make([]error, 4)
	// Every document ingested reports its counts.
	noCounts := make([][]string, 4)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: 3}
			reps[i], errs[i] = svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver", Progress: func(r ingest.Result) {
				if r.Status == persistence.StatusIngested && r.Counts["solved"] == 0 {
					noCounts[i] = append(noCounts[i], fmt.Sprintf("%s %s %v", r.DocumentID, r.Status, r.Counts))
				}
			}})
		}()
	}
	wg.Wait()
	synced := 0
	for i, rep := range reps {
		if errs[i] != nil || rep.Failed != 0 || rep.Processed != len(fx) {
			t.Errorf("sync %d: %+v, %v", i, rep, errs[i])
		}
		if len(noCounts[i]) > 0 {
			t.Errorf("sync %d: results without counts: %v", i, noCounts[i])
		}
		synced += rep.Synced
	}
	if synced != len(fx) {
		t.Errorf("%d ingestions of %d documents, want each exactly once", synced, len(fx))
	}

	seqStore, _, seqURL := testenv.Store(t)
	seq := &ingest.Service{Store: seqStore, Docs: docs, Logger: logger, Workers: 1}
	if rep := sync(t, seq, ingest.SyncOptions{Prefix: "solver"}); rep.Synced != len(fx) {
		t.Fatalf("sequential sync %+v", rep)
	}
	got, want := tableCounts(t, db), tableCounts(t, testenv.Conn(t, seqURL))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("concurrent syncs wrote other row counts than one sequential sync:\nconcurrent %v\nsequential %v", got, want)
	}
	var dup int
	if err := db.QueryRow(t.Context(), `
		SELECT count(*) FROM (SELECT 1 FROM depends_on GROUP BY solved_id, package_id, version_range, marker, extra HAVING count(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
		t.Errorf("%d duplicated edges (%v)", dup, err)
	}
}

// TestSyncSkipsDocumentInFlight: a sync does not wait for a document that
// another transaction is ingesting; it skips it as busy and goes on, and the
// other transaction ingests it.
func TestSyncSkipsDocumentInFlight(t *testing.T) {
	t.Parallel()
	b, locker, dbName := lockBundle(t)
	db, svc := b.db, b.svc
	fx := variants(t, fixtureByID(t, "solver-fedora-31-py37-01dea5ed"), 3, func(i int) string { return fmt.Sprintf("3.0.%d", i) })
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}

	// The first document's ingestion waits inside its transaction for a
	// table lock held by locker.
	tx, err := locker.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `LOCK TABLE depends_on IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first := make(chan ingest.Result, 1)
	go func() {
		r, _ := svc.Ingest(t.Context(), fx[0].id, fx[0].raw, false)
		first <- r
	}()
	for waiting := 0; waiting == 0; time.Sleep(20 * time.Millisecond) {
		if err := db.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`, dbName).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}

	// A sync of the first document meanwhile skips it as busy at once.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var busy []string
	rep, err := svc.Sync(ctx, ingest.SyncOptions{IDs: []string{fx[0].id}, Progress: func(r ingest.Result) {
		if r.Busy {
			busy = append(busy, r.DocumentID)
		}
	}})
	if err != nil || rep.Skipped != 1 || rep.Failed != 0 || fmt.Sprint(busy) != fmt.Sprint([]string{fx[0].id}) {
		t.Fatalf("sync of the document in flight: %+v, busy %v, %v; want it skipped as busy", rep, busy, err)
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := <-first; r.Status != persistence.StatusIngested {
		t.Fatalf("the ingestion in flight: %+v", r)
	}

	// The next sync ingests the rest and skips the first, no longer busy.
	rep = sync(t, svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Synced != len(fx)-1 || rep.Skipped != 1 || rep.Failed != 0 {
		t.Errorf("next sync %+v", rep)
	}
	for _, f := range fx {
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, db, f.id)
		diff(t, f.id+" tree", wantTree, gotTree)
		diff(t, f.id+" edges", wantEdges, gotEdges)
	}
}
