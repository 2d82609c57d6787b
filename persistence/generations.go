package persistence

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Graph generations (migrations/0013_graph_generations.up.sql) count the
// changes to what answers read, per package and environment, so that a
// gateway's graph cache knows exactly which of its answers a transaction
// made stale, whichever gateway or command ran it. Every writer that
// changes a fact an answer reads bumps the generations of what it touched
// in its own transaction, as its last statements where it can (a bump
// holds the row locks of its generations until commit). They are:
//
//   - every document's transaction (ingestDocument), for its solved rows,
//     the edges they own, the resolved versions a revsolver document adds
//     and the vulnerability records it wrote (queueDocumentGenerations), and
//     the same for the facts a re-ingestion replaces; a solver document,
//     for the versions it marks missing (queueMissingGenerations);
//   - DeleteDocuments and PurgeEnvironment, for the facts they delete;
//   - vulnerability imports, for the packages a record names before and
//     after it is written;
//   - MarkVersion (version flags: the version's package and those whose
//     edges resolve to it), SetArtifactPresent, CreateRule, DeleteRule,
//     RegisterVersions (new versions), RegisterIndex (index flags: every
//     package).
//
// A version row a document creates changes no answer by itself: no edge
// resolves to it but those of the document, whose sources it bumps.

// GenerationKey names one generation: the facts of package PackageID in
// environment EnvironmentID. A zero is a wildcard: EnvironmentID 0, every
// environment; PackageID 0, every package.
type GenerationKey struct {
	EnvironmentID, PackageID int64
}

// GraphChange is a generation a committed transaction moved.
type GraphChange struct {
	GenerationKey
	Generation int64
}

// GraphChanges is what Store.GraphChanges read.
type GraphChanges struct {
	// Horizon is the id of the oldest transaction still running when the
	// changes were read (the snapshot's xmin): pass it to the next call.
	Horizon int64
	// Changes are the generations moved by the transactions from since on
	// that had committed by then, each key once. A change may be reported
	// again by later calls while an older transaction runs; its
	// Generation is then the same.
	Changes []GraphChange
}

// graphChangesSQL reads the snapshot's xmin and the generations moved by
// transactions from $1 on (from the xmin itself when $1 is 0), in one
// statement and so one snapshot: every transaction not committed in it has
// an id >= its xmin, so the next read from that xmin sees it once it
// commits.
const graphChangesSQL = `
SELECT h.horizon, g.environment_id, g.package_id, g.generation
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h
LEFT JOIN graph_generation g ON g.changed_xid >= (CASE WHEN $1::bigint > 0 THEN $1::bigint ELSE h.horizon END)::text::xid8`

// GraphChanges returns the generations moved since horizon since by the
// transactions that have committed, in one statement. With since 0 (a
// first read) they are those a later read may report again: the ones
// moved from the horizon it returns on. Returns UNAVAILABLE when the
// database is unreachable.
func (s *Store) GraphChanges(ctx context.Context, since int64) (GraphChanges, error) {
	var out GraphChanges
	rows, err := s.pool.Query(ctx, graphChangesSQL, since)
	if err != nil {
		return out, s.mapError(ctx, err)
	}
	var (
		env, pkg, gen *int64
	)
	_, err = pgx.ForEachRow(rows, []any{&out.Horizon, &env, &pkg, &gen}, func() error {
		if env != nil {
			out.Changes = append(out.Changes, GraphChange{GenerationKey{*env, *pkg}, *gen})
		}
		return nil
	})
	return out, s.mapError(ctx, err)
}

// Generations returns the current generation of each of keys (0 for a key
// never bumped), in one statement: for tests and operators.
func (s *Store) Generations(ctx context.Context, keys []GenerationKey) (map[GenerationKey]int64, error) {
	envs, pkgs := splitKeys(keys)
	rows, err := s.pool.Query(ctx, `
		SELECT k.e, k.p, coalesce(g.generation, 0)
		FROM unnest($1::bigint[], $2::bigint[]) AS k(e, p)
		LEFT JOIN graph_generation g ON g.environment_id = k.e AND g.package_id = k.p`, envs, pkgs)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	out := make(map[GenerationKey]int64, len(keys))
	var k GenerationKey
	var gen int64
	_, err = pgx.ForEachRow(rows, []any{&k.EnvironmentID, &k.PackageID, &gen}, func() error {
		out[k] = gen
		return nil
	})
	return out, s.mapError(ctx, err)
}

func splitKeys(keys []GenerationKey) (envs, pkgs []int64) {
	envs, pkgs = make([]int64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		envs[i], pkgs[i] = k.EnvironmentID, k.PackageID
	}
	return envs, pkgs
}

// bumpSQL bumps the generations of the (environment, package) pairs the
// query keys selects, each once, in key order: concurrent bumps take the
// row locks in the same order.
func bumpSQL(keys string) string {
	return `
		INSERT INTO graph_generation AS g (environment_id, package_id)
		SELECT DISTINCT k.e, k.p FROM (` + keys + `) AS k(e, p)
		ORDER BY 1, 2
		ON CONFLICT (environment_id, package_id) DO UPDATE
		SET generation = g.generation + 1, changed_xid = excluded.changed_xid`
}

// documentKeysSQL selects the generations the facts of the documents $1
// (text[]) reach: per solved row, its package in its environment; per
// resolved version a revsolver document added, the package of the edge's
// source in the edge's environment; per vulnerability record of the
// documents, the packages it names, everywhere. Edges belong to the solved
// rows of their own document. (The versions a solver document marks
// missing are bumped as it marks them: queueMissingGenerations.)
const documentKeysSQL = `
	SELECT s.environment_id, pv.package_id
	FROM solved s JOIN package_version pv ON pv.id = s.version_id
	WHERE s.document_id = ANY($1::text[])
	UNION ALL
	SELECT d.environment_id, src.package_id FROM depends_on_resolved r
	JOIN depends_on d ON d.id = r.edge_id
	JOIN package_version src ON src.id = d.version_id
	WHERE r.document_id = ANY($1::text[])
	UNION ALL
	SELECT 0, p.id FROM vulnerability v
	JOIN vulnerability_package vp ON vp.vulnerability_id = v.id
	JOIN package p ON p.name = vp.package_name
	WHERE v.document_id = ANY($1::text[])`

// queueDocumentGenerations queues on b the bump of the generations the
// facts of documents ids reach (documentKeysSQL), in one statement. The
// statement runs with a generic plan: PostgreSQL otherwise plans its
// branches again on every execution, which cost several times the
// execution (0.5 ms against 0.1 ms a document). The setting is the
// transaction's (LOCAL) and back to the session's right after, so nothing
// outlives it.
func queueDocumentGenerations(b *pgx.Batch, ids []string) {
	b.Queue(`SET LOCAL plan_cache_mode = force_generic_plan`)
	b.Queue(bumpSQL(documentKeysSQL), ids)
	b.Queue(`SET LOCAL plan_cache_mode TO DEFAULT`)
}

// documentGenerations reads the generations the facts of documents ids
// reach (documentKeysSQL), for a bump after they are deleted.
func documentGenerations(ctx context.Context, tx pgx.Tx, ids []string) ([]GenerationKey, error) {
	rows, err := tx.Query(ctx, documentKeysSQL, ids)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (GenerationKey, error) {
		var k GenerationKey
		err := r.Scan(&k.EnvironmentID, &k.PackageID)
		return k, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(keys, func(a, b GenerationKey) int {
		return cmp.Or(cmp.Compare(a.EnvironmentID, b.EnvironmentID), cmp.Compare(a.PackageID, b.PackageID))
	})
	return slices.Compact(keys), nil
}

// bumpGenerations bumps the generations of keys, in one statement.
func bumpGenerations(ctx context.Context, tx pgx.Tx, keys []GenerationKey) error {
	if len(keys) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	queueGenerations(b, keys)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("bump graph generations: %w", err)
	}
	return nil
}

// queueGenerations is bumpGenerations queued on b (keys may be empty:
// nothing is queued).
func queueGenerations(b *pgx.Batch, keys []GenerationKey) {
	if len(keys) == 0 {
		return
	}
	envs, pkgs := splitKeys(keys)
	b.Queue(bumpSQL(`SELECT * FROM unnest($1::bigint[], $2::bigint[])`), envs, pkgs)
}

// bumpPackageNames bumps the generations of the packages named names in
// every environment, in one statement; names the graph does not know are
// skipped.
func bumpPackageNames(ctx context.Context, tx pgx.Tx, names []string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, bumpSQL(`SELECT 0::bigint, id FROM package WHERE name = ANY($1::text[])`), names)
	if err != nil {
		return fmt.Errorf("bump graph generations: %w", err)
	}
	return nil
}

// vulnerabilityKeysSQL selects the packages record $1 names now and those
// the $2 (text[]) it is about to name, everywhere.
const vulnerabilityKeysSQL = `
	SELECT 0::bigint, p.id FROM package p
	WHERE p.name = ANY($2::text[])
	   OR p.name IN (SELECT package_name FROM vulnerability_package WHERE vulnerability_id = $1)`

// queueVulnerabilityGenerations queues on b, before the record's packages
// are replaced, the bump of the packages vulnerability record id names and
// of names, those it will name.
func queueVulnerabilityGenerations(b *pgx.Batch, id int64, names []string) {
	b.Queue(bumpSQL(vulnerabilityKeysSQL), id, names)
}

// versionKeysSQL selects, everywhere, the packages of versions $1
// (bigint[]) that $3 does not exclude and, with $2, the packages whose
// edges resolve to one of them: a flag that takes a version out of walks,
// or puts it back, changes those walks (their nodes or their truncated).
const versionKeysSQL = `
	WITH v AS (SELECT id, package_id FROM package_version WHERE id = ANY($1::bigint[]) AND NOT (is_missing AND $3))
	SELECT 0::bigint, package_id FROM v
	UNION ALL
	SELECT 0, src.package_id FROM v
	JOIN depends_on_resolved r ON r.version_id = v.id
	JOIN depends_on d ON d.id = r.edge_id
	JOIN package_version src ON src.id = d.version_id
	WHERE $2`

// bumpVersionGenerations bumps, everywhere, the generations of the packages
// of versions ids and, with dependents, those of the packages whose edges
// resolve to one of them (versionKeysSQL), in one statement.
func bumpVersionGenerations(ctx context.Context, tx pgx.Tx, ids []int64, dependents bool) error {
	_, err := tx.Exec(ctx, bumpSQL(versionKeysSQL), ids, dependents, false)
	if err != nil {
		return fmt.Errorf("bump graph generations: %w", err)
	}
	return nil
}

// queueMissingGenerations queues on b, before versions ids are marked
// missing, the bump of those not missing yet and of their dependents.
func queueMissingGenerations(b *pgx.Batch, ids []int64) {
	b.Queue(bumpSQL(versionKeysSQL), ids, true, true)
}

// everything is the generation of every package in every environment.
var everything = []GenerationKey{{0, 0}}

// ReadFromPrimary returns ctx whose reads go to the primary even where
// ReadFromStandby allowed the standby: the graph cache reads the
// generations on the primary, and an answer it keeps must be read no
// earlier than they were.
func ReadFromPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, readKey{}, nil)
}
