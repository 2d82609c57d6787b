// Package ingest turns Thoth result documents into knowledge-graph facts.
// Each document kind of objectstore's layout, decided by objectstore.KindFor
// (the kind its sender declares, else the document-id prefix, else the
// folder holding the document), has a writer that parses and writes its
// documents (see writers); the sync engine (Sync) streams documents
// from the document store to a few workers, one transaction per document,
// and records every failure on the document's row so the next sync retries
// it.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// Service ingests documents into Store from Docs.
type Service struct {
	Store *persistence.Store
	// Docs is the document store Sync reads and Submit writes.
	Docs objectstore.Store
	// Logger gets one record per failed document; nil discards.
	Logger *slog.Logger
	// Workers is the default number of documents ingested at once by Sync
	// (1 when <= 0).
	Workers int
}

// Result is what happened to one document.
type Result struct {
	DocumentID string
	// Kind is the document kind ("solver"); "" when neither the id's prefix
	// nor the folder holding the document names one.
	Kind string
	// Status is INGESTED, SKIPPED (same content already ingested), FAILED,
	// or PENDING for a valid document in a dry run.
	Status persistence.DocumentStatus
	// Counts are the facts written (for SKIPPED, those of the earlier ingestion).
	Counts persistence.Counts
	// Busy says the document was SKIPPED by a sync because another
	// transaction was ingesting it at that moment (Counts is empty then).
	Busy bool
	// Err says why the document FAILED: a *persistence.Error whose code is
	// INVALID for a malformed document (the message names the JSON path),
	// UNAVAILABLE when the document store or the database could not be
	// reached, NOT_FOUND when the document is missing from the store.
	// For a document SKIPPED because its kind has no writer yet (see
	// Unsupported) it is the reason, "... not supported yet ...".
	Err error
}

// Unsupported says whether r is a document SKIPPED because its kind has no
// writer yet, rather than because it was ingested before or busy.
func (r Result) Unsupported() bool {
	return r.Status == persistence.StatusSkipped && r.Err != nil
}

// writeOpts say how a document is written.
type writeOpts struct {
	force, dryRun bool
	// shared: the document comes from a sync's backlog, which other syncs
	// may be working through: one that another transaction is ingesting is
	// skipped (Busy) instead of waited for.
	shared bool
	// checked: the caller found no row ingested with this content, so
	// process does not look again.
	checked bool
}

func writeSolver(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	// Only a document known to be a solver document reaches here: an id
	// without the "solver-" prefix names it (see solver.ParseNamed).
	doc, err := solver.ParseNamed(ref.ID, raw)
	if err != nil {
		var ve *solver.ValidationError
		if errors.As(err, &ve) {
			return persistence.IngestOutcome{}, persistence.Errorf(persistence.CodeInvalid, "invalid solver document: %s", ve.Error())
		}
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	res := SolverResult(doc)
	write := s.Store.IngestSolverResult
	if o.shared {
		write = s.Store.IngestSolverResultNoWait
	}
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) { return write(ctx, ref, res, o.force) })
}

// retrying runs one document's write, trying it again on a new connection
// when the connection was lost mid-document. The transaction itself
// retries serialization failures and deadlocks; a lost connection (a
// restarted or terminated backend) rolled the whole document back.
func (s *Service) retrying(ctx context.Context, ref persistence.DocumentRef, write func() (persistence.IngestOutcome, error)) (persistence.IngestOutcome, error) {
	var out persistence.IngestOutcome
	err := reconnect.Do(ctx, func() (err error) {
		out, err = write()
		return err
	}, unavailable, func(n int, err error, wait time.Duration) {
		s.logger().WarnContext(ctx, "retrying document after a database error", "document", ref.ID, "attempt", n, "wait", wait, "err", err)
	})
	return out, err
}

// reconnect is the policy a document whose write lost its database
// connection is tried again with: 3 tries, waiting 200 ms before the first
// retry and doubling, less up to half by jitter, so that a restarting
// server has time to come back.
var reconnect = persistence.Retry{Attempts: 3, Base: 200 * time.Millisecond, Cap: 2 * time.Second}

func unavailable(err error) bool { return persistence.ErrorCode(err) == persistence.CodeUnavailable }

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Ingest ingests one document given as raw JSON, without touching the
// document store (its row names the key KeyFor gives). A document already
// ingested with the same content (see Digest) is SKIPPED unless force; force
// replaces its facts. A document that cannot be ingested is recorded FAILED
// with the reason and returned with Status FAILED and Err set; the returned
// error is for the caller's own context only (nil otherwise).
func (s *Service) Ingest(ctx context.Context, id string, raw []byte, force bool) (Result, error) {
	key, _ := objectstore.KeyFor(id)
	k, err := lookupKind(id, "", "")
	if err != nil {
		return Result{DocumentID: id, Status: persistence.StatusFailed, Err: err}, ctx.Err()
	}
	r := s.process(ctx, k, persistence.DocumentRef{ID: id, ObjectKey: key, SHA256: Digest(raw)}, raw, writeOpts{force: force})
	return r, ctx.Err()
}

// Submission is a document handed to Submit.
type Submission struct {
	// ID is the document id.
	ID string
	// Kind is the document kind ("solver", see objectstore.Kinds); "" takes
	// it from the id's prefix. An id with no known prefix (a thoth-solver
	// 1.0 id, the file name of a document without metadata.document_id)
	// needs it; with a prefix it must agree.
	Kind string
	// Raw is the document's JSON.
	Raw []byte
	// Force re-ingests a document whose content was ingested before.
	Force bool
}

// Submit stores a document under its Thoth key in the document store
// (objectstore.KeyIn: "solver/<id>" for a solver document), then ingests it
// (see Ingest). The document is validated first: a malformed one is
// recorded FAILED and not stored. Its content identity is Digest's, the same
// as put and sync give the same document.
// INVALID (as an error) when the kind is unknown or disagrees with the id's
// prefix, when there is no kind (neither declared nor in the id), or when
// the id is not a valid key; UNAVAILABLE when the document store cannot be
// reached.
func (s *Service) Submit(ctx context.Context, sub Submission) (Result, error) {
	k, err := lookupKind(sub.ID, "", sub.Kind)
	if err != nil {
		if sub.Kind == "" {
			err = persistence.Errorf(persistence.CodeInvalid, "%s; give the document's kind (%s)", persistence.ErrorMessage(err), strings.Join(objectstore.Kinds(), ", "))
		}
		return Result{}, err
	}
	key, err := objectstore.KeyIn(k.name, sub.ID)
	if err != nil {
		return Result{}, err
	}
	ref := persistence.DocumentRef{ID: sub.ID, Kind: k.name, ObjectKey: key, SHA256: Digest(sub.Raw)}
	if k.write != nil {
		if _, err := k.write(ctx, s, ref, sub.Raw, writeOpts{dryRun: true}); err != nil {
			ref.ObjectKey = ""
			return s.failed(ctx, Result{DocumentID: sub.ID, Kind: k.name}, ref, err), nil
		}
	}
	if err := s.Docs.Put(ctx, key, sub.Raw); err != nil {
		return Result{}, err
	}
	return s.process(ctx, k, ref, sub.Raw, writeOpts{force: sub.Force}), nil
}

// process ingests one document of kind k read from ref.ObjectKey; ref.SHA256
// is the content's Digest.
func (s *Service) process(ctx context.Context, k kind, ref persistence.DocumentRef, raw []byte, o writeOpts) Result {
	r := Result{DocumentID: ref.ID, Kind: k.name}
	ref.Kind = k.name
	if k.write == nil {
		return s.unsupported(ctx, r, ref, o)
	}
	// Skipping unchanged content costs one indexed read, no parse, no transaction.
	if !o.force && !o.dryRun && !o.checked {
		d, err := s.Store.Document(ctx, ref.ID)
		if err != nil {
			return s.failed(ctx, r, ref, err)
		}
		if d != nil && d.Status == persistence.StatusIngested && d.SHA256 != nil && *d.SHA256 == ref.SHA256 {
			r.Status, r.Counts = persistence.StatusSkipped, d.Counts
			return r
		}
	}
	out, err := k.write(ctx, s, ref, raw, o)
	if err != nil {
		if o.dryRun {
			r.Status, r.Err = persistence.StatusFailed, err
			return r
		}
		return s.failed(ctx, r, ref, err)
	}
	r.Status, r.Counts, r.Busy = out.Status, out.Counts, out.Busy
	return r
}

// unsupported reports a document of a kind that has no writer yet as
// SKIPPED, with the reason in r.Err, and records that on its row (unless a
// dry run, or ctx is done): such a document is not refused, it waits for
// its kind's writer, and the first sync after the writer lands ingests it.
func (s *Service) unsupported(ctx context.Context, r Result, ref persistence.DocumentRef, o writeOpts) Result {
	r.Status, r.Err = persistence.StatusSkipped, notSupported(kind{name: ref.Kind})
	if o.dryRun || ctx.Err() != nil {
		return r
	}
	if err := s.Store.MarkDocumentSkipped(ctx, ref, persistence.ErrorMessage(r.Err)); err != nil {
		s.logger().ErrorContext(ctx, "cannot record a document of a kind not supported yet", "document", ref.ID, "err", err)
	}
	return r
}

// failed records the failure on the document's row (unless ctx is done:
// the document was interrupted, not refused) and returns r as FAILED.
func (s *Service) failed(ctx context.Context, r Result, ref persistence.DocumentRef, err error) Result {
	r.Status, r.Err = persistence.StatusFailed, err
	code := persistence.ErrorCode(err)
	s.logger().WarnContext(ctx, "document failed", "document", ref.ID, "code", code, "err", err)
	if ctx.Err() != nil || ref.Kind == "" {
		return r
	}
	if merr := s.Store.MarkDocumentFailed(ctx, ref, code, persistence.ErrorMessage(err)); merr != nil {
		s.logger().ErrorContext(ctx, "cannot record the failure of a document", "document", ref.ID, "err", merr)
	}
	return r
}

// Failure is one failed document of a sync.
type Failure struct {
	DocumentID string
	Code       persistence.Code
	Message    string
}

func (f Failure) String() string { return fmt.Sprintf("%s: %s: %s", f.DocumentID, f.Code, f.Message) }
