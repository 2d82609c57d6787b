package persistence_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// benchGraph is a random graph of ~2,500 packages (~5,500 versions) in one
// environment where the root reaches more than 5,000 versions within a few
// hops (no false markers, no extras, 2% unsolved).
func benchGraph(b *testing.B) (*persistence.Store, *persistence.Tracer, *pgx.Conn, benchRoot) {
	b.Helper()
	ctx := context.Background()
	store, tracer, dbURL := testenv.Store(b)
	g := graphgen.Generate(graphgen.Config{
		Seed: 42, Packages: 2500, VersionsPerPackage: 3, DepsPerVersion: 5,
		Indexes: []string{"https://pypi.org/simple", "https://mirror.example.com/simple"}, Environments: envs[:1],
		Unsolved: 0.02,
	})
	if err := g.Ingest(ctx, store, "solver-bench"); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var root benchRoot
	for _, v := range g.Versions {
		if g.States[0][v] == graphgen.Solved && len(g.Edges[0][v]) >= 3 {
			root.v = v
			break
		}
	}
	err = conn.QueryRow(ctx, `
		SELECT pv.id, e.id FROM package_version pv JOIN package p ON p.id = pv.package_id
		JOIN package_index ix ON ix.id = pv.index_id, environment e
		WHERE p.name = $1 AND pv.version = $2 AND ix.url = $3`, root.v.Name, root.v.Version, root.v.Index).Scan(&root.id, &root.env)
	if err != nil {
		b.Fatal(err)
	}
	return store, tracer, conn, root
}

type benchRoot struct {
	v       graphgen.Version
	id, env int64
}

const benchDepth = 50

// BenchmarkDependencyGraph times Store.DependencyGraph: one statement per
// BFS level, nodes and edges with names, solved state and extras.
func BenchmarkDependencyGraph(b *testing.B) {
	store, tracer, _, root := benchGraph(b)
	ctx := context.Background()
	q := persistence.GraphQuery{
		Root:        persistence.VersionRef{Name: root.v.Name, Version: root.v.Version, IndexURL: &root.v.Index},
		Environment: envs[0], MaxDepth: benchDepth, MarkerTrueOnly: true,
	}
	var g *persistence.Graph
	var err error
	tracer.Reset()
	for b.Loop() {
		if g, err = store.DependencyGraph(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if len(g.Nodes) < 5000 {
		b.Fatalf("root reaches %d versions, want >= 5000", len(g.Nodes))
	}
	b.ReportMetric(float64(len(g.Nodes)), "nodes")
	b.ReportMetric(float64(len(g.Edges)), "edges")
	b.ReportMetric(float64(g.DepthReached), "depth")
	b.ReportMetric(float64(tracer.Count())/float64(b.N), "statements/op")
}

// levelsSQL walks level by level in one statement, carrying the frontier and
// the visited set as arrays, so it also knows each version's depth (the
// level it first appears on).
const levelsSQL = `
WITH RECURSIVE lvl(depth, frontier, visited) AS (
	SELECT 0, ARRAY[$1::bigint], ARRAY[$1::bigint]
	UNION ALL
	SELECT l.depth + 1, n.next, l.visited || n.next
	FROM lvl l CROSS JOIN LATERAL (
		SELECT array_agg(DISTINCT r.version_id) AS next
		FROM depends_on d JOIN depends_on_resolved r ON r.edge_id = d.id
		WHERE d.environment_id = $2 AND d.version_id = ANY (l.frontier)
		  AND d.marker_evaluation_result IS NOT FALSE
		  AND r.version_id <> ALL (l.visited)) n
	WHERE n.next IS NOT NULL AND l.depth < $3)
SELECT pv.id, p.name, pv.version, ix.url, s.id IS NOT NULL AND NOT s.error AS solved, l.depth
FROM lvl l, unnest(l.frontier) AS f(id)
JOIN package_version pv ON pv.id = f.id
JOIN package p ON p.id = pv.package_id
LEFT JOIN package_index ix ON ix.id = pv.index_id
LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $2`

// BenchmarkDependencyGraphSQLClosure times persistence.ClosureSQL, read in full.
func BenchmarkDependencyGraphSQLClosure(b *testing.B) {
	benchSQL(b, persistence.ClosureSQL, false)
}

// BenchmarkDependencyGraphSQLClosureEdges times persistence.ClosureEdgesSQL,
// read in full.
func BenchmarkDependencyGraphSQLClosureEdges(b *testing.B) {
	benchSQL(b, persistence.ClosureEdgesSQL, false)
}

// BenchmarkDependencyGraphSQLLevels times levelsSQL, read in full.
func BenchmarkDependencyGraphSQLLevels(b *testing.B) {
	benchSQL(b, levelsSQL, true)
}

func benchSQL(b *testing.B, sql string, depth bool) {
	_, _, conn, root := benchGraph(b)
	ctx := context.Background()
	args := []any{root.id, root.env}
	if depth {
		args = append(args, benchDepth)
	}
	n := 0
	for b.Loop() {
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
	if n < 5000 {
		b.Fatalf("statement returned %d rows, want >= 5000", n)
	}
	b.ReportMetric(float64(n), "rows")
}
