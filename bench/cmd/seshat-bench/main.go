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
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/graphgen"
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
	clients := fs.String("clients", "16,64", "concurrent clients of the nested-query load")
	loadTime := fs.Duration("load", 15*time.Second, "length of each load run")
	warmup := fs.Duration("warmup", 5*time.Second, "warm-up load per server")
	packages := fs.Int("packages", 50, "packages(first:) of the nested query")
	if err := fs.Parse(args); err != nil {
		return err
	}
	mh, err := bench.MigrationsHash()
	if err != nil {
		return err
	}
	cfg := bench.Config{
		AdminURL: bench.AdminURL(), Seshat: *seshat, PeerDir: *peer, Out: os.Stdout,
		WalkIters: *iters, LoadTime: *loadTime, Warmup: *warmup,
		Nested: bench.NestedShape{Packages: *packages, Versions: 1000},
	}
	for _, c := range strings.Split(*clients, ",") {
		if c = strings.TrimSpace(c); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil {
				return fmt.Errorf("-clients: %w", err)
			}
			cfg.Clients = append(cfg.Clients, n)
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		spec, err := sizeSpec(strings.TrimSpace(s), mh)
		if err != nil {
			return err
		}
		cfg.Sizes = append(cfg.Sizes, spec)
	}
	if len(cfg.Sizes) > 0 {
		cfg.NestedSize = cfg.Sizes[0].Marker.Size
	}
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
	return nil
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// sizeSpec returns the marker and builder of a dataset size.
func sizeSpec(size, migrations string) (bench.SizeSpec, error) {
	switch size {
	case "dev":
		// The persistence benchmark's graph: ~5,500 versions, one environment.
		return bench.SizeSpec{
			Marker: bench.Marker{Size: size, Seed: 42, Generator: "graphgen-1", Migrations: migrations},
			Build:  buildGraphgen,
		}, nil
	}
	return bench.SizeSpec{}, fmt.Errorf("unknown dataset size %q", size)
}

func buildGraphgen(ctx context.Context, dbURL string) (bench.Root, int, error) {
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	g := graphgen.Generate(graphgen.Config{
		Seed: 42, Packages: 2500, VersionsPerPackage: 3, DepsPerVersion: 5,
		Indexes:      []string{"https://pypi.org/simple", "https://mirror.example.com/simple"},
		Environments: []persistence.EnvironmentKey{env}, Unsolved: 0.02,
	})
	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		return bench.Root{}, 0, err
	}
	defer store.Close()
	if err := g.Ingest(ctx, store, "solver-bench"); err != nil {
		return bench.Root{}, 0, err
	}
	for _, v := range g.Versions {
		if g.States[0][v] == graphgen.Solved && len(g.Edges[0][v]) >= 3 {
			idx := v.Index
			return bench.Root{Name: v.Name, Version: v.Version, IndexURL: &idx, Environment: env}, len(g.Results), nil
		}
	}
	return bench.Root{}, 0, fmt.Errorf("no root")
}
