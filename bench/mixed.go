package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/persistence"
)

// MixedSize names the mixed load's dataset; its database is "bench_mixed".
const MixedSize = "mixed"

// MixedGraph is the graph of the mixed load: 400 packages of up to five
// versions on two indexes, solved in two environments, with unsolved
// versions, solver errors, false markers and extras on both ends of an edge.
// TestConcurrentQueries (root package) ingests the same graph.
func MixedGraph() graphgen.Config {
	return graphgen.Config{
		Seed: 17, Packages: 400, VersionsPerPackage: 5, DepsPerVersion: 5,
		Indexes: []string{"https://pypi.org/simple", "https://mirror.example.com/simple"},
		Environments: []persistence.EnvironmentKey{
			{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
			{OSName: "fedora", OSVersion: "38", PythonVersion: "3.11"},
		},
		Unsolved: 0.1, SolverError: 0.03, FalseMarker: 0.1, Extra: 0.1, TargetExtras: 0.1,
	}
}

// MixKind is one kind of request of the mixed load: Query makes a query
// text of that kind from r.
type MixKind struct {
	Name  string
	Query func(r *rand.Rand) string
}

// Mix is the query mix over g (generated from cfg): a page of packages, a
// package's versions, a version's dependencies with their resolved
// versions, a dependency graph of depth 2 to 6, dependents, the unsolved
// backlog of an environment, and the environments and indexes. Names,
// versions and environments are drawn from g.
func Mix(cfg graphgen.Config, g *graphgen.Graph) []MixKind {
	envArg := func(r *rand.Rand) string {
		e := cfg.Environments[r.IntN(len(cfg.Environments))]
		return fmt.Sprintf(`{osName: %q, osVersion: %q, pythonVersion: %q}`, e.OSName, e.OSVersion, e.PythonVersion)
	}
	version := func(r *rand.Rand) graphgen.Version { return g.Versions[r.IntN(len(g.Versions))] }
	return []MixKind{
		{"packages page", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ packages(first: 20, nameStartsWith: "pkg-0%d") { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name latestVersion { version } } } } }`, r.IntN(4))
		}},
		{"package versions", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ package(name: %q) { name versions(first: 10) { totalCount edges { node { version indexUrl environments { osName } } } } } }`, version(r).Name)
		}},
		{"nested dependencies", func(r *rand.Rand) string {
			v := version(r)
			return fmt.Sprintf(`{ packageVersion(name: %q, version: %q) { name version dependencies(environment: %s) { name versionRange marker resolvedVersions { name version } } } }`, v.Name, v.Version, envArg(r))
		}},
		{"dependency graph", func(r *rand.Rand) string {
			v := version(r)
			return fmt.Sprintf(`{ dependencyGraph(root: {name: %q, version: %q}, environment: %s, maxDepth: %d) { truncated depthReached nodes { id name version depth solved } edges { from to versionRange } } }`, v.Name, v.Version, envArg(r), 2+r.IntN(5))
		}},
		{"dependents", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ dependents(name: %q, environment: %s, maxDepth: 2, first: 20) { totalCount edges { depth node { name version } } } }`, version(r).Name, envArg(r))
		}},
		{"unsolved backlog", func(r *rand.Rand) string {
			return fmt.Sprintf(`{ unsolvedPackageVersions(environment: %s, first: 25) { totalCount edges { node { name version } } } }`, envArg(r))
		}},
		{"environments and indexes", func(*rand.Rand) string {
			return `{ environments { id osName osVersion pythonVersion } indexes { url enabled } }`
		}},
	}
}

// Answer is one request of the mixed load as its client saw it.
type Answer struct {
	Kind    int           // index in the mix
	Status  int           // HTTP status; 0 when no response came
	Code    string        // extensions.code of the first error, INTERNAL when any error has it; "" without errors
	Elapsed time.Duration // from sending to the last byte of the body
	Err     error         // transport error or a body that is not a GraphQL response
}

// Failure says why a does not pass the mixed load, "" when it does: a
// transport error (or a body that is not a GraphQL response), an HTTP 5xx,
// an INTERNAL error.
func (a Answer) Failure() string {
	switch {
	case a.Err != nil:
		return "transport error: " + a.Err.Error()
	case a.Status >= 500:
		return "HTTP " + strconv.Itoa(a.Status)
	case a.Code == "INTERNAL":
		return "INTERNAL"
	}
	return ""
}

// Key is how the answer is counted: "200", "200 NOT_FOUND", "transport error".
func (a Answer) Key() string {
	switch {
	case a.Err != nil:
		return "transport error"
	case a.Code != "":
		return strconv.Itoa(a.Status) + " " + a.Code
	}
	return strconv.Itoa(a.Status)
}

// Ask posts query to url (a GraphQL endpoint), reads the whole body and
// classifies the answer.
func Ask(ctx context.Context, client *http.Client, url, query string) Answer {
	start := time.Now()
	var a Answer
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		a.Err = err
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		a.Err, a.Elapsed = err, time.Since(start)
		return a
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	a.Status, a.Elapsed = resp.StatusCode, time.Since(start)
	if err != nil {
		a.Err = err
		return a
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		a.Err = fmt.Errorf("HTTP %d, body not JSON (%v): %s", resp.StatusCode, err, tail(string(b), 200))
		return a
	}
	if r.Data == nil && len(r.Errors) == 0 {
		a.Err = fmt.Errorf("HTTP %d, neither data nor errors: %s", resp.StatusCode, tail(string(b), 200))
		return a
	}
	for i, e := range r.Errors {
		if i == 0 || e.Extensions.Code == "INTERNAL" {
			a.Code = e.Extensions.Code
		}
		if a.Code == "" {
			a.Code = "no code"
		}
	}
	return a
}

// Drive runs clients closed-loop clients of mix against url at once; each
// picks a kind and its arguments at random from its own seeded source, and
// stops after perClient requests (when > 0), at until (when not zero) or
// when ctx ends. It returns each client's answers in order.
func Drive(ctx context.Context, client *http.Client, url string, mix []MixKind, clients, perClient int, until time.Time) [][]Answer {
	out := make([][]Answer, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 99))
			for n := 0; perClient <= 0 || n < perClient; n++ {
				if ctx.Err() != nil || (!until.IsZero() && !time.Now().Before(until)) {
					return
				}
				k := r.IntN(len(mix))
				a := Ask(ctx, client, url, mix[k].Query(r))
				a.Kind = k
				out[c] = append(out[c], a)
			}
		})
	}
	wg.Wait()
	return out
}

// MixedResult is the mixed load against one `seshat serve`.
type MixedResult struct {
	Dataset  *Dataset
	Versions int // versions in the graph
	Clients  int
	Duration time.Duration // the load asked for
	Warmup   time.Duration
	Elapsed  time.Duration // the timed run, first request to last answer
	Requests int           // answered in the timed run
	Overall  Dist
	Kinds    []MixedKind
	// Answers counts the timed run's answers by Answer.Key.
	Answers map[string]int
	// Failures counts failed answers of the warm-up and the timed run;
	// Examples are the first few.
	Failures int
	Examples []string
	PeakRSS  int64 // bytes, the gateway's peak under the timed load
	// ServerErrors counts the timed run's HTTP 5xx answers.
	ServerErrors int

	// Cache is how the gateway's graph cache was set: "on" (its default
	// size) or "off" (SESHAT_GRAPH_CACHE_MB=0).
	Cache string
	// CacheCapacity is seshat_graph_cache_capacity_bytes (-1: not exported).
	CacheCapacity int64
	// CacheHits, CacheMisses and CacheSkipped are what the gateway's
	// seshat_graph_cache_{hits,misses,skipped}_total counted over the timed
	// run; CacheKnown is false when it exports no such counters.
	CacheHits, CacheMisses, CacheSkipped float64
	CacheKnown                           bool
	// CacheBytes and CacheEntries are seshat_graph_cache_bytes and
	// _entries right after the timed run (-1: not exported); HeapInUse is
	// go_memstats_heap_inuse_bytes then: what the RSS holds besides the
	// runtime's free pages.
	CacheBytes, CacheEntries, HeapInUse int64
	// RSSBefore is the gateway's RSS (bytes) once started, before any
	// request; RSSAfter once idle after the load.
	RSSBefore, RSSAfter int64
	// GoroutinesBefore is go_goroutines once started, before any request;
	// GoroutinesAfter once the load's connections are closed and the count
	// came back within GoroutineSlack of it, or after GoroutineSettle
	// without; Settled is how long that took.
	GoroutinesBefore, GoroutinesAfter int
	Settled                           time.Duration
}

// GoroutineSlack is how many goroutines above its count before the load
// the idle gateway may keep for the leak check to pass, and
// GoroutineSettle how long the check waits for the count to come back.
const (
	GoroutineSlack  = 5
	GoroutineSettle = 30 * time.Second
)

// HitRatio is the graph cache's hits over its lookups (hits and misses) in
// the timed run; ok is false without counters or lookups.
func (m *MixedResult) HitRatio() (r float64, ok bool) {
	if !m.CacheKnown || m.CacheHits+m.CacheMisses == 0 {
		return 0, false
	}
	return m.CacheHits / (m.CacheHits + m.CacheMisses), true
}

// hitRatio renders HitRatio: "63.2% (4021 of 6360 lookups)", or "n/a".
func (m *MixedResult) hitRatio() string {
	r, ok := m.HitRatio()
	if !ok {
		if m.CacheKnown && m.Cache == "on" {
			return "no lookups"
		}
		return "n/a"
	}
	return fmt.Sprintf("%.1f%% (%.0f of %.0f lookups)", 100*r, m.CacheHits, m.CacheHits+m.CacheMisses)
}

// cacheLabel names the run: "cache on (256 MiB)", "cache off".
func (m *MixedResult) cacheLabel() string {
	if m.Cache == "on" && m.CacheCapacity > 0 {
		return "cache on (" + mib(m.CacheCapacity) + ")"
	}
	return "cache " + m.Cache
}

// Leaked reports whether the idle gateway kept more than GoroutineSlack
// goroutines above its count before the load.
func (m *MixedResult) Leaked() bool { return m.GoroutinesAfter > m.GoroutinesBefore+GoroutineSlack }

// MixedKind is the latency of one kind of the mix.
type MixedKind struct {
	Name    string
	Latency Dist
}

// Failed reports whether any answer was a transport error, a 5xx or INTERNAL.
func (m *MixedResult) Failed() bool { return m.Failures > 0 }

// RPS is the timed run's throughput.
func (m *MixedResult) RPS() float64 { return ratio(float64(m.Requests), m.Elapsed.Seconds()) }

// AnswerCounts renders Answers, the most frequent first: "200: 9100, 200 NOT_FOUND: 12".
func (m *MixedResult) AnswerCounts() string {
	keys := make([]string, 0, len(m.Answers))
	for k := range m.Answers {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m.Answers[a] != m.Answers[b] {
			return m.Answers[b] - m.Answers[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m.Answers[k])
	}
	return strings.Join(parts, ", ")
}

// MixedLoad is the mixed load run twice on the same database, side by
// side: with the gateway's graph cache at its default size, then off.
type MixedLoad struct {
	Runs []*MixedResult
}

// Failed reports whether any run had a failed answer.
func (l *MixedLoad) Failed() bool { return l.Failures() > 0 }

// Failures counts the failed answers of every run.
func (l *MixedLoad) Failures() int {
	n := 0
	for _, m := range l.Runs {
		n += m.Failures
	}
	return n
}

const (
	mixedContract   = "mixed load: no transport error, 5xx or INTERNAL answer, graph cache on and off"
	goroutineTarget = "mixed load: the idle gateway's goroutines back within %d of their count before the load, graph cache on and off"
)

// targets are the mixed load's lines of the contract table: no failed
// answer, and no goroutine left behind, in every run.
func (l *MixedLoad) targets() []Target {
	ft := Target{Contract: mixedContract, Known: len(l.Runs) > 0, Met: !l.Failed()}
	gt := Target{Contract: fmt.Sprintf(goroutineTarget, GoroutineSlack), Known: len(l.Runs) > 0, Met: true}
	var ff, gf []string
	for _, m := range l.Runs {
		f := fmt.Sprintf("%s: none in %d requests (%d clients, %s)", m.cacheLabel(), m.Requests, m.Clients, m.Duration)
		if m.Failed() {
			f = fmt.Sprintf("%s: %d failed answers (warm-up included), %d of them 5xx in the timed run, first: %s",
				m.cacheLabel(), m.Failures, m.ServerErrors, strings.Join(m.Examples, "; "))
		}
		ff = append(ff, f)
		gf = append(gf, fmt.Sprintf("%s: %d before, %d after (%.1f s idle)", m.cacheLabel(), m.GoroutinesBefore, m.GoroutinesAfter, m.Settled.Seconds()))
		gt.Met = gt.Met && !m.Leaked()
	}
	ft.Figure, gt.Figure = strings.Join(ff, "; "), strings.Join(gf, "; ")
	return []Target{ft, gt}
}

// table writes the mixed load's rows of the terminal table.
func (l *MixedLoad) table(tw io.Writer) {
	fmt.Fprintln(tw, "mixed load\tclients\trequests\treq/s\tp50 ms\tp99 ms\tmax ms\t5xx\tRSS before/peak/after\tgoroutines before/after\tcache hit ratio")
	for _, m := range l.Runs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%d\t%s / %s / %s\t%d / %d\t%s\n", m.cacheLabel(), m.Clients, m.Requests, m.RPS(),
			ms(m.Overall.P50), ms(m.Overall.P99), ms(m.Overall.Max), m.ServerErrors,
			mib(m.RSSBefore), mib(m.PeakRSS), mib(m.RSSAfter), m.GoroutinesBefore, m.GoroutinesAfter, m.hitRatio())
		for _, k := range m.Kinds {
			fmt.Fprintf(tw, "  %s\t\t%d\t%.0f\t%s\t%s\t%s\t\t\t\t\n", k.Name, k.Latency.N, ratio(float64(k.Latency.N), m.Elapsed.Seconds()),
				ms(k.Latency.P50), ms(k.Latency.P99), ms(k.Latency.Max))
		}
	}
}

// kinds is the number of query kinds every run has.
func (l *MixedLoad) kinds() int {
	n := -1
	for _, m := range l.Runs {
		if n < 0 || len(m.Kinds) < n {
			n = len(m.Kinds)
		}
	}
	return max(n, 0)
}

// answers is the terminal's line of answers by key, one run after the other.
func (l *MixedLoad) answers() string {
	var parts []string
	for _, m := range l.Runs {
		parts = append(parts, m.cacheLabel()+": "+m.AnswerCounts())
	}
	return "mixed load answers: " + strings.Join(parts, "; ") + "\n"
}

// markdown writes the mixed load's section of docs/benchmarks.md: the runs
// side by side, then each query kind's latency in each.
func (l *MixedLoad) markdown(b *strings.Builder) {
	if len(l.Runs) == 0 {
		return
	}
	m0 := l.Runs[0]
	ds := m0.Dataset
	fmt.Fprintf(b, "\n### Mixed load: %d clients, seven query kinds, graph cache on and off\n\n", m0.Clients)
	fmt.Fprintf(b, "`seshat serve` with its default limits (warning-level logs) on `%s` (graphgen seed %d: %d versions, two environments, %d documents, generator %s, %s; built in %.0f s), "+
		"started afresh for each run: with the graph cache at its default size, then with `SESHAT_GRAPH_CACHE_MB=0`. "+
		"%d closed-loop Go clients, each drawing a kind and its arguments at random (`bench.Mix`: packages page, package versions, nested dependencies, "+
		"dependency graph of depth 2 to 6, dependents, unsolved backlog, environments and indexes; each client's seeded source draws the same sequence in both runs), for %s after a %s warm-up; "+
		"latency from sending to the last byte read. RSS is the gateway's once started, its peak under the timed load (sampled every 100 ms) and once idle after it; "+
		"goroutines are its `go_goroutines` once started and after the load, its connections closed, once the count is back within %d (at most %s). "+
		"The hit ratio is `seshat_graph_cache_hits_total` over hits and `_misses_total` during the timed run (n/a: not exported). %s.\n\n",
		ds.DB, ds.Marker.Seed, m0.Versions, ds.Marker.Documents, ds.Marker.Generator, builtHow(ds), ds.Marker.BuildSeconds,
		m0.Clients, m0.Duration, m0.Warmup, GoroutineSlack, GoroutineSettle, l.verdictMarkdown())
	b.WriteString("| |")
	for _, m := range l.Runs {
		fmt.Fprintf(b, " %s |", m.cacheLabel())
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(l.Runs)) + "\n")
	row := func(name string, f func(m *MixedResult) string) {
		b.WriteString("| " + name + " |")
		for _, m := range l.Runs {
			b.WriteString(" " + f(m) + " |")
		}
		b.WriteString("\n")
	}
	row("requests (timed run)", func(m *MixedResult) string { return strconv.Itoa(m.Requests) })
	row("throughput", func(m *MixedResult) string { return fmt.Sprintf("**%.0f req/s**", m.RPS()) })
	row("latency p50 / p99 / max", func(m *MixedResult) string {
		return fmt.Sprintf("%s / %s / %s ms", ms(m.Overall.P50), ms(m.Overall.P99), ms(m.Overall.Max))
	})
	row("HTTP 5xx (timed run)", func(m *MixedResult) string { return strconv.Itoa(m.ServerErrors) })
	row("failed answers (warm-up included)", func(m *MixedResult) string { return strconv.Itoa(m.Failures) })
	row("answers by status and code", func(m *MixedResult) string { return m.AnswerCounts() })
	row("gateway RSS: before / peak under load / after", func(m *MixedResult) string {
		return fmt.Sprintf("%s / %s / %s", mib(m.RSSBefore), mib(m.PeakRSS), mib(m.RSSAfter))
	})
	row("right after the load: graph cache entries, bytes charged / Go heap in use", func(m *MixedResult) string {
		if m.CacheEntries < 0 {
			return "(off) / " + mib(m.HeapInUse)
		}
		return fmt.Sprintf("%d, %s / %s", m.CacheEntries, mib(m.CacheBytes), mib(m.HeapInUse))
	})
	row("goroutines: before / after, idle", func(m *MixedResult) string {
		return fmt.Sprintf("%d / %d (after %.1f s)", m.GoroutinesBefore, m.GoroutinesAfter, m.Settled.Seconds())
	})
	row("graph cache hit ratio", func(m *MixedResult) string {
		if m.Cache == "off" && !m.CacheKnown {
			return "(off)"
		}
		return m.hitRatio()
	})
	b.WriteString("\n| query |")
	for _, m := range l.Runs {
		fmt.Fprintf(b, " %s: req/s | p50 / p99 ms |", m.cacheLabel())
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|", len(l.Runs)) + "\n")
	for k := range l.kinds() {
		fmt.Fprintf(b, "| %s |", m0.Kinds[k].Name)
		for _, m := range l.Runs {
			lat := m.Kinds[k].Latency
			fmt.Fprintf(b, " %.0f | %s / %s |", ratio(float64(lat.N), m.Elapsed.Seconds()), ms(lat.P50), ms(lat.P99))
		}
		b.WriteString("\n")
	}
}

func (l *MixedLoad) verdictMarkdown() string {
	if !l.Failed() {
		n := 0
		for _, m := range l.Runs {
			n += m.Requests
		}
		return fmt.Sprintf("No transport error, 5xx or INTERNAL answer in %d requests", n)
	}
	var parts []string
	for _, m := range l.Runs {
		if m.Failed() {
			parts = append(parts, fmt.Sprintf("%s: %d failed answers (warm-up included), first: %s", m.cacheLabel(), m.Failures, strings.Join(m.Examples, "; ")))
		}
	}
	return "**FAILED**: " + strings.Join(parts, "; ")
}

// mixedSpec is the mixed load's dataset: MixedGraph ingested through
// Store.IngestSolverResult, cached like the others under a marker naming
// the generated documents by their hash.
func mixedSpec(cfg graphgen.Config, g *graphgen.Graph) (SizeSpec, error) {
	mh, err := MigrationsHash()
	if err != nil {
		return SizeSpec{}, err
	}
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(g.Results); err != nil {
		return SizeSpec{}, err
	}
	return SizeSpec{
		Marker: Marker{Size: MixedSize, Seed: cfg.Seed, Generator: "graphgen sha256:" + hex.EncodeToString(h.Sum(nil))[:12], Migrations: mh},
		Build: func(ctx context.Context, dbURL string) (Root, int, error) {
			store, err := persistence.Open(ctx, dbURL, persistence.Options{})
			if err != nil {
				return Root{}, 0, err
			}
			defer store.Close()
			if err := g.Ingest(ctx, store, "solver-mixed"); err != nil {
				return Root{}, 0, err
			}
			return Root{}, len(g.Results), nil
		},
	}, nil
}

// RunMixed prepares the mixed load's database (cached), then runs the
// load on it twice, each time against a `seshat serve` of its own with its
// default limits: with the graph cache at its default size, and with it
// off (SESHAT_GRAPH_CACHE_MB=0). Failed answers are counted in the
// results, not returned as an error.
func RunMixed(ctx context.Context, cfg Config, clients int, logf func(string, ...any)) (*MixedLoad, error) {
	gc := MixedGraph()
	g := graphgen.Generate(gc)
	spec, err := mixedSpec(gc, g)
	if err != nil {
		return nil, err
	}
	ds, err := Prepare(ctx, cfg.AdminURL, spec.Marker, spec.Build)
	if err != nil {
		return nil, err
	}
	how := "built"
	if ds.Cached {
		how = "cached"
	}
	logf("mixed load: dataset %s (database %s, %d versions, %d documents)", how, ds.DB, len(g.Versions), ds.Marker.Documents)
	load := &MixedLoad{}
	for _, c := range []struct {
		name string
		env  []string
	}{{"on", nil}, {"off", []string{"SESHAT_GRAPH_CACHE_MB=0"}}} {
		m, err := runMixed(ctx, cfg, ds, Mix(gc, g), clients, c.name, c.env, logf)
		if err != nil {
			return nil, fmt.Errorf("cache %s: %w", c.name, err)
		}
		m.Versions = len(g.Versions)
		load.Runs = append(load.Runs, m)
	}
	return load, nil
}

// runMixed starts `seshat serve` on ds with env added, reads its
// goroutines and RSS, runs clients clients of mix for cfg.Warmup, then for
// the mixed load's time with the gateway's RSS sampled and its graph cache
// counters read before and after, then closes the clients' connections and
// waits for the goroutine count to come back, and stops the gateway.
func runMixed(ctx context.Context, cfg Config, ds *Dataset, mix []MixKind, clients int, cache string, env []string, logf func(string, ...any)) (*MixedResult, error) {
	loadTime := cfg.MixedTime
	if loadTime <= 0 {
		loadTime = cfg.LoadTime
	}
	res := &MixedResult{Dataset: ds, Clients: clients, Duration: loadTime, Warmup: cfg.Warmup, Cache: cache,
		Answers: map[string]int{}, CacheCapacity: -1}
	p, err := startSeshat(ctx, cfg.Seshat, ds.URL, env...)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	// /metrics is read on connections of their own, closed after each
	// read, so the scrape costs the same goroutines before and after.
	scrape := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	before, err := Metrics(ctx, scrape, p.URL)
	if err != nil {
		return nil, err
	}
	g, ok := before["go_goroutines"]
	if !ok {
		return nil, errors.New("the gateway exports no go_goroutines")
	}
	res.GoroutinesBefore, res.RSSBefore = int(g), p.RSS()
	if c, ok := before["seshat_graph_cache_capacity_bytes"]; ok {
		res.CacheCapacity = int64(c)
	}
	label := "mixed load, " + res.cacheLabel()
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	url := p.URL + "/graphql"
	fail := func(a Answer) {
		res.Failures++
		if len(res.Examples) < 5 {
			res.Examples = append(res.Examples, mix[a.Kind].Name+": "+strings.Join(strings.Fields(a.Failure()), " "))
		}
	}
	if cfg.Warmup > 0 {
		logf("%s: %d clients, %s warm-up", label, clients, cfg.Warmup)
		for _, as := range Drive(ctx, client, url, mix, clients, 0, time.Now().Add(cfg.Warmup)) {
			for _, a := range as {
				if a.Failure() != "" {
					fail(a)
				}
			}
		}
	}
	logf("%s: %d clients for %s", label, clients, loadTime)
	counters0, err := Metrics(ctx, scrape, p.URL)
	if err != nil {
		return nil, err
	}
	p.ResetPeak()
	start := time.Now()
	answers := Drive(ctx, client, url, mix, clients, 0, start.Add(loadTime))
	res.Elapsed = time.Since(start)
	res.PeakRSS = p.PeakRSS()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	counters1, err := Metrics(ctx, scrape, p.URL)
	if err != nil {
		return nil, err
	}
	res.CacheHits, res.CacheKnown = delta(counters0, counters1, "seshat_graph_cache_hits_total")
	var known bool
	res.CacheMisses, known = delta(counters0, counters1, "seshat_graph_cache_misses_total")
	res.CacheKnown = res.CacheKnown && known
	res.CacheSkipped, _ = delta(counters0, counters1, "seshat_graph_cache_skipped_total")
	gauge := func(name string) int64 {
		if v, ok := counters1[name]; ok {
			return int64(v)
		}
		return -1
	}
	res.CacheBytes, res.CacheEntries, res.HeapInUse = gauge("seshat_graph_cache_bytes"), gauge("seshat_graph_cache_entries"), gauge("go_memstats_heap_inuse_bytes")

	// Idle: the clients' connections closed, the count should come back.
	transport.CloseIdleConnections()
	settle := time.Now()
	for {
		m, err := Metrics(ctx, scrape, p.URL)
		if err != nil {
			return nil, err
		}
		res.GoroutinesAfter, res.Settled = int(m["go_goroutines"]), time.Since(settle)
		if !res.Leaked() || res.Settled >= GoroutineSettle {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	res.RSSAfter = p.RSS()

	var all []time.Duration
	perKind := make([][]time.Duration, len(mix))
	for _, as := range answers {
		for _, a := range as {
			all = append(all, a.Elapsed)
			perKind[a.Kind] = append(perKind[a.Kind], a.Elapsed)
			res.Answers[a.Key()]++
			if a.Status >= 500 {
				res.ServerErrors++
			}
			if a.Failure() != "" {
				fail(a)
			}
		}
	}
	if len(all) == 0 {
		return nil, errors.New("no request answered")
	}
	res.Requests, res.Overall = len(all), Summarize(all)
	for k, ds := range perKind {
		res.Kinds = append(res.Kinds, MixedKind{Name: mix[k].Name, Latency: Summarize(ds)})
	}
	logf("%s: %d requests (%.0f/s), p50 %s ms, p99 %s ms, max %s ms; answers %s; RSS %s before, peak %s, %s after; goroutines %d before, %d after (%.1f s idle); graph cache hit ratio %s",
		label, res.Requests, res.RPS(), ms(res.Overall.P50), ms(res.Overall.P99), ms(res.Overall.Max), res.AnswerCounts(),
		mib(res.RSSBefore), mib(res.PeakRSS), mib(res.RSSAfter), res.GoroutinesBefore, res.GoroutinesAfter, res.Settled.Seconds(), res.hitRatio())
	if res.Failed() {
		logf("%s: %d failed answers, first: %s; gateway log:\n%s", label, res.Failures, strings.Join(res.Examples, "; "), tail(p.Log(), 2000))
	}
	return res, nil
}

// delta is the growth of the sample name from a to b; ok is false when
// either lacks it.
func delta(a, b map[string]float64, name string) (float64, bool) {
	x, ok1 := a[name]
	y, ok2 := b[name]
	return y - x, ok1 && ok2
}

// Metrics reads base+/metrics once and returns its samples without labels
// by name (a labelled sample is left out).
func Metrics(ctx context.Context, client *http.Client, base string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: HTTP %d", base, resp.StatusCode)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(name, "#") || strings.ContainsRune(name, '{') {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			out[name] = f
		}
	}
	return out, nil
}
