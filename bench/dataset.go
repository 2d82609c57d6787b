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
// comment. A database whose identity (everything but Root, Documents and
// BuildSeconds) differs from the wanted one is rebuilt.
type Marker struct {
	Size         string  `json:"size"`
	Seed         uint64  `json:"seed"`
	Generator    string  `json:"generator"`  // the generator's version
	Migrations   string  `json:"migrations"` // MigrationsHash
	Root         Root    `json:"root"`
	Documents    int     `json:"documents"`
	BuildSeconds float64 `json:"build_seconds"`
}

func (m Marker) sameData(o Marker) bool {
	return m.Size == o.Size && m.Seed == o.Seed && m.Generator == o.Generator && m.Migrations == o.Migrations
}

// Builder fills the migrated, empty database at dbURL with a size's data
// and returns the walk's root and the number of documents ingested.
type Builder func(ctx context.Context, dbURL string) (Root, int, error)

// Prepare returns the database "bench_<size>", building it with build when
// it is missing or its marker differs from want (generator, seed,
// migrations), then VACUUM ANALYZE and the marker.
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
	if raw != "" && json.Unmarshal([]byte(raw), &have) == nil && have.sameData(want) {
		ds.Marker, ds.Cached = have, true
		return ds, nil
	}
	start := time.Now()
	if _, err := CreateDatabase(ctx, adminURL, name, true); err != nil {
		return nil, err
	}
	root, docs, err := build(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", name, err)
	}
	if err := vacuumAnalyze(ctx, dbURL); err != nil {
		return nil, err
	}
	want.Root, want.Documents, want.BuildSeconds = root, docs, time.Since(start).Seconds()
	b, _ := json.Marshal(want)
	if err := setDatabaseMarker(ctx, adminURL, name, string(b)); err != nil {
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
