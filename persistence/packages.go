package persistence

import (
	"context"
	"strings"
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
	n := NormalizeName(name)
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
	var c Connection[Package]
	if err := page.validate(); err != nil {
		return c, err
	}
	key, err := decodeCursor(page.After, "package", 1)
	if err != nil {
		return c, err
	}
	after := ""
	if key != nil {
		after = key[0]
	}
	pattern := likeEscape(NormalizeName(prefix)) + "%"
	type row struct {
		ID    *int64  `db:"id"`
		Name  *string `db:"name"`
		Total int     `db:"total"`
	}
	rows, err := collect[row](ctx, s, `
		WITH m AS (SELECT id, name FROM package WHERE name COLLATE "C" LIKE $1),
		     t AS (SELECT count(*)::int AS total FROM m)
		SELECT p.id, p.name, t.total
		FROM t LEFT JOIN LATERAL (
			SELECT id, name FROM m WHERE name COLLATE "C" > $2
			ORDER BY name COLLATE "C" LIMIT $3 + 1) p ON true`,
		pattern, after, page.First)
	if err != nil {
		return c, err
	}
	for _, r := range rows {
		c.TotalCount = r.Total
		if r.ID == nil {
			continue
		}
		if len(c.Items) == page.First {
			c.HasNextPage = true
			break
		}
		c.Items = append(c.Items, Package{ID: *r.ID, Name: *r.Name})
		c.Cursors = append(c.Cursors, encodeCursor("package", *r.Name))
	}
	return c, nil
}

// likeEscape escapes LIKE's wildcards and escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
