package persistence

import (
	"context"

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

// MarkDocumentSkipped records that a document of a kind Seshat does not
// ingest yet was seen: its row (created when missing) gets status SKIPPED
// and the reason, without an error code or a new attempt; it has no facts.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) MarkDocumentSkipped(ctx context.Context, doc DocumentRef, reason string) error {
	return s.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO document (id, kind, object_key, sha256, status, error)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), 'SKIPPED', $5)
			ON CONFLICT (id) DO UPDATE SET
				kind = excluded.kind,
				object_key = coalesce(excluded.object_key, document.object_key),
				sha256 = coalesce(excluded.sha256, document.sha256),
				status = 'SKIPPED', error_code = NULL, error = excluded.error, updated_at = now()`,
			doc.ID, doc.Kind, doc.ObjectKey, doc.SHA256, reason)
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

// DocumentsByID returns the documents of ids that Seshat has seen, by id,
// in one statement.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) DocumentsByID(ctx context.Context, ids []string) (map[string]Document, error) {
	rows, err := collect[Document](ctx, s, `SELECT `+documentColumns+` FROM document WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Document, len(rows))
	for _, d := range rows {
		out[d.ID] = d
	}
	return out, nil
}

// DocumentFilter selects documents; empty fields match every document.
type DocumentFilter struct {
	Kind   string
	Status DocumentStatus
}

// Documents returns a keyset page of the documents that match f, ordered by
// id, with the number of all matching documents.
// Returns INVALID for a bad page or cursor or an unknown status, UNAVAILABLE
// when the database is unreachable.
func (s *Store) Documents(ctx context.Context, f DocumentFilter, page Page) (Connection[Document], error) {
	switch f.Status {
	case "", StatusPending, StatusIngested, StatusSkipped, StatusFailed:
	default:
		return Connection[Document]{}, Errorf(CodeInvalid, "unknown document status %q", f.Status)
	}
	return keysetPage(ctx, s, documentList, page, f.Kind, string(f.Status))
}

// documentList is the list Documents pages through: the documents of kind
// $1 and status $2 ("" for any), by id.
var documentList = keyset[Document]{
	kind:  "document",
	key:   func(d Document) string { return d.ID },
	start: "",
	list:  `SELECT ` + documentColumns + ` FROM document WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR status = $2)`,
	next:  `SELECT * FROM m WHERE id COLLATE "C" > $3 ORDER BY id COLLATE "C" LIMIT $4 + 1`,
}
