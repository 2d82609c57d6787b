package persistence

import (
	"context"
	"strconv"
	"strings"
)

// ImportNamesOfVersions returns, per version, the import names of the
// packages it provides (shallowest first, then by name); versions without
// any are absent. One statement.
func (s *Store) ImportNamesOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]string, error) {
	type row struct {
		VersionID int64  `db:"version_id"`
		Name      string `db:"name"`
	}
	rows, err := collect[row](ctx, s, `
		SELECT version_id, name FROM import_name WHERE version_id = ANY($1)
		ORDER BY version_id, length(name) - length(replace(name, '.', '')), name`, versionIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]string)
	for _, r := range rows {
		out[r.VersionID] = append(out[r.VersionID], r.Name)
	}
	return out, nil
}

// VersionTexts returns, per version, the version as first spelled by the
// document or registration that brought it (its stored normal form when
// that was the spelling). One statement; unknown ids are absent.
func (s *Store) VersionTexts(ctx context.Context, versionIDs []int64) (map[int64]string, error) {
	type row struct {
		ID   int64  `db:"id"`
		Text string `db:"text"`
	}
	rows, err := collect[row](ctx, s, `
		SELECT id, coalesce(version_text, version) AS text FROM package_version WHERE id = ANY($1)`, versionIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Text
	}
	return out, nil
}

// MaxImportNameBytes bounds the name ImportProviders looks up.
const MaxImportNameBytes = 1000

// ImportProviders pages through the versions that provide the import name
// (Python's import system is case-sensitive: it is compared as given,
// surrounding space dropped), or with prefix every import name that starts
// with it ("yaml" finds yaml, yaml.composer and yamlordereddictloader), by
// version id. One statement, the total included. INVALID for an empty or
// overlong name, a negative page size or a bad cursor.
func (s *Store) ImportProviders(ctx context.Context, name string, prefix bool, page Page) (Connection[PackageVersion], error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxImportNameBytes {
		return Connection[PackageVersion]{}, Errorf(CodeInvalid, "name: an import name of 1 to %d bytes is needed", MaxImportNameBytes)
	}
	if prefix {
		return keysetPage(ctx, s, importPrefixList, page, likePrefix(name))
	}
	return keysetPage(ctx, s, importList, page, name)
}

// likePrefix is a LIKE pattern (escape '\') matching strings that start with s.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

func importKeyset(where string) keyset[PackageVersion] {
	return keyset[PackageVersion]{
		kind:  "import",
		key:   func(v PackageVersion) string { return strconv.FormatInt(v.ID, 10) },
		start: int64(0),
		parse: func(key string) (any, error) { return strconv.ParseInt(key, 10, 64) },
		list:  `SELECT DISTINCT version_id AS id FROM import_name WHERE ` + where,
		next: versionSelect + `
			WHERE pv.id IN (SELECT id FROM m WHERE id > $2 ORDER BY id LIMIT $3 + 1)
			ORDER BY pv.id`,
	}
}

var (
	importList       = importKeyset(`name = $1`)
	importPrefixList = importKeyset(`name LIKE $1 ESCAPE '\'`)
)
