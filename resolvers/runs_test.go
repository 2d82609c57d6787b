package resolvers_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// runTables are the tables adviser and provenance-checker documents write.
var runTables = []string{"adviser_run", "stack_requirement", "stack_package", "adviser_product", "adviser_unresolved",
	"provenance_check", "provenance_finding"}

// runsHarness is a gateway over a fresh database and bucket holding the
// project's adviser and provenance-checker documents and the solver
// document that makes some of their locked packages known versions.
type runsHarness struct {
	*harness
	dbURL string
	docs  objectstore.Store
	// raw holds every document put, by id.
	raw map[string][]byte
}

const runsSolverDoc = "solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1.json"

func newRunsHarness(t *testing.T) *runsHarness {
	t.Helper()
	h := emptyRunsHarness(t)
	h.put(t, runsSolverDoc[:len(runsSolverDoc)-len(".json")], testenv.ReadTestdata(t, "solver", runsSolverDoc))
	for _, kind := range []string{"adviser", "provenance-checker"} {
		for _, id := range testdataIDs(t, kind) {
			h.put(t, id, testenv.ReadTestdata(t, kind, id+".json"))
		}
	}
	return h
}

// emptyRunsHarness is a runsHarness with no documents put yet.
func emptyRunsHarness(t *testing.T) *runsHarness {
	t.Helper()
	store, tracer, dbURL := testenv.Store(t)
	docs, err := objectstore.Open(t.Context(), testenv.Bucket(t, "data"))
	if err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger,
		Ingest: &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: 2}}
	h := &runsHarness{harness: &harness{url: serve(t, server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute})),
		store: store, tracer: tracer}, dbURL: dbURL, docs: docs, raw: map[string][]byte{}}
	return h
}

// testdataIDs lists the ids of the documents in testdata/<kind>.
func testdataIDs(t *testing.T, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(testenv.Testdata(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			ids = append(ids, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	if len(ids) == 0 {
		t.Fatalf("no %s documents in testdata", kind)
	}
	return ids
}

func (h *runsHarness) put(t *testing.T, id string, raw []byte) {
	t.Helper()
	key, err := objectstore.KeyFor(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.docs.Put(t.Context(), key, raw); err != nil {
		t.Fatal(err)
	}
	h.raw[id] = raw
}

type syncResult struct {
	SyncDocuments struct {
		Processed, Synced, Skipped, Failed int
		Failures                           []struct{ DocumentID, Code, Message string }
	}
}

func (h *runsHarness) sync(t *testing.T, force bool) syncResult {
	t.Helper()
	var out syncResult
	if errs := h.do(t, ingestSecret, syncMutation, map[string]any{"input": map[string]any{"force": force}}, &out); len(errs) > 0 {
		t.Fatalf("sync: %+v", errs)
	}
	return out
}

// rows counts the rows of every run table.
func (h *runsHarness) rows(t *testing.T) map[string]int {
	t.Helper()
	conn := testenv.Conn(t, h.dbURL)
	out := map[string]int{}
	for _, table := range runTables {
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// rowsOf counts the rows of the run tables that belong to one document.
func (h *runsHarness) rowsOf(t *testing.T, id string) int {
	t.Helper()
	conn := testenv.Conn(t, h.dbURL)
	total := 0
	for _, table := range runTables {
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table+" WHERE document_id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

// solvedVersions are the versions runsSolverDoc solves, on PyPI.
func solvedVersions(t *testing.T) knownVersion {
	doc := decodeDoc(t, testenv.ReadTestdata(t, "solver", runsSolverDoc))
	known := map[[2]string]string{}
	tree, _ := get(doc, "result", "tree").([]any)
	for _, e := range tree {
		name, _ := get(e, "package_name").(string)
		version, _ := get(e, "package_version").(string)
		index, _ := get(e, "index_url").(string)
		known[[2]string{strings.ToLower(strings.ReplaceAll(name, "_", "-")), version}] = index
	}
	return func(name, version, indexURL string) (string, bool) {
		at, ok := known[[2]string{name, version}]
		if !ok || indexURL != "" && indexURL != at {
			return "", false
		}
		return at, true
	}
}

func TestAdviserRuns(t *testing.T) {
	h := newRunsHarness(t)
	ids := testdataIDs(t, "adviser")
	first := h.sync(t, false)
	if n := len(h.raw); first.SyncDocuments.Synced != n || first.SyncDocuments.Failed != 0 {
		t.Fatalf("first sync: %+v, want %d synced", first.SyncDocuments, n)
	}
	known := solvedVersions(t)

	t.Run("each run as its document says", func(t *testing.T) {
		linked := 0
		for _, id := range ids {
			var out struct{ AdviserRun map[string]any }
			h.query(t, `query($id: String!) { adviserRun(id: $id) { `+adviserRunSelection+` } }`, map[string]any{"id": id}, &out)
			want := expectAdviserRun(t, decodeDoc(t, h.raw[id]), known)
			sameJSON(t, id, out.AdviserRun, want)
			raw, _ := json.Marshal(out.AdviserRun)
			linked += strings.Count(string(raw), `"packageVersion":{`)
		}
		// The project's documents lock click, jinja2 and markupsafe, which
		// the solver document solves, and zodiac, which it does not.
		if linked == 0 {
			t.Errorf("no locked package linked to a version node")
		}
	})

	t.Run("list, filters and counts per source type", func(t *testing.T) {
		want := map[string]int{}
		var all []string
		for _, id := range ids {
			st, _ := upperOrNil(get(decodeDoc(t, h.raw[id]), "metadata", "arguments", "thoth-adviser", "metadata", "source_type")).(string)
			want[st]++
			all = append(all, id)
		}
		slices.Sort(all)
		var out struct {
			AdviserRuns struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
				Counts     []struct {
					SourceType *string
					Count      int
				} `json:"countsBySourceType"`
			}
		}
		h.query(t, `{ adviserRuns(first: 100) { totalCount edges { node { id } } countsBySourceType { sourceType count } } }`, nil, &out)
		var got []string
		for _, e := range out.AdviserRuns.Edges {
			got = append(got, e.Node.ID)
		}
		if !slices.Equal(got, all) || out.AdviserRuns.TotalCount != len(all) {
			t.Errorf("adviserRuns = %v (total %d), want %v", got, out.AdviserRuns.TotalCount, all)
		}
		gotCounts := map[string]int{}
		for _, c := range out.AdviserRuns.Counts {
			st := ""
			if c.SourceType != nil {
				st = *c.SourceType
			}
			gotCounts[st] = c.Count
		}
		if len(gotCounts) != len(want) {
			t.Errorf("countsBySourceType = %v, want %v", gotCounts, want)
		}
		for st, n := range want {
			if gotCounts[st] != n {
				t.Errorf("countsBySourceType[%q] = %d, want %d", st, gotCounts[st], n)
			}
		}

		for _, c := range []struct {
			args string
			want []string
		}{
			{`sourceType: KEBECHET`, []string{"adviser-201016080000-b0b0b0b0b0b0b002", "adviser-201017090000-c0c0c0c0c0c0c003"}},
			{`sourceType: S2I`, []string{"adviser-201204115800-e0e0e0e0e0e0e005"}},
			{`origin: "https://github.com/seshat-graph/sundial"`, []string{"adviser-201016080000-b0b0b0b0b0b0b002", "adviser-201017090000-c0c0c0c0c0c0c003"}},
			{`from: "2020-10-16T00:00:00Z", to: "2020-12-01T00:00:00Z"`, []string{"adviser-201016080000-b0b0b0b0b0b0b002", "adviser-201017090000-c0c0c0c0c0c0c003"}},
			{`from: "2021-01-01T00:00:00Z"`, []string{"adviser-220101000000-d0d0d0d0d0d0d004"}},
			{`sourceType: CLI`, nil},
		} {
			var page struct {
				AdviserRuns struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			h.query(t, `{ adviserRuns(`+c.args+`) { edges { node { id } } } }`, nil, &page)
			var got []string
			for _, e := range page.AdviserRuns.Edges {
				got = append(got, e.Node.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("adviserRuns(%s) = %v, want %v", c.args, got, c.want)
			}
		}

		// Pages follow each other.
		var p1, p2 struct {
			AdviserRuns struct {
				Edges    []struct{ Node struct{ ID string } }
				PageInfo struct {
					EndCursor   string
					HasNextPage bool
				}
			}
		}
		h.query(t, `{ adviserRuns(first: 2) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`, nil, &p1)
		h.query(t, `query($c: String) { adviserRuns(first: 100, after: $c) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`,
			map[string]any{"c": p1.AdviserRuns.PageInfo.EndCursor}, &p2)
		var paged []string
		for _, e := range slices.Concat(p1.AdviserRuns.Edges, p2.AdviserRuns.Edges) {
			paged = append(paged, e.Node.ID)
		}
		if !p1.AdviserRuns.PageInfo.HasNextPage || p2.AdviserRuns.PageInfo.HasNextPage || !slices.Equal(paged, all) {
			t.Errorf("two pages: %v (next %v, %v), want %v", paged, p1.AdviserRuns.PageInfo.HasNextPage, p2.AdviserRuns.PageInfo.HasNextPage, all)
		}
	})

	t.Run("unresolved packages waiting for a re-run", func(t *testing.T) {
		// b002 could not resolve flask and numpy, but its re-run c003
		// resolved everything; e005 (S2I) could not resolve sextant and was
		// not re-run.
		for _, c := range []struct {
			sourceType string
			want       string
		}{
			{"KEBECHET", `[]`},
			{"S2I", `[{"adviserRunId":"adviser-201204115800-e0e0e0e0e0e0e005","packages":["sextant"]}]`},
			{"JUPYTER_NOTEBOOK", `[]`},
		} {
			var out struct{ UnresolvedFromAdviserRuns any }
			h.query(t, `{ unresolvedFromAdviserRuns(sourceType: `+c.sourceType+`) { adviserRunId packages } }`, nil, &out)
			if got := short(out.UnresolvedFromAdviserRuns); got != c.want {
				t.Errorf("unresolvedFromAdviserRuns(%s) = %s, want %s", c.sourceType, got, c.want)
			}
		}
		// Without its re-run, b002 waits again.
		conn := testenv.Conn(t, h.dbURL)
		if _, err := conn.Exec(context.Background(), `UPDATE adviser_run SET re_run_of = NULL WHERE document_id = 'adviser-201017090000-c0c0c0c0c0c0c003'`); err != nil {
			t.Fatal(err)
		}
		var out struct{ UnresolvedFromAdviserRuns any }
		h.query(t, `{ unresolvedFromAdviserRuns(sourceType: KEBECHET) { adviserRunId packages } }`, nil, &out)
		if got, want := short(out.UnresolvedFromAdviserRuns), `[{"adviserRunId":"adviser-201016080000-b0b0b0b0b0b0b002","packages":["flask","numpy"]}]`; got != want {
			t.Errorf("without the re-run: %s, want %s", got, want)
		}
		if _, err := conn.Exec(context.Background(), `UPDATE adviser_run SET re_run_of = 'adviser-201016080000-b0b0b0b0b0b0b002' WHERE document_id = 'adviser-201017090000-c0c0c0c0c0c0c003'`); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("statements per level", func(t *testing.T) {
		q := `query($first: Int) { adviserRuns(first: $first) { edges { node { ` + adviserRunSelection + ` } } countsBySourceType { sourceType count } } }`
		// The page, the counts, then one statement per list level: input
		// requirements, input locked, their version nodes, products, the
		// products' locks and their version nodes, the products'
		// requirements, unresolved.
		const want = 10
		all := h.query(t, q, map[string]any{"first": 100}, nil)
		one := h.query(t, q, map[string]any{"first": 1}, nil)
		if all != want || one > want {
			t.Errorf("statements: %d for every run, %d for one, want %d whatever the page", all, one, want)
		}
		q = `{ adviserRuns { edges { node { id } } } }`
		if n := h.query(t, q, nil, nil); n != 1 {
			t.Errorf("statements for the ids alone: %d, want 1", n)
		}
	})

	t.Run("re-sync adds nothing, force replaces", func(t *testing.T) {
		before := h.rows(t)
		if before["adviser_run"] != len(ids) || before["stack_package"] == 0 || before["adviser_product"] == 0 || before["adviser_unresolved"] == 0 {
			t.Fatalf("rows after the first sync: %v", before)
		}
		again := h.sync(t, false)
		if again.SyncDocuments.Synced != 0 || again.SyncDocuments.Skipped != len(h.raw) {
			t.Errorf("second sync: %+v, want every document skipped", again.SyncDocuments)
		}
		if after := h.rows(t); !mapsEqual(after, before) {
			t.Errorf("rows after a second sync: %v, want %v", after, before)
		}
		forced := h.sync(t, true)
		if forced.SyncDocuments.Synced != len(h.raw) {
			t.Errorf("forced sync: %+v", forced.SyncDocuments)
		}
		if after := h.rows(t); !mapsEqual(after, before) {
			t.Errorf("rows after a forced sync: %v, want %v", after, before)
		}
	})

	t.Run("deleting a run and syncing it again restores its rows", func(t *testing.T) {
		h.deleteAndResync(t, "adviser-201015101500-a11ce0000000a001")
	})

	t.Run("malformed copies are refused whole", func(t *testing.T) {
		a := "adviser-201015101500-a11ce0000000a001"
		b := "adviser-201016080000-b0b0b0b0b0b0b002"
		for i, c := range []struct {
			from, path string
			set        any
			want       string
		}{
			{a, "result.report.products.0.score", "high", "result.report.products[0].score: want a number"},
			{a, "metadata.arguments.thoth-adviser.metadata.source_type", "FAX", "metadata.arguments.thoth-adviser.metadata.source_type: unknown source type"},
			{a, "result.parameters.project.requirements_locked.default.click.version", ">=7", "result.parameters.project.requirements_locked.default.click.version: want a pinned version"},
			{a, "result.report.products.1.justification", "x", "result.report.products[1].justification: want an array"},
			{a, "result.parameters.project.requirements_locked.default.zodiac.index", "nowhere", "result.parameters.project.requirements_locked.default.zodiac.index: index \"nowhere\""},
			{a, "result.parameters.count", 1.5, "result.parameters.count: want a 32-bit integer"},
			{a, "metadata.datetime", "yesterday", "metadata.datetime: want an ISO 8601"},
			{a, "result.parameters.project.runtime_environment.hardware.cpu_family", "six", "result.parameters.project.runtime_environment.hardware.cpu_family: want an integer"},
			{b, "result.report._ERROR_DETAILS.unresolved", []any{1}, "result.report._ERROR_DETAILS.unresolved[0]: want a string"},
			{b, "result.report", []any{}, "result.report: want an object"},
		} {
			id := "adviser-201015101500-badbadbadbad" + string(rune('a'+i)) + "00"
			doc := decodeDoc(t, h.raw[c.from])
			setPath(t, doc, c.path, c.set)
			doc["metadata"].(map[string]any)["document_id"] = id
			h.refused(t, id, doc, c.want)
		}
	})
}

func TestProvenanceChecks(t *testing.T) {
	h := newRunsHarness(t)
	ids := testdataIDs(t, "provenance-checker")
	if s := h.sync(t, false); s.SyncDocuments.Failed != 0 {
		t.Fatalf("sync: %+v", s.SyncDocuments)
	}
	known := solvedVersions(t)
	codes := map[string]bool{}
	for _, id := range ids {
		var out struct{ ProvenanceCheck map[string]any }
		h.query(t, `query($id: String!) { provenanceCheck(id: $id) { `+provenanceSelection+` } }`, map[string]any{"id": id}, &out)
		sameJSON(t, id, out.ProvenanceCheck, expectProvenanceCheck(t, decodeDoc(t, h.raw[id]), known))
		for _, f := range out.ProvenanceCheck["findings"].([]any) {
			if c, ok := f.(map[string]any)["code"].(string); ok {
				codes[c] = true
			}
		}
	}
	for _, c := range []string{"MISSING-PACKAGE", "ARTIFACT-DIFFERENT-SOURCE", "INVALID-ARTIFACT-HASH", "INVALID-LOCK-HASH"} {
		if !codes[c] {
			t.Errorf("no %s finding", c)
		}
	}

	var list struct {
		ProvenanceChecks struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	q := `query($first: Int) { provenanceChecks(first: $first) { totalCount edges { node { ` + provenanceSelection + ` } } } }`
	// The page, then the stack's requirements, its locked packages and
	// their version nodes, and the findings: the findings' version nodes
	// are the locked packages' (same keys), which the loader has already.
	const want = 5
	all := h.query(t, q, map[string]any{"first": 100}, &list)
	if one := h.query(t, q, map[string]any{"first": 1}, nil); all != want || one > want {
		t.Errorf("statements: %d for every check, %d for one, want %d", all, one, want)
	}
	if list.ProvenanceChecks.TotalCount != len(ids) || len(list.ProvenanceChecks.Edges) != len(ids) {
		t.Errorf("provenanceChecks: %+v, want %v", list.ProvenanceChecks, ids)
	}

	before := h.rows(t)
	if before["provenance_check"] != len(ids) || before["provenance_finding"] == 0 {
		t.Fatalf("rows: %v", before)
	}
	h.sync(t, false)
	if after := h.rows(t); !mapsEqual(after, before) {
		t.Errorf("rows after a second sync: %v, want %v", after, before)
	}

	p1 := "provenance-checker-201020120000-0a0a0a0a0a0a0a01"
	h.deleteAndResync(t, p1)
	for i, c := range []struct {
		path string
		set  any
		want string
	}{
		{"result.report.2.package_version", ">2", "result.report[2].package_version: want a pinned version"},
		{"result.report.0.type", nil, "result.report[0].type: required string is missing"},
		{"result.report", map[string]any{}, "result.report: want an array"},
		{"result.report.0.source.url", 7, "result.report[0].source.url: want a string"},
		{"result.parameters.whitelisted_indexes", "https://pypi.org/simple", "result.parameters.whitelisted_indexes: want an array"},
		{"result.parameters.project.requirements.packages.click", 3, "result.parameters.project.requirements.packages.click: want a version specifier or an object"},
	} {
		id := "provenance-checker-201020120000-badbadbadbad" + string(rune('a'+i)) + "0"
		doc := decodeDoc(t, h.raw[p1])
		setPath(t, doc, c.path, c.set)
		doc["metadata"].(map[string]any)["document_id"] = id
		h.refused(t, id, doc, c.want)
	}
}

// deleteAndResync deletes the document id with deleteDocument, checks its
// rows are gone and the others stay, syncs again and checks every table
// has its rows back.
func (h *runsHarness) deleteAndResync(t *testing.T, id string) {
	t.Helper()
	before := h.rows(t)
	mine := h.rowsOf(t, id)
	if mine == 0 {
		t.Fatalf("%s has no rows", id)
	}
	var out struct {
		DeleteDocument struct {
			Documents []string
			Rows      map[string]int
		}
	}
	if errs := h.do(t, adminSecret, `mutation($id: String!) { deleteDocument(id: $id) { documents rows } }`, map[string]any{"id": id}, &out); len(errs) > 0 {
		t.Fatalf("deleteDocument: %+v", errs)
	}
	if len(out.DeleteDocument.Documents) != 1 || out.DeleteDocument.Documents[0] != id {
		t.Errorf("deleteDocument(%s) = %+v", id, out.DeleteDocument)
	}
	if n := h.rowsOf(t, id); n != 0 {
		t.Errorf("%s: %d rows after deleting it", id, n)
	}
	total := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if got, want := total(h.rows(t)), total(before)-mine; got != want {
		t.Errorf("after deleting %s: %d rows, want %d", id, got, want)
	}
	if s := h.sync(t, false); s.SyncDocuments.Synced != 1 || s.SyncDocuments.Failed != 0 {
		t.Errorf("sync after the deletion: %+v, want the one document", s.SyncDocuments)
	}
	if after := h.rows(t); !mapsEqual(after, before) {
		t.Errorf("rows after deleting %s and syncing: %v, want %v", id, after, before)
	}
}

// refused ingests doc under id and checks it is FAILED, INVALID, with the
// message want names (the JSON path first), and wrote no row.
func (h *runsHarness) refused(t *testing.T, id string, doc map[string]any, want string) {
	t.Helper()
	var out ingestResult
	input := map[string]any{"document": doc, "documentId": id}
	if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": input}, &out); len(errs) > 0 {
		t.Fatalf("%s: %+v", id, errs)
	}
	r := out.IngestDocument
	if r.Status != "FAILED" || r.ErrorCode == nil || *r.ErrorCode != "INVALID" || r.Error == nil || !strings.Contains(*r.Error, want) {
		t.Errorf("%s: %+v, want FAILED INVALID %q", id, r, want)
	}
	if n := h.rowsOf(t, id); n != 0 {
		t.Errorf("%s: %d rows left, want none", id, n)
	}
	var d struct{ Document struct{ Status string } }
	h.query(t, `query($id: String!) { document(id: $id) { status } }`, map[string]any{"id": id}, &d)
	if d.Document.Status != "FAILED" {
		t.Errorf("%s: document %+v, want FAILED", id, d.Document)
	}
}

// setPath sets the value at a dotted path (numbers index arrays); nil
// deletes an object's key.
func setPath(t *testing.T, doc map[string]any, path string, v any) {
	t.Helper()
	parts := strings.Split(path, ".")
	var cur any = doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == nil {
					delete(c, p)
				} else {
					c[p] = v
				}
				return
			}
			cur = c[p]
		case []any:
			n := 0
			for _, r := range p {
				n = n*10 + int(r-'0')
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("setPath %s: %s is not an object or array", path, strings.Join(parts[:i], "."))
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
