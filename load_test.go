package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/graphgen"
	"github.com/seshat-graph/seshat/testenv"
)

// TestLoad drives the real gateway (seshat serve, in-process, on loopback)
// with 64 concurrent clients for 60 s of mixed queries over a generated
// graph: no 5xx, no transport error and no INTERNAL answer is allowed; p50,
// p99, throughput and RSS are reported; RSS stays under 1 GiB (8 GiB under
// the race detector, whose shadow memory multiplies it); goroutines return
// to their starting count once the gateway stops.
// SESHAT_LOAD_DURATION overrides the 60 s (a Go duration).
//
// Not parallel: the goroutine count must not see other tests come and go.
func TestLoad(t *testing.T) {
	duration := 60 * time.Second
	if v := os.Getenv("SESHAT_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SESHAT_LOAD_DURATION: %v", err)
		}
		duration = d
	}
	const clients = 64
	ctx := context.Background()
	dbURL := testenv.MigratedDatabase(t)
	envs := []persistence.EnvironmentKey{
		{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		{OSName: "fedora", OSVersion: "38", PythonVersion: "3.11"},
	}
	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := graphgen.Generate(graphgen.Config{
		Seed: 17, Packages: 400, VersionsPerPackage: 5, DepsPerVersion: 5,
		Indexes: []string{"https://pypi.org/simple", "https://mirror.example.com/simple"}, Environments: envs,
		Unsolved: 0.1, SolverError: 0.03, FalseMarker: 0.1, Extra: 0.1, TargetExtras: 0.1,
	})
	if err := g.Ingest(ctx, store, "solver-load"); err != nil {
		t.Fatal(err)
	}
	store.Close()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	startHeap := ms.HeapInuse
	startGoroutines := runtime.NumGoroutine()
	startRSS := rssBytes(t)
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": dbURL, "SESHAT_LOG_LEVEL": "warn"})

	envArg := func(r *rand.Rand) string {
		e := envs[r.IntN(len(envs))]
		return fmt.Sprintf(`{osName: %q, osVersion: %q, pythonVersion: %q}`, e.OSName, e.OSVersion, e.PythonVersion)
	}
	mix := []struct {
		name  string
		query func(r *rand.Rand) string
	}{
		{"packages page", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ packages(first: 20, nameStartsWith: "pkg-0%d") { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name latestVersion { version } } } } }`, r.IntN(4))
		}},
		{"package versions", func(r *rand.Rand) string {
			v := g.Versions[r.IntN(len(g.Versions))]
			return fmt.Sprintf(`{ package(name: %q) { name versions(first: 10) { totalCount edges { node { version indexUrl environments { osName } } } } } }`, v.Name)
		}},
		{"nested dependencies", func(r *rand.Rand) string {
			v := g.Versions[r.IntN(len(g.Versions))]
			return fmt.Sprintf(`{ packageVersion(name: %q, version: %q) { name version dependencies(environment: %s) { name versionRange marker resolvedVersions { name version } } } }`, v.Name, v.Version, envArg(r))
		}},
		{"dependency graph", func(r *rand.Rand) string {
			v := g.Versions[r.IntN(len(g.Versions))]
			return fmt.Sprintf(`{ dependencyGraph(root: {name: %q, version: %q}, environment: %s, maxDepth: %d) { truncated depthReached nodes { id name version depth solved } edges { from to versionRange } } }`, v.Name, v.Version, envArg(r), 2+r.IntN(5))
		}},
		{"dependents", func(r *rand.Rand) string {
			v := g.Versions[r.IntN(len(g.Versions))]
			return fmt.Sprintf(`{ dependents(name: %q, environment: %s, maxDepth: 2, first: 20) { totalCount edges { depth node { name version } } } }`, v.Name, envArg(r))
		}},
		{"unsolved backlog", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ unsolvedPackageVersions(environment: %s, first: 25) { totalCount edges { node { name version } } } }`, envArg(r))
		}},
		{"environments and indexes", func(*rand.Rand) string {
			return `{ environments { id osName osVersion pythonVersion } indexes { url enabled } }`
		}},
	}

	type sample struct {
		kind    int
		elapsed time.Duration
		o       outcome
	}
	results := make([][]sample, clients)
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	deadline := time.Now().Add(duration)

	var peakRSS int64
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		for time.Now().Before(deadline) {
			if r := rssBytes(t); r > peakRSS {
				peakRSS = r
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 99))
			for time.Now().Before(deadline) {
				k := r.IntN(len(mix))
				o := queryOnce(client, s.base, mix[k].query(r))
				results[c] = append(results[c], sample{kind: k, elapsed: o.elapsed, o: o})
			}
		}(c)
	}
	wg.Wait()
	<-rssDone

	var all []time.Duration
	perKind := make([][]time.Duration, len(mix))
	codes := map[string]int{}
	for _, rs := range results {
		for _, x := range rs {
			all = append(all, x.elapsed)
			perKind[x.kind] = append(perKind[x.kind], x.elapsed)
			switch {
			case x.o.err != nil:
				t.Errorf("%s: %v", mix[x.kind].name, x.o.err)
			case x.o.status >= 500:
				t.Errorf("%s: HTTP %d", mix[x.kind].name, x.o.status)
			case x.o.code == "INTERNAL":
				t.Errorf("%s: INTERNAL", mix[x.kind].name)
			}
			codes[fmt.Sprintf("%d %s", x.o.status, x.o.code)]++
		}
	}
	if len(all) == 0 {
		t.Fatal("no requests completed")
	}
	p50, p99 := percentile(all, 50), percentile(all, 99)
	t.Logf("load: %d clients for %s: %d requests (%.0f/s), p50 %s, p99 %s, max %s; answers %v",
		clients, duration, len(all), float64(len(all))/duration.Seconds(), p50, p99, percentile(all, 100), codes)
	for k, ds := range perKind {
		if len(ds) > 0 {
			t.Logf("  %-24s %6d requests  p50 %-10s p99 %s", mix[k].name, len(ds), percentile(ds, 50), percentile(ds, 99))
		}
	}
	bound := int64(1 << 30)
	if raceEnabled {
		bound *= 8
	}
	t.Logf("RSS: %d MiB before the gateway started, %d MiB peak under load (test process, clients included; race detector %v)",
		startRSS>>20, peakRSS>>20, raceEnabled)
	if peakRSS > bound {
		t.Errorf("RSS peaked at %d MiB, bound %d MiB", peakRSS>>20, bound>>20)
	}

	// Stop the gateway; every goroutine it and the clients started ends.
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	transport.CloseIdleConnections()
	var now int
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if now = runtime.NumGoroutine(); now <= startGoroutines || time.Now().After(end) {
			break
		}
	}
	t.Logf("goroutines: %d before, %d after the gateway stopped", startGoroutines, now)
	// Nothing the load made stays reachable: the heap returns near its start.
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("Go heap in use: %d MiB before, %d MiB after the gateway stopped", startHeap>>20, ms.HeapInuse>>20)
	if ms.HeapInuse > startHeap+64<<20 {
		t.Errorf("heap in use grew from %d MiB to %d MiB", startHeap>>20, ms.HeapInuse>>20)
	}
	if now > startGoroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines did not return to %d (now %d):\n%s", startGoroutines, now, buf[:runtime.Stack(buf, true)])
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	return s[max(0, min(i, len(s))-1)].Round(10 * time.Microsecond)
}

// rssBytes is this process's resident set size (Linux).
func rssBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
