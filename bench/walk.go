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
	walk, tracer, done, err := storeWalk(ctx, dbURL, root, res)
	if err != nil {
		return err
	}
	defer done()
	if res.Store, err = timeCalls(iters, walk); err != nil {
		return err
	}
	res.StoreStatements = float64(tracer.Count()) / float64(iters)
	return nil
}

// storeWalk opens a store on dbURL and walks root once, recording what the
// walk reached in res; it returns the walk, the store's tracer (reset
// after that first walk) and a function that closes the store.
func storeWalk(ctx context.Context, dbURL string, root Root, res *WalkResult) (walk func() error, tracer *persistence.Tracer, done func(), err error) {
	tracer = &persistence.Tracer{}
	store, err := persistence.Open(ctx, dbURL, persistence.Options{Tracer: tracer})
	if err != nil {
		return nil, nil, nil, err
	}
	q := persistence.GraphQuery{
		Root:        persistence.VersionRef{Name: root.Name, Version: root.Version, IndexURL: root.IndexURL},
		Environment: root.Environment, MaxDepth: WalkDepth, MarkerTrueOnly: true,
	}
	g, err := store.DependencyGraph(ctx, q)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	res.Nodes, res.WalkEdges, res.Depth = len(g.Nodes), len(g.Edges), g.DepthReached
	tracer.Reset()
	walk = func() error {
		_, err := store.DependencyGraph(ctx, q)
		return err
	}
	return walk, tracer, store.Close, nil
}

// timeCalls times call iters times.
func timeCalls(iters int, call func() error) (Dist, error) {
	samples := make([]time.Duration, 0, iters)
	for range iters {
		start := time.Now()
		if err := call(); err != nil {
			return Dist{}, err
		}
		samples = append(samples, time.Since(start))
	}
	return Summarize(samples), nil
}

// MeasureHTTPWalk times the dependencyGraph query against a running
// gateway, iters times after one warm-up, and counts the SQL statements of
// one walk from the gateway's own counter (seshat_sql_statements_total).
func MeasureHTTPWalk(ctx context.Context, base string, root Root, iters int, res *WalkResult) error {
	walk, err := httpWalk(ctx, base, root, res)
	if err != nil {
		return err
	}
	res.HTTP, err = timeCalls(iters, walk)
	return err
}

// httpWalk sends the dependencyGraph query to the gateway at base once,
// checks that it reached the store's nodes, records its size and
// statements in res, and returns one timed call of it.
func httpWalk(ctx context.Context, base string, root Root, res *WalkResult) (func() error, error) {
	client := &http.Client{Timeout: 2 * time.Minute}
	body := WalkQuery(root)
	b, err := PostGraphQL(ctx, client, base+"/graphql", body)
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("walk response: %w", err)
	}
	if n := len(out.Data.DependencyGraph.Nodes); res.Nodes != 0 && n != res.Nodes {
		return nil, fmt.Errorf("HTTP walk reached %d nodes, the store %d", n, res.Nodes)
	}
	res.ResponseBytes = len(b)
	if res.HTTPStatements, err = RequestStatements(ctx, client, base, body); err != nil {
		return nil, err
	}
	return requestCall(ctx, client, base, body), nil
}

// MeasureWalks takes MeasureStoreWalk's, MeasureSQLWalk's and
// MeasureHTTPWalk's figures call by call, interleaved: each of the iters
// rounds times the two statements, the store and the gateway once, each
// round starting one side further on, so that the machine's speed moving
// during the measurement lands on every side alike.
func MeasureWalks(ctx context.Context, dbURL, base string, root Root, iters int, res *WalkResult) error {
	store, tracer, done, err := storeWalk(ctx, dbURL, root, res)
	if err != nil {
		return err
	}
	defer done()
	edges, nodes, closeSQL, err := sqlWalk(ctx, dbURL, root, res)
	if err != nil {
		return err
	}
	defer closeSQL()
	gateway, err := httpWalk(ctx, base, root, res)
	if err != nil {
		return err
	}
	tracer.Reset()
	sides := []func() error{edges, nodes, store, gateway}
	samples := make([][]time.Duration, len(sides))
	for i := range iters {
		for j := range sides {
			k := (i + j) % len(sides)
			start := time.Now()
			if err := sides[k](); err != nil {
				return err
			}
			samples[k] = append(samples[k], time.Since(start))
		}
	}
	res.SQLEdges, res.SQLNodes, res.Store, res.HTTP = Summarize(samples[0]), Summarize(samples[1]), Summarize(samples[2]), Summarize(samples[3])
	res.StoreStatements = float64(tracer.Count()) / float64(iters)
	return nil
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
	edges, nodes, done, err := sqlWalk(ctx, dbURL, root, res)
	if err != nil {
		return err
	}
	defer done()
	if res.SQLEdges, err = timeCalls(iters, edges); err != nil {
		return err
	}
	res.SQLNodes, err = timeCalls(iters, nodes)
	return err
}

// sqlWalk connects to dbURL, counts the database's versions and resolved
// edges into res and returns the two closure statements (nodes and edges,
// its rows counted into res; nodes only) as calls, each run once already,
// and a function that closes the connection.
func sqlWalk(ctx context.Context, dbURL string, root Root, res *WalkResult) (edges, nodes func() error, done func(), err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, nil, nil, err
	}
	done = func() { conn.Close(context.WithoutCancel(ctx)) }
	defer func() {
		if err != nil {
			done()
		}
	}()
	if err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM package_version), (SELECT count(*) FROM depends_on_resolved)`).
		Scan(&res.Versions, &res.Edges); err != nil {
		return nil, nil, nil, err
	}
	vid, envID, err := rootIDs(ctx, conn, root)
	if err != nil {
		return nil, nil, nil, err
	}
	edges = func() (err error) {
		res.SQLRows, err = readRows(ctx, conn, persistence.ClosureEdgesSQL, vid, envID)
		return err
	}
	nodes = func() error {
		_, err := readRows(ctx, conn, persistence.ClosureSQL, vid, envID)
		return err
	}
	for _, warm := range []func() error{edges, nodes} {
		if err = warm(); err != nil {
			return nil, nil, nil, err
		}
	}
	return edges, nodes, done, nil
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
