package persistence

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DeletedFacts is what deleting documents removed: the documents, and the
// rows of each fact table (by table name) that named them.
type DeletedFacts struct {
	Documents []string
	Rows      Counts
}

// DeleteDocuments removes documents and every fact they wrote, in one
// transaction: the rows of every table whose document_id references the
// document (found in the catalog, so every kind's facts go, present and
// future), then the document rows. Shared nodes (packages, versions,
// indexes, environments, hardware) stay. A document another transaction is
// ingesting is waited for. Ids of no document are ignored; the result
// lists those deleted, in id order. Syncing a deleted document again
// ingests it anew.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) DeleteDocuments(ctx context.Context, ids []string) (DeletedFacts, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	var out DeletedFacts
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		out = DeletedFacts{Documents: []string{}, Rows: Counts{}}
		if len(ids) == 0 {
			return nil
		}
		// Every document's claim, in id order, so that no document is
		// deleted while it is ingested.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(id, 0))
			FROM unnest($1::text[]) AS id ORDER BY id`, ids); err != nil {
			return err
		}
		gens, err := documentGenerations(ctx, tx, ids)
		if err != nil {
			return err
		}
		tables, err := factTables(ctx, tx)
		if err != nil {
			return err
		}
		parts := make([]string, 0, len(tables)+1)
		counts := make([]string, 0, len(tables))
		for i, t := range tables {
			parts = append(parts, fmt.Sprintf("f%d AS (DELETE FROM %s WHERE %s = ANY($1) RETURNING 1)",
				i, pgx.Identifier{t.table}.Sanitize(), pgx.Identifier{t.column}.Sanitize()))
			counts = append(counts, fmt.Sprintf("(SELECT count(*) FROM f%d)", i))
		}
		// One statement: foreign keys between fact tables are checked at its end.
		sql := "WITH " + strings.Join(parts, ", ") + " SELECT " + strings.Join(counts, ", ")
		dest := make([]int64, len(tables))
		ptrs := make([]any, len(tables))
		for i := range dest {
			ptrs[i] = &dest[i]
		}
		if err := tx.QueryRow(ctx, sql, ids).Scan(ptrs...); err != nil {
			return err
		}
		for i, t := range tables {
			if dest[i] > 0 {
				out.Rows[t.table] += dest[i]
			}
		}
		rows, err := tx.Query(ctx, `DELETE FROM document WHERE id = ANY($1) RETURNING id`, ids)
		if err != nil {
			return err
		}
		deleted, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		sort.Strings(deleted)
		out.Documents = deleted
		return bumpGenerations(ctx, tx, gens)
	})
	return out, err
}

type factTable struct{ table, column string }

// factTables lists the columns that reference document (id), by table.
func factTables(ctx context.Context, tx pgx.Tx) ([]factTable, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.conrelid::regclass::text, a.attname
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'document'::regclass AND cardinality(c.conkey) = 1
		ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (factTable, error) {
		var t factTable
		err := r.Scan(&t.table, &t.column)
		t.table = strings.Trim(t.table, `"`)
		return t, err
	})
}

// DeletionFilter selects documents for DocumentsToDelete.
type DeletionFilter struct {
	// Kind, when not "", keeps the documents of that kind.
	Kind string
	// Before, when not zero, keeps the documents last written before it.
	Before time.Time
	// Status, when not "", keeps the documents of that status.
	Status DocumentStatus
}

// DocumentsToDelete lists the ids of the documents f selects, in id order.
// Returns INVALID for an empty filter (that would be every document).
func (s *Store) DocumentsToDelete(ctx context.Context, f DeletionFilter) ([]string, error) {
	if f.Kind == "" && f.Before.IsZero() && f.Status == "" {
		return nil, Errorf(CodeInvalid, "give a kind, a time or a status: an empty filter would select every document")
	}
	var before *time.Time
	if !f.Before.IsZero() {
		before = &f.Before
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id FROM document
		WHERE ($1 = '' OR kind = $1) AND ($2::timestamptz IS NULL OR updated_at < $2) AND ($3 = '' OR status = $3)
		ORDER BY id`, f.Kind, before, string(f.Status))
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// PurgeEnvironment removes every solver fact of one environment: the
// solver documents that wrote any (each is of one environment) are deleted
// with all their facts, as DeleteDocuments does; the environment node
// stays, and syncing the documents again brings the facts back.
// Returns INVALID for an environment that is not valid, UNAVAILABLE when
// the database is unreachable.
func (s *Store) PurgeEnvironment(ctx context.Context, env EnvironmentKey) (DeletedFacts, error) {
	env = env.Normalized()
	if err := ValidateEnvironment(env); err != nil {
		return DeletedFacts{}, err
	}
	rows, err := s.pool.Query(ctx, `
		WITH e AS (SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3)
		SELECT document_id FROM solved WHERE environment_id = (SELECT id FROM e)
		UNION SELECT document_id FROM depends_on WHERE environment_id = (SELECT id FROM e)
		UNION SELECT document_id FROM solver_problem WHERE environment_id = (SELECT id FROM e)`,
		env.OSName, env.OSVersion, env.PythonVersion)
	if err != nil {
		return DeletedFacts{}, s.mapError(ctx, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return DeletedFacts{}, s.mapError(ctx, err)
	}
	return s.DeleteDocuments(ctx, ids)
}
