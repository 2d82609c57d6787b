package persistence_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// solverRun is a run of name==version in rhel 8 / Python 3.8 requiring
// dep, resolved to the versions deps, with errorDetails on its entry when
// not "".
func solverRun(name, version, errorDetails string, deps ...string) *persistence.SolverResult {
	e := persistence.SolvedEntry{Name: name, Version: version, IndexURL: "https://pypi.org/simple",
		Dependencies: []persistence.DependencyEntry{{Name: "dep", VersionRange: ">=1",
			Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: deps}}}}}
	if errorDetails != "" {
		e.Error, e.ErrorDetails = true, json.RawMessage(errorDetails)
	}
	return &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0",
		Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		SolvedAt:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Duration: 1, Entries: []persistence.SolvedEntry{e}}
}

// graphRows lists every version with its package and index, and every
// edge with what it resolves to, by name.
func graphRows(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	rows, err := conn.Query(t.Context(), `
		SELECT p.name || '==' || pv.version || ' ' || coalesce(ix.url, '-') || ' ' || pv.is_missing
		FROM package_version pv JOIN package p ON p.id = pv.package_id LEFT JOIN package_index ix ON ix.id = pv.index_id
		UNION ALL
		SELECT sp.name || '==' || sv.version || ' -> ' || dp.name || ' ' || d.version_range || ' -> ' || rp.name || '==' || rv.version || ' ' || d.document_id
		FROM depends_on d
		JOIN package_version sv ON sv.id = d.version_id JOIN package sp ON sp.id = sv.package_id
		JOIN package dp ON dp.id = d.package_id
		JOIN depends_on_resolved r ON r.edge_id = d.id
		JOIN package_version rv ON rv.id = r.version_id JOIN package rp ON rp.id = rv.package_id
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

// TestNodeIDsAfterRollback: a document that fails after its transaction
// wrote new packages and versions (its solver error details are not JSON)
// leaves none of them, and the store does not keep their ids: the next
// document naming the same nodes writes them again and is ingested.
func TestNodeIDsAfterRollback(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	conn := testenv.Conn(t, dbURL)
	ref := func(id string) persistence.DocumentRef {
		return persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}
	}
	_, err := store.IngestSolverResult(ctx, ref("solver-rhel-8-py38-bad"), solverRun("fresh", "1.0", "not json", "2.0"), false)
	if persistence.ErrorCode(err) != persistence.CodeInvalid {
		t.Fatalf("document with bad error details: %v, want INVALID", err)
	}
	var versions int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM package_version`).Scan(&versions); err != nil || versions != 0 {
		t.Fatalf("%d versions after the failed document (%v), want none", versions, err)
	}
	out, err := store.IngestSolverResult(ctx, ref("solver-rhel-8-py38-good"), solverRun("fresh", "1.0", "", "2.0"), false)
	if err != nil || out.Status != persistence.StatusIngested {
		t.Fatalf("the same nodes again: %+v, %v", out, err)
	}
	if out.Counts["versions"] != 2 || out.Counts["edges"] != 1 || out.Counts["resolved"] != 1 {
		t.Errorf("counts %v, want 2 versions, 1 edge, 1 resolved version", out.Counts)
	}
	want := "[dep==2.0 https://pypi.org/simple false fresh==1.0 -> dep >=1 -> dep==2.0 solver-rhel-8-py38-good fresh==1.0 https://pypi.org/simple false]"
	if got := graphRows(t, conn); got != want {
		t.Errorf("graph\n got %s\nwant %s", got, want)
	}
}

// TestNodeIDsKnown: a document whose nodes an earlier document of the same
// store wrote does not write them again (fewer statements), and the graph
// is the same as one ingested by stores that knew nothing of them.
func TestNodeIDsKnown(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	docs := []struct {
		id  string
		res *persistence.SolverResult
	}{
		{"solver-rhel-8-py38-a", solverRun("app", "1.0", "", "2.0", "3.0")},
		{"solver-rhel-8-py38-b", solverRun("app", "1.1", "", "2.0", "3.0")},
		{"solver-rhel-8-py38-c", solverRun("dep", "3.0", "", "2.0")},
	}
	// One store for every document.
	store, tracer, dbURL := testenv.Store(t)
	var statements []int64
	for _, d := range docs {
		tracer.Reset()
		if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: d.id, Kind: "solver", SHA256: d.id}, d.res, false); err != nil {
			t.Fatal(err)
		}
		statements = append(statements, tracer.Count())
	}
	// The second names one version the first did not, and no other node:
	// only the versions are upserted (the nodes' round trip, five
	// statements, is left out); the third names nothing new: neither (a
	// second round trip, two more statements).
	if statements[1] > statements[0]-5 || statements[2] > statements[0]-7 {
		t.Errorf("statements per document %v: the second (a new version) should need 5 fewer than the first, the third (nothing new) 7 fewer", statements)
	}
	// A store per document: nothing known beforehand.
	_, _, freshURL := testenv.Store(t)
	for _, d := range docs {
		fresh, err := persistence.Open(ctx, freshURL, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = fresh.IngestSolverResult(ctx, persistence.DocumentRef{ID: d.id, Kind: "solver", SHA256: d.id}, d.res, false)
		fresh.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := graphRows(t, testenv.Conn(t, dbURL)), graphRows(t, testenv.Conn(t, freshURL)); got != want {
		t.Errorf("graph with known nodes\n%s\nwith none known\n%s", got, want)
	}
}
