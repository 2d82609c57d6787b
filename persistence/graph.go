package persistence

import (
	"cmp"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshat-graph/seshat/python"
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
	// IncludeMissing follows edges to versions their index no longer
	// serves (PackageVersion.IsMissing), which a walk otherwise leaves out.
	IncludeMissing bool
}

// Graph is the result of a walk.
type Graph struct {
	// Root is nil when the root version is unknown (the graph is then empty).
	Root *PackageVersion
	// Environment is nil when the environment is unknown (the root, when
	// known, is then the only node, unsolved, and there are no edges).
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
	fetched     bool // its out-edges were read
	queued      bool // on the next frontier, or in the exact walk's queue
	depth       int  // shortest distance from the root; -1 until reached
	extras      []string
	edges       []*walkEdge
}

// walkEdge is one DEPENDS_ON edge and the versions it resolves to.
type walkEdge struct {
	GraphEdge          // To unset
	extra     string   // normalised Extra ("" when none)
	extras    []string // normalised extras requested of the targets
	to        []int64
}

// addExtras merges the sorted set add into the node's extras and reports
// whether any was new.
func (n *walkNode) addExtras(add []string) bool {
	grew := false
	for _, x := range add {
		if i, found := slices.BinarySearch(n.extras, x); !found {
			n.extras = slices.Insert(n.extras, i, x)
			grew = true
		}
	}
	return grew
}

// allows reports whether the edge applies given the node's active extras.
func (n *walkNode) allows(e *walkEdge) bool {
	if e.extra == "" {
		return true
	}
	_, found := slices.BinarySearch(n.extras, e.extra)
	return found
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
// lookup, one per BFS level over the whole frontier, and one that reads the
// reached versions' names, indexes and solved state and decides Truncated.
// A level returns one narrow row per DEPENDS_ON edge with the versions it
// resolves to as an array; a version's details cross the wire once per
// walk, not once per in-edge (docs/benchmarks.md has the figures). Levels
// fetch the out-edges of every node within MaxDepth-1 hops ignoring extras
// (a superset), so extras that grow late never need another round trip;
// the exact walk then runs in memory. The statements share one connection
// but no transaction: a walk racing an ingestion may see a level before and
// the next after it, which never breaks the walk itself.
//
// An unknown root version is an empty graph (Root nil), not an error; in an
// environment the graph does not know, a known root is the only node,
// unsolved, and the walk costs the root lookup alone.
//
// Returns INVALID for a negative MaxDepth, an empty name or version, or an
// incomplete environment; UNAVAILABLE when the database is unreachable.
func (s *Store) DependencyGraph(ctx context.Context, q GraphQuery) (*Graph, error) {
	if q.MaxDepth < 0 {
		return nil, Errorf(CodeInvalid, "maxDepth must be >= 0, got %d", q.MaxDepth)
	}
	name := python.NormalizeName(q.Root.Name)
	q.Root.Version, q.Root.IndexURL = NormalVersion(q.Root.Version), NormalIndexURL(q.Root.IndexURL)
	if name == "" || q.Root.Version == "" {
		return nil, Errorf(CodeInvalid, "root name and version must not be empty")
	}
	env := q.Environment.Normalized()
	if err := ValidateEnvironment(env); err != nil {
		return nil, err
	}
	conn, err := s.reader(ctx).Acquire(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	defer conn.Release()
	g, err := walk(ctx, conn, name, env, q)
	return g, mapError(err)
}

func walk(ctx context.Context, conn *pgxpool.Conn, name string, env EnvironmentKey, q GraphQuery) (*Graph, error) {
	g := &Graph{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	root, envRow, missing, err := lookupRoot(ctx, conn, name, q.Root.Version, q.Root.IndexURL, env, q.IncludeMissing)
	if err != nil || root == nil {
		g.Environment = envRow
		return g, err
	}
	g.Root, g.Environment = &root.version, envRow
	root.depth = 0
	if envRow == nil {
		// An environment the graph does not know has nothing solved in it:
		// the root is the only node, unsolved, with no out-edges.
		root.addExtras(normalizeSet(q.Extras))
		g.Nodes = []GraphNode{{Version: root.version, Extras: root.extras}}
		if root.extras == nil {
			g.Nodes[0].Extras = []string{}
		}
		return g, nil
	}
	nodes := map[int64]*walkNode{root.version.ID: root}

	// Superset BFS: fetch the out-edges of every version within MaxDepth-1
	// hops over marker-allowed edges, extras ignored. Only versions solved
	// without error have out-edges (the level statement checks), so targets
	// go to the next frontier unread.
	frontier := []int64{}
	if root.solved {
		frontier = append(frontier, root.version.ID)
	}
	for level := 0; level < q.MaxDepth && len(frontier) > 0; level++ {
		if err := fetchLevel(ctx, conn, envRow.ID, frontier, q.MarkerTrueOnly, missing, nodes); err != nil {
			return nil, err
		}
		var next []int64
		for _, id := range frontier {
			for _, e := range nodes[id].edges {
				for _, to := range e.to {
					t := nodes[to]
					if t == nil {
						t = &walkNode{version: PackageVersion{ID: to}, depth: -1}
						nodes[to] = t
					}
					if !t.fetched && !t.queued {
						t.queued = true
						next = append(next, to)
					}
				}
			}
		}
		frontier = next
	}

	// The exact walk, in memory: shortest depths and growing extras, relaxed
	// to their fixpoint (depths only fall, extras only grow).
	root.addExtras(normalizeSet(q.Extras))
	for _, n := range nodes {
		n.queued = false
	}
	queue := []*walkNode{root}
	root.queued = true
	reached := []*walkNode{root}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		u.queued = false
		if !u.fetched || u.depth >= q.MaxDepth {
			continue
		}
		for _, e := range u.edges {
			if !u.allows(e) {
				continue
			}
			for _, to := range e.to {
				t := nodes[to]
				changed := false
				if t.depth < 0 {
					reached = append(reached, t)
				}
				if t.depth < 0 || u.depth+1 < t.depth {
					t.depth = u.depth + 1
					changed = true
				}
				if t.addExtras(e.extras) {
					changed = true
				}
				if changed && !t.queued {
					t.queued = true
					queue = append(queue, t)
				}
			}
		}
	}
	slices.SortFunc(reached, func(a, b *walkNode) int {
		return cmp.Or(cmp.Compare(a.depth, b.depth), cmp.Compare(a.version.ID, b.version.ID))
	})

	// Truncated: a node at MaxDepth with an allowed out-edge. Nodes fetched
	// already answer from memory; the others are asked by the closing
	// statement, which also reads every reached version's details.
	var ids, unknown []int64
	for _, n := range reached {
		if n != root {
			ids = append(ids, n.version.ID)
		}
		if n.depth != q.MaxDepth || g.Truncated {
			continue
		}
		if !n.fetched {
			unknown = append(unknown, n.version.ID)
			continue
		}
		for _, e := range n.edges {
			if n.allows(e) {
				g.Truncated = true
				break
			}
		}
	}
	if g.Truncated {
		unknown = nil
	}
	more, err := fetchNodes(ctx, conn, envRow.ID, ids, unknown, q.MarkerTrueOnly, missing, nodes)
	if err != nil {
		return nil, err
	}
	g.Truncated = g.Truncated || more

	g.Nodes = make([]GraphNode, len(reached))
	edges := 0
	for i, n := range reached {
		g.Nodes[i] = GraphNode{Version: n.version, Depth: n.depth, Solved: n.solved,
			SolverError: n.solverError, Extras: n.extras}
		if n.extras == nil {
			g.Nodes[i].Extras = []string{}
		}
		g.DepthReached = max(g.DepthReached, n.depth)
		if n.depth < q.MaxDepth {
			for _, e := range n.edges {
				if n.allows(e) {
					edges += len(e.to)
				}
			}
		}
	}
	// Edges ordered by source, target, edge id: sources in id order, then
	// each source's edges sorted on their own.
	bySource := slices.Clone(reached)
	slices.SortFunc(bySource, func(a, b *walkNode) int { return cmp.Compare(a.version.ID, b.version.ID) })
	g.Edges = make([]GraphEdge, 0, edges)
	for _, n := range bySource {
		if n.depth >= q.MaxDepth {
			continue
		}
		start := len(g.Edges)
		for _, e := range n.edges {
			if !n.allows(e) {
				continue
			}
			for _, to := range e.to {
				ge := e.GraphEdge
				ge.To = to
				g.Edges = append(g.Edges, ge)
			}
		}
		slices.SortFunc(g.Edges[start:], func(a, b GraphEdge) int {
			return cmp.Or(cmp.Compare(a.To, b.To), cmp.Compare(a.EdgeID, b.EdgeID))
		})
	}
	return g, nil
}

// lookupRoot finds the environment and the root version with its solved
// state there, in one statement. With indexURL nil, a version solved in the
// environment is preferred, then one its index serves, then the lowest index
// id. Unless includeMissing, the same statement reads the ids of every
// version whose index no longer serves it (from the partial index
// package_version_missing_idx: they are few), which the walk leaves out of
// what edges resolve to; the level statements stay as they are.
func lookupRoot(ctx context.Context, conn *pgxpool.Conn, name, version string, indexURL *string, env EnvironmentKey,
	includeMissing bool) (*walkNode, *Environment, map[int64]bool, error) {
	var (
		envID                      *int64
		vid, pkgID                 *int64
		pname, pversion            *string
		indexID                    *int64
		iurl                       *string
		solved, solverErr, present bool
		missing, sdist             *bool
		missingIDs                 []int64
	)
	err := conn.QueryRow(ctx, `
		SELECT e.id, r.id, r.package_id, r.name, r.version, r.index_id, r.url,
			coalesce(r.solved, false), coalesce(r.solver_error, false), r.id IS NOT NULL,
			r.is_missing, r.provides_source_distro,
			CASE WHEN $7 THEN '{}'::bigint[] ELSE ARRAY(SELECT id FROM package_version WHERE is_missing) END
		FROM (SELECT 1) AS one
		LEFT JOIN environment e ON e.os_name = $4 AND e.os_version = $5 AND e.python_version = $6
		LEFT JOIN LATERAL (
			SELECT pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url, pv.is_missing, pv.provides_source_distro,
				s.id IS NOT NULL AND NOT s.error AS solved, coalesce(s.error, false) AS solver_error
			FROM package p
			JOIN package_version pv ON pv.package_id = p.id
			LEFT JOIN package_index ix ON ix.id = pv.index_id
			LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = e.id
			WHERE p.name = $1 AND pv.version = $2 AND ($3::text IS NULL OR ix.url = $3)
			ORDER BY (s.id IS NOT NULL AND NOT s.error) DESC, pv.is_missing, pv.index_id NULLS LAST, pv.id
			LIMIT 1) AS r ON true`,
		name, version, indexURL, env.OSName, env.OSVersion, env.PythonVersion, includeMissing).
		Scan(&envID, &vid, &pkgID, &pname, &pversion, &indexID, &iurl, &solved, &solverErr, &present, &missing, &sdist, &missingIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	var gone map[int64]bool
	if len(missingIDs) > 0 {
		gone = make(map[int64]bool, len(missingIDs))
		for _, id := range missingIDs {
			gone[id] = true
		}
	}
	var envRow *Environment
	if envID != nil {
		envRow = &Environment{ID: *envID, Environment: env}
	}
	if !present {
		return nil, envRow, gone, nil
	}
	n := &walkNode{
		version: PackageVersion{ID: *vid, PackageID: *pkgID, Name: *pname, Version: *pversion, IndexID: indexID, IndexURL: iurl,
			IsMissing: *missing, ProvidesSourceDistro: *sdist},
		solved:      solved && envRow != nil,
		solverError: solverErr,
	}
	return n, envRow, gone, nil
}

// levelSQL reads one BFS level: the out-edges in environment $1 of the
// frontier versions $2 that are solved there without error, one narrow row
// per DEPENDS_ON edge with the versions it resolves to as an array. Edges
// that resolve to nothing are left out; with $3, so are edges whose marker
// evaluated to false.
const levelSQL = `
SELECT d.version_id, d.id, d.version_range, d.marker, d.extra, d.extras, d.marker_evaluation_result,
	ARRAY(SELECT r.version_id FROM depends_on_resolved r WHERE r.edge_id = d.id ORDER BY r.version_id)
FROM unnest($2::bigint[]) AS f(id)
JOIN depends_on d ON d.environment_id = $1::bigint AND d.version_id = f.id
JOIN solved s ON s.id = d.solved_id AND NOT s.error
WHERE (NOT $3::boolean OR d.marker_evaluation_result IS NOT FALSE)`

// fetchLevel reads the out-edges of every frontier version (levelSQL) in
// one statement and records them in nodes, without the targets in missing
// (an edge left with none is left out, as one that resolves to nothing).
func fetchLevel(ctx context.Context, conn *pgxpool.Conn, envID int64, frontier []int64, markerTrueOnly bool, missing map[int64]bool, nodes map[int64]*walkNode) error {
	// Describe-exec mode: an unnamed statement gets a plan for this frontier; a
	// cached generic plan made for a small frontier took twice as long on
	// large ones (docs/benchmarks.md).
	rows, err := conn.Query(ctx, levelSQL, pgx.QueryExecModeCacheDescribe, envID, frontier, markerTrueOnly)
	if err != nil {
		return err
	}
	for _, id := range frontier {
		nodes[id].fetched = true
	}
	var (
		e      GraphEdge
		extras []string
		tos    []int64
	)
	_, err = pgx.ForEachRow(rows, []any{&e.From, &e.EdgeID, &e.VersionRange, &e.Marker, &e.Extra, &extras,
		&e.MarkerEvaluationResult, &tos}, func() error {
		if len(missing) > 0 {
			tos = slices.DeleteFunc(tos, func(id int64) bool { return missing[id] })
		}
		if len(tos) == 0 {
			return nil
		}
		w := &walkEdge{GraphEdge: e, to: tos}
		if e.Extra != nil {
			w.extra = python.NormalizeName(*e.Extra)
		}
		if len(extras) > 0 {
			w.extras = normalizeSet(extras)
		}
		src := nodes[e.From]
		src.edges = append(src.edges, w)
		// Fresh values for the next row: the edge keeps these.
		e, tos = GraphEdge{}, nil
		return nil
	})
	return err
}

// nodesSQL reads the versions $2 with their index and solved state in
// environment $1 (kind 'v'), and for the versions $3 at the depth bound the
// distinct extras of their out-edges that resolve to something not in $5,
// the missing versions the walk leaves out (kind 'e', with $4: only edges
// whose marker did not evaluate to false), for Truncated.
const nodesSQL = `
SELECT 'v', pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url,
	s.id IS NOT NULL AND NOT s.error, coalesce(s.error, false), NULL, pv.is_missing, pv.provides_source_distro
FROM unnest($2::bigint[]) AS t(id)
JOIN package_version pv ON pv.id = t.id
JOIN package p ON p.id = pv.package_id
LEFT JOIN package_index ix ON ix.id = pv.index_id
LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $1::bigint
UNION ALL
SELECT DISTINCT 'e', d.version_id, NULL::bigint, NULL::text, NULL::text, NULL::bigint, NULL::text,
	NULL::boolean, NULL::boolean, coalesce(d.extra, ''), NULL::boolean, NULL::boolean
FROM unnest($3::bigint[]) AS u(id)
JOIN depends_on d ON d.environment_id = $1::bigint AND d.version_id = u.id
JOIN solved s ON s.id = d.solved_id AND NOT s.error
WHERE (NOT $4::boolean OR d.marker_evaluation_result IS NOT FALSE)
  AND EXISTS (SELECT 1 FROM depends_on_resolved r WHERE r.edge_id = d.id AND NOT r.version_id = ANY($5::bigint[]))`

// fetchNodes fills in the details of the reached versions and reports
// whether any of the unknown versions has an out-edge its extras allow.
// One statement.
func fetchNodes(ctx context.Context, conn *pgxpool.Conn, envID int64, reached, unknown []int64, markerTrueOnly bool,
	leftOut map[int64]bool, nodes map[int64]*walkNode) (bool, error) {
	if len(reached) == 0 && len(unknown) == 0 {
		return false, nil
	}
	gone := make([]int64, 0, len(leftOut))
	if len(unknown) > 0 {
		for id := range leftOut {
			gone = append(gone, id)
		}
	}
	rows, err := conn.Query(ctx, nodesSQL, pgx.QueryExecModeCacheDescribe, envID, reached, unknown, markerTrueOnly, gone)
	if err != nil {
		return false, err
	}
	var (
		kind            string
		id              int64
		pkgID, indexID  *int64
		name, version   *string
		indexURL        *string
		solved, solvErr *bool
		extra           *string
		missing, sdist  *bool
		more            bool
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &id, &pkgID, &name, &version, &indexID, &indexURL, &solved, &solvErr, &extra,
		&missing, &sdist}, func() error {
		if kind == "e" {
			x := python.NormalizeName(*extra)
			more = more || nodes[id].allows(&walkEdge{extra: x})
			return nil
		}
		n := nodes[id]
		n.version = PackageVersion{ID: id, PackageID: *pkgID, Name: *name, Version: *version, IndexID: indexID, IndexURL: indexURL,
			IsMissing: *missing, ProvidesSourceDistro: *sdist}
		n.solved, n.solverError = *solved, *solvErr
		// Fresh pointers for the next row: the node keeps these.
		indexID, indexURL = nil, nil
		return nil
	})
	return more, err
}

// ClosureSQL is a statement the store never runs: the one the benchmarks
// (BenchmarkDependencyGraphSQLClosure and package bench) compare
// DependencyGraph against. It is the closure of version $1 in environment
// $2 as one recursive statement: UNION (not UNION ALL) discards rows already
// in the result, a visited set on the version id. It returns the reached
// versions (id, name, version, index url, solved) but no depths and no edges.
const ClosureSQL = closureReach + `
SELECT pv.id, p.name, pv.version, ix.url, s.id IS NOT NULL AND NOT s.error AS solved
FROM reach
JOIN package_version pv ON pv.id = reach.id
JOIN package p ON p.id = pv.package_id
LEFT JOIN package_index ix ON ix.id = pv.index_id
LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $2`

// ClosureEdgesSQL is ClosureSQL that also returns the edges between the
// reached versions, as a second kind of row (to_id, version_range, marker,
// extra): the nodes and edges a walk returns, without depths or extras. It
// is the physical limit the benchmarks compare the walk with.
const ClosureEdgesSQL = closureReach + `
SELECT pv.id, p.name, pv.version, ix.url, s.id IS NOT NULL AND NOT s.error AS solved,
	NULL::bigint AS to_id, NULL AS version_range, NULL AS marker, NULL AS extra
FROM reach
JOIN package_version pv ON pv.id = reach.id
JOIN package p ON p.id = pv.package_id
LEFT JOIN package_index ix ON ix.id = pv.index_id
LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $2
UNION ALL
SELECT d.version_id, NULL, NULL, NULL, NULL, r.version_id, d.version_range, d.marker, d.extra
FROM reach
JOIN depends_on d ON d.environment_id = $2 AND d.version_id = reach.id
                 AND d.marker_evaluation_result IS NOT FALSE
JOIN depends_on_resolved r ON r.edge_id = d.id`

// ClosureEdgesVulnerabilitiesSQL is ClosureEdgesSQL with a third kind of
// row: each reached version a record affects (version id, the record's OSV
// id, its fixed_in), withdrawn records left out. It is the single
// statement the benchmarks compare the vulnerability overlay with.
const ClosureEdgesVulnerabilitiesSQL = ClosureEdgesSQL + `
UNION ALL
SELECT a.version_id, v.external_id, NULL, NULL, NULL, NULL, a.fixed_in, NULL, NULL
FROM reach
JOIN vulnerability_affects a ON a.version_id = reach.id
JOIN vulnerability v ON v.id = a.vulnerability_id AND v.withdrawn IS NULL`

// closureReach is the recursive part of ClosureSQL and ClosureEdgesSQL.
const closureReach = `
WITH RECURSIVE reach(id) AS (
	SELECT $1::bigint
	UNION
	SELECT r.version_id
	FROM reach
	JOIN depends_on d ON d.environment_id = $2 AND d.version_id = reach.id
	                 AND d.marker_evaluation_result IS NOT FALSE
	JOIN depends_on_resolved r ON r.edge_id = d.id)`
