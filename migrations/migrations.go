// Package migrations embeds the numbered SQL migrations and applies them
// with golang-migrate (iofs source) over pgx/v5, through a driver that works
// behind a transaction-pooling pgbouncer too (see driver).
package migrations

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed *.sql
var files embed.FS

// Status is the schema state of a database.
type Status struct {
	Version uint // 0 when no migration ran
	Dirty   bool
	Latest  uint // newest migration embedded in this binary
}

// Current reports whether the database runs exactly the latest migration, clean.
func (s Status) Current() bool { return !s.Dirty && s.Version == s.Latest }

// LockTimeout bounds the wait for another migrator of the same database.
const LockTimeout = 5 * time.Minute

// Migrator applies the embedded migrations to one database.
type Migrator struct {
	m *migrate.Migrate
}

// New opens a migrator for a postgres:// or postgresql:// database URL,
// PostgreSQL's own or a pgbouncer's in transaction pooling mode.
func New(databaseURL string) (*Migrator, error) {
	src, err := iofs.New(files, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: open embedded files: %w", err)
	}
	u, err := driverURL(databaseURL)
	if err != nil {
		return nil, err
	}
	drv, err := openDriver(u)
	if err != nil {
		return nil, fmt.Errorf("migrations: connect: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "postgres", drv)
	if err != nil {
		drv.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	// Replicas started together (serve --migrate) wait for the one that
	// migrates rather than fail after golang-migrate's 15 s.
	m.LockTimeout = LockTimeout
	return &Migrator{m: m}, nil
}

// driverURL checks the scheme of a libpq URL; golang-migrate's pgx5:// of
// earlier configurations is accepted too.
func driverURL(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("migrations: database URL: %w", err)
	}
	switch u.Scheme {
	case "postgres", "postgresql":
	case "pgx5":
		u.Scheme = "postgres"
	default:
		return "", fmt.Errorf("migrations: database URL scheme %q: want postgres://", u.Scheme)
	}
	return u.String(), nil
}

// Close releases the migrator's connection.
func (m *Migrator) Close() error {
	serr, derr := m.m.Close()
	return errors.Join(serr, derr)
}

// Up applies every pending migration. No pending migration is not an error.
func (m *Migrator) Up() error {
	if err := m.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

// Down rolls back n migrations; n <= 0 rolls back all of them.
func (m *Migrator) Down(n int) error {
	var err error
	if n <= 0 {
		err = m.m.Down()
	} else {
		err = m.m.Steps(-n)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

// Force sets the recorded version without running anything and clears the
// dirty flag, after a failed migration has been repaired by hand.
func (m *Migrator) Force(version int) error { return m.m.Force(version) }

// Status reports the database's version and the newest embedded migration.
func (m *Migrator) Status() (Status, error) {
	latest, err := Latest()
	if err != nil {
		return Status{}, err
	}
	v, dirty, err := m.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return Status{Latest: latest}, nil
	}
	if err != nil {
		return Status{}, err
	}
	return Status{Version: v, Dirty: dirty, Latest: latest}, nil
}

// Latest is the version of the newest embedded migration.
func Latest() (uint, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return 0, err
	}
	var latest uint
	for _, e := range entries {
		var v uint
		name := e.Name()
		if !strings.HasSuffix(name, ".up.sql") {
			continue
		}
		if _, err := fmt.Sscanf(name, "%d_", &v); err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}

// Files returns the embedded migration files.
func Files() fs.FS { return files }
