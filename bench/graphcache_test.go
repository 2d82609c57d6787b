package bench

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// BenchmarkWalkHTTPCached is BenchmarkWalkHTTP with the graph cache: after
// the first request, every one is answered from it (one read of the
// generations, then the kept bytes).
func BenchmarkWalkHTTPCached(b *testing.B) {
	for _, size := range benchSizes() {
		b.Run(size, func(b *testing.B) {
			ds := prepared(b, size)
			tracer := &persistence.Tracer{}
			store, err := persistence.Open(context.Background(), ds.URL, persistence.Options{Tracer: tracer})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			cache := graphcache.New(store, GraphCacheMB<<20)
			logger := slog.New(slog.DiscardHandler)
			r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.DefaultLimits}
			srv := httptest.NewServer(server.Handler(server.Deps{
				Logger:  logger,
				GraphQL: server.GraphQL(r, logger, server.GraphQLOptions{GraphCache: cache}),
				Ready:   func(context.Context) error { return nil },
			}))
			defer srv.Close()
			body := WalkQuery(ds.Marker.Root)
			warm, err := PostGraphQL(context.Background(), srv.Client(), srv.URL+"/graphql", body)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			before, statements := cache.Stats(), tracer.Count()
			post(b, srv, body)
			after := cache.Stats()
			if hits := after.Hits - before.Hits; hits != int64(b.N) {
				b.Fatalf("%d hits in %d requests", hits, b.N)
			}
			b.ReportMetric(float64(tracer.Count()-statements)/float64(b.N), "statements/op")
			b.ReportMetric(float64(len(warm)), "bytes/answer")
		})
	}
}
