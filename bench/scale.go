package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence"
)

// Markers of `make bench-scale`'s section in docs/benchmarks.md, written
// apart from the main one.
const (
	ScaleBeginMarker = "<!-- make bench-scale: generated, begin -->"
	ScaleEndMarker   = "<!-- make bench-scale: generated, end -->"
)

// BatchSeed is the seed of the documents the growth measurement syncs into
// each size: a seed the datasets do not use, so every document is new.
const BatchSeed = 2

// ScaleConfig is `make bench-scale`: the same measurements on datasets of
// growing size with the same closure (tf, tf10x, tf100x).
type ScaleConfig struct {
	// Sizes are the datasets, smallest first.
	Sizes []SizeSpec
	// Iters is the timed dependencyGraph calls per walk measurement.
	Iters int
	// Nested is the nested query's shape over the packages whose names
	// start with NestedPrefix, loaded by Clients clients for LoadTime after
	// Warmup. With a prefix only the tf part has (tensorflow) the answer is
	// the same at every size.
	Nested           NestedShape
	NestedPrefix     string
	Clients          int
	LoadTime, Warmup time.Duration
	// Batch is the size of the documents (seed BatchSeed) synced by
	// `seshat sync` into a copy of each dataset, once per worker count.
	Batch   dataset.Size
	Workers []int
}

// ScaleResult is one `make bench-scale` run.
type ScaleResult struct {
	Machine   Machine
	Started   time.Time
	Elapsed   time.Duration
	Config    ScaleConfig
	BatchDocs int
	Rows      []*ScaleRow
}

// TableSize is one table of a dataset: its rows and its bytes with indexes
// and TOAST (pg_total_relation_size).
type TableSize struct {
	Name        string
	Rows, Bytes int64
}

// ScaleRow is one dataset's figures.
type ScaleRow struct {
	Dataset *Dataset
	// DBBytes is pg_database_size of the dataset's database.
	DBBytes int64
	// Tables are the graph tables, in graphTables' order.
	Tables []TableSize
	Walk   *WalkResult
	// WalkCPU and WalkDBCPU are the CPU time per timed HTTP walk of the
	// gateway's process and of the PostgreSQL backends connected to the
	// dataset's database (the gateway's pool: nothing else connects to it
	// meanwhile).
	WalkCPU, WalkDBCPU time.Duration
	// Nested is the gateway under the nested-query load; NestedDBCPU the
	// backends' CPU time per request of it.
	Nested      *NestedTarget
	NestedDBCPU time.Duration
	// Syncs are the batch's syncs into a copy of the database, one per
	// worker count.
	Syncs []ScaleSync
}

// ScaleSync is one `seshat sync` of the batch into a copy of a dataset.
type ScaleSync struct {
	Run  IngestRun
	Rows int64 // rows the sync added, all graph tables
}

// table returns the size of the graph table name, a zero TableSize when it
// is unknown.
func (r *ScaleRow) table(name string) TableSize {
	for _, t := range r.Tables {
		if t.Name == name {
			return t
		}
	}
	return TableSize{Name: name}
}

// RunScale puts the batch's documents into a fresh bucket, then for each
// size: prepares its dataset (cached like the others), reads its tables'
// sizes, times the walk of its root (the best SQL statement and over HTTP
// through a gateway without the graph cache), loads that gateway with the
// nested query, and syncs the batch into copies of its database. The bucket
// and the copies are removed afterwards.
func RunScale(ctx context.Context, cfg Config, sc ScaleConfig, logf func(string, ...any)) (*ScaleResult, error) {
	res := &ScaleResult{Started: time.Now().UTC(), Machine: DescribeMachine(ctx, cfg.AdminURL), Config: sc}
	var env []string
	if len(sc.Workers) > 0 {
		start := time.Now()
		var cleanup func()
		var err error
		env, res.BatchDocs, cleanup, err = putDocuments(ctx, services.MinIO(), func(ctx context.Context, emit func(id string, raw []byte) error) error {
			_, err := dataset.Generate(ctx, dataset.Options{Size: sc.Batch, Seed: BatchSeed}, emit)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("put the batch: %w", err)
		}
		defer cleanup()
		logf("scale: batch of %d documents (%s, seed %d) in a fresh bucket (%.0f s)", res.BatchDocs, sc.Batch, BatchSeed, time.Since(start).Seconds())
	}
	for _, s := range sc.Sizes {
		logf("scale: dataset %s: preparing", s.Marker.Size)
		ds, err := Prepare(ctx, cfg.AdminURL, s.Marker, s.Build)
		if err != nil {
			return nil, err
		}
		logf("scale: dataset %s: %s (database %s, %d documents, built in %.0f s)", ds.Size, builtHow(ds), ds.DB, ds.Marker.Documents, ds.Marker.BuildSeconds)
		row := &ScaleRow{Dataset: ds}
		if err := measureTables(ctx, ds.URL, row); err != nil {
			return nil, fmt.Errorf("%s: table sizes: %w", ds.Size, err)
		}
		if err := scaleQueries(ctx, cfg, sc, row, logf); err != nil {
			return nil, fmt.Errorf("%s: %w", ds.Size, err)
		}
		for _, w := range sc.Workers {
			logf("scale: %s: sync of the batch with %d workers into a copy", ds.Size, w)
			sy, err := syncIntoCopy(ctx, cfg, ds, env, w, res.BatchDocs)
			if err != nil {
				return nil, fmt.Errorf("%s: sync with %d workers: %w", ds.Size, w, err)
			}
			row.Syncs = append(row.Syncs, sy)
			logf("scale: %s: %d workers: %.1f s, %.0f documents/s, %.0f rows/s", ds.Size, w, sy.Run.Elapsed.Seconds(),
				float64(res.BatchDocs)/sy.Run.Elapsed.Seconds(), float64(sy.Rows)/sy.Run.Elapsed.Seconds())
		}
		res.Rows = append(res.Rows, row)
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

// measureTables reads the database's size and every graph table's rows and
// bytes.
func measureTables(ctx context.Context, dbURL string, row *ScaleRow) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&row.DBBytes); err != nil {
		return err
	}
	for _, t := range graphTables {
		ts := TableSize{Name: t}
		id := pgx.Identifier{t}.Sanitize()
		if err := conn.QueryRow(ctx, `SELECT count(*), pg_total_relation_size($1::regclass) FROM `+id, id).Scan(&ts.Rows, &ts.Bytes); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		row.Tables = append(row.Tables, ts)
	}
	return nil
}

// scaleQueries times the walk of the dataset's root (SQL, then HTTP) and
// loads the gateway with the nested query, the gateway without the graph
// cache so every answer is computed.
func scaleQueries(ctx context.Context, cfg Config, sc ScaleConfig, row *ScaleRow, logf func(string, ...any)) error {
	ds := row.Dataset
	root := ds.Marker.Root
	w := &WalkResult{Size: ds.Size}
	logf("scale: %s: dependencyGraph, store", ds.Size)
	if err := MeasureStoreWalk(ctx, ds.URL, root, sc.Iters, w); err != nil {
		return fmt.Errorf("store walk: %w", err)
	}
	logf("scale: %s: dependencyGraph, SQL", ds.Size)
	if err := MeasureSQLWalk(ctx, ds.URL, root, sc.Iters, w); err != nil {
		return fmt.Errorf("SQL walk: %w", err)
	}
	p, err := startSeshat(ctx, cfg.Seshat, ds.URL, "SESHAT_MAX_COMPLEXITY=100000000", "SESHAT_GRAPH_CACHE_MB=0")
	if err != nil {
		return err
	}
	defer p.Stop()
	logf("scale: %s: dependencyGraph, HTTP", ds.Size)
	// The CPU of the warm-up calls is counted with the timed ones.
	calls := time.Duration(sc.Iters + 2)
	cpu0, db0, err := cpuNow(ctx, cfg.AdminURL, ds.DB, p)
	if err != nil {
		return err
	}
	if err := MeasureHTTPWalk(ctx, p.URL, root, sc.Iters, w); err != nil {
		return fmt.Errorf("HTTP walk: %w", err)
	}
	cpu1, db1, err := cpuNow(ctx, cfg.AdminURL, ds.DB, p)
	if err != nil {
		return err
	}
	row.Walk, row.WalkCPU, row.WalkDBCPU = w, (cpu1-cpu0)/calls, (db1-db0)/calls
	logf("scale: %s: dependencyGraph: %d nodes, HTTP p50 %s ms, SQL p50 %s ms, %.0f statements", ds.Size, w.Nodes, ms(w.HTTP.P50), ms(w.SQLEdges.P50), w.HTTPStatements)
	if sc.Clients <= 0 {
		return nil
	}
	logf("scale: %s: nested query, %d clients for %s", ds.Size, sc.Clients, sc.LoadTime)
	t, dbCPU, err := scaleNested(ctx, cfg, sc, ds, p)
	if err != nil {
		return fmt.Errorf("nested query: %w", err)
	}
	row.Nested, row.NestedDBCPU = t, dbCPU
	r := t.Runs[sc.Clients]
	logf("scale: %s: nested query: %.0f req/s, p50 %.0f ms, p99 %.0f ms, %.0f statements, %d resolved versions", ds.Size, r.RPS, r.P50, r.P99, t.Statements, t.Leaves)
	return nil
}

// scaleNested asks the gateway p for the nested query once (its leaves and
// statements), warms it up with sc.Clients clients, then loads it for
// sc.LoadTime, the gateway's and the backends' CPU read around the timed
// run.
func scaleNested(ctx context.Context, cfg Config, sc ScaleConfig, ds *Dataset, p *Process) (*NestedTarget, time.Duration, error) {
	env := ds.Marker.Root.Environment
	body, err := scaleNestedQuery(sc.Nested, env, sc.NestedPrefix)
	if err != nil {
		return nil, 0, err
	}
	t := &NestedTarget{Name: "seshat", Process: p, Path: "/graphql", Body: body,
		Runs: map[int]LoadResult{}, CPU: map[int]time.Duration{}}
	client := &http.Client{Timeout: time.Minute}
	url := p.URL + t.Path
	before, err := Counter(ctx, client, p.URL, "seshat_sql_statements_total")
	if err != nil {
		return nil, 0, err
	}
	b, err := PostGraphQL(ctx, client, url, t.Body)
	if err != nil {
		return nil, 0, err
	}
	after, err := Counter(ctx, client, p.URL, "seshat_sql_statements_total")
	if err != nil {
		return nil, 0, err
	}
	t.Statements, t.Bytes = after-before, len(b)
	if t.Leaves, t.Edges, err = countLeaves(b); err != nil {
		return nil, 0, err
	}
	if sc.Warmup > 0 {
		if _, err := Load(ctx, cfg.PeerDir, url, t.Body, b, sc.Clients, sc.Warmup); err != nil {
			return nil, 0, fmt.Errorf("warm-up: %w", err)
		}
	}
	p.ResetPeak()
	cpu0, db0, err := cpuNow(ctx, cfg.AdminURL, ds.DB, p)
	if err != nil {
		return nil, 0, err
	}
	r, err := Load(ctx, cfg.PeerDir, url, t.Body, b, sc.Clients, sc.LoadTime)
	if err != nil {
		return nil, 0, err
	}
	cpu1, db1, err := cpuNow(ctx, cfg.AdminURL, ds.DB, p)
	if err != nil {
		return nil, 0, err
	}
	t.Runs[sc.Clients], t.PeakRSS = r, p.PeakRSS()
	var dbCPU time.Duration
	if r.Completed > 0 {
		t.CPU[sc.Clients] = (cpu1 - cpu0) / time.Duration(r.Completed)
		dbCPU = (db1 - db0) / time.Duration(r.Completed)
	}
	return t, dbCPU, nil
}

// scaleNestedQuery is SeshatNestedQuery over the packages whose names
// start with prefix (all of them when it is empty).
func scaleNestedQuery(s NestedShape, env persistence.EnvironmentKey, prefix string) (string, error) {
	body := SeshatNestedQuery(s, env)
	if prefix == "" {
		return body, nil
	}
	var q map[string]string
	if err := json.Unmarshal([]byte(body), &q); err != nil {
		return "", err
	}
	from := fmt.Sprintf("packages(first: %d)", s.Packages)
	if !strings.Contains(q["query"], from) {
		return "", fmt.Errorf("nested query without %q: %s", from, q["query"])
	}
	q["query"] = strings.Replace(q["query"], from, fmt.Sprintf("packages(first: %d, nameStartsWith: %q)", s.Packages, prefix), 1)
	b, err := json.Marshal(q)
	return string(b), err
}

// cpuNow returns the CPU time used so far by the gateway p and by the
// PostgreSQL backends connected to the database db (read from /proc:
// PostgreSQL runs on this machine).
func cpuNow(ctx context.Context, adminURL, db string, p *Process) (gateway, backends time.Duration, err error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, db)
	if err != nil {
		return 0, 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, 0, err
	}
	for _, pid := range pids {
		backends += procCPU(int(pid))
	}
	return p.CPU(), backends, nil
}

// procCPU is the CPU time (user and system) of one process, 0 when it is
// gone.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) <= 12 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / clockTicks
}

// syncIntoCopy copies the dataset's database (file by file), runs `seshat
// sync --workers w` of the batch in env into the copy, checks that the
// batch's docs documents were all ingested and drops the copy.
func syncIntoCopy(ctx context.Context, cfg Config, ds *Dataset, env []string, w, docs int) (ScaleSync, error) {
	name := "bench_scale_sync"
	defer DropDatabase(context.WithoutCancel(ctx), cfg.AdminURL, name)
	dbURL, err := copyDatabaseFiles(ctx, cfg.AdminURL, ds.DB, name)
	if err != nil {
		return ScaleSync{}, err
	}
	count := func() (rows int64, ingested int, err error) {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return 0, 0, err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		if rows, err = countRows(ctx, conn); err != nil {
			return 0, 0, err
		}
		err = conn.QueryRow(ctx, `SELECT count(*) FROM document WHERE status = 'INGESTED'`).Scan(&ingested)
		return rows, ingested, err
	}
	rows0, docs0, err := count()
	if err != nil {
		return ScaleSync{}, err
	}
	run, err := syncOnce(ctx, cfg.Seshat, dbURL, env, w)
	if err != nil {
		return ScaleSync{}, err
	}
	rows1, docs1, err := count()
	if err != nil {
		return ScaleSync{}, err
	}
	run.Documents = docs1 - docs0
	if run.Documents != docs {
		return ScaleSync{}, fmt.Errorf("the sync ingested %d of the batch's %d documents", run.Documents, docs)
	}
	return ScaleSync{Run: run, Rows: rows1 - rows0}, nil
}

// copyDatabaseFiles creates name as a copy of src with the FILE_COPY
// strategy (a checkpoint and a copy of the files, not every page through
// the WAL: the large datasets copy in seconds) and returns its URL. src
// must have no other connection.
func copyDatabaseFiles(ctx context.Context, adminURL, src, name string) (string, error) {
	if err := DropDatabase(ctx, adminURL, name); err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{src}.Sanitize()+` STRATEGY FILE_COPY`); err != nil {
		return "", fmt.Errorf("copy database %s to %s: %w", src, name, err)
	}
	return services.DatabaseURL(adminURL, name)
}

// versions is the dataset's package_version rows.
func (r *ScaleRow) versions() int64 { return r.table("package_version").Rows }

// multiple is how many times the first row's versions r has: "1x", "10x".
func (s *ScaleResult) multiple(r *ScaleRow) string {
	if len(s.Rows) == 0 || s.Rows[0].versions() == 0 {
		return "?"
	}
	return fmt.Sprintf("%.0fx", float64(r.versions())/float64(s.Rows[0].versions()))
}

// Table renders the growth table for the terminal.
func (s *ScaleResult) Table() string {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "dataset\tversions\tresolved edges\tdatabase\twalk nodes\twalk HTTP p50 ms\twalk SQL p50 ms\tnested req/s\tnested p50 ms\tsync docs/s by workers")
	for _, r := range s.Rows {
		w := r.Walk
		var syncs []string
		for _, sy := range r.Syncs {
			syncs = append(syncs, fmt.Sprintf("%d: %.0f", sy.Run.Workers, float64(sy.Run.Documents)/sy.Run.Elapsed.Seconds()))
		}
		nrps, np50 := "", ""
		if r.Nested != nil {
			run := r.Nested.Runs[s.Config.Clients]
			nrps, np50 = fmt.Sprintf("%.0f", run.RPS), fmt.Sprintf("%.0f", run.P50)
		}
		fmt.Fprintf(tw, "%s (%s)\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Dataset.Size, s.multiple(r), r.versions(), r.table("depends_on_resolved").Rows,
			mib(r.DBBytes), w.Nodes, ms(w.HTTP.P50), ms(w.SQLEdges.P50), nrps, np50, strings.Join(syncs, ", "))
	}
	tw.Flush()
	return b.String()
}

// Markdown renders the section of docs/benchmarks.md: one column per size.
func (s *ScaleResult) Markdown(command string) string {
	var b strings.Builder
	m := s.Machine
	sc := s.Config
	b.WriteString(ScaleBeginMarker + "\n")
	b.WriteString("## Latest `make bench-scale`: the same closure in graphs 1x, 10x and 100x as large\n\n")
	fmt.Fprintf(&b, "Taken %s by `%s` in %.1f minutes on %d CPUs (%s), %.0f GiB RAM, %s, PostgreSQL %s; gateway, clients, PostgreSQL and MinIO share the machine.\n\n",
		s.Started.Format("2006-01-02 15:04 UTC"), command, s.Elapsed.Minutes(), m.CPUs, m.CPUModel, m.MemGiB, m.Go, m.Postgres)
	b.WriteString("**Datasets.** ")
	for i, r := range s.Rows {
		if i > 0 {
			b.WriteString("; ")
		}
		ds := r.Dataset
		runs := ""
		if ds.Marker.Builds > 1 {
			runs = fmt.Sprintf(" over %d runs, resumed", ds.Marker.Builds)
		}
		fmt.Fprintf(&b, "`%s` (database `%s`, %d documents, seed %d, generator %s, %s; built in %.0f s%s through `ingest.Service`, four documents at a time, then `VACUUM ANALYZE`)",
			ds.Size, ds.DB, ds.Marker.Documents, ds.Marker.Seed, ds.Marker.Generator, builtHow(ds), ds.Marker.BuildSeconds, runs)
	}
	b.WriteString(". The walk's root is tensorflow==2.6.0 in rhel 8 / Python 3.8; tf10x and tf100x add 9 and 99 times tf's versions that it does not reach, so its closure is the same in the tf sizes.\n\n")
	fmt.Fprintf(&b, "**How.** The walk: `dependencyGraph` (maxDepth %d) over HTTP to `seshat serve` with `SESHAT_GRAPH_CACHE_MB=0` (every answer computed), "+
		"and the best single SQL statement (`persistence.ClosureEdgesSQL`) through pgx, %d timed calls each after a warm-up; "+
		"CPU per call is the gateway process's and that of the PostgreSQL backends connected to the dataset's database (the gateway's pool), from /proc, over every HTTP call. "+
		"The nested query: `packages(first: %d, nameStartsWith: %q) -> versions -> dependencies(environment) -> resolvedVersions`, autocannon with %d closed-loop clients "+
		"for %s after a %s warm-up against the same gateway (its CPU and the backends' over the timed run); only the tf part has such packages, so the answer is the same at every tf size. "+
		"Ingestion: %d new documents (`%s` with seed %d) put into a fresh MinIO bucket, then `seshat sync --workers N` as a child process into a copy of the "+
		"dataset's database (`CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY`, dropped afterwards), once per worker count: "+
		"documents/s and rows/s (rows added to every graph table).\n\n",
		WalkDepth, sc.Iters, sc.Nested.Packages, sc.NestedPrefix, sc.Clients, sc.LoadTime, sc.Warmup, s.BatchDocs, sc.Batch, BatchSeed)
	b.WriteString("| |")
	for _, r := range s.Rows {
		fmt.Fprintf(&b, " `%s` (%s) |", r.Dataset.Size, s.multiple(r))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(s.Rows)) + "\n")
	row := func(name string, f func(r *ScaleRow) string) {
		b.WriteString("| " + name + " |")
		for _, r := range s.Rows {
			b.WriteString(" " + f(r) + " |")
		}
		b.WriteString("\n")
	}
	row("documents", func(r *ScaleRow) string { return fmt.Sprint(r.Dataset.Marker.Documents) })
	row("packages", func(r *ScaleRow) string { return fmt.Sprint(r.table("package").Rows) })
	row("versions (package_version)", func(r *ScaleRow) string { return fmt.Sprint(r.versions()) })
	row("solved (version, environment)", func(r *ScaleRow) string { return fmt.Sprint(r.table("solved").Rows) })
	row("DEPENDS_ON edges", func(r *ScaleRow) string { return fmt.Sprint(r.table("depends_on").Rows) })
	row("resolved edges (depends_on_resolved)", func(r *ScaleRow) string { return fmt.Sprint(r.table("depends_on_resolved").Rows) })
	row("database size (pg_database_size)", func(r *ScaleRow) string { return mib(r.DBBytes) })
	row("bytes per version / per resolved edge", func(r *ScaleRow) string {
		return fmt.Sprintf("%.0f / %.0f", ratio(float64(r.DBBytes), float64(r.versions())), ratio(float64(r.DBBytes), float64(r.table("depends_on_resolved").Rows)))
	})
	row("build: documents/s (in-process, 4 at a time)", func(r *ScaleRow) string {
		return fmt.Sprintf("%.0f", ratio(float64(r.Dataset.Marker.Documents), r.Dataset.Marker.BuildSeconds))
	})
	row("walk: nodes / edges reached", func(r *ScaleRow) string { return fmt.Sprintf("%d / %d", r.Walk.Nodes, r.Walk.WalkEdges) })
	row("walk over HTTP p50 / p95", func(r *ScaleRow) string {
		return fmt.Sprintf("**%s** / %s ms", ms(r.Walk.HTTP.P50), ms(r.Walk.HTTP.P95))
	})
	row("walk in the store (`Store.DependencyGraph`) p50", func(r *ScaleRow) string { return ms(r.Walk.Store.P50) + " ms" })
	row("walk, best SQL statement p50 / p95", func(r *ScaleRow) string {
		return fmt.Sprintf("%s / %s ms", ms(r.Walk.SQLEdges.P50), ms(r.Walk.SQLEdges.P95))
	})
	row("walk: HTTP / SQL; statements", func(r *ScaleRow) string {
		return fmt.Sprintf("%.2fx; %.0f", ratio(float64(r.Walk.HTTP.P50), float64(r.Walk.SQLEdges.P50)), r.Walk.HTTPStatements)
	})
	row("walk: CPU ms per call, gateway / PostgreSQL backends", func(r *ScaleRow) string {
		return fmt.Sprintf("%s / %s", ms(r.WalkCPU), ms(r.WalkDBCPU))
	})
	if sc.Clients > 0 {
		nested := func(f func(t *NestedTarget, run LoadResult) string) func(r *ScaleRow) string {
			return func(r *ScaleRow) string {
				if r.Nested == nil {
					return "not measured"
				}
				return f(r.Nested, r.Nested.Runs[sc.Clients])
			}
		}
		row(fmt.Sprintf("nested query, %d clients: req/s", sc.Clients), nested(func(_ *NestedTarget, run LoadResult) string { return fmt.Sprintf("**%.0f**", run.RPS) }))
		row("nested query: p50 / p99 ms; failed", nested(func(_ *NestedTarget, run LoadResult) string {
			return fmt.Sprintf("%.0f / %.0f; %d", run.P50, run.P99, run.Errors+run.Timeouts+run.Mismatches+run.Non2xx)
		}))
		row("nested query: resolved versions returned; statements", nested(func(t *NestedTarget, _ LoadResult) string {
			return fmt.Sprintf("%d; %.0f", t.Leaves, t.Statements)
		}))
		row("nested query: CPU ms per request, gateway / PostgreSQL backends", func(r *ScaleRow) string {
			if r.Nested == nil {
				return "not measured"
			}
			return fmt.Sprintf("%s / %s", ms(r.Nested.CPU[sc.Clients]), ms(r.NestedDBCPU))
		})
	}
	for i, w := range sc.Workers {
		row(fmt.Sprintf("sync of the batch, %s: seconds", workersLabel(w)), func(r *ScaleRow) string {
			if i >= len(r.Syncs) {
				return "not measured"
			}
			return fmt.Sprintf("%.1f", r.Syncs[i].Run.Elapsed.Seconds())
		})
		row(fmt.Sprintf("sync, %s: documents/s; rows/s", workersLabel(w)), func(r *ScaleRow) string {
			if i >= len(r.Syncs) {
				return "not measured"
			}
			sy := r.Syncs[i]
			return fmt.Sprintf("**%.0f**; %.0f", float64(sy.Run.Documents)/sy.Run.Elapsed.Seconds(), float64(sy.Rows)/sy.Run.Elapsed.Seconds())
		})
	}
	b.WriteString("\nRows and bytes (with indexes and TOAST, `pg_total_relation_size`) of each graph table:\n\n| table |")
	for _, r := range s.Rows {
		fmt.Fprintf(&b, " `%s` rows | MiB | bytes/row |", r.Dataset.Size)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|---|", len(s.Rows)) + "\n")
	for _, t := range graphTables {
		fmt.Fprintf(&b, "| %s |", t)
		for _, r := range s.Rows {
			ts := r.table(t)
			fmt.Fprintf(&b, " %d | %.1f | %.0f |", ts.Rows, float64(ts.Bytes)/(1<<20), ratio(float64(ts.Bytes), float64(ts.Rows)))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + ScaleEndMarker + "\n")
	return b.String()
}

// workersLabel is "1 worker", "4 workers".
func workersLabel(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", n)
}
