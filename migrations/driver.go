package migrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// versionTable is golang-migrate's version table, in the connection's
// current schema, with the columns its pgx/v5 driver gives it.
const versionTable = "schema_migrations"

// driver is golang-migrate's database.Driver over pgx/v5 that works the
// same on PostgreSQL directly and through a pooler in transaction mode
// (pgbouncer pool_mode=transaction), where golang-migrate's own pgx/v5
// driver fails: it prepares named statements, which the next transaction's
// server connection does not have (42P05, 26000), and it takes a session
// advisory lock, which stays on whichever server connection took it when
// the unlock runs on another one, so the next migration waits for it until
// the pooler closes that connection.
//
// This one keeps no state in the session. Statements are never prepared
// (the simple protocol, or one extended-protocol round trip with text
// parameters), and the migration lock is pg_advisory_xact_lock taken by a
// transaction of a connection of its own that stays open from Lock to
// Unlock (through a pooler: one server connection, for as long as the
// migrations run). The lock id and the version table are golang-migrate's
// (GenerateAdvisoryLockId of the same names, schema_migrations with the
// same columns), so a seshat of an earlier version migrating the same
// database at the same time waits for this one, and this one for it.
type driver struct {
	cfg    *pgx.ConnConfig
	conn   *pgx.Conn
	table  string // the version table, schema-qualified and quoted
	lockID int64

	// ctx ends with Close: a Lock that golang-migrate gave up waiting for
	// (its lock timeout) stops waiting too.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex // guards the lock fields and Close
	lockConn *pgx.Conn
	lockTx   pgx.Tx
}

var _ database.Driver = (*driver)(nil)

// openDriver connects to databaseURL (postgres://) and creates the version
// table when it is missing, under the lock.
func openDriver(databaseURL string) (*driver, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("migrations: database URL: %w", err)
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("migrations: database URL: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &driver{cfg: cfg, ctx: ctx, cancel: cancel}
	if d.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		cancel()
		return nil, err
	}
	var schema string
	if err := d.conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		d.Close()
		return nil, err
	}
	d.table = pgx.Identifier{schema, versionTable}.Sanitize()
	// golang-migrate's pgx/v5 driver names its lock by the URL's path (the
	// database name after a slash), the schema and the table.
	id, err := database.GenerateAdvisoryLockId(u.Path, schema, versionTable)
	if err == nil {
		d.lockID, err = strconv.ParseInt(id, 10, 64)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("migrations: lock id: %w", err)
	}
	if err := d.ensureVersionTable(schema); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// ensureVersionTable creates the version table under the lock. A table
// that exists is left alone (the check comes first: a role that may not
// create tables can still read its version).
func (d *driver) ensureVersionTable(schema string) error {
	var exists bool
	q := `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2)`
	if err := d.conn.QueryRow(d.ctx, q, schema, versionTable).Scan(&exists); err != nil {
		return &database.Error{OrigErr: err, Query: []byte(q)}
	}
	if exists {
		return nil
	}
	if err := d.Lock(); err != nil {
		return err
	}
	q = `CREATE TABLE IF NOT EXISTS ` + d.table + ` (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`
	_, err := d.conn.Exec(d.ctx, q)
	if uerr := d.Unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return &database.Error{OrigErr: err, Query: []byte(q)}
	}
	return nil
}

// Open implements database.Driver; migrate.NewWithInstance never calls it.
func (d *driver) Open(databaseURL string) (database.Driver, error) { return openDriver(databaseURL) }

// Close releases the lock when it is held and closes the connections.
func (d *driver) Close() error {
	d.cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if d.lockConn != nil {
		d.lockConn.Close(ctx)
		d.lockConn, d.lockTx = nil, nil
	}
	return d.conn.Close(ctx)
}

// Lock waits for the migration lock: a transaction of a connection of its
// own takes pg_advisory_xact_lock and stays open until Unlock. It returns
// database.ErrLocked when this driver holds the lock already.
func (d *driver) Lock() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lockTx != nil {
		return database.ErrLocked
	}
	conn, err := pgx.ConnectConfig(d.ctx, d.cfg)
	if err != nil {
		return &database.Error{OrigErr: err, Err: "connect for the migration lock"}
	}
	const q = `SELECT pg_advisory_xact_lock($1)`
	tx, err := conn.Begin(d.ctx)
	if err == nil {
		_, err = tx.Exec(d.ctx, q, d.lockID)
	}
	if err != nil {
		conn.Close(context.WithoutCancel(d.ctx))
		return &database.Error{OrigErr: err, Err: "try lock failed", Query: []byte(q)}
	}
	d.lockConn, d.lockTx = conn, tx
	return nil
}

// Unlock ends the lock's transaction, which releases the lock, and closes
// its connection. It returns database.ErrNotLocked when the lock is not held.
func (d *driver) Unlock() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lockTx == nil {
		return database.ErrNotLocked
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := d.lockTx.Rollback(ctx)
	cerr := d.lockConn.Close(ctx)
	d.lockConn, d.lockTx = nil, nil
	if err = errors.Join(err, cerr); err != nil {
		return &database.Error{OrigErr: err, Err: "unlock failed"}
	}
	return nil
}

// Run executes one migration file as one simple-protocol query: its
// statements run in one implicit transaction unless the file says
// otherwise, and a pooler keeps them on one server connection.
func (d *driver) Run(migration io.Reader) error {
	body, err := io.ReadAll(migration)
	if err != nil {
		return err
	}
	q := string(body)
	if strings.TrimSpace(q) == "" {
		return nil
	}
	if _, err := d.conn.Exec(d.ctx, q); err != nil {
		msg, line := "migration failed", uint(0)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			msg += ": " + pgErr.Message
			if pgErr.Detail != "" {
				msg += ", " + pgErr.Detail
			}
			line = lineOf(q, int(pgErr.Position))
		}
		return database.Error{OrigErr: err, Err: msg, Query: body, Line: line}
	}
	return nil
}

// lineOf is the 1-based line of the 1-based character position pos in s,
// or 0 when pos is not in s.
func lineOf(s string, pos int) uint {
	runes := []rune(strings.ReplaceAll(s, "\r\n", "\n"))
	if pos < 1 || pos > len(runes) {
		return 0
	}
	line := uint(1)
	for _, r := range runes[:pos-1] {
		if r == '\n' {
			line++
		}
	}
	return line
}

// SetVersion records version and dirty in one transaction, as
// golang-migrate's drivers do: no row for NilVersion unless it is dirty.
func (d *driver) SetVersion(version int, dirty bool) error {
	tx, err := d.conn.Begin(d.ctx)
	if err != nil {
		return &database.Error{OrigErr: err, Err: "transaction start failed"}
	}
	defer tx.Rollback(context.WithoutCancel(d.ctx)) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(d.ctx, `TRUNCATE `+d.table); err != nil {
		return &database.Error{OrigErr: err, Query: []byte(`TRUNCATE ` + d.table)}
	}
	if version >= 0 || (version == database.NilVersion && dirty) {
		q := `INSERT INTO ` + d.table + ` (version, dirty) VALUES ($1, $2)`
		if _, err := tx.Exec(d.ctx, q, int64(version), dirty); err != nil {
			return &database.Error{OrigErr: err, Query: []byte(q)}
		}
	}
	if err := tx.Commit(d.ctx); err != nil {
		return &database.Error{OrigErr: err, Err: "transaction commit failed"}
	}
	return nil
}

// Version returns the recorded version, database.NilVersion when there is
// none (or no version table).
func (d *driver) Version() (int, bool, error) {
	q := `SELECT version, dirty FROM ` + d.table + ` LIMIT 1`
	var version int64
	var dirty bool
	err := d.conn.QueryRow(d.ctx, q).Scan(&version, &dirty)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return database.NilVersion, false, nil
	case errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedTable:
		return database.NilVersion, false, nil
	case err != nil:
		return 0, false, &database.Error{OrigErr: err, Query: []byte(q)}
	}
	return int(version), dirty, nil
}

// Drop drops every table of the current schema.
func (d *driver) Drop() error {
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	rows, err := d.conn.Query(d.ctx, q)
	if err != nil {
		return &database.Error{OrigErr: err, Query: []byte(q)}
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return &database.Error{OrigErr: err, Query: []byte(q)}
	}
	for _, name := range names {
		q := `DROP TABLE IF EXISTS ` + pgx.Identifier{name}.Sanitize() + ` CASCADE`
		if _, err := d.conn.Exec(d.ctx, q); err != nil {
			return &database.Error{OrigErr: err, Query: []byte(q)}
		}
	}
	return nil
}
