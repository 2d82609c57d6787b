package migrations_test

import (
	"context"
	"sync"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/migrations"
)

// TestUpThroughPgBouncer: three migrators at once through pgbouncer in
// transaction pooling mode on an empty database each succeed (the lock
// keeps them from running the same migration twice), no advisory lock
// stays behind on a server connection, and down and up again work.
func TestUpThroughPgBouncer(t *testing.T) {
	t.Parallel()
	direct := testenv.Database(t)
	bouncer := testenv.PgBouncer(t, direct)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := migrations.New(bouncer)
			if err != nil {
				errs[i] = err
				return
			}
			defer m.Close()
			errs[i] = m.Up()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	if n := advisoryLocks(t, direct); n != 0 {
		t.Errorf("%d advisory locks held on the database after the migrators closed", n)
	}

	m, err := migrations.New(bouncer)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if st, err := m.Status(); err != nil || !st.Current() {
		t.Fatalf("status through pgbouncer: %+v, %v", st, err)
	}
	created := tables(t, direct)
	if created < 10 {
		t.Fatalf("%d tables, want the knowledge graph", created)
	}
	if err := m.Down(0); err != nil {
		t.Fatalf("down through pgbouncer: %v", err)
	}
	if n := tables(t, direct); n != 0 {
		t.Fatalf("after down: %d tables", n)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("up again through pgbouncer: %v", err)
	}
	if n := tables(t, direct); n != created {
		t.Fatalf("after up again: %d tables, want %d", n, created)
	}
	if n := advisoryLocks(t, direct); n != 0 {
		t.Errorf("%d advisory locks held on the database while the migrator is idle", n)
	}
}

// advisoryLocks counts the advisory locks any session holds or waits for
// in the database dbURL names.
func advisoryLocks(t *testing.T, dbURL string) int {
	t.Helper()
	var n int
	err := testenv.Conn(t, dbURL).QueryRow(context.Background(), `
		SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
