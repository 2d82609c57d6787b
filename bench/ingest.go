package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"

	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// graphTables are the knowledge-graph tables in foreign-key order.
var graphTables = []string{
	"package_index", "package", "package_version", "environment", "solver", "document",
	"solved", "depends_on", "depends_on_resolved", "solver_problem", "package_license", "package_metadata", "import_name",
	"artifact", "vulnerability", "vulnerability_affects",
}

// IngestConfig is the ingestion measurement: put a size's documents into a
// fresh bucket, then `seshat sync` them into a fresh migrated database with
// each worker count.
type IngestConfig struct {
	Size    string
	Workers []int
	// Baseline, when set, is another seshat binary (as it was before a
	// change) synced too, with the largest worker count, right before the
	// binary under test syncs with it: before and after in one run, under
	// the same load. BaselineLabel names it in the report.
	Baseline, BaselineLabel string
}

// IngestRun is one sync.
type IngestRun struct {
	Workers int
	// Baseline says the run is IngestConfig.Baseline's, not the binary
	// under test's.
	Baseline   bool
	Elapsed    time.Duration
	CPU        CPUSplit
	MaxRSS     int64   // bytes, the child's VmHWM as last sampled
	QuarterRSS int64   // bytes, the largest RSS sampled in the first quarter of the run
	Tenths     []int64 // bytes, the largest RSS sampled in each tenth of the run
	Documents  int     // ingested, as the database counts them
}

// IngestResult compares the syncs with raw COPY of the rows they wrote.
type IngestResult struct {
	Size      string
	Documents int
	Rows      int64 // rows the sync wrote, all graph tables
	Runs      []IngestRun
	Copy      time.Duration // COPY of the same rows into an empty migrated database: the fastest of CopyRuns
	// CopyCPU is the CPU time of the backend that wrote the fastest COPY.
	CopyCPU time.Duration
	// CopyRuns are the times of every COPY taken (copyRuns of them).
	CopyRuns []time.Duration
	// BaselineLabel names the baseline runs of Runs, if any.
	BaselineLabel string
	// Load is the 1-minute load average when the measurement started and
	// when it ended: the other work sharing the machine.
	Load [2]float64
	Note string
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
// transaction. Only the writing is timed; cpu is the CPU time of the
// backend that wrote it.
func CopyRows(ctx context.Context, srcURL, dstURL string) (elapsed time.Duration, rows int64, cpu time.Duration, err error) {
	src, err := pgx.Connect(ctx, srcURL)
	if err != nil {
		return 0, 0, 0, err
	}
	defer src.Close(context.WithoutCancel(ctx))
	data := make([]bytes.Buffer, len(graphTables))
	for i, t := range graphTables {
		if _, err := src.PgConn().CopyTo(ctx, &data[i], `COPY `+pgx.Identifier{t}.Sanitize()+` TO STDOUT (FORMAT binary)`); err != nil {
			return 0, 0, 0, fmt.Errorf("copy %s out: %w", t, err)
		}
	}
	rows, err = countRows(ctx, src)
	if err != nil {
		return 0, 0, 0, err
	}
	dst, err := pgx.Connect(ctx, dstURL)
	if err != nil {
		return 0, 0, 0, err
	}
	defer dst.Close(context.WithoutCancel(ctx))
	// A migrated database holds the rows its migrations seed (PyPI's index):
	// the copy writes them again from the source.
	names := make([]string, len(graphTables))
	for i, t := range graphTables {
		names[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := dst.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")+` CASCADE`); err != nil {
		return 0, 0, 0, fmt.Errorf("empty the copy's database: %w", err)
	}
	backend := int(dst.PgConn().PID())
	cpu0 := backendCPUTime(backend)
	start := time.Now()
	tx, err := dst.Begin(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for i, t := range graphTables {
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, &data[i], `COPY `+pgx.Identifier{t}.Sanitize()+` FROM STDIN (FORMAT binary)`); err != nil {
			return 0, 0, 0, fmt.Errorf("copy %s in: %w", t, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, 0, 0, err
	}
	return time.Since(start), rows, backendCPUTime(backend) - cpu0, nil
}

// PutDataset writes every document of size into a new bucket under the
// prefix "bench" at its Thoth key, eight at a time, and returns the
// environment a `seshat sync` needs to read them, the number of documents
// and a function that removes the bucket.
func PutDataset(ctx context.Context, s3 services.S3, size dataset.Size) (env []string, docs int, cleanup func(), err error) {
	return putDocuments(ctx, s3, func(ctx context.Context, emit func(id string, raw []byte) error) error {
		_, err := dataset.Generate(ctx, dataset.Options{Size: size, Seed: Seed}, emit)
		return err
	})
}

// putDocuments is PutDataset for the documents gen emits.
func putDocuments(ctx context.Context, s3 services.S3, gen func(ctx context.Context, emit func(id string, raw []byte) error) error) (env []string, docs int, cleanup func(), err error) {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	bucket := "seshat-bench-" + hex.EncodeToString(rnd[:])
	storeURL := "s3://" + bucket + "/bench"
	store, err := objectstore.Open(ctx, objectstore.Config{URL: storeURL, Endpoint: s3.Endpoint,
		AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, CreateBucket: true})
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup = func() { removeBucket(context.WithoutCancel(ctx), s3, bucket) }
	type doc struct {
		key string
		raw []byte
	}
	ch := make(chan doc, 64)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		putErr error
	)
	for range 8 {
		wg.Go(func() {
			for d := range ch {
				if err := store.Put(pctx, d.key, d.raw); err != nil {
					mu.Lock()
					if putErr == nil {
						putErr = err
						cancel()
					}
					mu.Unlock()
				}
			}
		})
	}
	err = gen(pctx, func(id string, raw []byte) error {
		key, err := objectstore.KeyFor(id)
		if err != nil {
			return err
		}
		select {
		case ch <- doc{key, append([]byte(nil), raw...)}:
			docs++
			return nil
		case <-pctx.Done():
			return pctx.Err()
		}
	})
	close(ch)
	wg.Wait()
	if putErr != nil {
		err = putErr
	}
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	env = []string{"SESHAT_DOCUMENT_STORE=" + storeURL, "SESHAT_S3_ENDPOINT=" + s3.Endpoint,
		"SESHAT_S3_ACCESS_KEY=" + s3.AccessKey, "SESHAT_S3_SECRET_KEY=" + s3.SecretKey}
	return env, docs, cleanup, nil
}

// removeBucket deletes every object of bucket and the bucket.
func removeBucket(ctx context.Context, s3 services.S3, bucket string) {
	c, err := s3.Client()
	if err != nil {
		return
	}
	objs := c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true})
	for e := range c.RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{}) {
		_ = e
	}
	_ = c.RemoveBucket(ctx, bucket)
}

// RunIngest puts cfg.Ingest's documents into a fresh bucket, then for each
// worker count syncs them with `seshat sync` as a child process into a
// fresh migrated database, timing it, sampling its RSS and high-water mark
// every 100 ms and taking the CPU time of the sync, of the database's
// backends and of MinIO (the baseline binary, if any, first, with the
// largest worker count, whose own runs repeat copyRuns times); then times
// raw COPY of the rows the last sync wrote into another fresh migrated
// database, copyRuns times. Every database and the
// bucket are removed afterwards.
func RunIngest(ctx context.Context, cfg Config, logf func(string, ...any)) (*IngestResult, error) {
	ic := cfg.Ingest
	size, err := dataset.ParseSize(ic.Size)
	if err != nil {
		return nil, err
	}
	res := &IngestResult{Size: ic.Size, BaselineLabel: ic.BaselineLabel}
	res.Load[0] = loadAverage()
	start := time.Now()
	env, docs, cleanup, err := PutDataset(ctx, services.MinIO(), size)
	if err != nil {
		return nil, fmt.Errorf("put documents: %w", err)
	}
	defer cleanup()
	res.Documents = docs
	logf("ingestion: %d documents in a fresh bucket (%.0f s)", docs, time.Since(start).Seconds())
	const syncDB, copyDB = "bench_ingest", "bench_copy"
	defer DropDatabase(context.WithoutCancel(ctx), cfg.AdminURL, syncDB)
	defer DropDatabase(context.WithoutCancel(ctx), cfg.AdminURL, copyDB)
	most := 0
	for _, w := range ic.Workers {
		most = max(most, w)
	}
	var dbURL string
	for _, w := range ic.Workers {
		bins := []string{cfg.Seshat}
		if w == most {
			// The largest worker count, the one held against COPY, runs as
			// often as COPY does, and the fastest of each is compared:
			// both sides have the same chance of a slow run.
			bins = slices.Repeat(bins, copyRuns)
			if ic.Baseline != "" {
				bins = append([]string{ic.Baseline}, bins...)
			}
		}
		for _, bin := range bins {
			run, url, err := syncChecked(ctx, cfg, bin, syncDB, env, w, docs)
			if err != nil {
				return nil, err
			}
			run.Baseline = bin != cfg.Seshat
			dbURL = url
			conn, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				return nil, err
			}
			rows, err := countRows(ctx, conn)
			conn.Close(ctx)
			if err != nil {
				return nil, err
			}
			if run.Baseline {
				logf("ingestion: baseline %s: %d rows", ic.BaselineLabel, rows)
			} else {
				res.Rows = rows
			}
			res.Runs = append(res.Runs, run)
			logf("ingestion: %s, %d workers: %.1f s, %.0f documents/s, max RSS %s, CPU s PostgreSQL %.1f, sync %.1f, MinIO %.1f",
				bin, w, run.Elapsed.Seconds(), float64(docs)/run.Elapsed.Seconds(), mib(run.MaxRSS),
				run.CPU.Postgres.Seconds(), run.CPU.Sync.Seconds(), run.CPU.MinIO.Seconds())
		}
	}
	copyURL, err := CreateDatabase(ctx, cfg.AdminURL, copyDB, true)
	if err != nil {
		return nil, err
	}
	for range copyRuns {
		if err := Settle(ctx, cfg.AdminURL); err != nil {
			return nil, err
		}
		took, _, cpu, err := CopyRows(ctx, dbURL, copyURL)
		if err != nil {
			return nil, err
		}
		res.CopyRuns = append(res.CopyRuns, took)
		if res.Copy == 0 || took < res.Copy {
			res.Copy, res.CopyCPU = took, cpu
		}
		logf("ingestion: raw COPY of %d rows: %.1f s (CPU %.1f s)", res.Rows, took.Seconds(), cpu.Seconds())
	}
	res.Load[1] = loadAverage()
	return res, nil
}

// copyRuns is how many times the raw COPY is taken, and the sync with the
// most workers; the fastest of each are compared, so that a run slowed by
// the machine flatters neither side.
const copyRuns = 3

// syncChecked creates the migrated database name, runs syncOnce of bin
// into it and checks that all docs documents were ingested; it returns the
// run and the database's URL. Another binary than cfg.Seshat (the
// baseline) migrates the database itself, to the schema it knows: this
// tree's may be newer, and a binary refuses a schema newer than its own.
func syncChecked(ctx context.Context, cfg Config, bin, name string, env []string, workers, docs int) (IngestRun, string, error) {
	own := bin == cfg.Seshat
	dbURL, err := CreateDatabase(ctx, cfg.AdminURL, name, own)
	if err != nil {
		return IngestRun{}, "", err
	}
	if !own {
		cmd := exec.CommandContext(ctx, bin, "migrate", "up")
		cmd.Env = append(os.Environ(), "SESHAT_DATABASE_URL="+dbURL, "SESHAT_LOG_LEVEL=warn")
		if out, err := cmd.CombinedOutput(); err != nil {
			return IngestRun{}, dbURL, fmt.Errorf("%s migrate up: %w\n%s", bin, err, out)
		}
	}
	if err := Settle(ctx, cfg.AdminURL); err != nil {
		return IngestRun{}, dbURL, err
	}
	run, err := syncOnce(ctx, bin, dbURL, env, workers)
	if err != nil {
		return run, dbURL, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return run, dbURL, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM document WHERE status = 'INGESTED'`).Scan(&run.Documents); err != nil {
		return run, dbURL, err
	}
	if run.Documents != docs {
		return run, dbURL, fmt.Errorf("sync with %d workers ingested %d of %d documents", workers, run.Documents, docs)
	}
	return run, dbURL, nil
}

// syncOnce runs `seshat sync --workers w` of bin on dbURL and measures it:
// time, memory, and the CPU time of the sync, of the database's backends
// (backendCPU) and of MinIO.
func syncOnce(ctx context.Context, bin, dbURL string, env []string, w int) (IngestRun, error) {
	run := IngestRun{Workers: w}
	cmd := exec.CommandContext(ctx, bin, "sync", "--workers", strconv.Itoa(w))
	cmd.Env = append(append(os.Environ(), env...), "SESHAT_DATABASE_URL="+dbURL, "SESHAT_LOG_LEVEL=warn")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	backends, err := startBackendCPU(ctx, dbURL, 50*time.Millisecond)
	if err != nil {
		return run, err
	}
	minio := listenerPID(services.MinIO().Endpoint)
	minio0 := treeCPU(minio)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		backends.Stop()
		return run, err
	}
	// Sample the RSS until the process ends; the first quarter is judged
	// once the run's length is known.
	type sample struct {
		at       time.Duration
		rss, hwm int64
	}
	var samples []sample
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				pid := cmd.Process.Pid
				samples = append(samples, sample{time.Since(start), statusKB(pid, "VmRSS") * 1024, statusKB(pid, "VmHWM") * 1024})
			}
		}
	}()
	err = cmd.Wait()
	run.Elapsed = time.Since(start)
	close(done)
	<-sampled
	run.CPU.Postgres = backends.Stop()
	if minio > 0 {
		run.CPU.MinIO = treeCPU(minio) - minio0
	}
	if ps := cmd.ProcessState; ps != nil {
		run.CPU.Sync = ps.UserTime() + ps.SystemTime()
	}
	if err != nil {
		return run, fmt.Errorf("seshat sync --workers %d: %w\n%s", w, err, tail(out.String(), 2000))
	}
	// The peak is the kernel's high-water mark of the child's memory
	// (VmHWM), as last sampled, and not the rusage's ru_maxrss: Linux
	// carries the parent's high-water mark over fork and exec into it, so
	// it reports this runner's own size when that is larger.
	run.Tenths = make([]int64, 10)
	for _, s := range samples {
		run.MaxRSS = max(run.MaxRSS, s.hwm, s.rss)
		if s.at <= run.Elapsed/4 {
			run.QuarterRSS = max(run.QuarterRSS, s.rss)
		}
		i := min(int(10*s.at/max(run.Elapsed, 1)), 9)
		run.Tenths[i] = max(run.Tenths[i], s.rss)
	}
	return run, nil
}
