package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestSchemaDatabase: seshat schema --database draws every table of the
// migrated schema with its foreign keys, as mermaid and as dot, and
// renders a PNG through Graphviz.
func TestSchemaDatabase(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MigratedDatabase(t)
	vars := map[string]string{"SESHAT_DATABASE_URL": dbURL}
	rows, err := testenv.Conn(t, dbURL).Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 10 {
		t.Fatalf("tables %v, %v", tables, err)
	}

	code, out, errOut := runCLI(t, vars, "schema", "--database")
	if code != 0 || !strings.HasPrefix(out, "erDiagram\n") {
		t.Fatalf("mermaid: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`package ||--o{ package_version : "package_id"`,
		`package_index |o--o{ package_version : "index_id"`,
		`depends_on ||--o{ depends_on_resolved : "edge_id"`,
		"        bigint id PK\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("mermaid lacks %q", want)
		}
	}
	for _, table := range tables {
		if !strings.Contains(out, "\n    "+table+" {\n") {
			t.Errorf("mermaid lacks table %s", table)
		}
	}
	code, dot, _ := runCLI(t, vars, "schema", "--database", "--format", "dot")
	if code != 0 || !strings.HasPrefix(dot, "digraph seshat {") || !strings.Contains(dot, `"package" -> "package_version":"package_id";`) {
		t.Errorf("dot: exit %d\n%.300s", code, dot)
	}
	png := filepath.Join(t.TempDir(), "schema.png")
	code, out, errOut = runCLI(t, vars, "schema", "--database", "--format", "png", "--output", png)
	if code != 0 {
		t.Fatalf("png: exit %d\n%s\n%s (make test installs Graphviz: scripts/tools.sh)", code, out, errOut)
	}
	raw, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")) || len(raw) < 10000 {
		t.Errorf("png: %d bytes, %v", len(raw), err)
	}
	for _, args := range [][]string{
		{"schema", "--database", "--format", "png"}, {"schema", "--database", "--format", "svg"}, {"schema", "extra"},
	} {
		if code, _, errOut := runCLI(t, vars, args...); code != 2 {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
	code, out, _ = runCLI(t, nil, "schema")
	if code != 0 || !strings.Contains(out, "type Query") {
		t.Errorf("GraphQL SDL: exit %d", code)
	}
}
