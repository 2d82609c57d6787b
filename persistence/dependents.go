package persistence

import (
	"context"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// Dependent is a version that, solved in Environment, depends on the target
// directly (Depth 1) or through Depth-1 other dependents.
type Dependent struct {
	Version     PackageVersion
	Environment Environment
	Depth       int
	// The requirement linking Version to the next step towards the target.
	EdgeID       int64
	VersionRange string
	Marker       *string
	Extra        *string
}

// DependentsQuery asks who depends on package Name (any version, or the
// versions called Version on any index), in one environment or all.
type DependentsQuery struct {
	Name        string
	Version     *string
	Environment *EnvironmentKey
	// MaxDepth bounds the reverse hops (>= 0); callers cap it.
	MaxDepth int
}

// dependentRow is one reverse edge with the dependent's version and environment.
type dependentRow struct {
	Key          int     `db:"k"`
	EdgeID       int64   `db:"edge_id"`
	VersionRange string  `db:"version_range"`
	Marker       *string `db:"marker"`
	Extra        *string `db:"extra"`
	EnvID        int64   `db:"env_id"`
	OSName       string  `db:"os_name"`
	OSVersion    string  `db:"os_version"`
	Python       string  `db:"python_version"`
	PackageVersion
}

func (r *dependentRow) dependent(depth int) Dependent {
	return Dependent{
		Version:      r.PackageVersion,
		Environment:  Environment{ID: r.EnvID, Environment: python.Environment{OSName: r.OSName, OSVersion: r.OSVersion, PythonVersion: r.Python}},
		Depth:        depth,
		EdgeID:       r.EdgeID,
		VersionRange: r.VersionRange,
		Marker:       r.Marker,
		Extra:        r.Extra,
	}
}

// dependentSelect reads dependentRow columns from depends_on d; callers add
// the FROM items that bind d and a key column k.
const dependentSelect = `
	d.id AS edge_id, d.version_range, d.marker, d.extra,
	e.id AS env_id, e.os_name, e.os_version, e.python_version,
	` + versionColumns

const dependentJoins = `
	JOIN environment e ON e.id = d.environment_id
	JOIN package_version pv ON pv.id = d.version_id
	JOIN package p ON p.id = pv.package_id
	LEFT JOIN package_index ix ON ix.id = pv.index_id`

// Dependents walks DEPENDS_ON edges backwards from q's target, level by
// level, following only edges whose marker did not evaluate to false. Each
// (version, environment) appears once, at its shortest depth, with the
// requirement (lowest edge id) that links it at that depth; the list is
// ordered by depth, name, version id and environment id and paged with a
// keyset cursor. An unknown package yields an empty list. Costs at most
// MaxDepth statements. Returns INVALID for an empty name, a negative
// MaxDepth or page size, an incomplete environment or a bad cursor.
func (s *Store) Dependents(ctx context.Context, q DependentsQuery, page Page) (Connection[Dependent], error) {
	var c Connection[Dependent]
	name := python.NormalizeName(q.Name)
	if q.Version != nil {
		v := NormalVersion(*q.Version)
		q.Version = &v
	}
	if name == "" {
		return c, Errorf(CodeInvalid, "package name must not be empty")
	}
	if q.MaxDepth < 0 {
		return c, Errorf(CodeInvalid, "maxDepth must be >= 0, got %d", q.MaxDepth)
	}
	if err := page.validate(); err != nil {
		return c, err
	}
	after, err := dependentAfter(page.After)
	if err != nil {
		return c, err
	}
	var envKey *EnvironmentKey
	if q.Environment != nil {
		k := q.Environment.Normalized()
		if err := ValidateEnvironment(k); err != nil {
			return c, err
		}
		envKey = &k
	}
	var all []Dependent
	if q.MaxDepth > 0 {
		all, err = s.reverseWalk(ctx, name, q.Version, envKey, q.MaxDepth)
		if err != nil {
			return c, err
		}
	}
	sortDependents(all)
	return sliceConnection(all, page, dependentCursor, after), nil
}

func (s *Store) reverseWalk(ctx context.Context, name string, version *string, env *EnvironmentKey, maxDepth int) ([]Dependent, error) {
	conn, err := s.reader(ctx).Acquire(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	defer conn.Release()
	var os, osv, py *string
	if env != nil {
		os, osv, py = &env.OSName, &env.OSVersion, &env.PythonVersion
	}
	// Level 1: edges to the package (any version), or resolved to the named version.
	rows, err := conn.Query(ctx, `
		SELECT 0 AS k, `+dependentSelect+`
		FROM package t
		JOIN depends_on d ON d.package_id = t.id`+dependentJoins+`
		WHERE t.name = $1
		  AND ($2::text IS NULL OR EXISTS (
			SELECT 1 FROM depends_on_resolved r JOIN package_version tv ON tv.id = r.version_id
			WHERE r.edge_id = d.id AND tv.version = $2))
		  AND ($3::text IS NULL OR (e.os_name = $3 AND e.os_version = $4 AND e.python_version = $5))
		  AND d.marker_evaluation_result IS NOT FALSE`, name, version, os, osv, py)
	if err != nil {
		return nil, mapError(err)
	}
	level, err := pgx.CollectRows(rows, pgx.RowToStructByName[dependentRow])
	if err != nil {
		return nil, mapError(err)
	}
	type key struct{ v, e int64 }
	seen := map[key]bool{}
	var out []Dependent
	for depth := 1; ; depth++ {
		sort.Slice(level, func(i, j int) bool { return level[i].EdgeID < level[j].EdgeID })
		var fv, fe []int64
		for i := range level {
			k := key{level[i].ID, level[i].EnvID}
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, level[i].dependent(depth))
			fv, fe = append(fv, k.v), append(fe, k.e)
		}
		if depth >= maxDepth || len(fv) == 0 {
			return out, nil
		}
		rows, err := conn.Query(ctx, `
			SELECT 0 AS k, `+dependentSelect+`
			FROM unnest($1::bigint[], $2::bigint[]) AS f(v, e)
			JOIN depends_on_resolved r ON r.version_id = f.v
			JOIN depends_on d ON d.id = r.edge_id AND d.environment_id = f.e`+dependentJoins+`
			WHERE d.marker_evaluation_result IS NOT FALSE`, fv, fe)
		if err != nil {
			return nil, mapError(err)
		}
		if level, err = pgx.CollectRows(rows, pgx.RowToStructByName[dependentRow]); err != nil {
			return nil, mapError(err)
		}
	}
}

// DependentsKey names the direct dependents of one package (any version)
// or one version, in one environment or, with AllEnvironments, in all.
type DependentsKey struct {
	ID              int64
	Environment     EnvironmentKey
	AllEnvironments bool
}

// DirectDependentsOfPackages returns, per key (ID a package id), the
// versions whose DEPENDS_ON edges name the package, ordered as Dependents
// orders them. One statement.
func (s *Store) DirectDependentsOfPackages(ctx context.Context, keys []DependentsKey) (map[DependentsKey][]Dependent, error) {
	return s.directDependents(ctx, keys, `JOIN depends_on d ON d.package_id = k.id`)
}

// DirectDependentsOfVersions returns, per key (ID a version id), the
// versions whose DEPENDS_ON edges resolve to the version, ordered as
// Dependents orders them. One statement.
func (s *Store) DirectDependentsOfVersions(ctx context.Context, keys []DependentsKey) (map[DependentsKey][]Dependent, error) {
	return s.directDependents(ctx, keys, `
		JOIN depends_on_resolved r ON r.version_id = k.id
		JOIN depends_on d ON d.id = r.edge_id`)
}

func (s *Store) directDependents(ctx context.Context, keys []DependentsKey, join string) (map[DependentsKey][]Dependent, error) {
	ids := make([]int64, len(keys))
	envs := make([]EnvironmentKey, len(keys))
	anyEnv := make([]bool, len(keys))
	for i, k := range keys {
		ids[i], envs[i], anyEnv[i] = k.ID, k.Environment, k.AllEnvironments
	}
	os, osv, py := envColumns(envs)
	rows, err := collect[dependentRow](ctx, s, `
		SELECT k.ord::int AS k, `+dependentSelect+`
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY
			AS k(id, os, osv, py, any_env, ord)
		`+join+dependentJoins+`
		WHERE (k.any_env OR (e.os_name = k.os AND e.os_version = k.osv AND e.python_version = k.py))
		  AND d.marker_evaluation_result IS NOT FALSE
		ORDER BY k.ord, d.id`, ids, os, osv, py, anyEnv)
	if err != nil {
		return nil, err
	}
	type vk struct{ v, e int64 }
	out := make(map[DependentsKey][]Dependent)
	seen := map[DependentsKey]map[vk]bool{}
	for i := range rows {
		r := &rows[i]
		k := keys[r.Key-1]
		if seen[k] == nil {
			seen[k] = map[vk]bool{}
		}
		if seen[k][vk{r.ID, r.EnvID}] {
			continue
		}
		seen[k][vk{r.ID, r.EnvID}] = true
		out[k] = append(out[k], r.dependent(1))
	}
	for _, ds := range out {
		sortDependents(ds)
	}
	return out, nil
}

// PageDependents pages through dependents in Dependents order.
func PageDependents(ds []Dependent, page Page) (Connection[Dependent], error) {
	if err := page.validate(); err != nil {
		return Connection[Dependent]{}, err
	}
	after, err := dependentAfter(page.After)
	if err != nil {
		return Connection[Dependent]{}, err
	}
	return sliceConnection(ds, page, dependentCursor, after), nil
}

func sortDependents(ds []Dependent) {
	sort.Slice(ds, func(i, j int) bool { return compareDependents(ds[i], ds[j]) < 0 })
}

func compareDependents(a, b Dependent) int {
	switch {
	case a.Depth != b.Depth:
		return cmpInt(int64(a.Depth), int64(b.Depth))
	case a.Version.Name != b.Version.Name:
		if a.Version.Name < b.Version.Name {
			return -1
		}
		return 1
	case a.Version.ID != b.Version.ID:
		return cmpInt(a.Version.ID, b.Version.ID)
	}
	return cmpInt(a.Environment.ID, b.Environment.ID)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func dependentCursor(d Dependent) string {
	return encodeCursor("dependent", strconv.Itoa(d.Depth), d.Version.Name,
		strconv.FormatInt(d.Version.ID, 10), strconv.FormatInt(d.Environment.ID, 10))
}

func dependentAfter(s string) (func(Dependent) bool, error) {
	key, err := decodeCursor(s, "dependent", 4)
	if err != nil || key == nil {
		return nil, err
	}
	depth, err1 := strconv.Atoi(key[0])
	vid, err2 := strconv.ParseInt(key[2], 10, 64)
	eid, err3 := strconv.ParseInt(key[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, Errorf(CodeInvalid, "invalid cursor %q", s)
	}
	ref := Dependent{Depth: depth, Version: PackageVersion{ID: vid, Name: key[1]}, Environment: Environment{ID: eid}}
	return func(d Dependent) bool { return compareDependents(d, ref) > 0 }, nil
}
