package persistence

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// VersionRef names a package version; IndexURL nil means any index.
type VersionRef struct {
	Name     string
	Version  string
	IndexURL *string
}

// GraphQuery asks for the transitive dependency graph of Root as solved in
// Environment.
type GraphQuery struct {
	Root        VersionRef
	Environment EnvironmentKey
	// MaxDepth bounds the hops from the root (>= 0); callers cap it.
	MaxDepth int
	// Extras are the root's active extras.
	Extras []string
	// MarkerTrueOnly skips edges whose marker evaluated to false.
	MarkerTrueOnly bool
}

// Graph is the result of a walk.
type Graph struct {
	// Root is nil when the root version is unknown (the graph is then empty).
	Root *PackageVersion
	// Environment is nil when the environment is unknown (the root is then
	// the only node, unsolved).
	Environment  *Environment
	Nodes        []GraphNode // ordered by depth, then version id
	Edges        []GraphEdge // ordered by source, target, edge id
	Truncated    bool
	DepthReached int
}

// GraphNode is a version the walk reached.
type GraphNode struct {
	Version PackageVersion
	// Depth is the shortest distance from the root over followed edges.
	Depth int
	// Solved: solved in the environment without error (only solved nodes have out-edges).
	Solved bool
	// SolverError: a solver run of this version in the environment failed.
	SolverError bool
	// Extras active on the node, normalised and sorted.
	Extras []string
}

// GraphEdge is a followed DEPENDS_ON edge to one of the versions it resolves to.
type GraphEdge struct {
	From, To               int64 // version ids
	EdgeID                 int64 // the DEPENDS_ON edge
	VersionRange           string
	Marker                 *string
	Extra                  *string
	MarkerEvaluationResult *bool
}

// walkNode is what the walk knows about a version.
type walkNode struct {
	version     PackageVersion
	solved      bool
	solverError bool
	fetched     bool
	edges       []walkEdge
}

type walkEdge struct {
	GraphEdge
	extra  string   // normalised Extra ("" when none)
	extras []string // normalised extras requested of the target
}

// DependencyGraph walks the dependency graph of q.Root as solved in
// q.Environment (see DESIGN.md, "Walk semantics"): from the root, follow the
// DEPENDS_ON edges of solved nodes whose marker did not evaluate to false
// (with MarkerTrueOnly) and whose extra is null or active on the node, to
// every version each resolves to. The root's active extras are q.Extras;
// an edge's requested extras become active on its targets (pip: the union
// over the node's followed in-edges, so a node whose extras grow has the
// newly allowed edges followed). Depth is the shortest distance over
// followed edges; edges from nodes at depth MaxDepth are not followed, and
// Truncated says whether any would have been.
//
// Cost: at most MaxDepth+2 statements, whatever the node count: one root
// lookup, one per BFS level over the whole frontier (out-edges with their
// targets' names and solved state joined in), and one to decide Truncated.
// Levels fetch the out-edges of every node within MaxDepth-1 hops ignoring
// extras (a superset), so extras that grow late never need another round
// trip; the exact walk then runs in memory. The statements share one
// connection but no transaction: a walk racing an ingestion may see a
// level before and the next after it, which never breaks the walk itself.
//
// Returns INVALID for a negative MaxDepth, an empty name or version, or an
// incomplete environment; UNAVAILABLE when the database is unreachable.
func (s *Store) DependencyGraph(ctx context.Context, q GraphQuery) (*Graph, error) {
	if q.MaxDepth < 0 {
		return nil, Errorf(CodeInvalid, "maxDepth must be >= 0, got %d", q.MaxDepth)
	}
	name := NormalizeName(q.Root.Name)
	if name == "" || q.Root.Version == "" {
		return nil, Errorf(CodeInvalid, "root name and version must not be empty")
	}
	env := q.Environment.Normalized()
	if err := env.validate(); err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	defer conn.Release()
	g, err := walk(ctx, conn, name, env, q)
	return g, mapError(err)
}

func walk(ctx context.Context, conn *pgxpool.Conn, name string, env EnvironmentKey, q GraphQuery) (*Graph, error) {
	g := &Graph{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	root, envRow, err := lookupRoot(ctx, conn, name, q.Root.Version, q.Root.IndexURL, env)
	if err != nil || root == nil {
		g.Environment = envRow
		return g, err
	}
	g.Root, g.Environment = &root.version, envRow
	nodes := map[int64]*walkNode{root.version.ID: root}

	// Superset BFS: fetch the out-edges of every solved node within
	// MaxDepth-1 hops over marker-allowed edges, extras ignored.
	frontier := []int64{}
	if root.solved {
		frontier = append(frontier, root.version.ID)
	}
	for level := 0; level < q.MaxDepth && len(frontier) > 0; level++ {
		if err := fetchLevel(ctx, conn, envRow.ID, frontier, q.MarkerTrueOnly, nodes); err != nil {
			return nil, err
		}
		var next []int64
		seen := map[int64]bool{}
		for _, id := range frontier {
			for _, e := range nodes[id].edges {
				t := nodes[e.To]
				if t.solved && !t.fetched && !seen[e.To] {
					seen[e.To] = true
					next = append(next, e.To)
				}
			}
		}
		frontier = next
	}

	// The exact walk, in memory: shortest depths and growing extras, relaxed
	// to their fixpoint (depths only fall, extras only grow).
	depth := map[int64]int{root.version.ID: 0}
	extras := map[int64]map[string]bool{root.version.ID: {}}
	for _, x := range normalizeSet(q.Extras) {
		extras[root.version.ID][x] = true
	}
	allowed := func(u int64, e *walkEdge) bool { return e.extra == "" || extras[u][e.extra] }
	queue := []int64{root.version.ID}
	queued := map[int64]bool{root.version.ID: true}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		queued[u] = false
		n := nodes[u]
		if !n.fetched || depth[u] >= q.MaxDepth {
			continue
		}
		for i := range n.edges {
			e := &n.edges[i]
			if !allowed(u, e) {
				continue
			}
			changed := false
			if d, ok := depth[e.To]; !ok || depth[u]+1 < d {
				depth[e.To] = depth[u] + 1
				changed = true
			}
			ex := extras[e.To]
			if ex == nil {
				ex = map[string]bool{}
				extras[e.To] = ex
			}
			for _, x := range e.extras {
				if !ex[x] {
					ex[x] = true
					changed = true
				}
			}
			if changed && !queued[e.To] {
				queued[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}

	// Truncated: a solved node at MaxDepth with an allowed out-edge. Nodes
	// fetched already answer from memory; the others need one statement.
	var unknown []int64
	for id, d := range depth {
		n := nodes[id]
		if d != q.MaxDepth || !n.solved {
			continue
		}
		if !n.fetched {
			unknown = append(unknown, id)
			continue
		}
		for i := range n.edges {
			if allowed(id, &n.edges[i]) {
				g.Truncated = true
				break
			}
		}
	}
	if !g.Truncated && len(unknown) > 0 {
		sort.Slice(unknown, func(i, j int) bool { return unknown[i] < unknown[j] })
		more, err := hasMoreEdges(ctx, conn, envRow.ID, unknown, q.MarkerTrueOnly, func(id int64, extra string) bool {
			return extra == "" || extras[id][extra]
		})
		if err != nil {
			return nil, err
		}
		g.Truncated = more
	}

	for id, d := range depth {
		n := nodes[id]
		g.Nodes = append(g.Nodes, GraphNode{Version: n.version, Depth: d, Solved: n.solved,
			SolverError: n.solverError, Extras: sortedSet(extras[id])})
		g.DepthReached = max(g.DepthReached, d)
		if d >= q.MaxDepth || !n.fetched {
			continue
		}
		for i := range n.edges {
			if allowed(id, &n.edges[i]) {
				g.Edges = append(g.Edges, n.edges[i].GraphEdge)
			}
		}
	}
	sort.Slice(g.Nodes, func(i, j int) bool {
		a, b := g.Nodes[i], g.Nodes[j]
		if a.Depth != b.Depth {
			return a.Depth < b.Depth
		}
		return a.Version.ID < b.Version.ID
	})
	sort.Slice(g.Edges, func(i, j int) bool {
		a, b := g.Edges[i], g.Edges[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.EdgeID < b.EdgeID
	})
	return g, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lookupRoot finds the environment and the root version with its solved
// state there, in one statement. With indexURL nil, a version solved in the
// environment is preferred, then the lowest index id.
func lookupRoot(ctx context.Context, conn *pgxpool.Conn, name, version string, indexURL *string, env EnvironmentKey) (*walkNode, *Environment, error) {
	var (
		envID                      *int64
		vid, pkgID                 *int64
		pname, pversion            *string
		indexID                    *int64
		iurl                       *string
		solved, solverErr, present bool
	)
	err := conn.QueryRow(ctx, `
		SELECT e.id, r.id, r.package_id, r.name, r.version, r.index_id, r.url,
			coalesce(r.solved, false), coalesce(r.solver_error, false), r.id IS NOT NULL
		FROM (SELECT 1) AS one
		LEFT JOIN environment e ON e.os_name = $4 AND e.os_version = $5 AND e.python_version = $6
		LEFT JOIN LATERAL (
			SELECT pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url,
				s.id IS NOT NULL AND NOT s.error AS solved, coalesce(s.error, false) AS solver_error
			FROM package p
			JOIN package_version pv ON pv.package_id = p.id
			LEFT JOIN package_index ix ON ix.id = pv.index_id
			LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = e.id
			WHERE p.name = $1 AND pv.version = $2 AND ($3::text IS NULL OR ix.url = $3)
			ORDER BY (s.id IS NOT NULL AND NOT s.error) DESC, pv.index_id NULLS LAST, pv.id
			LIMIT 1) AS r ON true`,
		name, version, indexURL, env.OSName, env.OSVersion, env.PythonVersion).
		Scan(&envID, &vid, &pkgID, &pname, &pversion, &indexID, &iurl, &solved, &solverErr, &present)
	if err != nil {
		return nil, nil, err
	}
	var envRow *Environment
	if envID != nil {
		envRow = &Environment{ID: *envID, OSName: env.OSName, OSVersion: env.OSVersion, PythonVersion: env.PythonVersion}
	}
	if !present {
		return nil, envRow, nil
	}
	n := &walkNode{
		version:     PackageVersion{ID: *vid, PackageID: *pkgID, Name: *pname, Version: *pversion, IndexID: indexID, IndexURL: iurl},
		solved:      solved && envRow != nil,
		solverError: solverErr,
	}
	return n, envRow, nil
}

// fetchLevel reads the out-edges of every frontier version in the
// environment, each joined to the versions it resolves to and their solved
// state, in one statement, and records them in nodes.
func fetchLevel(ctx context.Context, conn *pgxpool.Conn, envID int64, frontier []int64, markerTrueOnly bool, nodes map[int64]*walkNode) error {
	// Describe-exec mode: an unnamed statement gets a plan for this frontier; a
	// cached generic plan made for a small frontier took twice as long on
	// large ones (docs/benchmarks.md).
	rows, err := conn.Query(ctx, `
		SELECT d.version_id, d.id, d.version_range, d.marker, d.extra, d.extras, d.marker_evaluation_result,
			pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url,
			s.id IS NOT NULL AND NOT s.error, coalesce(s.error, false)
		FROM depends_on d
		JOIN depends_on_resolved r ON r.edge_id = d.id
		JOIN package_version pv ON pv.id = r.version_id
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $1::bigint
		WHERE d.environment_id = $1::bigint AND d.version_id = ANY($2::bigint[])
		  AND (NOT $3::boolean OR d.marker_evaluation_result IS NOT FALSE)`,
		pgx.QueryExecModeDescribeExec, envID, frontier, markerTrueOnly)
	if err != nil {
		return err
	}
	for _, id := range frontier {
		nodes[id].fetched = true
	}
	var (
		e          walkEdge
		extras     []string
		t          PackageVersion
		solved, se bool
	)
	_, err = pgx.ForEachRow(rows, []any{&e.From, &e.EdgeID, &e.VersionRange, &e.Marker, &e.Extra, &extras,
		&e.MarkerEvaluationResult, &t.ID, &t.PackageID, &t.Name, &t.Version, &t.IndexID, &t.IndexURL, &solved, &se}, func() error {
		e.To = t.ID
		e.extra = ""
		if e.Extra != nil {
			e.extra = NormalizeName(*e.Extra)
		}
		e.extras = normalizeSet(extras)
		src := nodes[e.From]
		src.edges = append(src.edges, e)
		if _, ok := nodes[t.ID]; !ok {
			nodes[t.ID] = &walkNode{version: t, solved: solved, solverError: se}
		}
		// Fresh values for the next row: the structs above were copied.
		e, t = walkEdge{}, PackageVersion{}
		return nil
	})
	return err
}

// hasMoreEdges reports whether any of the versions has an out-edge in the
// environment with at least one resolved version that allowed accepts. One statement.
func hasMoreEdges(ctx context.Context, conn *pgxpool.Conn, envID int64, ids []int64, markerTrueOnly bool, allowed func(id int64, extra string) bool) (bool, error) {
	rows, err := conn.Query(ctx, `
		SELECT DISTINCT d.version_id, coalesce(d.extra, '')
		FROM depends_on d
		WHERE d.environment_id = $1::bigint AND d.version_id = ANY($2::bigint[])
		  AND (NOT $3::boolean OR d.marker_evaluation_result IS NOT FALSE)
		  AND EXISTS (SELECT 1 FROM depends_on_resolved r WHERE r.edge_id = d.id)`,
		pgx.QueryExecModeDescribeExec, envID, ids, markerTrueOnly)
	if err != nil {
		return false, err
	}
	var id int64
	var extra string
	found := false
	_, err = pgx.ForEachRow(rows, []any{&id, &extra}, func() error {
		if !found && allowed(id, NormalizeName(extra)) {
			found = true
		}
		return nil
	})
	return found, err
}
