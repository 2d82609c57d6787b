// Package testenv gives each test its own PostgreSQL database, cloned from a
// migrated template, and its own MinIO bucket, against the servers `make
// services` starts. A missing server fails the test; it never skips. Where
// the servers are is package services, which the benchmarks share without
// importing testing.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/migrations"
	"github.com/seshat-graph/seshat/persistence"
)

// Database creates an empty database for t (no migrations) and returns its
// URL; it is dropped when t ends.
func Database(t testing.TB) string {
	t.Helper()
	return clone(t, "template0")
}

// MigratedDatabase creates a database for t cloned from a template that runs
// every migration, and returns its URL; it is dropped when t ends.
func MigratedDatabase(t testing.TB) string {
	t.Helper()
	return clone(t, template(t))
}

// Store opens a Store on a fresh migrated database, with a statement counter.
func Store(t testing.TB) (*persistence.Store, *persistence.Tracer, string) {
	t.Helper()
	dbURL := MigratedDatabase(t)
	tracer := &persistence.Tracer{}
	store, err := persistence.Open(context.Background(), dbURL, persistence.Options{Tracer: tracer, Logger: Logger(t)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(store.Close)
	return store, tracer, dbURL
}

// Conn connects to the database at url for t, closing the connection when
// t ends.
func Conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Logger sends slog output to t.Log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tLogWriter struct{ t testing.TB }

func (w tLogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func admin(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, services.AdminURL())
	if err != nil {
		t.Fatalf("PostgreSQL test cluster unreachable at %s: %v\nstart it with `make services` (or set SESHAT_TEST_DATABASE_URL)", redact(services.AdminURL()), err)
	}
	return conn
}

// template returns the name of a database migrated to the embedded
// migrations, creating it once per migration set (named by their hash) under
// an advisory lock, so parallel test processes share it.
func template(t testing.TB) string {
	t.Helper()
	hash, err := services.MigrationsHash()
	if err != nil {
		t.Fatalf("hash migrations: %v", err)
	}
	name := "seshat_tpl_" + hash[:16]
	ctx := context.Background()
	conn := admin(t)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7402531)`); err != nil {
		t.Fatalf("lock template: %v", err)
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(7402531)`) //nolint:errcheck // released with the session anyway
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if exists {
		return name
	}
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("drop stale template: %v", err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create template: %v", err)
	}
	m, err := migrations.New(withDatabase(t, services.AdminURL(), name))
	if err != nil {
		t.Fatalf("migrate template: %v", err)
	}
	if err := m.Up(); err != nil {
		m.Close()
		t.Fatalf("migrate template: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("close migrator: %v", err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` IS_TEMPLATE true`); err != nil {
		t.Fatalf("mark template: %v", err)
	}
	return name
}

func clone(t testing.TB, tpl string) string {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "seshat_test_" + hex.EncodeToString(b[:])
	conn := admin(t)
	defer conn.Close(ctx)
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{tpl}.Sanitize())
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		conn := admin(t)
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(t, services.AdminURL(), name)
}

func withDatabase(t testing.TB, raw, name string) string {
	u, err := services.DatabaseURL(raw, name)
	if err != nil {
		t.Fatalf("SESHAT_TEST_DATABASE_URL: %v", err)
	}
	return u
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
