package persistence_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// run is a solver run of app==1.0 at a time, requiring dep with rng.
func run(at time.Time, rng string) *persistence.SolverResult {
	return &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0",
		Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		SolvedAt:    at, Duration: 1,
		Entries: []persistence.SolvedEntry{{Name: "app", Version: "1.0", IndexURL: "https://pypi.org/simple",
			Dependencies: []persistence.DependencyEntry{{Name: "dep", VersionRange: rng,
				Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{"2.0"}}}}}}}}
}

// edgesOf lists app==1.0's edges as "range document" strings.
func edgesOf(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(t.Context(), `
		SELECT d.version_range || ' ' || d.document_id
		FROM depends_on d JOIN package_version pv ON pv.id = d.version_id JOIN package p ON p.id = pv.package_id
		WHERE p.name = 'app' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNewestRunOwnsEdges: per version and environment the newest solver
// run's edges stand, whichever document is ingested first; a newer run
// takes the solved row over and the older run's edges go.
func TestNewestRunOwnsEdges(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	conn := testenv.Conn(t, dbURL)
	older := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	newer := older.Add(24 * time.Hour)
	ingest := func(id string, res *persistence.SolverResult, force bool) persistence.IngestOutcome {
		t.Helper()
		out, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, force)
		if err != nil {
			t.Fatalf("ingest %s: %v", id, err)
		}
		return out
	}
	check := func(step string, want ...string) {
		t.Helper()
		got := edgesOf(t, conn)
		if len(got) != len(want) {
			t.Fatalf("%s: edges %q, want %q", step, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: edges %q, want %q", step, got, want)
			}
		}
	}

	ingest("old", run(older, ">=1"), false)
	check("older run alone", ">=1 old")
	out := ingest("new", run(newer, ">=2"), false)
	check("newer run takes over", ">=2 new")
	if out.Counts["solved"] != 1 || out.Counts["edges"] != 1 {
		t.Errorf("newer run counts %v, want 1 solved row and 1 edge", out.Counts)
	}
	out = ingest("old", run(older, ">=1"), true)
	check("older run forced again", ">=2 new")
	if out.Counts["solved"] != 0 || out.Counts["edges"] != 0 {
		t.Errorf("older run forced: counts %v, want nothing owned", out.Counts)
	}
	ingest("new", run(newer, ">=3"), true)
	check("newer run forced with other content", ">=3 new")
}
