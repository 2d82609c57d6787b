package persistence

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
)

// CatalogTable is one table of the live schema, as the catalog describes
// it.
type CatalogTable struct {
	Name    string
	Columns []CatalogColumn
	// Keys are the foreign keys, by the first column's position.
	Keys []ForeignKey
}

// CatalogColumn is one column.
type CatalogColumn struct {
	Name, Type string
	NotNull    bool
	// PrimaryKey and Unique say the column is part of the primary key or of
	// a unique constraint.
	PrimaryKey, Unique bool
}

// ForeignKey is a reference from columns of one table to another table.
type ForeignKey struct {
	Columns  []string
	Table    string
	Nullable bool // every referencing column may be NULL
}

// Catalog reads the tables of the public schema (golang-migrate's
// schema_migrations excepted) with their columns, keys and foreign keys,
// in name order, from the live catalog.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) Catalog(ctx context.Context) ([]CatalogTable, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)),
			EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'u' AND a.attnum = ANY (k.conkey))
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	var tables []CatalogTable
	at := map[string]int{}
	for rows.Next() {
		var table string
		var col CatalogColumn
		if err := rows.Scan(&table, &col.Name, &col.Type, &col.NotNull, &col.PrimaryKey, &col.Unique); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := at[table]
		if !ok {
			i = len(tables)
			at[table] = i
			tables = append(tables, CatalogTable{Name: table})
		}
		tables[i].Columns = append(tables[i].Columns, col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.pool.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
			array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(n, i)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
			NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attnotnull)
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
		WHERE c.contype = 'f'
		ORDER BY 1, c.conkey[1], 2`)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	err = forEachRow(rows, func(r pgx.Rows) error {
		var table string
		var fk ForeignKey
		if err := r.Scan(&table, &fk.Table, &fk.Columns, &fk.Nullable); err != nil {
			return err
		}
		if i, ok := at[table]; ok {
			tables[i].Keys = append(tables[i].Keys, fk)
		}
		return nil
	})
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	return tables, err
}

// forEachRow calls fn for every row, closing rows.
func forEachRow(rows pgx.Rows, fn func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
