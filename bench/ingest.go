package bench

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// graphTables are the knowledge-graph tables in foreign-key order.
var graphTables = []string{
	"package_index", "package", "package_version", "environment", "solver", "document",
	"solved", "depends_on", "depends_on_resolved", "solver_problem", "package_metadata",
	"artifact", "vulnerability", "vulnerability_affects",
}

// IngestConfig is the ingestion measurement: put a size's documents into a
// fresh bucket, then `seshat sync` them into a fresh migrated database with
// each worker count.
type IngestConfig struct {
	Size    string
	Workers []int
	// Put writes the documents into a fresh bucket and returns the
	// environment `seshat sync` needs to read them, the number of documents
	// and a function that removes the bucket.
	Put func(ctx context.Context) (env []string, docs int, cleanup func(), err error)
}

// IngestRun is one sync.
type IngestRun struct {
	Workers    int
	Elapsed    time.Duration
	MaxRSS     int64 // bytes, from the child's rusage
	QuarterRSS int64 // bytes, the largest RSS sampled in the first quarter of the run
	Documents  int   // ingested, as the database counts them
}

// IngestResult compares the syncs with raw COPY of the rows they wrote.
type IngestResult struct {
	Size      string
	Documents int
	Rows      int64 // rows the sync wrote, all graph tables
	Runs      []IngestRun
	Copy      time.Duration // COPY of the same rows into an empty migrated database
	Note      string
}

// countRows counts the rows of every graph table.
func countRows(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var total int64
	for _, t := range graphTables {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// CopyRows reads every graph table of srcURL (binary COPY, into memory) and
// times writing them with COPY into dstURL, a migrated empty database with
// the same indexes and constraints the ingestion wrote through, in one
// transaction. Only the writing is timed.
func CopyRows(ctx context.Context, srcURL, dstURL string) (time.Duration, int64, error) {
	src, err := pgx.Connect(ctx, srcURL)
	if err != nil {
		return 0, 0, err
	}
	defer src.Close(context.WithoutCancel(ctx))
	data := make([]bytes.Buffer, len(graphTables))
	for i, t := range graphTables {
		if _, err := src.PgConn().CopyTo(ctx, &data[i], `COPY `+pgx.Identifier{t}.Sanitize()+` TO STDOUT (FORMAT binary)`); err != nil {
			return 0, 0, fmt.Errorf("copy %s out: %w", t, err)
		}
	}
	rows, err := countRows(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	dst, err := pgx.Connect(ctx, dstURL)
	if err != nil {
		return 0, 0, err
	}
	defer dst.Close(context.WithoutCancel(ctx))
	start := time.Now()
	tx, err := dst.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for i, t := range graphTables {
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, &data[i], `COPY `+pgx.Identifier{t}.Sanitize()+` FROM STDIN (FORMAT binary)`); err != nil {
			return 0, 0, fmt.Errorf("copy %s in: %w", t, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, 0, err
	}
	return time.Since(start), rows, nil
}

// RunIngest is filled in with the ingestion service.
func RunIngest(ctx context.Context, cfg Config, logf func(string, ...any)) (*IngestResult, error) {
	return nil, fmt.Errorf("not yet")
}
