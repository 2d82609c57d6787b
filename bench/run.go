package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// Config is one `make bench` run.
type Config struct {
	AdminURL string
	Seshat   string // the seshat binary under test
	PeerDir  string // bench/peer, with node_modules installed
	Out      io.Writer
	// Sizes are the dataset sizes of the walk measurements: the first is
	// 1x, the second the 10x graph with the same closure.
	Sizes []SizeSpec
	// NestedSize is the dataset the nested-query load and ingestion use.
	NestedSize string
	// SkipWalks leaves out the dependencyGraph measurements.
	SkipWalks bool
	WalkIters int
	// Nested is the nested query's shape; the load runs it and the same
	// shape one level deeper.
	Nested   NestedShape
	Clients  []int
	LoadTime time.Duration
	Warmup   time.Duration
	// Ingest runs the ingestion measurement (nil: skipped).
	Ingest *IngestConfig
	// MixedClients runs the mixed load with that many clients for
	// MixedTime (LoadTime when 0) after Warmup, graph cache on and off (0:
	// skipped).
	MixedClients int
	MixedTime    time.Duration
	// Vulns runs the vulnerability measurement on the first size (nil:
	// skipped).
	Vulns *VulnConfig
}

// SizeSpec is a dataset size with the marker it must carry and the
// builder that makes it.
type SizeSpec struct {
	Marker Marker
	Build  Builder
}

// Report is everything one run measured.
type Report struct {
	Machine  Machine
	Started  time.Time
	Elapsed  time.Duration
	Datasets []*Dataset
	Walks    []*WalkResult
	Nested   *NestedResult
	// Deeper is the nested query with one more level.
	Deeper *NestedResult
	Ingest *IngestResult
	Mixed  *MixedLoad
	Vulns  *VulnResult
	// Resolves are the resolve measurements, one per walk, of the walk's
	// root pinned.
	Resolves []*ResolveResult
}

// Run prepares the datasets and takes every measurement, logging progress
// to cfg.Out.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	rep := &Report{Started: time.Now().UTC(), Machine: DescribeMachine(ctx, cfg.AdminURL)}
	logf := func(format string, args ...any) {
		fmt.Fprintf(cfg.Out, "%s  %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	byName := map[string]*Dataset{}
	for _, s := range cfg.Sizes {
		logf("dataset %s: preparing", s.Marker.Size)
		ds, err := Prepare(ctx, cfg.AdminURL, s.Marker, s.Build)
		if err != nil {
			return rep, err
		}
		how := "built"
		if ds.Cached {
			how = "cached"
		}
		logf("dataset %s: %s (database %s, %d documents, built in %.0f s)", ds.Size, how, ds.DB, ds.Marker.Documents, ds.Marker.BuildSeconds)
		rep.Datasets = append(rep.Datasets, ds)
		byName[ds.Size] = ds
	}
	// A dataset built just now leaves its writes to the checkpointer: they
	// would land on the walks measured next.
	if err := Settle(ctx, cfg.AdminURL); err != nil {
		return rep, err
	}

	for _, ds := range rep.Datasets {
		if cfg.SkipWalks {
			break
		}
		w := &WalkResult{Size: ds.Size}
		root := ds.Marker.Root
		p, err := StartSeshat(ctx, cfg.Seshat, ds.URL)
		if err != nil {
			return rep, err
		}
		logf("dependencyGraph %s: SQL, store and HTTP, interleaved", ds.Size)
		if err := MeasureWalks(ctx, ds.URL, p.URL, root, cfg.WalkIters, w); err != nil {
			p.Stop()
			return rep, fmt.Errorf("walk on %s: %w", ds.Size, err)
		}
		logf("resolve %s: store", ds.Size)
		rrs, err := MeasureStoreResolves(ctx, ds.URL, root, cfg.WalkIters)
		if err != nil {
			p.Stop()
			return rep, fmt.Errorf("store resolve on %s: %w", ds.Size, err)
		}
		for _, rr := range rrs {
			if err != nil {
				break
			}
			logf("resolve %s: HTTP %s", ds.Size, rr.Requirement)
			rr.Size = ds.Size
			err = MeasureHTTPResolve(ctx, p.URL, root.Environment, cfg.WalkIters, rr)
		}
		p.Stop()
		if err != nil {
			return rep, fmt.Errorf("HTTP walk or resolve on %s: %w", ds.Size, err)
		}
		for _, rr := range rrs {
			rep.Resolves = append(rep.Resolves, rr)
			logf("resolve %s %s: resolved %v, %d packages, %d levels, %.0f statements, HTTP p50 %s ms, store p50 %s ms",
				ds.Size, rr.Requirement, rr.Resolved, rr.Packages, rr.Levels, rr.HTTPStatements, ms(rr.HTTP.P50), ms(rr.Store.P50))
		}
		logf("dependencyGraph %s: from the graph cache", ds.Size)
		if err := MeasureCachedWalk(ctx, cfg.Seshat, ds.URL, root, cfg.WalkIters, w); err != nil {
			return rep, fmt.Errorf("cached walk on %s: %w", ds.Size, err)
		}
		logf("dependencyGraph %s: %d nodes, HTTP p50 %s ms, store p50 %s ms, SQL p50 %s ms, from the graph cache p50 %s ms",
			ds.Size, w.Nodes, ms(w.HTTP.P50), ms(w.Store.P50), ms(w.SQLEdges.P50), ms(w.Cache.HTTP.P50))
		rep.Walks = append(rep.Walks, w)
	}

	if ds := byName[cfg.NestedSize]; ds != nil && len(cfg.Clients) > 0 {
		logf("nested query on %s: starting seshat and PostGraphile", ds.Size)
		var err error
		rep.Nested, rep.Deeper, err = runNested(ctx, cfg, ds)
		if err != nil {
			return rep, fmt.Errorf("nested query: %w", err)
		}
	}

	if len(rep.Datasets) > 0 && cfg.Vulns != nil {
		v, err := RunVulnerabilities(ctx, cfg, rep.Datasets[0], logf)
		if err != nil {
			return rep, fmt.Errorf("vulnerabilities: %w", err)
		}
		rep.Vulns = v
	}

	if cfg.MixedClients > 0 {
		m, err := RunMixed(ctx, cfg, cfg.MixedClients, logf)
		if err != nil {
			return rep, fmt.Errorf("mixed load: %w", err)
		}
		rep.Mixed = m
	}

	if cfg.Ingest != nil {
		logf("ingestion: %s", cfg.Ingest.Size)
		ir, err := RunIngest(ctx, cfg, logf)
		if err != nil {
			return rep, fmt.Errorf("ingestion: %w", err)
		}
		rep.Ingest = ir
	}
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

// runNested loads both servers with the nested query of cfg.Nested, then
// with the same shape one level deeper.
func runNested(ctx context.Context, cfg Config, ds *Dataset) (nested, deeper *NestedResult, err error) {
	env := ds.Marker.Root.Environment
	envID, err := environmentID(ctx, ds.URL, env)
	if err != nil {
		return nil, nil, err
	}
	seshat, err := StartSeshat(ctx, cfg.Seshat, ds.URL)
	if err != nil {
		return nil, nil, err
	}
	defer seshat.Stop()
	pg, err := StartPostGraphile(ctx, cfg.PeerDir, ds.URL)
	if err != nil {
		return nil, nil, err
	}
	defer pg.Stop()
	var out []*NestedResult
	for _, shape := range []NestedShape{cfg.Nested, {Packages: cfg.Nested.Packages, Versions: cfg.Nested.Versions, Deeper: true}} {
		res := &NestedResult{Shape: shape, Clients: cfg.Clients, Duration: cfg.LoadTime, Warmup: cfg.Warmup, Environment: env}
		res.Targets = []*NestedTarget{
			{Name: "seshat", Process: seshat, Path: "/graphql", Body: SeshatNestedQuery(shape, env)},
			{Name: "postgraphile", Process: pg, Path: "/graphql", Body: PostGraphileNestedQuery(shape, envID)},
		}
		if err := RunNested(ctx, cfg.PeerDir, res); err != nil {
			return nil, nil, fmt.Errorf("%d levels: %w", shape.Levels(), err)
		}
		out = append(out, res)
	}
	return out[0], out[1], nil
}

// StartSeshat runs `seshat serve` on dbURL on a free loopback port with the
// default configuration, except a cost budget large enough for the
// benchmark queries, warnings-only logs and no graph cache (every walk is
// computed; StartSeshatCache runs one with it).
func StartSeshat(ctx context.Context, bin, dbURL string) (*Process, error) {
	return StartSeshatCache(ctx, bin, dbURL, 0)
}

// startSeshat runs `seshat serve` on dbURL on a free loopback port with the
// default configuration, warnings-only logs and env added.
func startSeshat(ctx context.Context, bin, dbURL string, env ...string) (*Process, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return Start(ctx, "seshat", port, "/readyz", false, time.Minute, append([]string{
		"SESHAT_DATABASE_URL=" + dbURL,
		"SESHAT_LISTEN_ADDR=127.0.0.1:" + strconv.Itoa(port),
		"SESHAT_LOG_LEVEL=warn",
	}, env...), bin, "serve")
}

// StartPostGraphile runs PostGraphile 4 over the public schema of dbURL,
// one worker per CPU (its fastest configuration here), without query logs.
func StartPostGraphile(ctx context.Context, peerDir, dbURL string) (*Process, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args := []string{filepath.Join(peerDir, "node_modules", ".bin", "postgraphile"),
		"-c", dbURL, "-s", "public", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--disable-query-log", "--disable-graphiql"}
	if n := runtime.NumCPU(); n > 1 {
		args = append(args, "--cluster-workers", strconv.Itoa(n))
	}
	return Start(ctx, "postgraphile", port, "/graphql", true, 2*time.Minute, []string{"NODE_ENV=production"}, args...)
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
