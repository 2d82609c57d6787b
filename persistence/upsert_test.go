package persistence_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestIngestWaitsForConcurrentNodes: a document whose environment and
// solver another transaction inserts at the same moment waits for it and
// then uses its rows (it used to fail NOT_FOUND: the lookup in the insert's
// own statement could not see the row committed meanwhile).
func TestIngestWaitsForConcurrentNodes(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	other, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(context.Background()) //nolint:errcheck // committed below
	if _, err := other.Exec(ctx, `INSERT INTO environment (os_name, os_version, python_version) VALUES ('fedora', '31', '3.7')`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, `INSERT INTO solver (name, version) VALUES ('solver-fedora-31-py37', '1.0')`); err != nil {
		t.Fatal(err)
	}
	res := &persistence.SolverResult{SolverName: "solver-fedora-31-py37", SolverVersion: "1.0",
		Environment: persistence.EnvironmentKey{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"},
		SolvedAt:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: []persistence.SolvedEntry{{Name: "a", Version: "1"}}}
	done := make(chan error, 1)
	go func() {
		_, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-fedora-31-py37-1", Kind: "solver", SHA256: "x"}, res, false)
		done <- err
	}()
	waitForLockWait(t, conn, dbURL)
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ingest next to a concurrent insert of its nodes: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ingest did not finish")
	}
	var envs, solvers int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM environment), (SELECT count(*) FROM solver)`).Scan(&envs, &solvers); err != nil || envs != 1 || solvers != 1 {
		t.Errorf("%d environments, %d solvers (%v); want one each", envs, solvers, err)
	}
}

// waitForLockWait waits until a backend of the database other than conn's
// waits for a lock.
func waitForLockWait(t *testing.T, conn *pgx.Conn, dbURL string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`, cfg.Database).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no backend waits for a lock")
}
