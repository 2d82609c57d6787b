// Command seshat-bench runs the benchmarks of `make bench` (see package
// bench): it prepares or reuses the benchmark databases, measures, prints a
// table and rewrites the generated section of docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seshat-graph/seshat/bench"
	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv/services"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "seshat-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seshat-bench", flag.ContinueOnError)
	seshat := fs.String("seshat", "./seshat", "the seshat binary under test")
	peer := fs.String("peer", "bench/peer", "directory of the npm project with autocannon and PostGraphile")
	doc := fs.String("doc", "", "rewrite the generated section of this Markdown file (docs/benchmarks.md)")
	command := fs.String("command", "make bench", "the command to name in the document")
	sizes := fs.String("sizes", "dev", "datasets of the walk measurements, 1x first, then 10x")
	iters := fs.Int("iters", 30, "timed dependencyGraph calls per measurement")
	walks := fs.Bool("walks", true, "measure dependencyGraph on the sizes (false: the sizes serve the nested query only)")
	clients := fs.String("clients", "16,64", "concurrent clients of the nested-query load")
	loadTime := fs.Duration("load", 15*time.Second, "length of each load run")
	warmup := fs.Duration("warmup", 5*time.Second, "warm-up load per server")
	packages := fs.Int("packages", 25, "packages(first:) of the nested query")
	ingestSize := fs.String("ingest", "", "dataset size of the ingestion measurement (empty: skipped)")
	workers := fs.String("workers", "1,4", "worker counts of the ingestion measurement")
	baseline := fs.String("ingest-baseline", "", "another seshat binary (as before a change) the ingestion measurement syncs too, with the largest worker count, in the same run (empty: none)")
	baselineLabel := fs.String("ingest-baseline-label", "baseline", "the name of -ingest-baseline in the report (a commit)")
	memDocs := fs.Int("memory-docs", 0, "documents of the memory measurement, a sync of that many generated documents (0: skipped; make bench-memory: 100000)")
	memWorkers := fs.Int("memory-workers", 4, "workers of the memory measurement's sync")
	mixedClients := fs.Int("mixed-clients", 64, "concurrent clients of the mixed load, for -mixed-load after -warmup, graph cache on and off (0: skipped)")
	mixedLoad := fs.Duration("mixed-load", time.Minute, "length of each mixed-load run")
	scale := fs.String("scale", "", "datasets of the growth measurement, smallest first (make bench-scale: tf,tf10x,tf100x; empty: skipped)")
	scaleBatch := fs.String("scale-batch", "tf", "dataset size of the documents (seed 2) the growth measurement syncs into a copy of each dataset")
	scaleWorkers := fs.String("scale-workers", "1,4", "worker counts of the growth measurement's syncs (empty: no sync)")
	scalePrefix := fs.String("scale-prefix", "tensorflow", "the growth measurement's nested query starts at the packages whose names start with this")
	scaleClients := fs.Int("scale-clients", 16, "concurrent clients of the growth measurement's nested-query load, for -load after -warmup (0: skipped)")
	osvDir := fs.String("osv", "../shared/fixtures/osv/vulns", "OSV records (a directory, file or zip) of the vulnerability measurement, imported into a copy of the first size's dataset (empty: skipped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := bench.Config{
		AdminURL: services.AdminURL(), Seshat: *seshat, PeerDir: *peer, Out: os.Stdout,
		WalkIters: *iters, SkipWalks: !*walks, LoadTime: *loadTime, Warmup: *warmup,
		Nested:       bench.NestedShape{Packages: *packages, Versions: 1000},
		MixedClients: *mixedClients, MixedTime: *mixedLoad,
	}
	if *osvDir != "" {
		cfg.Vulns = &bench.VulnConfig{Dir: *osvDir}
	}
	var err error
	if cfg.Clients, err = ints(*clients); err != nil {
		return fmt.Errorf("-clients: %w", err)
	}
	if *ingestSize != "" {
		cfg.Ingest = &bench.IngestConfig{Size: *ingestSize, Baseline: *baseline, BaselineLabel: *baselineLabel}
		if cfg.Ingest.Workers, err = ints(*workers); err != nil {
			return fmt.Errorf("-workers: %w", err)
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		if strings.TrimSpace(s) == "" {
			continue // -sizes "": no walks, no nested query
		}
		spec, err := bench.Size(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		cfg.Sizes = append(cfg.Sizes, spec)
	}
	if len(cfg.Sizes) > 0 {
		cfg.NestedSize = cfg.Sizes[0].Marker.Size
	}
	var failed error
	if len(cfg.Sizes) > 0 || cfg.Ingest != nil || cfg.MixedClients > 0 {
		rep, err := bench.Run(ctx, cfg)
		if err != nil {
			return err
		}
		rep.Machine.Node = nodeVersion()
		fmt.Println()
		fmt.Print(rep.Table())
		if *doc != "" {
			if err := bench.WriteDoc(*doc, rep.Markdown(*command)); err != nil {
				return err
			}
			fmt.Println("\nwrote", *doc)
		}
		if m := rep.Mixed; m != nil && m.Failed() {
			// Reported and written down, then the run fails.
			failed = fmt.Errorf("mixed load: %d answers were transport errors, 5xx or INTERNAL", m.Failures())
		}
	}
	if *scale != "" {
		if err := runScale(ctx, cfg, *scale, *scaleBatch, *scaleWorkers, *scalePrefix, *scaleClients, *doc, *command); err != nil {
			return err
		}
	}
	if *memDocs > 0 {
		logf := func(format string, args ...any) {
			fmt.Printf("%s  %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
		}
		m, err := bench.RunMemory(ctx, cfg, *memDocs, *memWorkers, logf)
		if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		verdict := "NOT MET"
		if m.Flat() {
			verdict = "MET"
		}
		fmt.Printf("\n%-12s memory flat while syncing (100k documents): %d documents, peak RSS %.0f MiB, %.0f MiB in the first quarter\n",
			verdict, m.Run.Documents, float64(m.Run.MaxRSS)/(1<<20), float64(m.Run.QuarterRSS)/(1<<20))
		if *doc != "" {
			if err := bench.WriteDocSection(*doc, bench.MemoryBeginMarker, bench.MemoryEndMarker, m.Markdown(*command)); err != nil {
				return err
			}
			fmt.Println("\nwrote", *doc)
		}
	}
	return failed
}

// runScale runs the growth measurement on sizes, prints its table and
// rewrites its section of doc (when not empty).
func runScale(ctx context.Context, cfg bench.Config, sizes, batch, workers, prefix string, clients int, doc, command string) error {
	sc := bench.ScaleConfig{Iters: cfg.WalkIters, Nested: cfg.Nested, NestedPrefix: prefix, Clients: clients, LoadTime: cfg.LoadTime, Warmup: cfg.Warmup}
	var err error
	if sc.Batch, err = dataset.ParseSize(batch); err != nil {
		return fmt.Errorf("-scale-batch: %w", err)
	}
	if sc.Workers, err = ints(workers); err != nil {
		return fmt.Errorf("-scale-workers: %w", err)
	}
	for _, s := range strings.Split(sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		spec, err := bench.Size(s)
		if err != nil {
			return err
		}
		sc.Sizes = append(sc.Sizes, spec)
	}
	logf := func(format string, args ...any) {
		fmt.Printf("%s  %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	res, err := bench.RunScale(ctx, cfg, sc, logf)
	if err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	res.Machine.Node = nodeVersion()
	fmt.Println()
	fmt.Print(res.Table())
	if doc != "" {
		if err := bench.WriteDocSection(doc, bench.ScaleBeginMarker, bench.ScaleEndMarker, res.Markdown(command)); err != nil {
			return err
		}
		fmt.Println("\nwrote", doc)
	}
	return nil
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// ints parses a comma-separated list of integers.
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			n, err := strconv.Atoi(f)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
	}
	return out, nil
}
