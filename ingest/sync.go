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
// Once the document store fails as unavailable, the documents still to be
// read fail with UNAVAILABLE without waiting on it; the next sync picks them
// up. Syncs running at once (several seshat sync processes) share their
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
	jobs := make(chan job, workers)
	results := make(chan Result, workers)
	var storeDown atomic.Bool

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- s.syncOne(ctx, j, opts, &storeDown)
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

// syncOne reads one document and ingests it.
func (s *Service) syncOne(ctx context.Context, j job, opts SyncOptions, storeDown *atomic.Bool) Result {
	r := Result{DocumentID: j.id}
	if j.key == "" {
		// An id given with IDs that names no key (it has no kind prefix) is
		// read from the key its row recorded, if a sync has seen it.
		key, err := s.recordedKey(ctx, j.id)
		if err != nil {
			r.Status, r.Err = persistence.StatusFailed, err
			return r
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
		r.Status, r.Err = persistence.StatusFailed, err
		return r
	}
	k, err := lookupKind(j.id, j.key, "")
	if err != nil {
		r.Status, r.Err = persistence.StatusFailed, err
		return r
	}
	r.Kind = k.name
	ref := persistence.DocumentRef{ID: j.id, Kind: k.name, ObjectKey: j.key}
	fail := func(err error) Result {
		if opts.DryRun {
			r.Status, r.Err = persistence.StatusFailed, err
			return r
		}
		return s.failed(ctx, r, ref, err)
	}
	o := writeOpts{force: opts.Force, dryRun: opts.DryRun, shared: true}
	if k.write == nil {
		return s.process(ctx, k, ref, nil, o)
	}
	if storeDown.Load() {
		return fail(persistence.Errorf(persistence.CodeUnavailable,
			"not read: the document store became unavailable during this sync"))
	}
	raw, err := s.readDocument(ctx, j.key)
	if err != nil {
		if persistence.ErrorCode(err) == persistence.CodeUnavailable && ctx.Err() == nil {
			storeDown.Store(true)
		}
		return fail(err)
	}
	ref.SHA256 = Digest(raw)
	return s.process(ctx, k, ref, raw, o)
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
