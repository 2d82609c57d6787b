package persistence_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestDocumentRoundTrips: a solver document whose nodes the store knows
// takes four round trips (BEGIN goes with the claim, COMMIT with the
// INGESTED row), on the same connection every time; a document that fails
// in the database is rolled back whole and leaves the connection usable,
// and no transaction is left open.
func TestDocumentRoundTrips(t *testing.T) {
	t.Parallel()
	store, tracer, dbURL := testenv.Store(t)
	ctx := t.Context()
	doc := func(i int, details string) (persistence.DocumentRef, *persistence.SolverResult) {
		py := "3.11"
		e := persistence.SolvedEntry{Name: "app", Version: "1.0", IndexURL: "https://pypi.org/simple",
			Dependencies: []persistence.DependencyEntry{{Name: "lib", VersionRange: ">=1", Marker: &py,
				Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{"1.0", "2.0"}}}}}}
		if details != "" {
			e.Error, e.ErrorDetails = true, json.RawMessage(details)
		}
		return persistence.DocumentRef{ID: fmt.Sprintf("solver-rt-%d", i), Kind: "solver", SHA256: fmt.Sprint(i)},
			&persistence.SolverResult{SolverName: "solver-rhel-9-py311", SolverVersion: "1.0",
				Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "9", PythonVersion: "3.11"},
				SolvedAt:    time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC), Entries: []persistence.SolvedEntry{e}}
	}
	ingest := func(i int, details string) (persistence.IngestOutcome, error) {
		ref, res := doc(i, details)
		return store.IngestSolverResult(ctx, ref, res, false)
	}
	// The first document writes the nodes and prepares the statements.
	if out, err := ingest(0, ""); err != nil || out.Status != persistence.StatusIngested {
		t.Fatalf("first document: %+v, %v", out, err)
	}
	for i := 1; i <= 3; i++ {
		tracer.Reset()
		out, err := ingest(i, "")
		if err != nil || out.Status != persistence.StatusIngested {
			t.Fatalf("document %d: %+v, %v", i, out, err)
		}
		if n := tracer.RoundTrips(); n != 4 {
			t.Errorf("document %d: %d round trips, want 4", i, n)
		}
		if n := tracer.Connects(); n != 0 {
			t.Errorf("document %d: %d connections opened, want the pool's one", i, n)
		}
	}

	// Invalid JSON in the error details fails the solved rows' insert.
	tracer.Reset()
	if _, err := ingest(4, "{not json"); err == nil {
		t.Fatal("a document the database rejects was ingested")
	}
	if out, err := ingest(5, ""); err != nil || out.Status != persistence.StatusIngested {
		t.Fatalf("document after a failed one: %+v, %v", out, err)
	}
	if n := tracer.Connects(); n != 0 {
		t.Errorf("a failed document cost %d new connections, want 0", n)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var failedRows, openTx int
	if err := conn.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM document WHERE id = 'solver-rt-4') + (SELECT count(*) FROM solved WHERE document_id = 'solver-rt-4'),
			(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%')`).
		Scan(&failedRows, &openTx); err != nil {
		t.Fatal(err)
	}
	if failedRows != 0 {
		t.Errorf("the failed document left %d rows", failedRows)
	}
	if openTx != 0 {
		t.Errorf("%d connections idle in a transaction after the documents", openTx)
	}
	var ingested int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM document WHERE status = 'INGESTED'`).Scan(&ingested); err != nil || ingested != 5 {
		t.Errorf("%d documents INGESTED (%v), want 5", ingested, err)
	}
}
