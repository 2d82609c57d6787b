package persistence

import (
	"context"
	"strings"

	"github.com/seshat-graph/seshat/python"
)

// PackagesByID returns the packages with the given ids; unknown ids are absent.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) PackagesByID(ctx context.Context, ids []int64) (map[int64]Package, error) {
	rows, err := collect[Package](ctx, s, `SELECT id, name FROM package WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(p *Package) int64 { return p.ID }), nil
}

// PackageByName returns the package called name (PEP 503 normalised first),
// or nil when there is none. An empty name is INVALID.
func (s *Store) PackageByName(ctx context.Context, name string) (*Package, error) {
	n := python.NormalizeName(name)
	if n == "" {
		return nil, Errorf(CodeInvalid, "package name must not be empty")
	}
	rows, err := collect[Package](ctx, s, `SELECT id, name FROM package WHERE name = $1`, n)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// Packages pages through the packages whose normalised name starts with
// prefix (normalised too; "" for all), ordered by name (byte order). One
// statement. Returns INVALID for a bad cursor or a negative page size.
func (s *Store) Packages(ctx context.Context, prefix string, page Page) (Connection[Package], error) {
	return keysetPage(ctx, s, packageList, page, likeEscape(python.NormalizeName(prefix))+"%")
}

// packageList is the list Packages pages through: the packages whose name
// matches the LIKE pattern $1, by name.
var packageList = keyset[Package]{
	kind:  "package",
	key:   func(p Package) string { return p.Name },
	start: "",
	list:  `SELECT id, name FROM package WHERE name COLLATE "C" LIKE $1`,
	next:  `SELECT id, name FROM m WHERE name COLLATE "C" > $2 ORDER BY name COLLATE "C" LIMIT $3 + 1`,
}

// likeEscape escapes LIKE's wildcards and escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
