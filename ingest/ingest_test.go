package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/testenv"
)

// fixtureDir holds real Thoth solver documents (GPL-3.0, never copied here).
var fixtureDir = filepath.Join("..", "..", "shared", "fixtures", "thoth", "solver")

type bundle struct {
	svc   *ingest.Service
	store *persistence.Store
	docs  objectstore.Store
	db    *pgx.Conn
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
		store: store, docs: docs, db: connect(t, dbURL),
	}
}

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// fixture is one real solver document with the id and key it is stored under.
type fixture struct {
	id, key string
	raw     []byte
	doc     map[string]any
}

func fixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no solver fixtures in %s: %v", fixtureDir, err)
	}
	var out []fixture
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := doc["metadata"].(map[string]any)["document_id"].(string)
		key, err := objectstore.KeyFor(id)
		if err != nil { // thoth-solver 1.0 ids carry no "solver-" prefix
			key = "solver/" + id
		}
		out = append(out, fixture{id: id, key: key, raw: raw, doc: doc})
	}
	return out
}

func put(t *testing.T, docs objectstore.Store, key string, raw []byte) {
	t.Helper()
	if err := docs.Put(t.Context(), key, raw); err != nil {
		t.Fatalf("put %s: %v", key, err)
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

func norm(s string) string { return separators.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-") }

func str(v any) string {
	s, _ := v.(string)
	return s
}

func versionKey(name, version, index string) string { return norm(name) + "==" + strings.TrimSpace(version) + "@" + index }

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
						resolved = append(resolved, ":"+r)
					case map[string]any:
						for _, v := range r["versions"].([]any) {
							resolved = append(resolved, str(r["index"])+":"+v.(string))
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
		k := versionKey(str(f["package_name"]), v, str(f["index_url"]))
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

// TestFixtures syncs every real solver document from MinIO and compares,
// per document, the tree entries, errored versions and edges in the graph
// with a plain reading of the JSON.
func TestFixtures(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := fixtures(t)
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Processed != len(fx) || rep.Synced != len(fx) || rep.Failed != 0 {
		t.Fatalf("report %+v, want %d synced", rep, len(fx))
	}
	for _, f := range fx {
		t.Run(f.id, func(t *testing.T) {
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
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}
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
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}
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
	for _, f := range fx {
		put(t, b.docs, f.key, f.raw)
	}
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
	ids = append(ids, "solver-fedora-31-py37-00000000", "adviser-211011101010-0123456789abcdef", "nonsense")
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{IDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]persistence.Code{}
	for _, f := range rep.Failures {
		codes[f.DocumentID] = f.Code
	}
	want := map[string]persistence.Code{
		"solver-fedora-31-py37-00000000":       persistence.CodeNotFound,
		"adviser-211011101010-0123456789abcdef": persistence.CodeInvalid,
		"nonsense":                              persistence.CodeInvalid,
	}
	if fmt.Sprint(codes) != fmt.Sprint(want) || rep.Processed != len(ids) {
		t.Errorf("sync by id: %+v, failures %v, want %v", rep, codes, want)
	}
	d, err := b.store.Document(t.Context(), "adviser-211011101010-0123456789abcdef")
	if err != nil || d == nil || d.Status != persistence.StatusFailed || d.Error == nil || !strings.Contains(*d.Error, "not supported") {
		t.Errorf("unsupported kind row = %+v, %v", d, err)
	}
}
