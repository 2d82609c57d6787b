package persistence

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

const documentColumns = `id, kind, object_key, sha256, status, error_code, error, counts, attempts, created_at, updated_at, ingested_at`

// MarkDocumentFailed records that a document could not be ingested: its row
// (created when missing) gets status FAILED, the error code and message, and
// one more attempt. The facts of an earlier successful ingestion stay; the
// next sync tries the document again. An empty ObjectKey or SHA256 keeps the
// stored one.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) MarkDocumentFailed(ctx context.Context, doc DocumentRef, code Code, message string) error {
	return s.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO document (id, kind, object_key, sha256, status, error_code, error, attempts)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), 'FAILED', $5, $6, 1)
			ON CONFLICT (id) DO UPDATE SET
				kind = excluded.kind,
				object_key = coalesce(excluded.object_key, document.object_key),
				sha256 = coalesce(excluded.sha256, document.sha256),
				status = 'FAILED', error_code = excluded.error_code, error = excluded.error,
				attempts = document.attempts + 1, updated_at = now()`,
			doc.ID, doc.Kind, doc.ObjectKey, doc.SHA256, string(code), message)
		return err
	})
}

// Document returns the document with the given id, or nil when Seshat has
// never seen it.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) Document(ctx context.Context, id string) (*Document, error) {
	rows, err := collect[Document](ctx, s, `SELECT `+documentColumns+` FROM document WHERE id = $1`, id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// DocumentFilter selects documents; empty fields match every document.
type DocumentFilter struct {
	Kind   string
	Status DocumentStatus
}

// Documents returns a keyset page of the documents that match f, ordered by
// id, with the number of all matching documents.
// Returns INVALID for a bad page or cursor, UNAVAILABLE when the database is
// unreachable.
func (s *Store) Documents(ctx context.Context, f DocumentFilter, page Page) (Connection[Document], error) {
	var c Connection[Document]
	if err := page.validate(); err != nil {
		return c, err
	}
	key, err := decodeCursor(page.After, "document", 1)
	if err != nil {
		return c, err
	}
	after := ""
	if key != nil {
		after = key[0]
	}
	switch f.Status {
	case "", StatusPending, StatusIngested, StatusSkipped, StatusFailed:
	default:
		return c, Errorf(CodeInvalid, "unknown document status %q", f.Status)
	}
	// One statement: the page (one row more than asked, to know whether
	// another follows) and the total. A page past the end still returns
	// the total through the LEFT JOIN's one row of NULLs, which is skipped.
	type row struct {
		ID         *string          `db:"id"`
		Kind       *string          `db:"kind"`
		ObjectKey  *string          `db:"object_key"`
		SHA256     *string          `db:"sha256"`
		Status     *DocumentStatus  `db:"status"`
		ErrorCode  *string          `db:"error_code"`
		Error      *string          `db:"error"`
		Counts     map[string]int64 `db:"counts"`
		Attempts   *int32           `db:"attempts"`
		CreatedAt  *time.Time       `db:"created_at"`
		UpdatedAt  *time.Time       `db:"updated_at"`
		IngestedAt *time.Time       `db:"ingested_at"`
		Total      int              `db:"total"`
	}
	rows, err := collect[row](ctx, s, `
		WITH m AS (SELECT * FROM document WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR status = $2)),
		     t AS (SELECT count(*)::int AS total FROM m)
		SELECT d.id, d.kind, d.object_key, d.sha256, d.status, d.error_code, d.error, d.counts,
			d.attempts, d.created_at, d.updated_at, d.ingested_at, t.total
		FROM t LEFT JOIN LATERAL (
			SELECT * FROM m WHERE id COLLATE "C" > $3 ORDER BY id COLLATE "C" LIMIT $4 + 1) d ON true`,
		f.Kind, string(f.Status), after, page.First)
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
		c.Items = append(c.Items, Document{ID: *r.ID, Kind: *r.Kind, ObjectKey: r.ObjectKey, SHA256: r.SHA256,
			Status: *r.Status, ErrorCode: r.ErrorCode, Error: r.Error, Counts: r.Counts, Attempts: *r.Attempts,
			CreatedAt: *r.CreatedAt, UpdatedAt: *r.UpdatedAt, IngestedAt: r.IngestedAt})
		c.Cursors = append(c.Cursors, encodeCursor("document", *r.ID))
	}
	return c, nil
}
