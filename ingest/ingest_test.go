package ingest_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/python"
)

type bundle struct {
	svc   *ingest.Service
	store *persistence.Store
	docs  objectstore.Store
	db    *pgx.Conn
	dbURL string
}

// newBundle is a service over a fresh database and a fresh bucket on the
// shared MinIO.
func newBundle(t *testing.T) *bundle {
	t.Helper()
	store, _, dbURL := testenv.Store(t)
	docs, err := objectstore.Open(t.Context(), testenv.Bucket(t, "thoth/data"))
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{
		svc:   &ingest.Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: 2},
		store: store, docs: docs, db: testenv.Conn(t, dbURL), dbURL: dbURL,
	}
}

// fixture is one solver document with the id and key it is stored under.
type fixture struct {
	file    string // the file it was read from, if any
	id, key string
	raw     []byte
	doc     map[string]any
}

// fixtures are the project's own solver documents, testdata/solver.
func fixtures(t *testing.T) []fixture {
	t.Helper()
	return documentsIn(t, testenv.Testdata(t, "solver"))
}

// documentsIn reads every *.json solver document of dir, with the id and
// key `seshat put` stores it under (testenv.SolverDocuments).
func documentsIn(t *testing.T, dir string) []fixture {
	t.Helper()
	var out []fixture
	for _, d := range testenv.SolverDocuments(t, dir) {
		out = append(out, fixture{file: d.File, id: d.ID, key: d.Key, raw: d.Raw, doc: d.Doc})
	}
	return out
}

func put(t *testing.T, docs objectstore.Store, key string, raw []byte) {
	t.Helper()
	if err := docs.Put(t.Context(), key, raw); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// putAll stores every document of fx in b's bucket under its key.
func (b *bundle) putAll(t *testing.T, fx []fixture) {
	t.Helper()
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}
}

func sync(t *testing.T, svc *ingest.Service, opts ingest.SyncOptions) ingest.Report {
	t.Helper()
	rep, err := svc.Sync(t.Context(), opts)
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	return rep
}

// --- an independent reading of solver JSON --------------------------------

var separators = regexp.MustCompile(`[-_.]+`)

func norm(s string) string {
	return separators.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-")
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func versionKey(name, version, index string) string {
	return norm(name) + "==" + normVersion(version) + "@" + normIndex(index)
}

// normVersion and normIndex are the forms versions and index URLs are
// stored in: PEP 440 normal form, and python.NormalizeIndexURL's.
func normVersion(v string) string {
	n, _ := python.NormalizeVersion(v)
	return n
}

func normIndex(u string) string {
	if u == "" {
		return ""
	}
	return python.NormalizeIndexURL(u)
}

// expected reads the tree entries, the errored versions and the edges of a
// solver document as plain JSON.
func expected(doc map[string]any) (tree, errored, edges []string) {
	result := doc["result"].(map[string]any)
	inTree := map[string]bool{}
	edgeSet := map[string]bool{}
	for _, e := range result["tree"].([]any) {
		entry := e.(map[string]any)
		from := versionKey(str(entry["package_name"]), str(entry["package_version"]), str(entry["index_url"]))
		if !inTree[from] {
			tree = append(tree, from)
		}
		inTree[from] = true
		deps, _ := entry["dependencies"].([]any)
		for _, d := range deps {
			dep := d.(map[string]any)
			vrange := str(dep["specifier"])
			if _, ok := dep["specifier"]; !ok {
				vrange = str(dep["required_version"])
			}
			vrange = strings.TrimSpace(vrange)
			if vrange == "" {
				vrange = "*"
			}
			marker := "<nil>"
			if m, ok := dep["marker"].(string); ok {
				marker = m
			}
			var resolved []string
			switch rv := dep["resolved_versions"].(type) {
			case []any:
				for _, r := range rv {
					switch r := r.(type) {
					case string: // 2018-19: versions, no index
						resolved = append(resolved, ":"+normVersion(r))
					case map[string]any:
						for _, v := range r["versions"].([]any) {
							resolved = append(resolved, normIndex(str(r["index"]))+":"+normVersion(v.(string)))
						}
					}
				}
			}
			sort.Strings(resolved)
			resolved = dedupe(resolved)
			extras := []string{"<nil>"}
			if xs, ok := dep["extra"].([]any); ok && len(xs) > 0 {
				extras = extras[:0]
				for _, x := range xs {
					extras = append(extras, norm(x.(string)))
				}
			}
			for _, x := range extras {
				edgeSet[strings.Join([]string{from, norm(str(dep["package_name"])), vrange, marker, x, strings.Join(resolved, ",")}, " | ")] = true
			}
		}
	}
	errs, _ := result["errors"].([]any)
	seen := map[string]bool{}
	for _, e := range errs {
		f := e.(map[string]any)
		v := str(f["package_version"])
		if v == "" {
			v = str(f["version"])
		}
		idx := str(f["index_url"])
		if idx == "" {
			idx = str(f["index"]) // thoth-solver 1.1.0
		}
		k := versionKey(str(f["package_name"]), v, idx)
		if strings.TrimSpace(v) == "" || inTree[k] || seen[k] {
			continue
		}
		seen[k] = true
		errored = append(errored, k)
	}
	for e := range edgeSet {
		edges = append(edges, e)
	}
	sort.Strings(tree)
	sort.Strings(errored)
	sort.Strings(edges)
	return tree, errored, edges
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// stored reads the same facts of a document back from the database.
func stored(t *testing.T, db *pgx.Conn, id string) (tree, errored, edges []string) {
	t.Helper()
	ctx := t.Context()
	rows, err := db.Query(ctx, `
		SELECT p.name || '==' || pv.version || '@' || coalesce(ix.url, ''), s.error
		FROM solved s JOIN package_version pv ON pv.id = s.version_id JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		WHERE s.document_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	var k string
	var isErr bool
	if _, err := pgx.ForEachRow(rows, []any{&k, &isErr}, func() error {
		if isErr {
			errored = append(errored, k)
		} else {
			tree = append(tree, k)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(ctx, `
		SELECT p.name || '==' || pv.version || '@' || coalesce(ix.url, ''), tp.name, d.version_range,
			coalesce(d.marker, '<nil>'), coalesce(d.extra, '<nil>'),
			coalesce((SELECT array_agg(coalesce(rix.url, '') || ':' || rv.version)
				FROM depends_on_resolved r JOIN package_version rv ON rv.id = r.version_id
				LEFT JOIN package_index rix ON rix.id = rv.index_id WHERE r.edge_id = d.id), '{}')
		FROM depends_on d JOIN solved s ON s.id = d.solved_id
		JOIN package_version pv ON pv.id = s.version_id JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		JOIN package tp ON tp.id = d.package_id
		WHERE d.document_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	var from, to, vrange, marker, extra string
	var resolved []string
	if _, err := pgx.ForEachRow(rows, []any{&from, &to, &vrange, &marker, &extra, &resolved}, func() error {
		sort.Strings(resolved)
		edges = append(edges, strings.Join([]string{from, to, vrange, marker, extra, strings.Join(resolved, ",")}, " | "))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(tree)
	sort.Strings(errored)
	sort.Strings(edges)
	return tree, errored, edges
}

func diff(t *testing.T, what string, want, got []string) {
	t.Helper()
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	var missing, extra []string
	for _, s := range want {
		if !g[s] {
			missing = append(missing, s)
		}
	}
	for _, s := range got {
		if !w[s] {
			extra = append(extra, s)
		}
	}
	if len(missing) > 0 || len(extra) > 0 || len(want) != len(got) {
		t.Errorf("%s: want %d, got %d\nmissing (first 5): %q\nunexpected (first 5): %q", what, len(want), len(got), head(missing), head(extra))
	}
}

func head(s []string) []string { return s[:min(5, len(s))] }

// checkIngested compares the facts the graph holds for f, and its document
// row, with a plain reading of its JSON; it returns the numbers compared.
func checkIngested(t *testing.T, b *bundle, f fixture) (tree, errored, edges int) {
	t.Helper()
	wantTree, wantErr, wantEdges := expected(f.doc)
	gotTree, gotErr, gotEdges := stored(t, b.db, f.id)
	diff(t, "tree entries", wantTree, gotTree)
	diff(t, "errored versions", wantErr, gotErr)
	diff(t, "edges", wantEdges, gotEdges)
	d, err := b.store.Document(t.Context(), f.id)
	if err != nil || d == nil {
		t.Fatalf("document: %v, %v", d, err)
	}
	if d.Status != persistence.StatusIngested || d.ObjectKey == nil || *d.ObjectKey != f.key || d.Counts["edges"] != int64(len(wantEdges)) {
		t.Errorf("document row %+v (key %v), want INGESTED at %s with %d edges", d, d.ObjectKey, f.key, len(wantEdges))
	}
	return len(gotTree), len(gotErr), len(gotEdges)
}

func countRows(t *testing.T, db *pgx.Conn, table, id string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE document_id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFixtures syncs the project's solver documents from MinIO and compares,
// per document, the tree entries, errored versions and edges in the graph
// with a plain reading of the JSON, and with the numbers counted by hand.
func TestFixtures(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := fixtures(t)
	b.putAll(t, fx)
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Processed != len(fx) || rep.Synced != len(fx) || rep.Failed != 0 {
		t.Fatalf("report %+v, want %d synced", rep, len(fx))
	}
	// Distinct solved versions, versions solved with an error, edges (one
	// per extra a requirement applies under), and problems: errors of
	// versions in the tree, unparsed and unresolved requirements.
	want := map[string]struct{ tree, errored, edges, problems int }{
		"seshat-thoth-solver-fc26":                         {5, 2, 6, 4},
		"solver-fedora-29-py36-5ca1ab1e":                   {3, 1, 2, 0},
		"solver-fedora-31-py37-01dea5ed":                   {1, 0, 11, 0},
		"solver-fedora-31-py37-0a11ce55":                   {1, 0, 3, 0},
		"solver-fedora-31-py37-0c0ffee0":                   {0, 1, 0, 0},
		"solver-fedora-31-py37-0d15ea5e":                   {1, 0, 0, 0},
		"solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1": {5, 1, 9, 2},
		"solver-rhel-8-py38-211201120000-5eedcafe0ddba115": {3, 0, 3, 0},
	}
	for _, f := range fx {
		t.Run(f.id, func(t *testing.T) {
			w, ok := want[f.id]
			if !ok {
				t.Fatalf("testdata document %s has no counts in TestFixtures", f.id)
			}
			tree, errored, edges := checkIngested(t, b, f)
			problems := countRows(t, b.db, "solver_problem", f.id)
			if tree != w.tree || errored != w.errored || edges != w.edges || problems != w.problems {
				t.Errorf("tree %d, errored %d, edges %d, problems %d; want %+v", tree, errored, edges, problems, w)
			}
		})
	}
}

// tableCounts counts the rows of every table of the knowledge graph.
func tableCounts(t *testing.T, db *pgx.Conn) map[string]int64 {
	t.Helper()
	rows, err := db.Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tbl := range tables {
		var n int64
		if err := db.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

// TestIdempotent: the same documents again write nothing; force replaces
// their facts with the same number of rows in every table.
func TestIdempotent(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := fixtures(t)
	b.putAll(t, fx)
	sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	before := tableCounts(t, b.db)
	if before["depends_on"] == 0 || before["solved"] == 0 || before["depends_on_resolved"] == 0 {
		t.Fatalf("nothing ingested: %v", before)
	}
	docBefore, err := b.store.Document(t.Context(), fx[0].id)
	if err != nil {
		t.Fatal(err)
	}

	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Skipped != len(fx) || rep.Synced != 0 || rep.Failed != 0 {
		t.Errorf("second sync %+v, want %d skipped", rep, len(fx))
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	// Ingest (no store read) of the same bytes is skipped as well.
	last := fx[len(fx)-1]
	r, err := b.svc.Ingest(t.Context(), last.id, last.raw, false)
	if err != nil || r.Status != persistence.StatusSkipped {
		t.Errorf("Ingest of unchanged content = %+v, %v; want SKIPPED", r, err)
	}

	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "solver", Force: true})
	if rep.Synced != len(fx) || rep.Failed != 0 {
		t.Errorf("forced sync %+v, want %d synced", rep, len(fx))
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("forced sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	docAfter, err := b.store.Document(t.Context(), fx[0].id)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(docAfter.Counts) != fmt.Sprint(docBefore.Counts) || docAfter.Attempts != docBefore.Attempts+1 {
		t.Errorf("forced document counts %v attempts %d, want %v and %d", docAfter.Counts, docAfter.Attempts, docBefore.Counts, docBefore.Attempts+1)
	}
	for _, f := range fx {
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, b.db, f.id)
		diff(t, f.id+" tree after force", wantTree, gotTree)
		diff(t, f.id+" edges after force", wantEdges, gotEdges)
	}
}

// TestDryRun validates without writing a row.
func TestDryRun(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := fixtures(t)
	b.putAll(t, fx)
	put(t, b.docs, "solver/solver-fedora-31-py37-0badbad0", []byte(`{"metadata": {}, "result": []}`))
	before := tableCounts(t, b.db)
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Synced != len(fx) || rep.Failed != 1 || rep.Failures[0].Code != persistence.CodeInvalid {
		t.Errorf("dry run %+v, want %d valid and one INVALID", rep, len(fx))
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("dry run wrote rows:\nbefore %v\nafter  %v", before, after)
	}
}

// TestLimitAndIDs: --limit stops early; --id reads just the named documents.
func TestLimitAndIDs(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := fixtures(t)
	b.putAll(t, fx)
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver", Limit: 2, Workers: 1})
	if rep.Processed != 2 {
		t.Errorf("limit 2: %+v", rep)
	}
	var ids []string
	for _, f := range fx {
		if strings.HasPrefix(f.id, "solver-") {
			ids = append(ids, f.id)
		}
	}
	ids = append(ids, "solver-fedora-31-py37-00000000", "dependency-monkey-211011101010-0123456789abcdef", "nonsense", "solver-../x")
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{IDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]persistence.Code{}
	for _, f := range rep.Failures {
		codes[f.DocumentID] = f.Code
	}
	want := map[string]persistence.Code{
		"solver-fedora-31-py37-00000000":                  persistence.CodeNotFound,
		"dependency-monkey-211011101010-0123456789abcdef": persistence.CodeNotFound,
		"nonsense":    persistence.CodeInvalid,
		"solver-../x": persistence.CodeInvalid,
	}
	if fmt.Sprint(codes) != fmt.Sprint(want) || rep.Processed != len(ids) {
		t.Errorf("sync by id: %+v, failures %v, want %v", rep, codes, want)
	}
	// An id that names no key, or no kind, leaves no row.
	for _, id := range []string{"nonsense", "solver-../x"} {
		if d, err := b.store.Document(t.Context(), id); err != nil || d != nil {
			t.Errorf("row for %q = %+v, %v", id, d, err)
		}
	}
}

// clone deep-copies a JSON document.
func clone(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var step = regexp.MustCompile(`^([^.\[]+)((?:\[\d+\])*)$`)

// del deletes the value at a path instead of setting it.
var del = new(struct{})

// setPath sets the value at a path like "result.tree[3].package_name".
func setPath(t *testing.T, doc map[string]any, path string, v any) {
	t.Helper()
	var parent any = doc
	parts := strings.Split(path, ".")
	for i, p := range parts {
		m := step.FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("bad path %q", path)
		}
		var idx []int
		for _, s := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			var n int
			fmt.Sscan(s, &n)
			idx = append(idx, n)
		}
		obj := parent.(map[string]any)
		last := i == len(parts)-1
		if last && len(idx) == 0 {
			if v == del {
				delete(obj, m[1])
			} else {
				obj[m[1]] = v
			}
			return
		}
		cur := obj[m[1]]
		for j, n := range idx {
			arr := cur.([]any)
			if last && j == len(idx)-1 {
				arr[n] = v
				return
			}
			cur = arr[n]
		}
		parent = cur
	}
}

// TestMalformed syncs 20 malformed documents next to valid ones: each is
// refused with INVALID naming the JSON path, leaves no row behind but its
// FAILED document row, and the valid documents are ingested.
func TestMalformed(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	var base fixture
	var valid []fixture
	for _, f := range fixtures(t) {
		if f.id == "solver-fedora-31-py37-01dea5ed" {
			base = f
		} else if strings.HasPrefix(f.id, "solver-") {
			valid = append(valid, f)
		}
	}
	if base.doc == nil {
		t.Fatal("fixture solver-fedora-31-py37-01dea5ed missing")
	}
	poisoned := func(doc map[string]any) {
		tree := doc["result"].(map[string]any)["tree"].([]any)
		entry := tree[0]
		for i := range 50 {
			e := clone(t, entry.(map[string]any))
			e["package_version"] = fmt.Sprintf("9.9.%d", i)
			tree = append(tree, e)
		}
		tree[50].(map[string]any)["dependencies"].([]any)[2].(map[string]any)["package_name"] = "six six"
		doc["result"].(map[string]any)["tree"] = tree
	}
	cases := []struct {
		name   string
		id     string // "" for a fresh valid-looking id
		path   string
		v      any
		mutate func(map[string]any)
		want   string // JSON path named by the error
	}{
		{name: "missing metadata", path: "metadata", v: del, want: "metadata"},
		{name: "metadata a string", path: "metadata", v: "solver", want: "metadata"},
		{name: "document id a number", path: "metadata.document_id", v: 42, want: "metadata.document_id"},
		{name: "document id of another document", path: "metadata.document_id", v: "solver-fedora-31-py37-0a11ce55", want: "metadata.document_id"},
		{name: "bad document id", id: "solver-fedora-31", path: "metadata.document_id", v: "solver-fedora-31", want: "metadata.document_id"},
		{name: "analyzer not the solver", path: "metadata.analyzer", v: "thoth-adviser", want: "metadata.analyzer"},
		{name: "os_release disagrees with the id", path: "metadata.os_release.id", v: "rhel", want: "metadata.os_release.id"},
		{name: "python disagrees with the id", path: "metadata.python.minor", v: 8, want: "metadata.python.minor"},
		{name: "datetime garbage", path: "metadata.datetime", v: "yesterday", want: "metadata.datetime"},
		{name: "missing result", path: "result", v: del, want: "result"},
		{name: "tree an object", path: "result.tree", v: map[string]any{}, want: "result.tree"},
		{name: "package name a number", path: "result.tree[0].package_name", v: 3, want: "result.tree[0].package_name"},
		{name: "missing package version", path: "result.tree[0].package_version", v: del, want: "result.tree[0].package_version"},
		{name: "absurd package name", path: "result.tree[0].package_name", v: strings.Repeat("a", 100_000), want: "result.tree[0].package_name"},
		{name: "absurd version", path: "result.tree[0].package_version", v: strings.Repeat("1.", 50_000) + "0", want: "result.tree[0].package_version"},
		{name: "specifier a list", path: "result.tree[0].dependencies[1].specifier", v: []any{">=1"}, want: "result.tree[0].dependencies[1].specifier"},
		{name: "extra a number", path: "result.tree[0].dependencies[1].extra", v: []any{1}, want: "result.tree[0].dependencies[1].extra[0]"},
		{name: "bad sha256", path: "result.tree[0].sha256[0]", v: "abc", want: "result.tree[0].sha256[0]"},
		{name: "resolved versions a string", path: "result.tree[0].dependencies[0].resolved_versions", v: "all", want: "result.tree[0].dependencies[0].resolved_versions"},
		{name: "poisoned last entry", mutate: poisoned, want: "result.tree[50].dependencies[2].package_name"},
	}
	if len(cases) != 20 {
		t.Fatalf("%d cases, want 20", len(cases))
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		doc := clone(t, base.doc)
		id := c.id
		if id == "" {
			id = fmt.Sprintf("solver-fedora-31-py37-%08x", 0xbad00000+i)
		}
		ids[i] = id
		setPath(t, doc, "metadata.document_id", id)
		if c.mutate != nil {
			c.mutate(doc)
		} else {
			setPath(t, doc, c.path, c.v)
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		put(t, b.docs, "solver/"+id, raw)
	}
	for _, f := range valid {
		put(t, b.docs, f.key, f.raw)
	}

	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver", Workers: 3})
	if rep.Synced != len(valid) || rep.Failed != len(cases) {
		t.Errorf("report %+v, want %d synced and %d failed", rep, len(valid), len(cases))
	}
	failures := map[string]ingest.Failure{}
	for _, f := range rep.Failures {
		failures[f.DocumentID] = f
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := failures[ids[i]]
			if !ok {
				t.Fatalf("%s not reported failed", ids[i])
			}
			if f.Code != persistence.CodeInvalid || !strings.Contains(f.Message, c.want+":") {
				t.Errorf("failure %s: %s, want INVALID naming %s", f.Code, f.Message, c.want)
			}
			for _, tbl := range []string{"solved", "depends_on", "solver_problem", "package_metadata", "artifact"} {
				var n int
				if err := b.db.QueryRow(t.Context(), `SELECT count(*) FROM `+tbl+` WHERE document_id = $1`, ids[i]).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("%d rows in %s from a refused document", n, tbl)
				}
			}
			d, err := b.store.Document(t.Context(), ids[i])
			if err != nil || d == nil {
				t.Fatalf("document row: %v, %v", d, err)
			}
			if d.Status != persistence.StatusFailed || d.ErrorCode == nil || *d.ErrorCode != "INVALID" ||
				d.Error == nil || !strings.Contains(*d.Error, c.want) || d.Attempts != 1 {
				t.Errorf("document row: status %s code %v error %v attempts %d", d.Status, d.ErrorCode, d.Error, d.Attempts)
			}
		})
	}
	var n int
	if err := b.db.QueryRow(t.Context(), `SELECT count(*) FROM package_version WHERE version LIKE '9.9.%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the poisoned document left %d versions (%v)", n, err)
	}
	for _, f := range valid {
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, b.db, f.id)
		diff(t, f.id+" tree", wantTree, gotTree)
		diff(t, f.id+" edges", wantEdges, gotEdges)
	}

	// The next sync tries the failed documents again and skips the others.
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Skipped != len(valid) || rep.Failed != len(cases) {
		t.Errorf("second sync %+v", rep)
	}
	d, err := b.store.Document(t.Context(), ids[0])
	if err != nil || d.Attempts != 2 {
		t.Errorf("attempts after the second sync: %+v, %v", d, err)
	}
}
