package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
)

// TestListenerPID finds the process listening on a port: this one.
func TestListenerPID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if pid := listenerPID(ln.Addr().String()); pid != os.Getpid() {
		t.Errorf("listenerPID(%s) = %d, want %d", ln.Addr(), pid, os.Getpid())
	}
	if pid := listenerPID("http://" + ln.Addr().String()); pid != os.Getpid() {
		t.Errorf("listenerPID of a URL = %d, want %d", pid, os.Getpid())
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if pid := listenerPID(net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); pid != 0 {
		t.Errorf("listenerPID of a closed port = %d, want 0", pid)
	}
}

// TestBackendCPU: the CPU time of a query on the database is counted,
// that of the measurement's own connection and of another database not.
func TestBackendCPU(t *testing.T) {
	ctx := context.Background()
	admin := services.AdminURL()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := "bench_cpu_" + hex.EncodeToString(rnd[:])
	dbURL, err := CreateDatabase(ctx, admin, name, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DropDatabase(context.Background(), admin, name) })
	b, err := startBackendCPU(ctx, dbURL, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	burn := func(conn *pgx.Conn) time.Duration {
		t.Helper()
		pid := int(conn.PgConn().PID())
		before := backendCPUTime(pid)
		if _, err := conn.Exec(ctx, `SELECT count(*) FROM generate_series(1, 3000000)`); err != nil {
			t.Fatal(err)
		}
		return backendCPUTime(pid) - before
	}
	burn(other) // another database: not counted
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	used := burn(conn)
	time.Sleep(60 * time.Millisecond) // a reading after the query
	conn.Close(ctx)
	got := b.Stop()
	if used <= 0 || got < used || got > used+used/2+50*time.Millisecond {
		t.Errorf("backends used %s; the query on the database used %s", got, used)
	}
}

// TestIngestTargetBaseline: the contract line judges the binary under test
// (its fastest run), names the baseline's ratio of the same run beside it,
// and the table lists both with their CPU time.
func TestIngestTargetBaseline(t *testing.T) {
	r := &Report{Ingest: &IngestResult{Size: "tf", Documents: 10, Rows: 100, Copy: 5 * time.Second, CopyCPU: 5 * time.Second,
		CopyRuns: []time.Duration{7 * time.Second, 5 * time.Second, 6 * time.Second}, BaselineLabel: "abc1234", Runs: []IngestRun{
			{Workers: 1, Elapsed: 30 * time.Second},
			{Workers: 4, Baseline: true, Elapsed: 23 * time.Second, CPU: CPUSplit{Postgres: 25 * time.Second, Sync: 13 * time.Second, MinIO: 9 * time.Second}},
			{Workers: 4, Elapsed: 14 * time.Second, CPU: CPUSplit{Postgres: 14 * time.Second, Sync: 7 * time.Second, MinIO: 3 * time.Second}},
		}}}
	var it Target
	for _, tg := range r.Targets() {
		if strings.HasPrefix(tg.Contract, "ingestion within 3x") {
			it = tg
		}
	}
	if !it.Known || !it.Met || !strings.HasPrefix(it.Figure, "2.8x (4 workers: 14.0 s; COPY: 5.0 s, the fastest of 3;") ||
		!strings.Contains(it.Figure, "before (abc1234), same run: 4.6x (23.0 s)") {
		t.Errorf("ingestion target %+v", it)
	}
	md := r.Markdown("make bench")
	for _, want := range []string{
		"| `seshat sync` before (abc1234) | 4 | 23.0 |", "| 25.0 | 13.0 | 9.0 | 47.0 |",
		"| `seshat sync` | 4 | 14.0 |", "| 14.0 | 7.0 | 3.0 | 24.0 |",
		"| raw COPY of the same rows, the fastest of 3 (7.0 / 5.0 / 6.0 s) | 1 | 5.0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("ingestion section without %q:\n%s", want, md)
		}
	}
}
