package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
)

// Dataset is a benchmark database: generated, ingested and analysed once,
// then kept between runs (its identity is the marker on the database).
type Dataset struct {
	Size   string
	DB     string // database name
	URL    string
	Marker Marker
	// Cached: the database was reused; BuildTime is then the original build's.
	Cached bool
}

// Marker says what a cached database holds; it is stored as the database's
// comment. A database whose identity (everything but Root, Documents,
// BuildSeconds, Partial and Builds) differs from the wanted one is rebuilt;
// one whose build did not finish (Partial) is built on where it stopped.
type Marker struct {
	Size         string  `json:"size"`
	Seed         uint64  `json:"seed"`
	Generator    string  `json:"generator"`  // the generator's version
	Migrations   string  `json:"migrations"` // MigrationsHash
	Root         Root    `json:"root"`
	Documents    int     `json:"documents"`
	BuildSeconds float64 `json:"build_seconds"`
	// Partial: the build began and has not finished (it was interrupted,
	// or is under way); BuildSeconds is then the time spent so far.
	Partial bool `json:"partial,omitempty"`
	// Builds counts the runs the build took when it was resumed.
	Builds int `json:"builds,omitempty"`
}

func (m Marker) sameData(o Marker) bool {
	return m.Size == o.Size && m.Seed == o.Seed && m.Generator == o.Generator && m.Migrations == o.Migrations
}

// Builder fills the migrated, empty database at dbURL with a size's data
// and returns the walk's root and the number of documents ingested.
type Builder func(ctx context.Context, dbURL string) (Root, int, error)

// Prepare returns the database "bench_<size>", building it with build when
// it is missing or its marker differs from want (generator, seed,
// migrations), then VACUUM ANALYZE and the marker. While it builds, the
// database carries the marker with Partial set, its time updated every
// 30 s: a build that is interrupted (a large size takes hours on a busy
// machine) is resumed by the next Prepare on the same database, since
// ingestion skips the documents it already holds.
func Prepare(ctx context.Context, adminURL string, want Marker, build Builder) (*Dataset, error) {
	name := "bench_" + want.Size
	dbURL, err := services.DatabaseURL(adminURL, name)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Size: want.Size, DB: name, URL: dbURL}
	raw, err := databaseMarker(ctx, adminURL, name)
	if err != nil {
		return nil, err
	}
	var have Marker
	resume := false
	if raw != "" && json.Unmarshal([]byte(raw), &have) == nil && have.sameData(want) {
		if !have.Partial {
			ds.Marker, ds.Cached = have, true
			return ds, nil
		}
		resume = true
	}
	start := time.Now()
	var spent float64 // seconds of the earlier, interrupted runs
	want.Builds = 1
	if resume {
		spent, want.Builds = have.BuildSeconds, max(have.Builds, 1)+1
	} else if _, err := CreateDatabase(ctx, adminURL, name, true); err != nil {
		return nil, err
	}
	mark := func(m Marker) error {
		b, _ := json.Marshal(m)
		return setDatabaseMarker(context.WithoutCancel(ctx), adminURL, name, string(b))
	}
	partial := want
	partial.Partial, partial.BuildSeconds = true, spent
	if err := mark(partial); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				partial.BuildSeconds = spent + time.Since(start).Seconds()
				_ = mark(partial)
			}
		}
	}()
	root, docs, err := build(ctx, dbURL)
	if err == nil {
		err = vacuumAnalyze(ctx, dbURL)
	}
	close(stop)
	<-ticked
	if err != nil {
		// The partial marker stays, with the time spent.
		partial.BuildSeconds = spent + time.Since(start).Seconds()
		_ = mark(partial)
		return nil, fmt.Errorf("build %s: %w", name, err)
	}
	want.Root, want.Documents, want.BuildSeconds = root, docs, spent+time.Since(start).Seconds()
	if want.Builds == 1 {
		want.Builds = 0
	}
	if err := mark(want); err != nil {
		return nil, err
	}
	ds.Marker = want
	return ds, nil
}

func vacuumAnalyze(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `VACUUM ANALYZE`)
	return err
}
