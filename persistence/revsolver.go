package persistence

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// RevsolverResult is a reverse solver run: the versions solved before a
// new release appeared whose requirement on its package the release
// satisfies.
type RevsolverResult struct {
	// Name and Version are the new release.
	Name, Version string
	Entries       []RevsolverEntry
}

// RevsolverEntry is one DEPENDS_ON edge the new release satisfies: the
// dependent version solved in an environment, and the requirement.
type RevsolverEntry struct {
	Environment             EnvironmentKey
	Name, Version, IndexURL string
	VersionRange            string
	Marker, Extra           *string
}

// revsolverFacts are the rows a revsolver document adds.
var revsolverFacts = []string{"depends_on_resolved", "revsolver_release"}

// IngestRevsolverResult adds the new release (every version row of it the
// graph knows, on any index; one without an index when it knows none) to
// the resolved versions of each edge the document names, in one
// transaction, as thoth-storages' sync_revsolver_result did, without
// touching other edges. The rows it adds name the document, so a
// re-ingestion replaces them and deleting the document removes them; an
// edge that already resolved to the release keeps its own row. An entry
// whose solved version or edge the graph does not have is counted
// (unmatched), not an error. Counts: edges, resolved, unmatched.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the
// database is unreachable.
func (s *Store) IngestRevsolverResult(ctx context.Context, doc DocumentRef, res *RevsolverResult, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, revsolverFacts, func(tx pgx.Tx, counts Counts) error {
		name := python.NormalizeName(res.Name)
		version := strings.TrimSpace(res.Version)
		if n, ok := python.NormalizeVersion(version); ok {
			version = n
		}
		rows, err := tx.Query(ctx, `SELECT pv.id FROM package_version pv JOIN package p ON p.id = pv.package_id
			WHERE p.name = $1 AND pv.version = $2 ORDER BY pv.id`, name, version)
		if err != nil {
			return err
		}
		releases, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(releases) == 0 {
			made, err := upsertLocked(ctx, tx, []LockedEntry{{Name: name, Version: version}}, counts)
			if err != nil {
				return err
			}
			for id := range made {
				releases = append(releases, id)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO revsolver_release (document_id, package_name, version) VALUES ($1, $2, $3)`,
			doc.ID, name, version); err != nil {
			return err
		}
		n := len(res.Entries)
		names, versions, urls := make([]string, n), make([]string, n), make([]string, n)
		oss, osvs, pys, ranges := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		markers, extras := make([]*string, n), make([]*string, n)
		for i, e := range res.Entries {
			env := e.Environment.Normalized()
			v := strings.TrimSpace(e.Version)
			if nv, ok := python.NormalizeVersion(v); ok {
				v = nv
			}
			names[i], versions[i], urls[i] = python.NormalizeName(e.Name), v, python.NormalizeIndexURL(e.IndexURL)
			oss[i], osvs[i], pys[i] = env.OSName, env.OSVersion, env.PythonVersion
			ranges[i] = strings.TrimSpace(e.VersionRange)
			if ranges[i] == "" {
				ranges[i] = "*"
			}
			markers[i], extras[i] = nonEmpty(e.Marker), nonEmpty(e.Extra)
		}
		rows, err = tx.Query(ctx, `
			SELECT DISTINCT d.id
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
				AS t(name, version, url, os, osv, py, vrange, marker, extra)
			JOIN package p ON p.name = t.name
			JOIN package_version pv ON pv.package_id = p.id AND pv.version = t.version
			JOIN package_index ix ON ix.id = pv.index_id AND ix.url = t.url
			JOIN environment e ON e.os_name = t.os AND e.os_version = t.osv AND e.python_version = t.py
			JOIN depends_on d ON d.version_id = pv.id AND d.environment_id = e.id
				AND d.package_id = (SELECT id FROM package WHERE name = $10)
				AND d.version_range = t.vrange AND d.marker IS NOT DISTINCT FROM t.marker AND d.extra IS NOT DISTINCT FROM t.extra
			ORDER BY d.id`, names, versions, urls, oss, osvs, pys, ranges, markers, extras, name)
		if err != nil {
			return err
		}
		edges, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO depends_on_resolved (edge_id, version_id, document_id)
			SELECT e, v, $3 FROM unnest($1::bigint[]) AS e, unnest($2::bigint[]) AS v ORDER BY e, v
			ON CONFLICT DO NOTHING`, edges, releases, doc.ID)
		if err != nil {
			return fmt.Errorf("add the new release to %d edges: %w", len(edges), err)
		}
		counts["edges"], counts["resolved"] = int64(len(edges)), tag.RowsAffected()
		if unmatched := countUnmatched(len(res.Entries), len(edges)); unmatched > 0 {
			counts["unmatched"] = unmatched
		}
		return nil
	})
}

// countUnmatched is how many entries matched no edge (entries and edges
// are one to one unless an entry is repeated).
func countUnmatched(entries, edges int) int64 {
	if edges >= entries {
		return 0
	}
	return int64(entries - edges)
}

func nonEmpty(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	return s
}
