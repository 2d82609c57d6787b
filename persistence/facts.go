package persistence

import (
	"context"
	"slices"

	"github.com/seshat-graph/seshat/python"
)

// SolvedOfVersions returns, per version, its solved records (one per
// environment, the newest run's), errors included, ordered by environment
// id. One statement.
func (s *Store) SolvedOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]Solved, error) {
	rows, err := collect[Solved](ctx, s, `
		SELECT s.id, s.version_id, s.environment_id, sv.name AS solver_name, sv.version AS solver_version,
			s.document_id, s.solved_at, s.duration, s.error, s.error_unparseable, s.error_unsolvable,
			s.error_details::text AS error_details, s.platform
		FROM solved s JOIN solver sv ON sv.id = s.solver_id
		WHERE s.version_id = ANY($1)
		ORDER BY s.version_id, s.environment_id`, versionIDs)
	if err != nil {
		return nil, err
	}
	return groupBy(rows, func(r *Solved) int64 { return r.VersionID }), nil
}

// DependencyKey names the DEPENDS_ON edges of one version as solved in one
// environment, given by its key so the environment lookup joins into the
// edge query.
type DependencyKey struct {
	VersionID   int64
	Environment EnvironmentKey
}

const dependencyColumns = `d.id, d.version_id, d.environment_id, d.package_id, p.name AS package_name,
	d.version_range, d.marker, d.extra, d.extras, d.marker_evaluation_result, d.document_id`

// dependencyDest names d's fields in the order of dependencyColumns, for
// collectScan (TestScanDestinations keeps the two in step).
func dependencyDest(d *Dependency) []any {
	return []any{&d.ID, &d.VersionID, &d.EnvironmentID, &d.PackageID, &d.PackageName,
		&d.VersionRange, &d.Marker, &d.Extra, &d.Extras, &d.MarkerEvaluationResult, &d.DocumentID}
}

// Dependencies returns, per key, every DEPENDS_ON edge of the version as
// solved in the environment (the environment matched on its normalised
// columns in the same statement), ordered by dependency name and edge id.
// Keys whose version is not solved there, or whose environment is unknown,
// are absent. One statement; filter with FilterDependencies.
func (s *Store) Dependencies(ctx context.Context, keys []DependencyKey) (map[DependencyKey][]Dependency, error) {
	envs := make([]EnvironmentKey, len(keys))
	vids := make([]int64, len(keys))
	for i, k := range keys {
		envs[i], vids[i] = k.Environment, k.VersionID
	}
	os, osv, py := envColumns(envs)
	type row struct {
		Key int `db:"k"`
		Dependency
	}
	dest := func(r *row) []any { return append([]any{&r.Key}, dependencyDest(&r.Dependency)...) }
	rows, err := collectScan(ctx, s, dest, `
		SELECT k.ord::int AS k, `+dependencyColumns+`
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(v, os, osv, py, ord)
		JOIN environment e ON e.os_name = k.os AND e.os_version = k.osv AND e.python_version = k.py
		JOIN depends_on d ON d.environment_id = e.id AND d.version_id = k.v
		JOIN package p ON p.id = d.package_id
		ORDER BY k.ord, p.name, d.id`, vids, os, osv, py)
	if err != nil {
		return nil, err
	}
	byOrd := groupSorted(rows, func(r *row) int { return r.Key }, func(r *row) Dependency { return r.Dependency })
	out := make(map[DependencyKey][]Dependency, len(byOrd))
	for ord, deps := range byOrd {
		out[keys[ord-1]] = deps
	}
	return out, nil
}

// FilterDependencies keeps the edges a walk with these settings follows:
// with markerTrueOnly, those whose marker did not evaluate to false; with
// extras not nil, those whose extra is null or one of extras (compared PEP
// 685 normalised). extras nil keeps every extra's edges.
func FilterDependencies(deps []Dependency, extras []string, markerTrueOnly bool) []Dependency {
	var active map[string]bool
	if extras != nil {
		active = make(map[string]bool, len(extras))
		for _, e := range extras {
			active[python.NormalizeName(e)] = true
		}
	}
	keep := func(d *Dependency) bool {
		if markerTrueOnly && d.MarkerEvaluationResult != nil && !*d.MarkerEvaluationResult {
			return false
		}
		return active == nil || d.Extra == nil || active[python.NormalizeName(*d.Extra)]
	}
	// Most lists keep every edge: those are returned as they are (clipped,
	// so that appending to the result copies), not copied.
	n := 0
	for n < len(deps) && keep(&deps[n]) {
		n++
	}
	if n == len(deps) {
		if deps == nil {
			return []Dependency{}
		}
		return slices.Clip(deps)
	}
	out := make([]Dependency, n, len(deps))
	copy(out, deps[:n])
	for i := n + 1; i < len(deps); i++ {
		if keep(&deps[i]) {
			out = append(out, deps[i])
		}
	}
	return slices.Clip(out)
}

// ResolvedVersions returns, per DEPENDS_ON edge id, the versions it resolves
// to, ordered by id. One statement.
func (s *Store) ResolvedVersions(ctx context.Context, edgeIDs []int64) (map[int64][]PackageVersion, error) {
	type row struct {
		EdgeID int64 `db:"edge_id"`
		PackageVersion
	}
	dest := func(r *row) []any { return append([]any{&r.EdgeID}, versionDest(&r.PackageVersion)...) }
	rows, err := collectScan(ctx, s, dest, `
		SELECT r.edge_id, `+versionColumns+`
		FROM depends_on_resolved r
		JOIN package_version pv ON pv.id = r.version_id
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		WHERE r.edge_id = ANY($1)
		ORDER BY r.edge_id, pv.id`, edgeIDs)
	if err != nil {
		return nil, err
	}
	return groupSorted(rows, func(r *row) int64 { return r.EdgeID }, func(r *row) PackageVersion { return r.PackageVersion }), nil
}

// MetadataOfVersions returns the core metadata recorded for each version;
// versions without any are absent. One statement.
func (s *Store) MetadataOfVersions(ctx context.Context, versionIDs []int64) (map[int64]PackageMetadata, error) {
	rows, err := collect[PackageMetadata](ctx, s, `
		SELECT m.version_id, m.summary, m.license, m.requires_python, m.classifiers,
			m.author, m.author_email, m.home_page, m.requires_dist, m.provides_extra, m.platforms, m.project_urls,
			m.license_id IS NOT NULL AS has_license, l.name AS license_name, l.identifier AS license_identifier,
			l.version AS license_version, m.license_warning
		FROM package_metadata m LEFT JOIN package_license l ON l.id = m.license_id
		WHERE m.version_id = ANY($1)`, versionIDs)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(m *PackageMetadata) int64 { return m.VersionID }), nil
}
