package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/backup"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestBackupRestore: three backups into MinIO with SESHAT_BACKUP_KEEP=2
// leave exactly the two newest; the newest restored into an empty database
// has every table's rows and the same dependencyGraph answer, at the
// dump's schema version; a non-empty target, a damaged dump and missing
// client programs are refused with their reasons.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	vars, dbURL := syncVars(t)
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", testenv.Testdata(t, "solver")); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "sync"); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "vulnerabilities", "import", testenv.Testdata(t, "osv")); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	vars["SESHAT_BACKUP_KEEP"] = "2"

	var keys []string
	for i := range 3 {
		code, out, errOut := runCLI(t, vars, "backup")
		if code != 0 {
			t.Fatalf("backup %d: exit %d\n%s\n%s", i, code, out, errOut)
		}
		key := field(out, "backup")
		if !strings.HasPrefix(key, "graph-backup/pg_dump-") || !strings.HasSuffix(key, ".dump") {
			t.Fatalf("backup %d: key %q\n%s", i, key, out)
		}
		keys = append(keys, key)
		deleted := field(out, "deleted")
		if i < 2 && deleted != "" || i == 2 && deleted != keys[0] {
			t.Errorf("backup %d deleted %q; want %q", i, deleted, map[bool]string{true: keys[0]}[i == 2])
		}
	}
	docs, err := objectstore.Open(ctx, objectstore.Config{URL: vars["SESHAT_DOCUMENT_STORE"], Endpoint: vars["SESHAT_S3_ENDPOINT"],
		AccessKey: vars["SESHAT_S3_ACCESS_KEY"], SecretKey: vars["SESHAT_S3_SECRET_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	stored := testenv.Keys(t, docs)
	want := []string{keys[1], keys[1] + ".json", keys[2], keys[2] + ".json"}
	if !slices.Equal(filter(stored, "graph-backup/"), want) {
		t.Fatalf("after rotation with KEEP=2: %q, want %q", filter(stored, "graph-backup/"), want)
	}
	code, out, _ := runCLI(t, vars, "backup", "list")
	if code != 0 || strings.Contains(out, keys[0]) || !strings.Contains(out, keys[1]) || !strings.Contains(out, keys[2]) {
		t.Errorf("backup list: exit %d\n%s", code, out)
	}

	target := testenv.Database(t)
	code, out, errOut := runCLI(t, vars, "restore", "--latest", "--database", target)
	if code != 0 || field(out, "restored") != keys[2] {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
	}
	src, dst := testenv.Conn(t, dbURL), testenv.Conn(t, target)
	if a, b := rowCounts(t, src), rowCounts(t, dst); !maps.Equal(a, b) {
		t.Errorf("row counts differ:\n source   %v\n restored %v", a, b)
	} else if a["solved"] == 0 || a["vulnerability"] == 0 {
		t.Errorf("the source holds no solved rows or records: %v", a)
	}
	if a, b := schemaOf(t, src), schemaOf(t, dst); a != b || a == 0 || !strings.Contains(out, fmt.Sprintf("schema version  %d", a)) {
		t.Errorf("schema version %d restored as %d\n%s", a, b, out)
	}
	if a, b := walkOf(t, dbURL), walkOf(t, target); a != b {
		t.Errorf("dependencyGraph differs:\n source   %s\n restored %s", a, b)
	}

	// Refusals: a database with tables, a damaged dump, no client programs.
	if code, _, errOut := runCLI(t, vars, "restore", "--latest", "--database", dbURL); code != 1 || !strings.Contains(errOut, "is not empty") {
		t.Errorf("restore into a non-empty database: exit %d\n%s", code, errOut)
	}
	if err := docs.Put(ctx, keys[1], []byte("not the dump")); err != nil {
		t.Fatal(err)
	}
	empty := testenv.Database(t)
	if code, _, errOut := runCLI(t, vars, "restore", keys[1], "--database", empty); code != 1 || !strings.Contains(errOut, "is damaged") {
		t.Errorf("restore of a damaged dump: exit %d\n%s", code, errOut)
	}
	if n := rowCounts(t, testenv.Conn(t, empty)); len(n) != 0 {
		t.Errorf("a refused restore wrote tables: %v", n)
	}
	if code, _, errOut := runCLI(t, vars, "backup", "--pg-bin", t.TempDir()); code != 1 || !strings.Contains(errOut, "pg_dump and pg_restore were not found") {
		t.Errorf("backup without the client programs: exit %d\n%s", code, errOut)
	}
	if _, err := backup.FindTools(""); err != nil {
		t.Errorf("the client programs are not found where the scripts put PostgreSQL: %v", err)
	}
}

func TestBackupUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"backup", "now"},
		{"backup", "--keep", "-1"},
		{"restore", "--latest"},
		{"restore", "--database", "postgres://x/y"},
		{"restore", "k", "--latest", "--database", "postgres://x/y"},
	} {
		if code, _, errOut := runCLI(t, map[string]string{"SESHAT_DOCUMENT_STORE": "dir://" + t.TempDir()}, args...); code != 2 || !strings.Contains(errOut, "--help' for usage") {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
	code, out, _ := runCLI(t, nil, "restore", "--help")
	if code != 0 || !strings.Contains(out, "Usage: seshat restore (KEY | --latest) --database URL") {
		t.Errorf("restore --help: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, map[string]string{"SESHAT_DOCUMENT_STORE": "dir://" + t.TempDir()}, "backup", "list")
	if code != 0 || !strings.Contains(out, "no backups in") {
		t.Errorf("backup list of an empty store: exit %d\n%s", code, out)
	}
}

// field returns the value of the summary line "<label>  <value>" in out
// (the last one when there are several), "" when there is none.
func field(out, label string) string {
	v := ""
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, label+"  "); ok {
			v = strings.TrimSpace(rest)
		}
	}
	return v
}

func filter(keys []string, prefix string) []string {
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// rowCounts counts the rows of every table of the public schema.
func rowCounts(t *testing.T, conn *pgx.Conn) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
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
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

func schemaOf(t *testing.T, conn *pgx.Conn) int64 {
	t.Helper()
	var v int64
	if err := conn.QueryRow(t.Context(), `SELECT version FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// walkOf is the dependency graph, as JSON, of the first version solved
// without error that has dependencies, in its environment.
func walkOf(t *testing.T, dbURL string) string {
	t.Helper()
	store, err := persistence.Open(t.Context(), dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var q persistence.GraphQuery
	err = testenv.Conn(t, dbURL).QueryRow(t.Context(), `
		SELECT p.name, pv.version, e.os_name, e.os_version, e.python_version
		FROM solved s JOIN package_version pv ON pv.id = s.version_id JOIN package p ON p.id = pv.package_id
		JOIN environment e ON e.id = s.environment_id
		WHERE NOT s.error AND EXISTS (SELECT 1 FROM depends_on d WHERE d.version_id = pv.id AND d.environment_id = e.id)
		ORDER BY p.name, pv.version, e.id LIMIT 1`).Scan(&q.Root.Name, &q.Root.Version,
		&q.Environment.OSName, &q.Environment.OSVersion, &q.Environment.PythonVersion)
	if err != nil {
		t.Fatal(err)
	}
	q.MaxDepth = 10
	g, err := store.DependencyGraph(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) < 2 {
		t.Errorf("walk of %s==%s reached %d nodes", q.Root.Name, q.Root.Version, len(g.Nodes))
	}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
