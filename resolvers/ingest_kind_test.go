package resolvers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
)

// testdataDocument returns a testdata/solver document as the bytes of its
// file, which the request carries as they are.
func testdataDocument(t *testing.T, name string) json.RawMessage {
	t.Helper()
	return testenv.ReadTestdata(t, "solver", name)
}

type documentRow struct {
	Document *struct {
		Kind, Status, Sha256 string
		ObjectKey            *string
		Attempts             int
	}
}

func (h *harness) documentRow(t *testing.T, id string) documentRow {
	t.Helper()
	var out documentRow
	h.query(t, `query($id: String!) { document(id: $id) { kind status sha256 objectKey attempts } }`, map[string]any{"id": id}, &out)
	if out.Document == nil {
		t.Fatalf("no document %s", id)
	}
	return out
}

// TestIngestDocumentKind: with kind solver, a document whose id has no
// known prefix ingests and is stored in the solver folder; without a kind,
// with an unknown one or one the prefix contradicts, the mutation fails
// INVALID naming the known kinds.
func TestIngestDocumentKind(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	named := testdataDocument(t, "solver-fedora-29-py36-5ca1ab1e.json") // no metadata.document_id
	legacy := testdataDocument(t, "seshat-thoth-solver-fc26.json")      // document_id seshat-thoth-solver-fc26

	for _, tc := range []struct {
		name  string
		input map[string]any
		id    string
	}{
		{"named by documentId", map[string]any{"document": named, "documentId": "scoring-resolved", "kind": "solver"}, "scoring-resolved"},
		{"legacy document_id", map[string]any{"document": legacy, "kind": "solver"}, "seshat-thoth-solver-fc26"},
		{"kind the prefix names", map[string]any{"document": named, "documentId": "solver-fedora-29-py36-5ca1ab1e", "kind": "solver"}, "solver-fedora-29-py36-5ca1ab1e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out ingestResult
			if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": tc.input}, &out); len(errs) > 0 {
				t.Fatalf("errors: %+v", errs)
			}
			r := out.IngestDocument
			if r.DocumentID != tc.id || r.Kind != "solver" || r.Status != "INGESTED" || r.Counts["solved"] == 0 {
				t.Fatalf("ingestDocument = %+v (error %v)", r, r.Error)
			}
			if ok, err := docs.Exists(t.Context(), "solver/"+tc.id); err != nil || !ok {
				t.Errorf("not stored at solver/%s: %v, %v", tc.id, ok, err)
			}
			row := h.documentRow(t, tc.id).Document
			if row.Kind != "solver" || row.Status != "INGESTED" || row.ObjectKey == nil || *row.ObjectKey != "solver/"+tc.id {
				t.Errorf("document row %+v", row)
			}
		})
	}

	known := "solver, revsolver, adviser, package-extract, provenance-checker, dependency-monkey, inspection, security-indicator, vulnerability"
	for _, tc := range []struct {
		name  string
		input map[string]any
		want  string
	}{
		{"no kind", map[string]any{"document": named, "documentId": "other-run"}, "give the document's kind (" + known + ")"},
		{"unknown kind", map[string]any{"document": named, "documentId": "other-run", "kind": "kebechet"}, `unknown document kind "kebechet" (known kinds: ` + known + ")"},
		{"empty kind", map[string]any{"document": legacy, "kind": ""}, "give the document's kind"},
		{"contradicted", map[string]any{"document": named, "documentId": "solver-fedora-29-py36-0badbad0", "kind": "adviser"}, "has the prefix of solver documents, not of adviser ones"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": tc.input}, nil)
			if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" || !strings.Contains(errs[0].Message, tc.want) {
				t.Fatalf("errors %+v, want one INVALID saying %q", errs, tc.want)
			}
		})
	}
	if ok, _ := docs.Exists(t.Context(), "solver/other-run"); ok {
		t.Error("a refused document was stored")
	}
}

// TestIngestDocumentSameContent: a document put and synced comes back
// SKIPPED from ingestDocument with the same content, its row untouched: the
// three paths share one content identity although the mutation receives
// the document decoded.
func TestIngestDocumentSameContent(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	for _, f := range []struct{ file, id, kind string }{
		{"solver-fedora-31-py37-01dea5ed.json", "solver-fedora-31-py37-01dea5ed", ""},
		{"seshat-thoth-solver-fc26.json", "seshat-thoth-solver-fc26", "solver"},
	} {
		t.Run(f.id, func(t *testing.T) {
			raw := testdataDocument(t, f.file)
			if err := docs.Put(t.Context(), "solver/"+f.id, raw); err != nil {
				t.Fatal(err)
			}
			var rep struct{ SyncDocuments struct{ Synced, Failed int } }
			if errs := h.do(t, ingestSecret, `mutation($p: String) { syncDocuments(input: {prefix: $p}) { synced failed } }`,
				map[string]any{"p": "solver/" + f.id}, &rep); len(errs) > 0 || rep.SyncDocuments.Synced != 1 {
				t.Fatalf("syncDocuments: %+v, %+v", rep, errs)
			}
			before := h.documentRow(t, f.id).Document
			if before.Attempts != 1 || before.Sha256 != ingest.Digest(raw) {
				t.Fatalf("row after the sync %+v, want attempts 1 and sha256 %s", before, ingest.Digest(raw))
			}

			input := map[string]any{"document": raw}
			if f.kind != "" {
				input["kind"] = f.kind
			}
			for i := range 2 {
				var out ingestResult
				if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": input}, &out); len(errs) > 0 {
					t.Fatalf("errors: %+v", errs)
				}
				if r := out.IngestDocument; r.Status != "SKIPPED" || r.DocumentID != f.id || r.Counts["solved"] == 0 {
					t.Fatalf("ingestDocument #%d of the same content = %+v (error %v), want SKIPPED", i+1, r, r.Error)
				}
			}
			after := h.documentRow(t, f.id).Document
			if after.Attempts != before.Attempts || after.Sha256 != before.Sha256 || after.Status != "INGESTED" {
				t.Errorf("row went from %+v to %+v", before, after)
			}
			// The copy the mutation stored syncs as SKIPPED too.
			if errs := h.do(t, ingestSecret, `mutation($p: String) { syncDocuments(input: {prefix: $p}) { synced failed } }`,
				map[string]any{"p": "solver/" + f.id}, &rep); len(errs) > 0 || rep.SyncDocuments.Synced != 0 || rep.SyncDocuments.Failed != 0 {
				t.Fatalf("syncDocuments after the mutation: %+v, %+v", rep, errs)
			}
			if a := h.documentRow(t, f.id).Document.Attempts; a != before.Attempts {
				t.Errorf("attempts %d after the last sync, want %d", a, before.Attempts)
			}
		})
	}
}
