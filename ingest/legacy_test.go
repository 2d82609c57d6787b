package ingest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// Documents whose id names no kind: thoth-solver 1.0 ids
// ("seshat-thoth-solver-fc26"), solver-<uuid> ids, and documents without
// metadata.document_id kept under their file name ("solver/scoring-resolved").
// The project's testdata/solver documents serve, some stored under other
// names than their own.

const (
	legacyFile = "seshat-thoth-solver-fc26.json"       // metadata.document_id "seshat-thoth-solver-fc26", Fedora 26
	namedFile  = "solver-fedora-29-py36-5ca1ab1e.json" // no metadata.document_id, Fedora 29
)

// documentRow returns the row of document id, failing t when there is none.
func (e *bundle) documentRow(t *testing.T, id string) *persistence.Document {
	t.Helper()
	d, err := e.store.Document(t.Context(), id)
	if err != nil || d == nil {
		t.Fatalf("document %s: %v, %v", id, d, err)
	}
	return d
}

// environments returns the environments document id solved versions in.
func (e *bundle) environments(t *testing.T, id string) []string {
	t.Helper()
	rows, err := e.db.Query(t.Context(), `
		SELECT DISTINCT en.os_name || ' ' || en.os_version || ' ' || en.python_version
		FROM solved s JOIN environment en ON en.id = s.environment_id WHERE s.document_id = $1 ORDER BY 1`, id)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return envs
}

func wantIngested(t *testing.T, e *bundle, id, key, env string) {
	t.Helper()
	d := e.documentRow(t, id)
	if d.Status != persistence.StatusIngested || d.Kind != "solver" || d.ObjectKey == nil || *d.ObjectKey != key || d.Counts["solved"] == 0 {
		t.Errorf("%s: row %s %s key %v counts %v (error %v), want an INGESTED solver document at %s", id, d.Status, d.Kind, d.ObjectKey, d.Counts, d.Error, key)
	}
	if got := e.environments(t, id); len(got) != 1 || got[0] != env {
		t.Errorf("%s: solved in %q, want %q", id, got, env)
	}
}

// TestSyncKindFromFolder: a document whose id has no known prefix is
// ingested as a document of the folder holding it; outside any kind's
// folder it fails, and is not recorded.
func TestSyncKindFromFolder(t *testing.T) {
	t.Parallel()
	e := newBundle(t)
	ctx := t.Context()
	legacy, named := testenv.ReadTestdata(t, "solver", legacyFile), testenv.ReadTestdata(t, "solver", namedFile)
	for key, raw := range map[string][]byte{
		"solver/seshat-thoth-solver-fc26": legacy,
		"solver/scoring-resolved":         named,
		"misc/scoring-resolved":           named,
	} {
		if err := e.docs.Put(ctx, key, raw); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := e.svc.Sync(ctx, ingest.SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Processed != 3 || rep.Synced != 2 || rep.Failed != 1 || rep.Failures[0].DocumentID != "scoring-resolved" ||
		rep.Failures[0].Code != persistence.CodeInvalid || !strings.Contains(rep.Failures[0].Message, "no known kind prefix") {
		t.Fatalf("sync report %+v", rep)
	}
	wantIngested(t, e, "seshat-thoth-solver-fc26", "solver/seshat-thoth-solver-fc26", "fedora 26 3.6")
	wantIngested(t, e, "scoring-resolved", "solver/scoring-resolved", "fedora 29 3.6")

	// By id: read from the key the row recorded.
	rep, err = e.svc.Sync(ctx, ingest.SyncOptions{IDs: []string{"scoring-resolved", "seshat-thoth-solver-fc26"}, Force: true})
	if err != nil || rep.Synced != 2 || rep.Failed != 0 {
		t.Fatalf("sync by id: %+v, %v", rep, err)
	}
	if d := e.documentRow(t, "scoring-resolved"); d.Attempts != 2 {
		t.Errorf("attempts %d after a forced sync, want 2", d.Attempts)
	}
	// An id no row names: the error says to sync it by its key.
	rep, err = e.svc.Sync(ctx, ingest.SyncOptions{IDs: []string{"never-synced"}})
	if err != nil || rep.Failed != 1 || rep.Failures[0].Code != persistence.CodeInvalid ||
		!strings.Contains(rep.Failures[0].Message, "prefix solver/never-synced") {
		t.Fatalf("sync of an unknown id: %+v, %v", rep, err)
	}
	if d, err := e.store.Document(ctx, "never-synced"); err != nil || d != nil {
		t.Errorf("a row for an id that names no document: %+v, %v", d, err)
	}
}

// TestSubmitKind: Submit takes the kind declared for an id with no known
// prefix and stores the document in that kind's folder; an unknown kind, a
// kind the prefix contradicts, and no kind at all are INVALID errors.
func TestSubmitKind(t *testing.T) {
	t.Parallel()
	e := newBundle(t)
	ctx := t.Context()
	named := testenv.ReadTestdata(t, "solver", namedFile)
	const uuidID = "solver-0f8fad5b-d9cb-469f-a165-70867728950e"

	r, err := e.svc.Submit(ctx, ingest.Submission{ID: "scoring-resolved", Kind: "solver", Raw: named})
	if err != nil || r.Status != persistence.StatusIngested || r.Kind != "solver" {
		t.Fatalf("Submit with kind solver: %+v, %v", r, err)
	}
	if ok, err := e.docs.Exists(ctx, "solver/scoring-resolved"); err != nil || !ok {
		t.Errorf("not stored at solver/scoring-resolved: %v, %v", ok, err)
	}
	wantIngested(t, e, "scoring-resolved", "solver/scoring-resolved", "fedora 29 3.6")

	// A solver-<uuid> id names the kind itself, and no environment.
	r, err = e.svc.Submit(ctx, ingest.Submission{ID: uuidID, Raw: named})
	if err != nil || r.Status != persistence.StatusIngested {
		t.Fatalf("Submit of a solver-<uuid> document: %+v, %v", r, err)
	}
	if d := e.documentRow(t, uuidID); d.Kind != "solver" || *d.ObjectKey != "solver/"+uuidID {
		t.Errorf("row %+v", d)
	}

	for _, tc := range []struct {
		name, id, kind, want string
	}{
		{"no kind", "other-run", "", "give the document's kind (solver, revsolver, adviser"},
		{"unknown kind", "other-run", "kebechet", `unknown document kind "kebechet" (known kinds: solver, revsolver, adviser, package-extract, provenance-checker, dependency-monkey, inspection, security-indicator, vulnerability)`},
		{"contradicted", "solver-fedora-29-py36-5ca1ab1e", "adviser", "has the prefix of solver documents, not of adviser ones"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.svc.Submit(ctx, ingest.Submission{ID: tc.id, Kind: tc.kind, Raw: named})
			if persistence.ErrorCode(err) != persistence.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Submit = %+v, %v; want INVALID saying %q", r, err, tc.want)
			}
			if d, _ := e.store.Document(ctx, tc.id); d != nil {
				t.Errorf("a row for a refused submission: %+v", d)
			}
		})
	}
	if keys := testenv.Keys(t, e.docs); strings.Join(keys, " ") != "solver/scoring-resolved solver/"+uuidID {
		t.Errorf("stored %q", keys)
	}
}

// TestContentIdentity: a document put and synced has the identity of its
// copy re-encoded from its decoded JSON, as ingestDocument receives it:
// submitting that copy is SKIPPED and leaves the row as it was.
func TestContentIdentity(t *testing.T) {
	t.Parallel()
	e := newBundle(t)
	ctx := t.Context()
	for _, f := range []struct{ file, id, key string }{
		{legacyFile, "seshat-thoth-solver-fc26", "solver/seshat-thoth-solver-fc26"},
		{"solver-fedora-31-py37-01dea5ed.json", "solver-fedora-31-py37-01dea5ed", "solver/solver-fedora-31-py37-01dea5ed"},
	} {
		raw := testenv.ReadTestdata(t, "solver", f.file)
		if err := e.docs.Put(ctx, f.key, raw); err != nil {
			t.Fatal(err)
		}
		if rep, err := e.svc.Sync(ctx, ingest.SyncOptions{Prefix: f.key}); err != nil || rep.Synced != 1 {
			t.Fatalf("sync %s: %+v, %v", f.key, rep, err)
		}
		before := e.documentRow(t, f.id)
		if *before.SHA256 != ingest.Digest(raw) {
			t.Errorf("%s: row sha256 %s, want the file's digest %s", f.id, *before.SHA256, ingest.Digest(raw))
		}
		copied, _ := reencoded(t, raw)
		if string(copied) == string(raw) {
			t.Fatal("the re-encoded copy has the file's bytes: nothing tested")
		}
		r, err := e.svc.Submit(ctx, ingest.Submission{ID: f.id, Kind: "solver", Raw: copied})
		if err != nil || r.Status != persistence.StatusSkipped {
			t.Fatalf("%s: Submit of the re-encoded copy: %+v, %v; want SKIPPED", f.id, r, err)
		}
		r, err = e.svc.Ingest(ctx, f.id, copied, false)
		if f.id == "seshat-thoth-solver-fc26" {
			// Ingest has no kind to take from an unprefixed id.
			if r.Status != persistence.StatusFailed || persistence.ErrorCode(r.Err) != persistence.CodeInvalid {
				t.Errorf("%s: Ingest: %+v, %v", f.id, r, err)
			}
		} else if err != nil || r.Status != persistence.StatusSkipped {
			t.Errorf("%s: Ingest of the re-encoded copy: %+v, %v; want SKIPPED", f.id, r, err)
		}
		after := e.documentRow(t, f.id)
		if after.Attempts != before.Attempts || *after.SHA256 != *before.SHA256 || after.Status != persistence.StatusIngested {
			t.Errorf("%s: row went from attempts %d %s to %d %s (%s)", f.id, before.Attempts, *before.SHA256, after.Attempts, *after.SHA256, after.Status)
		}
		// And a sync of the copy now stored is SKIPPED too.
		if rep, err := e.svc.Sync(ctx, ingest.SyncOptions{Prefix: f.key}); err != nil || rep.Skipped != 1 {
			t.Fatalf("sync %s after the copy: %+v, %v", f.key, rep, err)
		}
	}
	// A change of content is a new identity.
	var doc map[string]any
	if err := json.Unmarshal(testenv.ReadTestdata(t, "solver", legacyFile), &doc); err != nil {
		t.Fatal(err)
	}
	doc["metadata"].(map[string]any)["duration"] = 10
	changed, _ := json.Marshal(doc)
	r, err := e.svc.Submit(ctx, ingest.Submission{ID: "seshat-thoth-solver-fc26", Kind: "solver", Raw: changed})
	if err != nil || r.Status != persistence.StatusIngested {
		t.Fatalf("Submit of changed content: %+v, %v; want INGESTED", r, err)
	}
}
