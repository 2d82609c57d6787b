// Package bench measures Seshat against DESIGN.md's performance contract:
// dependencyGraph next to the best single SQL statement, a nested query next
// to PostGraphile, ingestion next to raw COPY, and the memory of each
// process. cmd/seshat-bench runs it all for `make bench` and rewrites
// docs/benchmarks.md; the Benchmark functions in this package time the same
// walks in-process for profiling (go test -bench . -cpuprofile).
package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/migrations"
)

// CreateDatabase drops name if it exists, creates it empty and, with
// migrate, applies every migration. It returns the database's URL.
func CreateDatabase(ctx context.Context, adminURL, name string, migrate bool) (string, error) {
	if err := DropDatabase(ctx, adminURL, name); err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	dbURL, err := services.DatabaseURL(adminURL, name)
	if err != nil {
		return "", err
	}
	if !migrate {
		return dbURL, nil
	}
	m, err := migrations.New(dbURL)
	if err != nil {
		return "", err
	}
	defer m.Close()
	if err := m.Up(); err != nil {
		return "", fmt.Errorf("migrate %s: %w", name, err)
	}
	return dbURL, nil
}

// Settle brings the server to the same state before each timed run, so
// that what one run left to do does not land on the next: a CHECKPOINT
// writes the dirty buffers of the runs before, then it waits (60 s at most)
// until no autovacuum worker is busy with the tables they wrote.
func Settle(ctx context.Context, adminURL string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var busy int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`).Scan(&busy); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return nil
}

// DropDatabase drops name if it exists, closing its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// databaseMarker returns the comment on database name ("" when it has
// none or does not exist). Cached benchmark databases carry a marker saying
// what they hold.
func databaseMarker(ctx context.Context, adminURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var marker *string
	err = conn.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&marker)
	if err == pgx.ErrNoRows || marker == nil {
		return "", nil
	}
	return *marker, err
}

// setDatabaseMarker records marker as the comment on database name.
func setDatabaseMarker(ctx context.Context, adminURL, name, marker string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `COMMENT ON DATABASE `+pgx.Identifier{name}.Sanitize()+` IS `+quoteLiteral(marker))
	return err
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// MigrationsHash names the embedded migration set in the markers of cached
// databases (12 hex digits), so a database built under other migrations is
// rebuilt.
func MigrationsHash() (string, error) {
	h, err := services.MigrationsHash()
	if err != nil {
		return "", err
	}
	return h[:12], nil
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs     int
	CPUModel string
	MemGiB   float64
	Go       string
	Postgres string
	Node     string
}

// DescribeMachine reads the CPU and memory from /proc and asks PostgreSQL
// its version.
func DescribeMachine(ctx context.Context, adminURL string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), CPUModel: "unknown"}
	if model := procField("/proc/cpuinfo", "model name"); model != "" {
		m.CPUModel = model
	}
	if mem := procField("/proc/meminfo", "MemTotal"); mem != "" {
		var kb float64
		if _, err := fmt.Sscanf(mem, "%f kB", &kb); err == nil {
			m.MemGiB = kb / (1 << 20)
		}
	}
	if conn, err := pgx.Connect(ctx, adminURL); err == nil {
		_ = conn.QueryRow(ctx, `SHOW server_version`).Scan(&m.Postgres)
		conn.Close(ctx)
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Dist summarises latencies.
type Dist struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

// Summarize computes the distribution of samples (nearest-rank percentiles).
func Summarize(samples []time.Duration) Dist {
	if len(samples) == 0 {
		return Dist{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Dist{N: len(s), P50: rank(0.50), P95: rank(0.95), P99: rank(0.99), Max: s[len(s)-1]}
}

// ms renders a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
