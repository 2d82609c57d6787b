package persistence

import (
	"context"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

const indexSelect = `SELECT id, url, warehouse_api_url, verify_ssl, enabled FROM package_index`

// Indexes returns the package indexes ordered by id, only the enabled (or
// disabled) ones when enabled is not nil.
func (s *Store) Indexes(ctx context.Context, enabled *bool) ([]PackageIndex, error) {
	return collect[PackageIndex](ctx, s, indexSelect+` WHERE $1::boolean IS NULL OR enabled = $1 ORDER BY id`, enabled)
}

// IndexesByID returns the indexes with the given ids; unknown ids are absent.
func (s *Store) IndexesByID(ctx context.Context, ids []int64) (map[int64]PackageIndex, error) {
	rows, err := collect[PackageIndex](ctx, s, indexSelect+` WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(ix *PackageIndex) int64 { return ix.ID }), nil
}

// IndexRegistration registers an index or updates a known one: nil fields
// keep their current value (or the default, for a new index: no warehouse
// API, verify SSL, enabled).
type IndexRegistration struct {
	URL             string
	WarehouseAPIURL *string
	VerifySSL       *bool
	Enabled         *bool
}

// RegisterIndex creates the index with r.URL or updates the given fields of
// the known one, in one transaction, and returns it. The URL is stored in
// its normal form (python.NormalizeIndexURL: no trailing slash, PyPI under
// any of its names as https://pypi.org/simple). A URL that is empty or not
// absolute http(s) is INVALID.
func (s *Store) RegisterIndex(ctx context.Context, r IndexRegistration) (PackageIndex, error) {
	r.URL = strings.TrimSpace(r.URL)
	if u, err := url.Parse(r.URL); r.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return PackageIndex{}, Errorf(CodeInvalid, "index url %q must be an absolute http(s) URL", r.URL)
	}
	r.URL = python.NormalizeIndexURL(r.URL)
	var out PackageIndex
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		// changed: a known index's settings changed (old is the row in the
		// statement's snapshot); a new index has no versions yet.
		rows, err := tx.Query(ctx, `
			WITH old AS (SELECT true AS known, warehouse_api_url, verify_ssl, enabled FROM package_index WHERE url = $1),
			ix AS (
				INSERT INTO package_index AS ix (url, warehouse_api_url, verify_ssl, enabled)
				VALUES ($1, $2, coalesce($3, true), coalesce($4, true))
				ON CONFLICT (url) DO UPDATE SET
					warehouse_api_url = coalesce($2, ix.warehouse_api_url),
					verify_ssl = coalesce($3, ix.verify_ssl),
					enabled = coalesce($4, ix.enabled)
				RETURNING id, url, warehouse_api_url, verify_ssl, enabled)
			SELECT ix.*, coalesce(old.known AND (old.warehouse_api_url, old.verify_ssl, old.enabled)
				IS DISTINCT FROM (ix.warehouse_api_url, ix.verify_ssl, ix.enabled), false) AS changed
			FROM ix LEFT JOIN old ON true`,
			r.URL, r.WarehouseAPIURL, r.VerifySSL, r.Enabled)
		if err != nil {
			return err
		}
		type registered struct {
			PackageIndex
			Changed bool `db:"changed"`
		}
		reg, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[registered])
		if err != nil {
			return err
		}
		out = reg.PackageIndex
		if reg.Changed {
			// What an index's flags change is read of every package on it.
			return bumpGenerations(ctx, tx, everything)
		}
		return nil
	})
	return out, err
}
