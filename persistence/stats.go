package persistence

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Stats are the knowledge graph's figures, as Thoth's metrics-exporter
// published them.
type Stats struct {
	Packages, Versions int64
	// Environments are per environment: versions solved, solved with an
	// error, and unsolved (the solvers' backlog: versions on enabled
	// indexes, not missing, not ruled out, without a solved record).
	Environments []EnvironmentStats
	// Documents counts document rows by kind and status.
	Documents []DocumentStats
	// Vulnerabilities counts the OSV records; VulnerabilitiesUpdatedAt is
	// when the data last changed (nil without records).
	Vulnerabilities          int64
	VulnerabilitiesUpdatedAt *time.Time
	// LastSolverRun is the newest solved record's time (nil without any).
	LastSolverRun *time.Time
	SchemaVersion uint
	DatabaseBytes int64
	// Took is how long computing them took.
	Took time.Duration
}

// EnvironmentStats are one environment's solver figures.
type EnvironmentStats struct {
	Environment              EnvironmentKey
	Solved, Errors, Unsolved int64
}

// DocumentStats counts the documents of one kind and status.
type DocumentStats struct {
	Kind   string
	Status DocumentStatus
	Count  int64
}

// Stats computes the figures in one round trip of a few statements. It
// counts rows, so callers that answer often (a metrics scrape) keep the
// result for a while instead of calling it per request.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	start := time.Now()
	var st Stats
	b := &pgx.Batch{}
	b.Queue(`SELECT (SELECT count(*) FROM package), (SELECT count(*) FROM package_version),
			(SELECT count(*) FROM vulnerability), (SELECT max(GREATEST(updated_at, modified)) FROM vulnerability),
			(SELECT max(solved_at) FROM solved), pg_database_size(current_database())`).
		QueryRow(func(r pgx.Row) error {
			return r.Scan(&st.Packages, &st.Versions, &st.Vulnerabilities, &st.VulnerabilitiesUpdatedAt, &st.LastSolverRun, &st.DatabaseBytes)
		})
	b.Queue(`
		WITH backlog AS (
			SELECT count(*) AS n FROM package_version pv
			JOIN package_index ix ON ix.id = pv.index_id AND ix.enabled
			WHERE NOT pv.is_missing AND NOT EXISTS (SELECT 1 FROM rule_match rm WHERE rm.version_id = pv.id))
		SELECT e.os_name, e.os_version, e.python_version,
			count(s.id) FILTER (WHERE NOT s.error), count(s.id) FILTER (WHERE s.error),
			(SELECT n FROM backlog) - (
				SELECT count(*) FROM solved s2 JOIN package_version pv ON pv.id = s2.version_id
				JOIN package_index ix ON ix.id = pv.index_id AND ix.enabled
				WHERE s2.environment_id = e.id AND NOT pv.is_missing
				AND NOT EXISTS (SELECT 1 FROM rule_match rm WHERE rm.version_id = pv.id))
		FROM environment e LEFT JOIN solved s ON s.environment_id = e.id
		GROUP BY e.id ORDER BY e.os_name, e.os_version, e.python_version`).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var es EnvironmentStats
				if err := rows.Scan(&es.Environment.OSName, &es.Environment.OSVersion, &es.Environment.PythonVersion,
					&es.Solved, &es.Errors, &es.Unsolved); err != nil {
					return err
				}
				st.Environments = append(st.Environments, es)
			}
			return rows.Err()
		})
	b.Queue(`SELECT kind, status, count(*) FROM document GROUP BY kind, status ORDER BY kind, status`).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var ds DocumentStats
				if err := rows.Scan(&ds.Kind, &ds.Status, &ds.Count); err != nil {
					return err
				}
				st.Documents = append(st.Documents, ds)
			}
			return rows.Err()
		})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return Stats{}, s.mapError(ctx, err)
	}
	v, _, err := s.SchemaVersion(ctx)
	if err != nil {
		return Stats{}, err
	}
	st.SchemaVersion, st.Took = v, time.Since(start)
	return st, nil
}
