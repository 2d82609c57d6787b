package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
)

// TestPrepareResumes: a build that stops halfway leaves its database with a
// partial marker; the next Prepare of the same data builds on it (what the
// first run wrote is still there) and marks it whole; a whole one is reused;
// other data (another seed) starts afresh.
func TestPrepareResumes(t *testing.T) {
	ctx := context.Background()
	admin := services.AdminURL()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	want := Marker{Size: "resume_" + hex.EncodeToString(rnd[:]), Seed: 1, Generator: "test", Migrations: "m"}
	name := "bench_" + want.Size
	t.Cleanup(func() { _ = DropDatabase(context.Background(), admin, name) })

	rows := func(dbURL string) int {
		t.Helper()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM package`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	add := func(ctx context.Context, dbURL, pkg string) error {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, `INSERT INTO package (name) VALUES ($1) ON CONFLICT DO NOTHING`, pkg)
		return err
	}
	marker := func() Marker {
		t.Helper()
		raw, err := databaseMarker(ctx, admin, name)
		if err != nil {
			t.Fatal(err)
		}
		var m Marker
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("marker %q: %v", raw, err)
		}
		return m
	}

	stopped := errors.New("interrupted")
	_, err := Prepare(ctx, admin, want, func(ctx context.Context, dbURL string) (Root, int, error) {
		if err := add(ctx, dbURL, "first"); err != nil {
			return Root{}, 0, err
		}
		return Root{}, 0, stopped
	})
	if !errors.Is(err, stopped) {
		t.Fatalf("interrupted build: %v", err)
	}
	if m := marker(); !m.Partial || !m.sameData(want) {
		t.Fatalf("after the interrupted build: marker %+v, want partial", m)
	}

	ds, err := Prepare(ctx, admin, want, func(ctx context.Context, dbURL string) (Root, int, error) {
		if n := rows(dbURL); n != 1 {
			return Root{}, 0, errors.New("the first run's rows are gone")
		}
		return Root{Name: "root"}, 2, add(ctx, dbURL, "second")
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := marker(); m.Partial || m.Builds != 2 || m.Documents != 2 || m.Root.Name != "root" || ds.Cached {
		t.Fatalf("resumed build: marker %+v, cached %v", m, ds.Cached)
	}
	if n := rows(ds.URL); n != 2 {
		t.Fatalf("resumed build: %d packages, want 2", n)
	}

	ds, err = Prepare(ctx, admin, want, func(context.Context, string) (Root, int, error) {
		return Root{}, 0, errors.New("a whole database is built again")
	})
	if err != nil || !ds.Cached {
		t.Fatalf("whole database: cached %v, %v", ds != nil && ds.Cached, err)
	}

	other := want
	other.Seed = 2
	ds, err = Prepare(ctx, admin, other, func(ctx context.Context, dbURL string) (Root, int, error) {
		if n := rows(dbURL); n != 0 {
			return Root{}, 0, errors.New("other data built on the old database")
		}
		return Root{}, 1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := marker(); m.Partial || m.Builds != 0 || m.Seed != 2 {
		t.Fatalf("rebuilt database: marker %+v", m)
	}
}
