package cli

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/bench"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestConcurrentQueries drives the real gateway (seshat serve, in-process,
// on loopback) with 16 concurrent clients of make bench's query mix
// (bench.Mix over bench.MixedGraph), a fixed number of requests each: no
// transport error, no 5xx and no INTERNAL answer is allowed, and goroutines
// return to their starting count once the gateway stops. Latency,
// throughput and memory under load are make bench's mixed load, not this
// test's.
//
// Not parallel: the goroutine count must not see other tests come and go.
func TestConcurrentQueries(t *testing.T) {
	const clients, perClient = 16, 25
	ctx := context.Background()
	dbURL := testenv.MigratedDatabase(t)
	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := bench.MixedGraph()
	g := graphgen.Generate(cfg)
	if err := g.Ingest(ctx, store, "solver-concurrent"); err != nil {
		t.Fatal(err)
	}
	store.Close()

	startGoroutines := runtime.NumGoroutine()
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": dbURL, "SESHAT_LOG_LEVEL": "warn"})
	mix := bench.Mix(cfg, g)
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	answers := bench.Drive(ctx, client, s.base+"/graphql", mix, clients, perClient, time.Time{})

	counts := map[string]int{}
	n := 0
	for _, as := range answers {
		for _, a := range as {
			n++
			counts[a.Key()]++
			if f := a.Failure(); f != "" {
				t.Errorf("%s: %s", mix[a.Kind].Name, f)
			}
		}
	}
	if n != clients*perClient {
		t.Errorf("%d answers, want %d", n, clients*perClient)
	}
	t.Logf("%d clients x %d requests: answers %v", clients, perClient, counts)

	// Stop the gateway; every goroutine it and the clients started ends.
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop:\n%s", s.stderr)
	}
	transport.CloseIdleConnections()
	var now int
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if now = runtime.NumGoroutine(); now <= startGoroutines || time.Now().After(end) {
			break
		}
	}
	t.Logf("goroutines: %d before, %d after the gateway stopped", startGoroutines, now)
	if now > startGoroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines did not return to %d (now %d):\n%s", startGoroutines, now, buf[:runtime.Stack(buf, true)])
	}
}
