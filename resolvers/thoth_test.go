//go:build thoth

package resolvers_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/testenv"
)

// The conformance suite over real Thoth solver documents (`make test-thoth`):
// the directory testenv.ThothFixtures names, GPL-3.0 data read in place and
// never copied into this repository. Every test takes whatever it holds.

// thothDocuments are the real solver documents, keyed as `seshat put`
// stores them.
func thothDocuments(t *testing.T) []testenv.SolverDocument {
	t.Helper()
	return testenv.SolverDocuments(t, testenv.ThothFixtures(t, "solver"))
}

// TestThothIngestDocument sends every real solver document through the
// ingestDocument mutation, declaring the kind solver when its id has no known
// prefix (a thoth-solver 1.0 id, a file name): it is INGESTED and stored
// under its key, then SKIPPED when sent again; or FAILED with INVALID and
// not stored, for a document the parser refuses.
func TestThothIngestDocument(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	for _, d := range thothDocuments(t) {
		t.Run(d.File, func(t *testing.T) {
			in := map[string]any{"document": json.RawMessage(d.Raw)}
			if d.Named {
				in["documentId"] = d.ID
			}
			if _, err := ingest.KindOf(d.ID); err != nil {
				in["kind"] = "solver"
			}
			var out ingestResult
			if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": in}, &out); len(errs) > 0 {
				t.Fatalf("errors: %+v", errs)
			}
			r := out.IngestDocument
			stored, err := docs.Exists(t.Context(), d.Key)
			if err != nil {
				t.Fatal(err)
			}
			switch r.Status {
			case "INGESTED":
				if r.DocumentID != d.ID || r.Kind != "solver" || r.ErrorCode != nil || !stored {
					t.Errorf("ingestDocument = %+v, stored under %s: %v", r, d.Key, stored)
				}
				var again ingestResult
				if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": in}, &again); len(errs) > 0 {
					t.Fatalf("errors: %+v", errs)
				}
				if a := again.IngestDocument; a.Status != "SKIPPED" || len(a.Counts) != len(r.Counts) || a.Counts["edges"] != r.Counts["edges"] || a.Counts["solved"] != r.Counts["solved"] {
					t.Errorf("sent again: %+v, want SKIPPED with %v", a, r.Counts)
				}
				t.Logf("conformance: %s: ingestDocument INGESTED %s (kind given: %v), counts %v", d.File, d.ID, in["kind"] != nil, r.Counts)
			case "FAILED":
				_, perr := solver.ParseNamed(d.ID, d.Raw)
				var ve *solver.ValidationError
				if r.ErrorCode == nil || *r.ErrorCode != "INVALID" || r.Error == nil || stored || !errors.As(perr, &ve) {
					t.Fatalf("ingestDocument = %+v (error %v), stored %v; the parser says %v", r, r.Error, stored, perr)
				}
				t.Logf("conformance: %s: ingestDocument FAILED INVALID: %s", d.File, *r.Error)
			default:
				t.Fatalf("ingestDocument = %+v", r)
			}
		})
	}
}

// TestThothSyncDocuments syncs every real solver document with the
// syncDocuments mutation: all processed, every failure INVALID, and the
// document query agrees with the report.
func TestThothSyncDocuments(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	all := thothDocuments(t)
	for _, d := range all {
		if err := docs.Put(t.Context(), d.Key, d.Raw); err != nil {
			t.Fatal(err)
		}
	}
	var rep struct {
		SyncDocuments struct {
			Processed, Synced, Skipped, Failed int
			Failures                           []struct{ DocumentID, Code, Message string }
		}
	}
	if errs := h.do(t, ingestSecret, syncMutation, map[string]any{"input": map[string]any{"prefix": "solver"}}, &rep); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	r := rep.SyncDocuments
	if r.Processed != len(all) || r.Synced+r.Failed != len(all) || len(r.Failures) != r.Failed {
		t.Fatalf("syncDocuments = %+v, want all %d processed", r, len(all))
	}
	failed := map[string]bool{}
	for _, f := range r.Failures {
		if f.Code != "INVALID" {
			t.Errorf("failure %+v, want INVALID", f)
		}
		failed[f.DocumentID] = true
		t.Logf("conformance: syncDocuments refused %s: %s", f.DocumentID, f.Message)
	}
	t.Logf("conformance: syncDocuments over %d real solver documents: %d synced, %d failed", len(all), r.Synced, r.Failed)

	for _, d := range all {
		var one struct {
			Document *struct {
				ID, Kind, Status string
				ObjectKey        *string
				Counts           map[string]int64
			}
		}
		h.query(t, `query($id: String!) { document(id: $id) { id kind status objectKey counts } }`, map[string]any{"id": d.ID}, &one)
		want := "INGESTED"
		if failed[d.ID] {
			want = "FAILED"
		}
		if doc := one.Document; doc == nil || doc.Kind != "solver" || doc.Status != want || doc.ObjectKey == nil || *doc.ObjectKey != d.Key {
			t.Errorf("document(%q) = %+v, want %s at %s", d.ID, one.Document, want, d.Key)
		}
	}
	var page struct{ Documents struct{ TotalCount int } }
	h.query(t, `{ documents(kind: "solver") { totalCount } }`, nil, &page)
	if page.Documents.TotalCount != len(all) {
		t.Errorf("documents(kind: solver).totalCount = %d, want %d", page.Documents.TotalCount, len(all))
	}
}
