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
	rows, err := s.reader(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	return out, nil
}

// collectScan is collect for the reads a nested query's levels make, which
// return the most rows: every row is scanned by position into the fields
// dest names (in the order sql selects them), with no reflection per row.
func collectScan[T any](ctx context.Context, s *Store, dest func(*T) []any, sql string, args ...any) ([]T, error) {
	rows, err := s.reader(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	defer rows.Close()
	out := []T{}
	var row T
	fields := dest(&row)
	for rows.Next() {
		// A fresh row each time: pointer and slice fields must not share
		// what the previous row's scan allocated.
		row = *new(T)
		if err := rows.Scan(fields...); err != nil {
			return nil, s.mapError(ctx, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, err)
	}
	return out, nil
}

// groupSorted groups rows that arrive ordered by key (the statement's ORDER
// BY): each key's values are one clipped sub-slice of a single slice, not a
// slice grown row by row for each key.
func groupSorted[R any, K comparable, V any](rows []R, key func(*R) K, value func(*R) V) map[K][]V {
	vals := make([]V, len(rows))
	out := make(map[K][]V)
	start := 0
	for i := range rows {
		vals[i] = value(&rows[i])
		if k := key(&rows[i]); i+1 == len(rows) || key(&rows[i+1]) != k {
			out[k] = vals[start : i+1 : i+1]
			start = i + 1
		}
	}
	return out
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
