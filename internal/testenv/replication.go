package testenv

import (
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
)

// PgBouncer returns the URL of the database dbURL names (one of this
// package's, on the AdminURL cluster) through the pgbouncer `make services`
// runs in front of that cluster in transaction pooling mode. It fails t when
// pgbouncer does not answer.
func PgBouncer(t testing.TB, dbURL string) string {
	t.Helper()
	u := sameDatabase(t, services.PgBouncerURL(), dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		t.Fatalf("pgbouncer unreachable at %s: %v\nstart it with `make services` (or set SESHAT_TEST_PGBOUNCER_URL)", redact(u), err)
	}
	return u
}

// Standby is the streaming-replication hot standby `make services` runs of
// the AdminURL cluster. Every database of the cluster (each test's too)
// appears on it once it has replayed the WAL that created it.
type Standby struct {
	admin string // its maintenance database
}

// HotStandby returns the standby, failing t when it does not answer or is
// not in recovery (not a standby).
func HotStandby(t testing.TB) *Standby {
	t.Helper()
	s := &Standby{admin: services.StandbyURL()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		t.Fatalf("hot standby unreachable at %s: %v\nstart it with `make services` (or set SESHAT_TEST_STANDBY_URL)", redact(s.admin), err)
	}
	defer conn.Close(ctx)
	var recovery bool
	if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovery); err != nil || !recovery {
		t.Fatalf("%s is not a hot standby (in recovery: %t, %v)", redact(s.admin), recovery, err)
	}
	return s
}

// URL is the URL on the standby of the database dbURL names.
func (s *Standby) URL(t testing.TB, dbURL string) string {
	t.Helper()
	return sameDatabase(t, s.admin, dbURL)
}

// WaitReplay waits until the standby has replayed every WAL record the
// primary had written when it was called (so whatever was committed before
// is visible there), failing t after a minute.
func (s *Standby) WaitReplay(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	primary := admin(t)
	defer primary.Close(ctx)
	var target string
	if err := primary.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&target); err != nil {
		t.Fatalf("primary WAL position: %v", err)
	}
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		t.Fatalf("hot standby: %v", err)
	}
	defer conn.Close(ctx)
	for end := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var done bool
		var at *string
		if err := conn.QueryRow(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn, pg_last_wal_replay_lsn()::text`, target).Scan(&done, &at); err != nil {
			t.Fatalf("standby replay position: %v", err)
		}
		if done {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the standby did not replay up to %s within a minute (at %v)", target, at)
		}
	}
}

// PauseReplay stops the standby applying WAL (it still receives it), until
// ResumeReplay or the end of t: what the primary commits meanwhile is not
// visible on the standby.
func (s *Standby) PauseReplay(t testing.TB) {
	t.Helper()
	s.exec(t, `SELECT pg_wal_replay_pause()`)
	t.Cleanup(func() { s.ResumeReplay(t) })
}

// ResumeReplay lets the standby apply WAL again.
func (s *Standby) ResumeReplay(t testing.TB) {
	t.Helper()
	s.exec(t, `SELECT pg_wal_replay_resume()`)
}

func (s *Standby) exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		t.Fatalf("hot standby: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Stop stops the standby (pg_ctl -m fast, through scripts/services.sh
// stop standby), disconnecting every session on it. It is started again
// when t ends if Start was not called: other tests use it.
func (s *Standby) Stop(t testing.TB) {
	t.Helper()
	servicesScript(t, "stop", "standby")
	t.Cleanup(func() { servicesScript(t, "start", "standby") })
}

// Start starts the standby again (scripts/services.sh start standby) and
// waits until it accepts connections.
func (s *Standby) Start(t testing.TB) {
	t.Helper()
	servicesScript(t, "start", "standby")
}

func servicesScript(t testing.TB, args ...string) {
	t.Helper()
	root := Root(t)
	cmd := exec.Command("bash", append([]string{filepath.Join(root, "scripts", "services.sh")}, args...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/services.sh %v: %v\n%s", args, err, out)
	}
}

// sameDatabase is base (a server's URL) naming the database dbURL names.
func sameDatabase(t testing.TB, base, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	out, err := services.DatabaseURL(base, u.Path[1:])
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	return out
}
