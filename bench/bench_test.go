package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// The benchmarks walk the cached benchmark databases (built on first use,
// see Prepare) of the sizes in SESHAT_BENCH_SIZES (default "dev"), for
// profiling one layer at a time:
//
//	go test -run '^$' -bench . -cpuprofile cpu.out ./bench/
func benchSizes() []string {
	if s := os.Getenv("SESHAT_BENCH_SIZES"); s != "" {
		return strings.Split(s, ",")
	}
	return []string{"dev"}
}

func prepared(b *testing.B, size string) *Dataset {
	b.Helper()
	spec, err := Size(size)
	if err != nil {
		b.Fatal(err)
	}
	ds, err := Prepare(context.Background(), services.AdminURL(), spec.Marker, spec.Build)
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

// cpuTime is the CPU time (user + system) this process used so far: under
// load from other processes it moves much less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func walkQuery(root Root) persistence.GraphQuery {
	return persistence.GraphQuery{
		Root:        persistence.VersionRef{Name: root.Name, Version: root.Version, IndexURL: root.IndexURL},
		Environment: root.Environment, MaxDepth: WalkDepth, MarkerTrueOnly: true,
	}
}

// BenchmarkWalkStore times Store.DependencyGraph.
func BenchmarkWalkStore(b *testing.B) {
	for _, size := range benchSizes() {
		b.Run(size, func(b *testing.B) {
			ds := prepared(b, size)
			ctx := context.Background()
			tracer := &persistence.Tracer{}
			store, err := persistence.Open(ctx, ds.URL, persistence.Options{Tracer: tracer})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			q := walkQuery(ds.Marker.Root)
			var g *persistence.Graph
			cpu := cpuTime()
			for b.Loop() {
				if g, err = store.DependencyGraph(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(len(g.Nodes)), "nodes")
			b.ReportMetric(float64(tracer.Count())/float64(b.N), "statements/op")
		})
	}
}

// BenchmarkWalkHTTP times the dependencyGraph query through the gateway's
// HTTP handler on a loopback listener, JSON encoding included.
func BenchmarkWalkHTTP(b *testing.B) {
	benchGateway(b, func(ds *Dataset) string { return WalkQuery(ds.Marker.Root) })
}

// benchGateway runs, for each size, the query body returns through the
// gateway's handler (see post).
func benchGateway(b *testing.B, body func(*Dataset) string) {
	for _, size := range benchSizes() {
		b.Run(size, func(b *testing.B) {
			ds := prepared(b, size)
			store, err := persistence.Open(context.Background(), ds.URL, persistence.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			srv := gateway(store)
			defer srv.Close()
			post(b, srv, body(ds))
		})
	}
}

// gateway serves the GraphQL handler over store on a loopback listener,
// as seshat serve wires it (default limits).
func gateway(store *persistence.Store) *httptest.Server {
	logger := slog.New(slog.DiscardHandler)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.DefaultLimits}
	return httptest.NewServer(server.Handler(server.Deps{
		Logger:  logger,
		GraphQL: server.GraphQL(r, logger, server.GraphQLOptions{}),
		Ready:   func(context.Context) error { return nil },
	}))
}

// post sends body to the gateway b.N times from one client.
func post(b *testing.B, srv *httptest.Server, body string) {
	client := srv.Client()
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
		n = int(m)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "bytes/response")
}

// BenchmarkNestedHTTP times the nested query of the PostGraphile
// comparison (packages(first: 25) -> versions -> dependencies ->
// resolvedVersions) through the gateway's handler, one client.
func BenchmarkNestedHTTP(b *testing.B) {
	benchGateway(b, func(ds *Dataset) string {
		return SeshatNestedQuery(NestedShape{Packages: 25, Versions: 1000}, ds.Marker.Root.Environment)
	})
}

// BenchmarkNestedDeeperHTTP times the same query one level deeper: the
// dependencies of every resolved version too.
func BenchmarkNestedDeeperHTTP(b *testing.B) {
	benchGateway(b, func(ds *Dataset) string {
		return SeshatNestedQuery(NestedShape{Packages: 25, Versions: 1000, Deeper: true}, ds.Marker.Root.Environment)
	})
}

// BenchmarkWalkSQL times the best single statement for the same closure
// (persistence.ClosureEdgesSQL) through pgx, every row read.
func BenchmarkWalkSQL(b *testing.B) {
	for _, size := range benchSizes() {
		b.Run(size, func(b *testing.B) {
			ds := prepared(b, size)
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, ds.URL)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(ctx)
			vid, envID, err := rootIDs(ctx, conn, ds.Marker.Root)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				if n, err = readRows(ctx, conn, persistence.ClosureEdgesSQL, vid, envID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
