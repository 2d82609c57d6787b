package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// MaxReportedFailures bounds Report.Failures; Report.Failed counts them all.
const MaxReportedFailures = 1000

// SyncOptions select the documents a Sync ingests.
type SyncOptions struct {
	// Prefix is a key prefix below the store root ("solver", "solver/solver-rhel-8");
	// "" for every document. Ignored when IDs is set.
	Prefix string
	// IDs, when set, are the documents to ingest, read from their Thoth keys
	// (an id with no kind prefix from the key its document row recorded).
	IDs []string
	// Force re-ingests documents whose content was ingested before.
	Force bool
	// DryRun reads, parses and validates without writing anything: valid
	// documents are counted as synced with status PENDING.
	DryRun bool
	// Limit stops the sync after that many documents (0: no limit).
	Limit int
	// Workers overrides Service.Workers when > 0.
	Workers int
	// Progress, when set, is called once per document, from one goroutine
	// at a time, in completion order.
	Progress func(Result)
}

// Report sums up a sync.
type Report struct {
	Processed, Synced, Skipped, Failed int
	// Failures lists the failed documents, at most MaxReportedFailures.
	Failures []Failure
	// Unsupported counts, by kind, the SKIPPED documents whose kind has no
	// writer yet ("adviser": 3); Reasons holds the reason given for each
	// such kind.
	Unsupported map[string]int
	Reasons     map[string]string
}

type job struct{ id, key string }

// Sync ingests documents from the document store: those under
// opts.Prefix, listed as a stream (memory does not grow with their number),
// or those named by opts.IDs. Workers ingest one document per transaction;
// a failed document is recorded on its row and counted, and the sync goes on.
// Documents are read ahead of the workers, as many at once as there are
// workers, while the workers write the ones read before (readAhead). Once
// the document store fails as unavailable, the documents still to be read
// fail with UNAVAILABLE without waiting on it; the next sync picks them up.
// Syncs running at once (several seshat sync processes) share their
// backlog: a document that another transaction is ingesting is SKIPPED with
// Busy set, not waited for.
//
// The report counts what was processed even when an error is returned: the
// listing itself failed (UNAVAILABLE, NOT_FOUND for a missing bucket,
// INVALID for a bad prefix) or ctx ended (UNAVAILABLE; the documents in
// flight then count as failed but are not recorded so).
func (s *Service) Sync(ctx context.Context, opts SyncOptions) (Report, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = max(1, s.Workers)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The listing waits for the read-ahead, which holds at most workers
	// documents: what a queue as deep as the workers held before it.
	jobs := make(chan job)
	ready := make(chan fetched)
	results := make(chan Result, workers)
	var storeDown atomic.Bool

	go s.readAhead(ctx, jobs, ready, results, workers, opts, &storeDown)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range ready {
				results <- s.write(ctx, f, opts)
			}
		}()
	}

	var rep Report
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range results {
			rep.add(r)
			if opts.Progress != nil {
				opts.Progress(r)
			}
		}
	}()

	listErr := s.feed(ctx, opts, jobs)
	close(jobs)
	wg.Wait()
	close(results)
	<-done
	if ctx.Err() != nil && (listErr == nil || errors.Is(listErr, ctx.Err())) {
		listErr = persistence.Wrap(persistence.CodeUnavailable, ctx.Err(), fmt.Sprintf(
			"sync interrupted (%v) after %d documents; the next sync goes on with the rest", ctx.Err(), rep.Processed))
	}
	return rep, listErr
}

// fetched is a document of a sync, read and ready to be written, or one
// that failed before (err).
type fetched struct {
	k   kind
	ref persistence.DocumentRef
	raw []byte
	// checked: the document has no row ingested with this content (the
	// read-ahead looked), so writing it needs no look of its own.
	checked bool
	r       Result // the result so far: DocumentID, Kind
	err     error  // a failure to record on the document's row
}

// readAhead takes the jobs a batch of n at a time (fewer at the end),
// reads the documents of a batch all at once, skips those
// whose content the database has already ingested (one statement for the
// batch: a sync over documents it has seen costs a read of each and a
// statement per batch), and hands the others to the workers on ready; the
// documents that need no write (skipped, failed without a row to record it
// on) go to results. It closes ready when jobs is closed and drained.
// Reading a batch at once keeps the document store busy while it answers,
// rather than woken for every document (MinIO spent about 40% more CPU
// time per request answering them one by one).
func (s *Service) readAhead(ctx context.Context, jobs <-chan job, ready chan<- fetched, results chan<- Result, n int, opts SyncOptions, storeDown *atomic.Bool) {
	defer close(ready)
	batch := make([]job, 0, n)
	out := make([]fetched, n)
	for {
		batch = batch[:0]
		for len(batch) < n {
			j, ok := <-jobs
			if !ok {
				break
			}
			batch = append(batch, j)
		}
		if len(batch) == 0 {
			return
		}
		var wg sync.WaitGroup
		for i, j := range batch {
			wg.Go(func() { out[i] = s.fetch(ctx, j, opts, storeDown) })
		}
		wg.Wait()
		s.checkIngested(ctx, out[:len(batch)], opts)
		for _, f := range out[:len(batch)] {
			if f.r.Status != "" {
				results <- f.r
				continue
			}
			ready <- f
		}
	}
}

// fetch reads one document of a sync: the kind its key names, its content
// and digest. The result's Status is set when there is nothing more to do.
func (s *Service) fetch(ctx context.Context, j job, opts SyncOptions, storeDown *atomic.Bool) fetched {
	f := fetched{r: Result{DocumentID: j.id}}
	done := func(err error) fetched {
		f.r.Status, f.r.Err = persistence.StatusFailed, err
		return f
	}
	if j.key == "" {
		// An id given with IDs that names no key (it has no kind prefix) is
		// read from the key its row recorded, if a sync has seen it.
		key, err := s.recordedKey(ctx, j.id)
		if err != nil {
			return done(err)
		}
		j.key = key
	}
	if j.key == "" {
		// An id that names no document: nothing to record.
		_, err := objectstore.KeyFor(j.id)
		if objectstore.KindOfID(j.id) == "" && objectstore.CheckKey(j.id) == nil {
			err = persistence.Errorf(persistence.CodeInvalid, "%s, and no document row names its key: sync it by its key instead (prefix solver/%s for a solver document)",
				persistence.ErrorMessage(err), j.id)
		}
		return done(err)
	}
	k, err := lookupKind(j.id, j.key, "")
	if err != nil {
		return done(err)
	}
	f.k, f.r.Kind = k, k.name
	f.ref = persistence.DocumentRef{ID: j.id, Kind: k.name, ObjectKey: j.key}
	if k.write == nil {
		return f
	}
	if storeDown.Load() {
		f.err = persistence.Errorf(persistence.CodeUnavailable,
			"not read: the document store became unavailable during this sync")
		return f
	}
	raw, err := s.readDocument(ctx, j.key)
	if err != nil {
		if persistence.ErrorCode(err) == persistence.CodeUnavailable && ctx.Err() == nil {
			storeDown.Store(true)
		}
		f.err = err
		return f
	}
	f.raw, f.ref.SHA256 = raw, Digest(raw)
	return f
}

// checkIngested looks up, in one statement, the rows of the batch's
// documents that were read: one ingested with the same content is SKIPPED
// with the counts written then (its result's Status set), the others are
// marked checked. Nothing is looked up for a forced or dry run; a failed
// look-up leaves each document to look for itself.
func (s *Service) checkIngested(ctx context.Context, batch []fetched, opts SyncOptions) {
	if opts.Force || opts.DryRun {
		return
	}
	var ids []string
	for _, f := range batch {
		if f.r.Status == "" && f.err == nil && f.k.write != nil {
			ids = append(ids, f.ref.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	rows, err := s.Store.DocumentsByID(ctx, ids)
	if err != nil {
		return
	}
	for i := range batch {
		f := &batch[i]
		if f.r.Status != "" || f.err != nil || f.k.write == nil {
			continue
		}
		if d, ok := rows[f.ref.ID]; ok && d.Status == persistence.StatusIngested && d.SHA256 != nil && *d.SHA256 == f.ref.SHA256 {
			f.r.Status, f.r.Counts = persistence.StatusSkipped, d.Counts
			continue
		}
		f.checked = true
	}
}

// write ingests one document the read-ahead fetched, or records its failure.
func (s *Service) write(ctx context.Context, f fetched, opts SyncOptions) Result {
	if f.err != nil {
		if opts.DryRun {
			f.r.Status, f.r.Err = persistence.StatusFailed, f.err
			return f.r
		}
		return s.failed(ctx, f.r, f.ref, f.err)
	}
	return s.process(ctx, f.k, f.ref, f.raw, writeOpts{force: opts.Force, dryRun: opts.DryRun, shared: true, checked: f.checked})
}

var errLimit = errors.New("limit reached")

// feed sends the selected documents to jobs until they run out, the limit
// is reached or ctx ends.
func (s *Service) feed(ctx context.Context, opts SyncOptions, jobs chan<- job) error {
	n := 0
	send := func(j job) error {
		if opts.Limit > 0 && n >= opts.Limit {
			return errLimit
		}
		if err := ctx.Err(); err != nil {
			return err // select below picks at random when both are ready
		}
		select {
		case jobs <- j:
			n++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if len(opts.IDs) > 0 {
		for _, id := range opts.IDs {
			key, _ := objectstore.KeyFor(id) // a bad id fails in syncOne
			if err := send(job{id: id, key: key}); err != nil {
				return ignoreLimit(err)
			}
		}
		return nil
	}
	var last struct{ id, kind string }
	err := s.Docs.List(ctx, strings.TrimLeft(opts.Prefix, "/"), func(o objectstore.Object) error {
		// Kinds kept as one folder per document list several keys per id,
		// one after the other; keys of one id in different folders
		// ("misc/x", "solver/x") are different documents.
		id, kind := objectstore.DocumentID(o.Key), objectstore.KindOfKey(o.Key)
		if id == last.id && kind == last.kind {
			return nil
		}
		last.id, last.kind = id, kind
		return send(job{id: id, key: o.Key})
	})
	return ignoreLimit(err)
}

func ignoreLimit(err error) error {
	if errors.Is(err, errLimit) {
		return nil
	}
	return err
}

// recordedKey returns the object key the row of document id recorded, ""
// when there is no row or it names no key.
func (s *Service) recordedKey(ctx context.Context, id string) (string, error) {
	if objectstore.CheckKey(id) != nil {
		return "", nil
	}
	d, err := s.Store.Document(ctx, id)
	if err != nil || d == nil || d.ObjectKey == nil {
		return "", err
	}
	return *d.ObjectKey, nil
}

func (r *Report) add(res Result) {
	r.Processed++
	switch res.Status {
	case persistence.StatusIngested, persistence.StatusPending:
		r.Synced++
	case persistence.StatusSkipped:
		r.Skipped++
		if res.Unsupported() {
			if r.Unsupported == nil {
				r.Unsupported, r.Reasons = map[string]int{}, map[string]string{}
			}
			r.Unsupported[res.Kind]++
			r.Reasons[res.Kind] = persistence.ErrorMessage(res.Err)
		}
	default:
		r.Failed++
		if len(r.Failures) < MaxReportedFailures {
			r.Failures = append(r.Failures, Failure{
				DocumentID: res.DocumentID,
				Code:       persistence.ErrorCode(res.Err),
				Message:    persistence.ErrorMessage(res.Err),
			})
		}
	}
}
