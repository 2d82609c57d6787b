package persistence

import (
	"context"

	"github.com/seshat-graph/seshat/python"
)

// SolvedVersionsKey asks for the versions of a package that have a solver
// run: in Environment, or in any environment when AnyEnvironment; runs
// that failed count only with IncludeErrors.
type SolvedVersionsKey struct {
	PackageID      int64
	Environment    EnvironmentKey
	AnyEnvironment bool
	IncludeErrors  bool
}

// SolvedVersionsOfPackages returns, per key, the versions of its package
// solved as the key says, on every index, in SortVersions order (the
// release lister an adviser starts from). Keys without any are absent. One
// statement.
func (s *Store) SolvedVersionsOfPackages(ctx context.Context, keys []SolvedVersionsKey) (map[SolvedVersionsKey][]PackageVersion, error) {
	pkgs := make([]int64, len(keys))
	envs := make([]EnvironmentKey, len(keys))
	anyEnv := make([]bool, len(keys))
	errs := make([]bool, len(keys))
	for i, k := range keys {
		pkgs[i], envs[i], anyEnv[i], errs[i] = k.PackageID, k.Environment, k.AnyEnvironment, k.IncludeErrors
	}
	os, osv, py := envColumns(envs)
	type row struct {
		Key int `db:"k"`
		PackageVersion
	}
	rows, err := collect[row](ctx, s, `
		SELECT k.ord::int AS k, `+versionColumns+`
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bool[])
			WITH ORDINALITY AS k(p, os, osv, py, any_env, errs, ord)
		LEFT JOIN environment e ON NOT k.any_env AND e.os_name = k.os AND e.os_version = k.osv AND e.python_version = k.py
		JOIN package_version pv ON pv.package_id = k.p
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		WHERE (k.any_env OR e.id IS NOT NULL) AND EXISTS (
			SELECT 1 FROM solved s WHERE s.version_id = pv.id
				AND (k.any_env OR s.environment_id = e.id) AND (k.errs OR NOT s.error))`,
		pkgs, os, osv, py, anyEnv, errs)
	if err != nil {
		return nil, err
	}
	out := make(map[SolvedVersionsKey][]PackageVersion)
	for _, r := range rows {
		k := keys[r.Key-1]
		out[k] = append(out[k], r.PackageVersion)
	}
	for _, vs := range out {
		SortVersions(vs)
	}
	return out, nil
}

// RecordsKey asks for the records of a version in an environment: the same
// release (package and version) on every index it is solved on there,
// failed runs counting only with IncludeErrors.
type RecordsKey struct {
	VersionID     int64
	Environment   EnvironmentKey
	IncludeErrors bool
}

// VersionRecords returns, per key, the versions with the key version's
// package and version string (itself included) solved in the environment
// as the key says, ordered by index id then id: every index an adviser can
// take the release from (Thoth's get_python_package_version_records).
// Keys without any are absent. One statement.
func (s *Store) VersionRecords(ctx context.Context, keys []RecordsKey) (map[RecordsKey][]PackageVersion, error) {
	vids := make([]int64, len(keys))
	envs := make([]EnvironmentKey, len(keys))
	errs := make([]bool, len(keys))
	for i, k := range keys {
		vids[i], envs[i], errs[i] = k.VersionID, k.Environment, k.IncludeErrors
	}
	os, osv, py := envColumns(envs)
	type row struct {
		Key int `db:"k"`
		PackageVersion
	}
	rows, err := collect[row](ctx, s, `
		SELECT k.ord::int AS k, `+versionColumns+`
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bool[])
			WITH ORDINALITY AS k(v, os, osv, py, errs, ord)
		JOIN environment e ON e.os_name = k.os AND e.os_version = k.osv AND e.python_version = k.py
		JOIN package_version self ON self.id = k.v
		JOIN package_version pv ON pv.package_id = self.package_id AND pv.version = self.version
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		JOIN solved s ON s.version_id = pv.id AND s.environment_id = e.id AND (k.errs OR NOT s.error)
		ORDER BY k.ord, pv.index_id NULLS LAST, pv.id`, vids, os, osv, py, errs)
	if err != nil {
		return nil, err
	}
	out := make(map[RecordsKey][]PackageVersion)
	for _, r := range rows {
		k := keys[r.Key-1]
		out[k] = append(out[k], r.PackageVersion)
	}
	return out, nil
}

// PackageVersions returns the version of package name (PEP 503
// normalised; the version in its stored form, NormalVersion) on every index, ordered by index id (unknown index last); with
// env, only those solved there (failed runs only with includeErrors). One
// statement. Returns INVALID for an empty name or version or an incomplete
// environment.
func (s *Store) PackageVersions(ctx context.Context, name, version string, env *EnvironmentKey, includeErrors bool) ([]PackageVersion, error) {
	n := python.NormalizeName(name)
	version = NormalVersion(version)
	if n == "" || version == "" {
		return nil, Errorf(CodeInvalid, "package name and version must not be empty")
	}
	var os, osv, py *string
	if env != nil {
		e := env.Normalized()
		if err := ValidateEnvironment(e); err != nil {
			return nil, err
		}
		os, osv, py = &e.OSName, &e.OSVersion, &e.PythonVersion
	}
	return collect[PackageVersion](ctx, s, versionSelect+`
		WHERE p.name = $1 AND pv.version = $2 AND ($3::text IS NULL OR EXISTS (
			SELECT 1 FROM solved s JOIN environment e ON e.id = s.environment_id
			WHERE s.version_id = pv.id AND e.os_name = $3 AND e.os_version = $4 AND e.python_version = $5
				AND ($6 OR NOT s.error)))
		ORDER BY pv.index_id NULLS LAST, pv.id`, n, version, os, osv, py, includeErrors)
}
