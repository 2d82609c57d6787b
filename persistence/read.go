package persistence

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Reads are single statements on the pool, outside an explicit transaction:
// one statement sees one snapshot, and BEGIN/COMMIT would triple the round
// trips the loaders exist to save. Multi-statement walks say how they cope.

// collect runs one query and scans every row into a T by column name.
func collect[T any](ctx context.Context, s *Store, sql string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	return out, nil
}

// byID indexes rows by the key id returns.
func byID[T any](rows []T, id func(*T) int64) map[int64]T {
	m := make(map[int64]T, len(rows))
	for i := range rows {
		m[id(&rows[i])] = rows[i]
	}
	return m
}

// groupBy groups rows by the key key returns, keeping row order.
func groupBy[T any](rows []T, key func(*T) int64) map[int64][]T {
	m := make(map[int64][]T)
	for i := range rows {
		k := key(&rows[i])
		m[k] = append(m[k], rows[i])
	}
	return m
}
