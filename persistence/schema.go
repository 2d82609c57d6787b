package persistence

import (
	"context"
	"errors"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SchemaVersion reads the migration state golang-migrate records in
// schema_migrations through the pool, with ctx: no migration lock is taken,
// so readiness probes answer while `seshat migrate` runs. A database no
// migration ran on is version 0, clean. It returns UNAVAILABLE when the
// database cannot be reached.
func (s *Store) SchemaVersion(ctx context.Context) (version uint, dirty bool, err error) {
	var v int64
	err = s.pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&v, &dirty)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows), errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedTable:
		return 0, false, nil
	case err != nil:
		return 0, false, Wrap(CodeUnavailable, err, "read the schema version")
	case v < 0:
		// golang-migrate records -1 while no version is set.
		return 0, dirty, nil
	}
	return uint(v), dirty, nil
}
