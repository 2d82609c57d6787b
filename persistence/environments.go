package persistence

import "context"

// ValidateEnvironment returns nil when e, normalised, is complete, and
// INVALID otherwise (python.Environment.Validate, kept as the cause).
func ValidateEnvironment(e EnvironmentKey) error {
	if err := e.Validate(); err != nil {
		return Wrap(CodeInvalid, err, "environment needs osName, osVersion and pythonVersion")
	}
	return nil
}

const environmentSelect = `SELECT id, os_name, os_version, python_version FROM environment`

// Environments returns every environment ordered by OS name, OS version and
// Python version. Returns UNAVAILABLE when the database is unreachable.
func (s *Store) Environments(ctx context.Context) ([]Environment, error) {
	return collect[Environment](ctx, s, environmentSelect+` ORDER BY os_name, os_version, python_version`)
}

// EnvironmentsByID returns the environments with the given ids; unknown ids are absent.
func (s *Store) EnvironmentsByID(ctx context.Context, ids []int64) (map[int64]Environment, error) {
	rows, err := collect[Environment](ctx, s, environmentSelect+` WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(e *Environment) int64 { return e.ID }), nil
}

// EnvironmentsByKey returns the environments with the given keys (compared
// after normalisation, and returned under the keys as given); unknown keys
// are absent. One statement.
func (s *Store) EnvironmentsByKey(ctx context.Context, keys []EnvironmentKey) (map[EnvironmentKey]Environment, error) {
	os, osv, py := envColumns(keys)
	rows, err := collect[Environment](ctx, s, `
		SELECT e.id, e.os_name, e.os_version, e.python_version
		FROM environment e
		JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(os, osv, py)
		  ON e.os_name = k.os AND e.os_version = k.osv AND e.python_version = k.py`, os, osv, py)
	if err != nil {
		return nil, err
	}
	found := make(map[EnvironmentKey]Environment, len(rows))
	for _, e := range rows {
		found[e.Environment] = e
	}
	out := make(map[EnvironmentKey]Environment, len(keys))
	for _, k := range keys {
		if e, ok := found[k.Normalized()]; ok {
			out[k] = e
		}
	}
	return out, nil
}

// envColumns returns the normalised keys as three parallel arrays for unnest.
func envColumns(keys []EnvironmentKey) (os, osv, py []string) {
	os = make([]string, len(keys))
	osv = make([]string, len(keys))
	py = make([]string, len(keys))
	for i, k := range keys {
		n := k.Normalized()
		os[i], osv[i], py[i] = n.OSName, n.OSVersion, n.PythonVersion
	}
	return os, osv, py
}

// EnvironmentsOfVersions returns, per version, the environments it is solved
// in without a solver error, ordered as Environments orders them. One statement.
func (s *Store) EnvironmentsOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]Environment, error) {
	type row struct {
		VersionID int64 `db:"version_id"`
		Environment
	}
	rows, err := collect[row](ctx, s, `
		SELECT s.version_id, e.id, e.os_name, e.os_version, e.python_version
		FROM solved s JOIN environment e ON e.id = s.environment_id
		WHERE s.version_id = ANY($1) AND NOT s.error
		ORDER BY e.os_name, e.os_version, e.python_version`, versionIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]Environment)
	for _, r := range rows {
		out[r.VersionID] = append(out[r.VersionID], r.Environment)
	}
	return out, nil
}
