package resolvers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// ingestHarness is the real GraphQL handler over an empty database with the
// ingestion service on a bucket of the test MinIO. A request with the
// header X-Test-Scope is authenticated with that scope (one no token can
// have), to reach the FORBIDDEN path.
func ingestHarness(t *testing.T) (*harness, objectstore.Store) {
	t.Helper()
	store, tracer, _ := testenv.Store(t)
	docs, err := objectstore.Open(t.Context(), testenv.Bucket(t, "data"))
	if err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger,
		Ingest: &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: 2}}
	gql := server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute})
	scoped := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if s := req.Header.Get("X-Test-Scope"); s != "" {
			req = req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{Name: "reader", Scope: auth.Scope(s)}))
		}
		gql.ServeHTTP(w, req)
	})
	return &harness{url: serve(t, scoped), store: store, tracer: tracer}, docs
}

// readFixture reads one of the project's solver documents (testdata/solver)
// as JSON.
func readFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(testenv.ReadTestdata(t, "solver", name), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

const ingestMutation = `mutation($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId kind status errorCode error counts }
}`

const syncMutation = `mutation($input: SyncDocumentsInput!) {
  syncDocuments(input: $input) { processed synced skipped failed failures { documentId code message } }
}`

type ingestResult struct {
	IngestDocument struct {
		DocumentID, Kind, Status string
		ErrorCode, Error         *string
		Counts                   map[string]int64
	}
}

// TestIngestionMutationsAuth: without a valid token, or with a token whose
// scope does not allow ingestion, the mutations fail before anything is
// stored or written.
func TestIngestionMutationsAuth(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	doc := readFixture(t, "solver-fedora-31-py37-0a11ce55.json")
	send := func(token, scope, query string, vars map[string]any) []gqlError {
		t.Helper()
		if scope == "" {
			return h.do(t, token, query, vars, nil)
		}
		return scoped(t, h, scope, query, vars)
	}
	for _, c := range []struct {
		name, token, scope string
		want               persistence.Code
	}{
		{"no token", "", "", persistence.CodeUnauthenticated},
		{"unknown token", "not-a-configured-secret-0123", "", persistence.CodeUnauthenticated},
		{"read scope", "", "read", persistence.CodeForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range []struct {
				query string
				vars  map[string]any
			}{
				{ingestMutation, map[string]any{"input": map[string]any{"document": doc}}},
				{syncMutation, map[string]any{"input": map[string]any{"prefix": "solver"}}},
			} {
				errs := send(c.token, c.scope, m.query, m.vars)
				if len(errs) != 1 || errs[0].Extensions["code"] != string(c.want) {
					t.Errorf("errors %+v, want one %s", errs, c.want)
				}
			}
		})
	}
	if keys := testenv.Keys(t, docs); len(keys) != 0 {
		t.Errorf("refused mutations stored %v", keys)
	}
	c, err := h.store.Documents(t.Context(), persistence.DocumentFilter{}, persistence.Page{First: 10})
	if err != nil || c.TotalCount != 0 {
		t.Errorf("refused mutations wrote %d documents (%v)", c.TotalCount, err)
	}
}

// TestIngestDocument stores and ingests a document, skips it the second
// time, and answers a malformed one with FAILED, INVALID and the JSON path.
func TestIngestDocument(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	doc := readFixture(t, "solver-fedora-31-py37-01dea5ed.json")
	id := "solver-fedora-31-py37-01dea5ed"

	var out ingestResult
	if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": doc}}, &out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	r := out.IngestDocument
	if r.DocumentID != id || r.Kind != "solver" || r.Status != "INGESTED" || r.ErrorCode != nil || r.Counts["edges"] != 11 || r.Counts["solved"] != 1 ||
		r.Counts["artifacts"] != 2 || r.Counts["metadata"] != 1 {
		t.Errorf("ingestDocument = %+v", r)
	}
	if ok, err := docs.Exists(t.Context(), "solver/"+id); err != nil || !ok {
		t.Errorf("document not stored under solver/%s: %v, %v", id, ok, err)
	}
	if errs := h.do(t, adminSecret, ingestMutation, map[string]any{"input": map[string]any{"document": doc, "documentId": id}}, &out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	if out.IngestDocument.Status != "SKIPPED" {
		t.Errorf("second ingestDocument = %+v, want SKIPPED", out.IngestDocument)
	}
	if errs := h.do(t, adminSecret, ingestMutation, map[string]any{"input": map[string]any{"document": doc, "force": true}}, &out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	if out.IngestDocument.Status != "INGESTED" || out.IngestDocument.Counts["edges"] != r.Counts["edges"] {
		t.Errorf("forced ingestDocument = %+v, want INGESTED with %v", out.IngestDocument, r.Counts)
	}

	bad := readFixture(t, "solver-fedora-31-py37-0a11ce55.json")
	tree := bad["result"].(map[string]any)["tree"].([]any)
	tree[0].(map[string]any)["package_name"] = 7
	if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": bad}}, &out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	r = out.IngestDocument
	if r.Status != "FAILED" || r.ErrorCode == nil || *r.ErrorCode != "INVALID" || r.Error == nil || !strings.Contains(*r.Error, "result.tree[0].package_name") {
		t.Errorf("malformed ingestDocument = %+v (error %v)", r, r.Error)
	}
	if ok, _ := docs.Exists(t.Context(), "solver/solver-fedora-31-py37-0a11ce55"); ok {
		t.Error("a malformed document was stored")
	}

	// No id anywhere, or an id of no known kind: INVALID.
	delete(bad["metadata"].(map[string]any), "document_id")
	errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": bad}}, nil)
	if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" {
		t.Errorf("document without id: %+v", errs)
	}
	errs = h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": bad, "documentId": "whatever-1"}}, nil)
	if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" {
		t.Errorf("document with an unknown kind: %+v", errs)
	}

	// document and documents show both.
	var one struct {
		Document struct {
			ID, Kind, Status string
			ObjectKey        *string
			Counts           map[string]int64
			Attempts         int
			IngestedAt       *string
		}
		Missing *struct{ ID string }
	}
	h.query(t, `query($id: String!) {
	  document(id: $id) { id kind status objectKey counts attempts ingestedAt }
	  missing: document(id: "solver-nope-1") { id }
	}`, map[string]any{"id": id}, &one)
	d := one.Document
	if d.ID != id || d.Status != "INGESTED" || d.ObjectKey == nil || *d.ObjectKey != "solver/"+id || d.Counts["edges"] != 11 || d.Attempts != 2 || d.IngestedAt == nil || one.Missing != nil {
		t.Errorf("document = %+v, missing = %+v", d, one.Missing)
	}
	type page struct {
		Documents struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Node struct {
					ID, Status string
					ErrorCode  *string
					Error      *string
				}
			}
		}
	}
	var failed page
	h.query(t, `{ documents(status: FAILED) { totalCount edges { node { id status errorCode error } } } }`, nil, &failed)
	if failed.Documents.TotalCount != 1 || len(failed.Documents.Edges) != 1 ||
		failed.Documents.Edges[0].Node.ID != "solver-fedora-31-py37-0a11ce55" || *failed.Documents.Edges[0].Node.ErrorCode != "INVALID" {
		t.Errorf("documents(status: FAILED) = %+v", failed)
	}
	var p1, p2 page
	q := `query($after: String) { documents(kind: "solver", first: 1, after: $after) {
	  totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } }`
	h.query(t, q, nil, &p1)
	h.query(t, q, map[string]any{"after": p1.Documents.PageInfo.EndCursor}, &p2)
	if p1.Documents.TotalCount != 2 || !p1.Documents.PageInfo.HasNextPage || len(p1.Documents.Edges) != 1 ||
		len(p2.Documents.Edges) != 1 || p2.Documents.PageInfo.HasNextPage ||
		p1.Documents.Edges[0].Node.ID != id || p2.Documents.Edges[0].Node.ID != "solver-fedora-31-py37-0a11ce55" {
		t.Errorf("pages: %+v then %+v", p1, p2)
	}
}

// TestSyncDocuments syncs documents already in the store.
func TestSyncDocuments(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	for _, name := range []string{"solver-fedora-31-py37-01dea5ed.json", "solver-fedora-31-py37-0a11ce55.json", "solver-fedora-31-py37-0d15ea5e.json"} {
		if err := docs.Put(t.Context(), "solver/"+strings.TrimSuffix(name, ".json"), testenv.ReadTestdata(t, "solver", name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := docs.Put(t.Context(), "solver/solver-fedora-31-py37-0badbad0", []byte(`{"metadata": 1}`)); err != nil {
		t.Fatal(err)
	}
	type report struct {
		SyncDocuments struct {
			Processed, Synced, Skipped, Failed int
			Failures                           []struct{ DocumentID, Code, Message string }
		}
	}
	var dry, rep, again report
	vars := func(extra map[string]any) map[string]any {
		in := map[string]any{"prefix": "solver"}
		for k, v := range extra {
			in[k] = v
		}
		return map[string]any{"input": in}
	}
	if errs := h.do(t, ingestSecret, syncMutation, vars(map[string]any{"dryRun": true}), &dry); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	if errs := h.do(t, ingestSecret, syncMutation, vars(nil), &rep); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	if errs := h.do(t, adminSecret, syncMutation, vars(map[string]any{"limit": 2}), &again); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	d, r, a := dry.SyncDocuments, rep.SyncDocuments, again.SyncDocuments
	if d.Processed != 4 || d.Synced != 3 || d.Failed != 1 {
		t.Errorf("dry run = %+v", d)
	}
	if r.Processed != 4 || r.Synced != 3 || r.Failed != 1 || len(r.Failures) != 1 ||
		r.Failures[0].DocumentID != "solver-fedora-31-py37-0badbad0" || r.Failures[0].Code != "INVALID" || !strings.Contains(r.Failures[0].Message, "metadata") {
		t.Errorf("sync = %+v", r)
	}
	if a.Processed != 2 || a.Skipped+a.Failed != 2 {
		t.Errorf("sync with limit 2 = %+v", a)
	}
	errs := h.do(t, ingestSecret, syncMutation, vars(map[string]any{"limit": -1}), nil)
	if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" {
		t.Errorf("negative limit: %+v", errs)
	}
}
