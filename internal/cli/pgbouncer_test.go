package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/bench"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestThroughPgBouncer runs Seshat through the pgbouncer of `make services`
// in transaction pooling mode (SESHAT_DATABASE_TRANSACTION_POOLING=1):
// migrate on an empty database; a sync with 4 workers of the project's
// documents of every kind, which writes what the same sync writes straight
// into PostgreSQL, table by table, and a second sync that skips them all;
// the gateway, whose dependencyGraph, nested query and mutation answers
// equal a gateway's on the database directly; and afterwards no prepared
// statement, session setting or advisory lock left on any of pgbouncer's
// server connections to the database.
func TestThroughPgBouncer(t *testing.T) {
	t.Parallel()
	direct := testenv.Database(t)
	bouncer := testenv.PgBouncer(t, direct)
	s3 := testenv.Bucket(t, "thoth")
	vars := storeVars(s3)
	vars["SESHAT_DATABASE_URL"] = bouncer
	vars["SESHAT_DATABASE_TRANSACTION_POOLING"] = "1"

	code, out, errOut := runCLI(t, vars, "migrate", "up")
	if code != 0 || !strings.Contains(out, "schema version") || strings.Contains(out, "DIRTY") {
		t.Fatalf("migrate up through pgbouncer: exit %d\n%s\n%s", code, out, errOut)
	}

	docs, err := objectstore.Open(t.Context(), s3)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for dir, kind := range map[string]string{
		"solver": "solver", "inspection/inspections": "inspection", "analysis": "package-extract",
		"security": "security-indicator", "adviser": "adviser", "provenance-checker": "provenance-checker",
		"revsolver": "revsolver", "dependency-monkey": "dependency-monkey",
	} {
		if _, err := os.Stat(filepath.Join(testenv.Root(t), "testdata", dir)); err == nil {
			total += len(putKind(t, docs, testenv.Testdata(t, dir), kind))
		}
	}
	// A revsolver document adds its release to the edges the graph already
	// has (as Thoth's sync_revsolver_result did), so what it writes depends
	// on whether the solver documents came first: both syncs below ingest
	// them first, then the rest with 4 workers.
	code, out, errOut = runCLI(t, vars, "sync", "--workers", "4", "--prefix", "solver")
	solvers := summaryCount(out, "processed")
	if code != 0 || solvers == 0 || summaryCount(out, "failed") != 0 {
		t.Fatalf("sync of the solver documents through pgbouncer: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--workers", "4")
	if code != 0 || summaryCount(out, "processed") != total || summaryCount(out, "synced") != total-solvers ||
		summaryCount(out, "failed") != 0 {
		t.Fatalf("sync through pgbouncer: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--workers", "4")
	if code != 0 || summaryCount(out, "synced") != 0 || summaryCount(out, "failed") != 0 {
		t.Fatalf("second sync through pgbouncer: exit %d\n%s\n%s", code, out, errOut)
	}

	// The same documents synced straight into PostgreSQL.
	reference := testenv.MigratedDatabase(t)
	rvars := storeVars(s3)
	rvars["SESHAT_DATABASE_URL"] = reference
	for _, prefix := range []string{"solver", ""} {
		if code, out, errOut := runCLI(t, rvars, "sync", "--workers", "4", "--prefix", prefix); code != 0 || summaryCount(out, "failed") != 0 {
			t.Fatalf("sync %q straight into PostgreSQL: exit %d\n%s\n%s", prefix, code, out, errOut)
		}
	}
	got, want := tableCounts(t, direct), tableCounts(t, reference)
	if len(got) < 10 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows per table through pgbouncer:\n%v\nstraight into PostgreSQL:\n%v", got, want)
	}
	if got["depends_on"] == 0 || got["document"] != total {
		t.Errorf("%d edges, %d documents (want %d)", got["depends_on"], got["document"], total)
	}

	// The gateway through pgbouncer answers as one on the database directly.
	const token = "admin-token-0123456789"
	vars["SESHAT_API_TOKENS"] = "ops:admin:" + token
	vars["SESHAT_LOG_LEVEL"] = "warn"
	vars["SESHAT_MAX_COMPLEXITY"] = "10000000" // the nested query's pages
	pooled := startServe(t, vars)
	plain := startServe(t, map[string]string{"SESHAT_DATABASE_URL": direct, "SESHAT_LOG_LEVEL": "warn", "SESHAT_MAX_COMPLEXITY": "10000000"})
	env := persistence.EnvironmentKey{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"}
	graph := `{"query": "{ dependencyGraph(root: {name: \"sextant\", version: \"3.2.0\"}, environment: {osName: \"fedora\", osVersion: \"31\", pythonVersion: \"3.7\"}, maxDepth: 5, markerTrueOnly: false) { root { id name version } nodes { id name version depth solved } edges { from to versionRange marker extra } truncated depthReached } }"}`
	nested := bench.SeshatNestedQuery(bench.NestedShape{Packages: 50, Versions: 100}, env)
	for name, body := range map[string]string{"dependencyGraph": graph, "nested": nested} {
		a, b := postBody(t, pooled.base, body, nil), postBody(t, plain.base, body, nil)
		if a != b || strings.Contains(a, `"errors"`) {
			t.Errorf("%s through pgbouncer:\n%s\ndirectly:\n%s", name, a, b)
		}
		if name == "dependencyGraph" && strings.Count(a, `"depth"`) < 5 {
			t.Errorf("dependencyGraph has fewer than 5 nodes: %s", a)
		}
	}
	mutation := `{"query": "mutation { registerPackageIndex(url: \"https://bouncer.example.com/simple\") { url enabled } }"}`
	auth := map[string]string{"Authorization": "Bearer " + token}
	if got := postBody(t, pooled.base, mutation, auth); !strings.Contains(got, "bouncer.example.com") || strings.Contains(got, `"errors"`) {
		t.Errorf("mutation through pgbouncer: %s", got)
	}
	indexes := `{"query": "{ indexes { url } }"}`
	if a, b := postBody(t, pooled.base, indexes, nil), postBody(t, plain.base, indexes, nil); a != b || !strings.Contains(a, "bouncer.example.com") {
		t.Errorf("indexes through pgbouncer %s, directly %s", a, b)
	}

	noSessionState(t, bouncer, direct)
}

// noSessionState pins every server connection pgbouncer may hold to the
// database (default_pool_size of scripts/services.sh) in a transaction of
// its own and checks that none has a prepared statement or a setting made
// in the session, and that no session holds an advisory lock there.
func noSessionState(t *testing.T, bouncer, direct string) {
	t.Helper()
	const poolSize = 20
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(bouncer)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	seen := map[int]bool{}
	var txs []pgx.Tx
	for range poolSize {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
		var pid, prepared, settings int
		if err := tx.QueryRow(ctx, `SELECT pg_backend_pid(), (SELECT count(*) FROM pg_prepared_statements),
			(SELECT count(*) FROM pg_settings WHERE source = 'session')`).Scan(&pid, &prepared, &settings); err != nil {
			t.Fatal(err)
		}
		if seen[pid] {
			t.Fatalf("server connection %d handed to two open transactions", pid)
		}
		seen[pid] = true
		if prepared != 0 || settings != 0 {
			t.Errorf("server connection %d: %d prepared statements, %d session settings", pid, prepared, settings)
		}
	}
	for _, tx := range txs {
		_ = tx.Rollback(ctx)
	}
	var locks int
	if err := testenv.Conn(t, direct).QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&locks); err != nil || locks != 0 {
		t.Errorf("%d advisory locks held on the database (%v)", locks, err)
	}
}

// tableCounts is the number of rows of every table of the database but
// the migrations' own.
func tableCounts(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn := testenv.Conn(t, dbURL)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// postBody POSTs a GraphQL request body to base's /graphql with the extra
// headers and returns the response body.
func postBody(t *testing.T, base, body string, headers map[string]string) string {
	t.Helper()
	b, _ := postFull(t, base, body, headers)
	return b
}

// postFull is postBody that returns the response's headers too.
func postFull(t *testing.T, base, body string, headers map[string]string) (string, http.Header) {
	t.Helper()
	if !json.Valid([]byte(body)) {
		t.Fatalf("not JSON: %s", body)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.Header
}
