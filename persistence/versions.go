package persistence

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/seshat-graph/seshat/python"
)

// versionColumns are a PackageVersion's columns, from package_version pv,
// package p and package_index ix.
const versionColumns = `pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url AS index_url,
	pv.is_missing, pv.provides_source_distro`

// versionDest names v's fields in the order of versionColumns, for
// collectScan (TestScanDestinations keeps the two in step).
func versionDest(v *PackageVersion) []any {
	return []any{&v.ID, &v.PackageID, &v.Name, &v.Version, &v.IndexID, &v.IndexURL, &v.IsMissing, &v.ProvidesSourceDistro}
}

// versionSelect reads PackageVersion rows; callers append WHERE/ORDER BY.
const versionSelect = `
	SELECT ` + versionColumns + `
	FROM package_version pv
	JOIN package p ON p.id = pv.package_id
	LEFT JOIN package_index ix ON ix.id = pv.index_id`

// VersionsByID returns the versions with the given ids; unknown ids are absent.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) VersionsByID(ctx context.Context, ids []int64) (map[int64]PackageVersion, error) {
	rows, err := collect[PackageVersion](ctx, s, versionSelect+` WHERE pv.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(v *PackageVersion) int64 { return v.ID }), nil
}

// VersionsOfPackages returns every version of each package, on every index,
// newest first per PEP 440 (see SortVersions), in one statement. Packages
// without versions are absent.
func (s *Store) VersionsOfPackages(ctx context.Context, packageIDs []int64) (map[int64][]PackageVersion, error) {
	rows, err := collectScan(ctx, s, versionDest, versionSelect+` WHERE pv.package_id = ANY($1) ORDER BY pv.package_id`, packageIDs)
	if err != nil {
		return nil, err
	}
	m := groupSorted(rows, func(v *PackageVersion) int64 { return v.PackageID }, func(v *PackageVersion) PackageVersion { return *v })
	for _, vs := range m {
		SortVersions(vs)
	}
	return m, nil
}

// PackageVersion returns the version of package name (PEP 503 normalised)
// on the index with indexURL, or, when indexURL is nil, on the lowest-numbered
// index (a version of unknown index last); nil when there is none. An empty
// name or version is INVALID.
func (s *Store) PackageVersion(ctx context.Context, name, version string, indexURL *string) (*PackageVersion, error) {
	n := python.NormalizeName(name)
	version, indexURL = NormalVersion(version), NormalIndexURL(indexURL)
	if n == "" || version == "" {
		return nil, Errorf(CodeInvalid, "package name and version must not be empty")
	}
	rows, err := collect[PackageVersion](ctx, s, versionSelect+`
		WHERE p.name = $1 AND pv.version = $2 AND ($3::text IS NULL OR ix.url = $3)
		ORDER BY pv.index_id NULLS LAST, pv.id LIMIT 1`, n, version, indexURL)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// SortVersions orders versions newest first per PEP 440 (1.10 before 1.9, a
// release before its pre-releases); strings PEP 440 cannot parse go last, in
// reverse byte order; equal versions on several indexes by index id, then id.
func SortVersions(vs []PackageVersion) {
	items := make([]sortItem, len(vs))
	for i, v := range vs {
		items[i] = newSortItem(v)
	}
	slices.SortStableFunc(items, sortItem.compare)
	for i := range items {
		vs[i] = items[i].v
	}
}

// sortItem is a version with its parsed PEP 440 form, for SortVersions order.
type sortItem struct {
	v   PackageVersion
	p   python.Version
	bad bool
	// rel is the release of a version spelled with digits and dots only,
	// compared without the PEP 440 library (whose Compare formats both
	// versions as strings first); nil otherwise.
	rel []int64
}

func newSortItem(v PackageVersion) sortItem {
	p, err := python.ParseVersion(v.Version)
	return sortItem{v: v, p: p, bad: err != nil, rel: plainRelease(v.Version)}
}

// plainRelease returns the numbers of a version made of digits and dots
// only ("1.10.2"), nil for any other spelling (and for numbers of 18 digits
// or more).
func plainRelease(s string) []int64 {
	var out []int64
	n, digits := int64(0), 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 {
				return nil
			}
			out = append(out, n)
			n, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || digits >= 17 {
			return nil
		}
		n, digits = n*10+int64(c-'0'), digits+1
	}
	return out
}

// compareRelease compares two releases as PEP 440 does: number by number,
// the shorter padded with zeros (1.0 == 1.0.0).
func compareRelease(a, b []int64) int {
	for i := range max(len(a), len(b)) {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compare is negative when a comes before b in SortVersions order.
func (a sortItem) compare(b sortItem) int {
	if a.bad != b.bad {
		if a.bad {
			return 1
		}
		return -1
	}
	if !a.bad {
		c := 0
		if a.rel != nil && b.rel != nil {
			c = compareRelease(a.rel, b.rel)
		} else {
			c = a.p.Compare(b.p)
		}
		if c != 0 {
			return -c
		}
	} else if a.v.Version != b.v.Version {
		if a.v.Version > b.v.Version {
			return -1
		}
		return 1
	}
	if ai, bi := idx(a.v.IndexID), idx(b.v.IndexID); ai != bi {
		if ai < bi {
			return -1
		}
		return 1
	}
	switch {
	case a.v.ID < b.v.ID:
		return -1
	case a.v.ID > b.v.ID:
		return 1
	}
	return 0
}

// versionAfter reports whether v sorts after the item a version cursor
// (version, id, index id) points at, in SortVersions order.
func versionAfter(key []string) (func(PackageVersion) bool, error) {
	id, err := strconv.ParseInt(key[1], 10, 64)
	if err != nil {
		return nil, Errorf(CodeInvalid, "invalid cursor")
	}
	ref := PackageVersion{ID: id, Version: key[0]}
	if key[2] != "" {
		ix, err := strconv.ParseInt(key[2], 10, 64)
		if err != nil {
			return nil, Errorf(CodeInvalid, "invalid cursor")
		}
		ref.IndexID = &ix
	}
	r := newSortItem(ref)
	return func(v PackageVersion) bool { return newSortItem(v).compare(r) > 0 }, nil
}

func versionCursor(v PackageVersion) string {
	ix := ""
	if v.IndexID != nil {
		ix = strconv.FormatInt(*v.IndexID, 10)
	}
	return encodeCursor("version", v.Version, strconv.FormatInt(v.ID, 10), ix)
}

// PageVersions pages through versions already in SortVersions order (as
// VersionsOfPackages returns them), keeping only those on the index with
// indexURL when it is not nil. The cursor is a keyset (version, index, id),
// so a page stays right when versions are added before it. Returns INVALID
// for a bad cursor or a negative page size.
func PageVersions(vs []PackageVersion, indexURL *string, page Page) (Connection[PackageVersion], error) {
	indexURL = NormalIndexURL(indexURL)
	if err := page.validate(); err != nil {
		return Connection[PackageVersion]{}, err
	}
	key, err := decodeCursor(page.After, "version", 3)
	if err != nil {
		return Connection[PackageVersion]{}, err
	}
	if indexURL != nil {
		kept := make([]PackageVersion, 0, len(vs))
		for _, v := range vs {
			if v.IndexURL != nil && *v.IndexURL == *indexURL {
				kept = append(kept, v)
			}
		}
		vs = kept
	}
	var after func(PackageVersion) bool
	if key != nil {
		if after, err = versionAfter(key); err != nil {
			return Connection[PackageVersion]{}, err
		}
	}
	return sliceConnection(vs, page, versionCursor, after), nil
}

// LatestVersion returns the highest final release among versions (on the
// index with indexURL when not nil), or the highest pre- or dev-release when
// there is no final one; nil when there are none. versions must be in
// SortVersions order.
func LatestVersion(vs []PackageVersion, indexURL *string) *PackageVersion {
	indexURL = NormalIndexURL(indexURL)
	var fallback *PackageVersion
	for i := range vs {
		v := &vs[i]
		if indexURL != nil && (v.IndexURL == nil || *v.IndexURL != *indexURL) {
			continue
		}
		p, err := python.ParseVersion(v.Version)
		if err == nil && !p.IsPreRelease() {
			return v
		}
		if fallback == nil {
			fallback = v
		}
	}
	return fallback
}

// UnsolvedVersions pages through the versions on enabled indexes (only the
// one with indexURL, when not nil) that have no solved record in the
// environment — what the solvers should run next — ordered by id. Versions
// of unknown index are never offered, nor versions their index no longer
// serves (IsMissing) or a solver rule matches. One statement, the total included.
// Returns INVALID for an incomplete environment, a negative page size or a
// bad cursor.
func (s *Store) UnsolvedVersions(ctx context.Context, env EnvironmentKey, indexURL *string, page Page) (Connection[PackageVersion], error) {
	env, indexURL = env.Normalized(), NormalIndexURL(indexURL)
	if err := ValidateEnvironment(env); err != nil {
		return Connection[PackageVersion]{}, err
	}
	return keysetPage(ctx, s, unsolvedList, page, env.OSName, env.OSVersion, env.PythonVersion, indexURL)
}

// unsolvedList is the list UnsolvedVersions pages through: the versions on
// the enabled indexes (only the one with URL $4, when not NULL) with no
// solved record in the environment ($1, $2, $3), not missing and matched by
// no rule, by id.
var unsolvedList = keyset[PackageVersion]{
	kind:  "unsolved",
	key:   func(v PackageVersion) string { return strconv.FormatInt(v.ID, 10) },
	start: int64(0),
	parse: func(key string) (any, error) { return strconv.ParseInt(key, 10, 64) },
	list: `
		SELECT pv.id
		FROM package_version pv
		JOIN package_index ix ON ix.id = pv.index_id AND ix.enabled AND ($4::text IS NULL OR ix.url = $4)
		WHERE NOT pv.is_missing
		AND NOT EXISTS (SELECT 1 FROM rule_match rm WHERE rm.version_id = pv.id)
		AND NOT EXISTS (
			SELECT 1 FROM solved s WHERE s.version_id = pv.id AND s.environment_id = (
				SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3))`,
	next: versionSelect + `
		WHERE pv.id IN (SELECT id FROM m WHERE id > $5 ORDER BY id LIMIT $6 + 1)
		ORDER BY pv.id`,
}
