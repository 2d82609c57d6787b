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

// MixedResult is the mixed load against `seshat serve`.
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
}

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

// RunMixed prepares the mixed load's database (cached), starts `seshat
// serve` on it with its default limits, runs clients clients of the mix
// for cfg.Warmup, then for cfg.LoadTime with the gateway's RSS sampled,
// and stops the gateway. Failed answers are counted in the result, not
// returned as an error.
func RunMixed(ctx context.Context, cfg Config, clients int, logf func(string, ...any)) (*MixedResult, error) {
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
	res := &MixedResult{Dataset: ds, Versions: len(g.Versions), Clients: clients, Duration: cfg.LoadTime, Warmup: cfg.Warmup,
		Answers: map[string]int{}}
	p, err := startSeshat(ctx, cfg.Seshat, ds.URL)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	mix := Mix(gc, g)
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
		logf("mixed load: %d clients, %s warm-up", clients, cfg.Warmup)
		for _, as := range Drive(ctx, client, url, mix, clients, 0, time.Now().Add(cfg.Warmup)) {
			for _, a := range as {
				if a.Failure() != "" {
					fail(a)
				}
			}
		}
	}
	logf("mixed load: %d clients for %s", clients, cfg.LoadTime)
	p.ResetPeak()
	start := time.Now()
	answers := Drive(ctx, client, url, mix, clients, 0, start.Add(cfg.LoadTime))
	res.Elapsed = time.Since(start)
	res.PeakRSS = p.PeakRSS()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []time.Duration
	perKind := make([][]time.Duration, len(mix))
	for _, as := range answers {
		for _, a := range as {
			all = append(all, a.Elapsed)
			perKind[a.Kind] = append(perKind[a.Kind], a.Elapsed)
			res.Answers[a.Key()]++
			if a.Failure() != "" {
				fail(a)
			}
		}
	}
	if len(all) == 0 {
		return nil, errors.New("mixed load: no request answered")
	}
	res.Requests, res.Overall = len(all), Summarize(all)
	for k, ds := range perKind {
		res.Kinds = append(res.Kinds, MixedKind{Name: mix[k].Name, Latency: Summarize(ds)})
	}
	logf("mixed load: %d requests (%.0f/s), p50 %s ms, p99 %s ms, max %s ms; answers %s; gateway peak RSS %s",
		res.Requests, res.RPS(), ms(res.Overall.P50), ms(res.Overall.P99), ms(res.Overall.Max), res.AnswerCounts(), mib(res.PeakRSS))
	if res.Failed() {
		logf("mixed load: %d failed answers, first: %s; gateway log:\n%s", res.Failures, strings.Join(res.Examples, "; "), tail(p.Log(), 2000))
	}
	return res, nil
}
