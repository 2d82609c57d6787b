package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// Root is the version a dependencyGraph walk starts from.
type Root struct {
	Name, Version string
	IndexURL      *string
	Environment   persistence.EnvironmentKey
}

// WalkDepth is the maxDepth every measured walk uses: deep enough that the
// whole closure is walked.
const WalkDepth = 50

// WalkQuery is the dependencyGraph request the HTTP measurement sends: every
// node and edge field an adviser reads.
func WalkQuery(r Root) string { return walkRequest(r, "") }

// walkRequest is WalkQuery with extra selected beside nodes and edges.
func walkRequest(r Root, extra string) string {
	vars := map[string]any{
		"root": map[string]any{"name": r.Name, "version": r.Version, "indexUrl": r.IndexURL},
		"env": map[string]any{"osName": r.Environment.OSName, "osVersion": r.Environment.OSVersion,
			"pythonVersion": r.Environment.PythonVersion},
		"depth": WalkDepth,
	}
	b, _ := json.Marshal(map[string]any{
		"query": `query Walk($root: PackageVersionInput!, $env: EnvironmentInput!, $depth: Int!) {
  dependencyGraph(root: $root, environment: $env, maxDepth: $depth) {
    nodes { id name version indexUrl depth solved }
    edges { from to versionRange marker extra }
    truncated depthReached
    ` + extra + `
  }
}`,
		"variables": vars,
	})
	return string(b)
}

// WalkResult is one size's dependencyGraph figures.
type WalkResult struct {
	Size            string
	Versions        int64 // package_version rows in the database
	Edges           int64 // depends_on_resolved rows in the database
	Nodes, Depth    int   // reached by the walk
	WalkEdges       int
	ResponseBytes   int
	HTTP            Dist
	HTTPStatements  float64
	Store           Dist
	StoreStatements float64
	SQLEdges        Dist // persistence.ClosureEdgesSQL: nodes and edges
	SQLNodes        Dist // persistence.ClosureSQL: nodes only
	SQLRows         int
	Cache           CacheWalk // the same request repeated, from the graph cache
}

// MeasureStoreWalk times Store.DependencyGraph for root on dbURL, iters
// times after one warm-up, counting statements per walk.
func MeasureStoreWalk(ctx context.Context, dbURL string, root Root, iters int, res *WalkResult) error {
	tracer := &persistence.Tracer{}
	store, err := persistence.Open(ctx, dbURL, persistence.Options{Tracer: tracer})
	if err != nil {
		return err
	}
	defer store.Close()
	q := persistence.GraphQuery{
		Root:        persistence.VersionRef{Name: root.Name, Version: root.Version, IndexURL: root.IndexURL},
		Environment: root.Environment, MaxDepth: WalkDepth, MarkerTrueOnly: true,
	}
	g, err := store.DependencyGraph(ctx, q)
	if err != nil {
		return err
	}
	res.Nodes, res.WalkEdges, res.Depth = len(g.Nodes), len(g.Edges), g.DepthReached
	tracer.Reset()
	samples := make([]time.Duration, 0, iters)
	for range iters {
		start := time.Now()
		if _, err := store.DependencyGraph(ctx, q); err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
	}
	res.Store = Summarize(samples)
	res.StoreStatements = float64(tracer.Count()) / float64(iters)
	return nil
}

// MeasureHTTPWalk times the dependencyGraph query against a running
// gateway, iters times after one warm-up, and counts the SQL statements of
// one walk from the gateway's own counter (seshat_sql_statements_total).
func MeasureHTTPWalk(ctx context.Context, base string, root Root, iters int, res *WalkResult) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	body := WalkQuery(root)
	b, err := PostGraphQL(ctx, client, base+"/graphql", body)
	if err != nil {
		return err
	}
	var out struct {
		Data struct {
			DependencyGraph struct {
				Nodes []struct{ ID string }   `json:"nodes"`
				Edges []struct{ From string } `json:"edges"`
			} `json:"dependencyGraph"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("walk response: %w", err)
	}
	if n := len(out.Data.DependencyGraph.Nodes); res.Nodes != 0 && n != res.Nodes {
		return fmt.Errorf("HTTP walk reached %d nodes, the store %d", n, res.Nodes)
	}
	res.ResponseBytes = len(b)
	if res.HTTPStatements, err = RequestStatements(ctx, client, base, body); err != nil {
		return err
	}
	res.HTTP, err = TimeRequests(ctx, client, base, body, iters)
	return err
}

// rootIDs looks up the root version's id and the environment's id.
func rootIDs(ctx context.Context, conn *pgx.Conn, r Root) (vid, envID int64, err error) {
	err = conn.QueryRow(ctx, `
		SELECT pv.id, e.id
		FROM package p JOIN package_version pv ON pv.package_id = p.id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		JOIN environment e ON e.os_name = $4 AND e.os_version = $5 AND e.python_version = $6
		LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = e.id
		WHERE p.name = $1 AND pv.version = $2 AND ($3::text IS NULL OR ix.url = $3)
		ORDER BY (s.id IS NOT NULL AND NOT s.error) DESC, pv.index_id NULLS LAST, pv.id
		LIMIT 1`,
		python.NormalizeName(r.Name), r.Version, r.IndexURL, r.Environment.OSName, r.Environment.OSVersion,
		r.Environment.PythonVersion).Scan(&vid, &envID)
	if err != nil {
		return 0, 0, fmt.Errorf("root %s==%s: %w", r.Name, r.Version, err)
	}
	return vid, envID, nil
}

// MeasureSQLWalk times the closure statements through pgx on one
// connection, every row read, iters times after one warm-up each; it also
// counts the database's versions and resolved edges.
func MeasureSQLWalk(ctx context.Context, dbURL string, root Root, iters int, res *WalkResult) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM package_version), (SELECT count(*) FROM depends_on_resolved)`).
		Scan(&res.Versions, &res.Edges); err != nil {
		return err
	}
	vid, envID, err := rootIDs(ctx, conn, root)
	if err != nil {
		return err
	}
	run := func(sql string) (Dist, int, error) {
		n := 0
		samples := make([]time.Duration, 0, iters)
		for i := -1; i < iters; i++ {
			start := time.Now()
			if n, err = readRows(ctx, conn, sql, vid, envID); err != nil {
				return Dist{}, 0, err
			}
			if i >= 0 {
				samples = append(samples, time.Since(start))
			}
		}
		return Summarize(samples), n, nil
	}
	if res.SQLEdges, res.SQLRows, err = run(persistence.ClosureEdgesSQL); err != nil {
		return err
	}
	res.SQLNodes, _, err = run(persistence.ClosureSQL)
	return err
}

// readRows runs sql and reads every row, returning how many there were.
func readRows(ctx context.Context, conn *pgx.Conn, sql string, args ...any) (int, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
