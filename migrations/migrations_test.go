package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/migrations"
)

func tables(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`).Scan(&n); err != nil {
		t.Fatalf("count tables: %v", err)
	}
	return n
}

func TestUpDownUp(t *testing.T) {
	url := testenv.Database(t)
	m, err := migrations.New(url)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer m.Close()
	latest, err := migrations.Latest()
	if err != nil || latest == 0 {
		t.Fatalf("Latest = %d, %v", latest, err)
	}

	st, err := m.Status()
	if err != nil || st.Version != 0 || st.Current() {
		t.Fatalf("fresh database: status %+v, %v", st, err)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("Up: %v", err)
	}
	st, _ = m.Status()
	if !st.Current() || st.Version != latest {
		t.Fatalf("after Up: %+v", st)
	}
	created := tables(t, url)
	if created < 10 {
		t.Fatalf("after Up: %d tables, want the knowledge graph", created)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("second Up must be a no-op: %v", err)
	}

	if err := m.Down(0); err != nil {
		t.Fatalf("Down all: %v", err)
	}
	if n := tables(t, url); n != 0 {
		t.Fatalf("after Down: %d tables left", n)
	}
	st, _ = m.Status()
	if st.Version != 0 {
		t.Fatalf("after Down: version %d", st.Version)
	}

	if err := m.Up(); err != nil {
		t.Fatalf("Up again: %v", err)
	}
	if n := tables(t, url); n != created {
		t.Fatalf("after Up again: %d tables, want %d", n, created)
	}
}

func TestDownOneStep(t *testing.T) {
	url := testenv.Database(t)
	m, err := migrations.New(url)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer m.Close()
	if err := m.Up(); err != nil {
		t.Fatalf("Up: %v", err)
	}
	if err := m.Down(1); err != nil {
		t.Fatalf("Down(1): %v", err)
	}
	st, _ := m.Status()
	if st.Version != st.Latest-1 || st.Current() {
		t.Fatalf("after Down(1): %+v", st)
	}
}

func TestForceClearsDirty(t *testing.T) {
	url := testenv.MigratedDatabase(t)
	ctx := context.Background()
	conn := testenv.Conn(t, url)
	if _, err := conn.Exec(ctx, `UPDATE schema_migrations SET dirty = true`); err != nil {
		t.Fatalf("mark dirty: %v", err)
	}
	m, err := migrations.New(url)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer m.Close()
	st, _ := m.Status()
	if !st.Dirty || st.Current() {
		t.Fatalf("want dirty, got %+v", st)
	}
	if err := m.Force(int(st.Version)); err != nil {
		t.Fatalf("Force: %v", err)
	}
	if st, _ := m.Status(); !st.Current() {
		t.Fatalf("after Force: %+v", st)
	}
}

func TestBadURL(t *testing.T) {
	if _, err := migrations.New("mysql://x/y"); err == nil {
		t.Fatal("New accepted a mysql URL")
	}
}

// TestDocumentIDIndexed: every column named document_id leads an index, for
// re-ingesting a document deletes its facts by it.
func TestDocumentIDIndexed(t *testing.T) {
	url := testenv.MigratedDatabase(t)
	ctx := context.Background()
	conn := testenv.Conn(t, url)
	rows, err := conn.Query(ctx, `
		SELECT c.relname
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		WHERE a.attname = 'document_id' AND NOT a.attisdropped
		  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum)
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("document_id without an index leading with it: %v", missing)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'document_id'`).Scan(&n); err != nil || n < 6 {
		t.Fatalf("tables with document_id: %d, %v", n, err)
	}
}
