package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
	"github.com/seshat-graph/seshat/resolvers"
)

var cacheEnv = persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}

// cachePair is a gateway with a graph cache and one without, over one
// store.
type cachePair struct {
	store         *persistence.Store
	cache         *graphcache.Cache
	cached, plain *httptest.Server
}

func newCachePair(t *testing.T, store *persistence.Store, capacity int64, opts GraphQLOptions) cachePair {
	t.Helper()
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	p := cachePair{store: store, cache: graphcache.New(store, capacity)}
	withCache := opts
	withCache.GraphCache = p.cache
	p.cached = httptest.NewServer(GraphQL(r, logger, withCache))
	t.Cleanup(p.cached.Close)
	p.plain = httptest.NewServer(GraphQL(r, logger, opts))
	t.Cleanup(p.plain.Close)
	return p
}

// postRaw sends query with vars and returns the status and body.
func postRaw(t *testing.T, url, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url+"/", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %.300s", b)
	}
	return resp.Status + " " + string(b)
}

// both sends the request to the cached gateway and to the plain one and
// requires the same bytes; it returns them.
func (p cachePair) both(t *testing.T, query string, vars map[string]any) string {
	t.Helper()
	got, want := postRaw(t, p.cached.URL, query, vars), postRaw(t, p.plain.URL, query, vars)
	if got != want {
		t.Fatalf("the cached gateway answered otherwise\ncached: %.800s\nfresh:  %.800s", got, want)
	}
	return got
}

// TestGraphCacheSameBytes: an answer from the cache is byte for byte the
// answer the gateway computes without it, for every selection the cache
// keeps (with fragments, aliases, directives, the root, the environment,
// version columns, the vulnerability overlay) and, answered as without the
// cache, for those it does not keep; the second request of a kept one is a
// hit, of another not.
func TestGraphCacheSameBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, dbURL := testenv.Store(t)
	g := graphgen.Generate(graphgen.Config{
		Seed: 11, Packages: 60, VersionsPerPackage: 3, DepsPerVersion: 4,
		Indexes: []string{"https://pypi.org/simple"}, Environments: []persistence.EnvironmentKey{cacheEnv},
		Unsolved: 0.1, SolverError: 0.05, FalseMarker: 0.2, Extra: 0.3, TargetExtras: 0.3,
	})
	if err := g.Ingest(ctx, store, "solver-graph"); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Conn(t, dbURL).Exec(ctx, `
		WITH v AS (
			INSERT INTO vulnerability (external_id, summary, aliases, severity, refs, modified)
			VALUES ('PYSEC-CACHE-1', 'Quote " and tab 	', '{CVE-2099-7}', '[{"type": "CVSS_V3", "score": "7.5"}]',
			        '[{"type": "WEB", "url": "https://example.com/7"}]', '2024-01-01T00:00:00Z')
			RETURNING id)
		INSERT INTO vulnerability_affects (vulnerability_id, version_id, fixed_in)
		SELECT v.id, pv.id, '9.0' FROM v JOIN package_version pv ON pv.id % 5 = 0`); err != nil {
		t.Fatal(err)
	}
	for _, lists := range []struct {
		name string
		opts GraphQLOptions
	}{{"lists written directly", GraphQLOptions{}}, {"generated lists", GraphQLOptions{generatedLists: true}}} {
		t.Run(lists.name, func(t *testing.T) {
			t.Parallel()
			p := newCachePair(t, store, 64<<20, lists.opts)
			const args = `root: $root, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}, maxDepth: $d, extras: $x`
			kept := map[string]string{
				"every leaf": `{ dependencyGraph(` + args + `) {
					__typename truncated depthReached
					nodes { __typename id name version indexUrl depth solved solverError extras }
					edges { __typename from to versionRange marker extra markerEvaluationResult } } }`,
				"aliases, fragments, directives": `{ g: dependencyGraph(` + args + `) {
					a: nodes { i: id ...N ... on DependencyGraphNode { depth } }
					b: nodes { name @include(if: $yes) version @skip(if: $yes) }
					edges { ...E to: from from: to } depthReached } }
					fragment N on DependencyGraphNode { name extras }
					fragment E on DependencyGraphEdge { marker @include(if: $yes) extra @skip(if: $no) }`,
				"root, environment, versions": `{ dependencyGraph(` + args + `) {
					root { __typename id name version indexUrl versionText isMissing providesSourceDistro ... on Node { id } }
					environment { id osName osVersion pythonVersion }
					nodes { id packageVersion { id name version isMissing } } edges { from to } } }`,
				"vulnerability overlay": `{ dependencyGraph(` + args + `) {
					nodes { id vulnerabilities { id summary aliases severity { type score } references { type url } fixedIn withdrawn } }
					vulnerable { id name } } }`,
			}
			other := map[string]string{
				"a version's dependents": `{ dependencyGraph(` + args + `) { nodes { id packageVersion { dependents { totalCount } } } } }`,
				"a version's metadata":   `{ dependencyGraph(` + args + `) { root { metadata { summary } } nodes { id } } }`,
			}
			roots := []map[string]any{}
			for i, c := range g.Cases() {
				if i%4 == 0 && len(roots) < 6 {
					roots = append(roots, map[string]any{"name": c.Root.Name, "version": c.Root.Version})
				}
			}
			decls := []struct{ name, typ string }{{"root", "PackageVersionInput!"}, {"d", "Int"}, {"x", "[String!]"},
				{"yes", "Boolean!"}, {"no", "Boolean!"}}
			run := func(name, body string, keeps bool) {
				t.Run(name, func(t *testing.T) {
					var used []string
					for _, d := range decls {
						if strings.Contains(body, "$"+d.name) {
							used = append(used, "$"+d.name+": "+d.typ)
						}
					}
					q := "query(" + strings.Join(used, ", ") + ") " + body
					stored := 0
					for i, root := range roots {
						all := map[string]any{"root": root, "d": 2 + i%6, "x": []string{"security"}, "yes": true, "no": false}
						vars := map[string]any{}
						for _, d := range decls {
							if strings.Contains(body, "$"+d.name) {
								vars[d.name] = all[d.name]
							}
						}
						first := p.both(t, q, vars)
						if !strings.Contains(first, `"data":{`) {
							t.Fatalf("no data: %.300s", first)
						}
						before := p.cache.Stats()
						second := p.both(t, q, vars)
						after := p.cache.Stats()
						if second != first {
							t.Fatalf("root %v: a second request answered otherwise", root)
						}
						if after.Hits > before.Hits {
							stored++
						}
						if !keeps && after.Hits != before.Hits {
							t.Fatalf("root %v: a selection the cache does not keep was served from it", root)
						}
					}
					if keeps && stored == 0 {
						t.Errorf("no answer of %d roots was served from the cache: %+v", len(roots), p.cache.Stats())
					}
				})
			}
			for name, body := range kept {
				run(name, body, true)
			}
			for name, body := range other {
				run(name, body, false)
			}
		})
	}
}

// cacheSolve ingests (forced) the solver document id of cacheEnv solving
// name==version with requirements deps ("name==version", each resolved to
// that version).
func cacheSolve(t *testing.T, store *persistence.Store, id string, name, version string, deps ...string) {
	t.Helper()
	e := persistence.SolvedEntry{Name: name, Version: version, IndexURL: "https://pypi.org/simple"}
	for _, d := range deps {
		n, v, _ := strings.Cut(d, "==")
		e.Dependencies = append(e.Dependencies, persistence.DependencyEntry{Name: n, VersionRange: ">=" + v,
			Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{v}}}})
	}
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: cacheEnv,
		SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: []persistence.SolvedEntry{e}}
	if _, err := store.IngestSolverResult(t.Context(), persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id + fmt.Sprint(deps)}, res, true); err != nil {
		t.Fatal(err)
	}
}

const cacheQuery = `query($name: String!) { dependencyGraph(root: {name: $name, version: "1"},
	environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}) {
	nodes { name version depth solved } edges { from to versionRange } vulnerable { name } } }`

// TestGraphCacheInvalidation: ingesting a document that changes a node of
// a cached closure changes the next answer (to what a gateway without the
// cache answers); one that touches only unrelated packages leaves it
// cached; so do the other writers, each for what it touches.
func TestGraphCacheInvalidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, _, _ := testenv.Store(t)
	cacheSolve(t, store, "solver-rhel-8-py38-app", "app", "1", "a==1")
	cacheSolve(t, store, "solver-rhel-8-py38-a", "a", "1", "b==1")
	cacheSolve(t, store, "solver-rhel-8-py38-b", "b", "1")
	cacheSolve(t, store, "solver-rhel-8-py38-z", "z", "1", "y==1")
	p := newCachePair(t, store, 64<<20, GraphQLOptions{})
	app := map[string]any{"name": "app"}

	// hit asks for app's graph and reports whether the cache answered.
	hit := func() (string, bool) {
		t.Helper()
		before := p.cache.Stats().Hits
		body := p.both(t, cacheQuery, app)
		return body, p.cache.Stats().Hits > before
	}
	first, cached := hit()
	if cached || !strings.Contains(first, `"name":"b"`) {
		t.Fatalf("first answer: cached %t, %.400s", cached, first)
	}
	if again, cached := hit(); !cached || again != first {
		t.Fatalf("second answer: cached %t, same %t", cached, again == first)
	}
	steps := []struct {
		name    string
		write   func()
		changes bool
	}{
		{"a document of unrelated packages", func() { cacheSolve(t, store, "solver-rhel-8-py38-y", "y", "1", "x==1") }, false},
		{"an unrelated document again, with other edges", func() { cacheSolve(t, store, "solver-rhel-8-py38-z", "z", "1", "w==1") }, false},
		{"a document giving b, a node of the closure, an edge", func() { cacheSolve(t, store, "solver-rhel-8-py38-b", "b", "1", "c==1") }, true},
		{"a document solving c, the new node", func() { cacheSolve(t, store, "solver-rhel-8-py38-c", "c", "1") }, true},
		{"a vulnerability record of an unrelated package", func() {
			if _, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{{ID: "PYSEC-Z", Summary: "z",
				Affected: []python.Affected{{Name: "z", Versions: []string{"1"}}}}}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a vulnerability record of a", func() {
			if _, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{{ID: "PYSEC-A", Summary: "a",
				Affected: []python.Affected{{Name: "a", Versions: []string{"1"}}}}}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"c marked missing", func() {
			if _, err := store.MarkVersion(ctx, persistence.VersionMark{VersionOnIndex: persistence.VersionOnIndex{
				Name: "c", Version: "1", IndexURL: "https://pypi.org/simple"}, IsMissing: new(true)}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"z marked missing", func() {
			if _, err := store.MarkVersion(ctx, persistence.VersionMark{VersionOnIndex: persistence.VersionOnIndex{
				Name: "z", Version: "1", IndexURL: "https://pypi.org/simple"}, IsMissing: new(true)}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"c back", func() {
			if _, err := store.MarkVersion(ctx, persistence.VersionMark{VersionOnIndex: persistence.VersionOnIndex{
				Name: "c", Version: "1", IndexURL: "https://pypi.org/simple"}, IsMissing: new(false)}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a's document deleted", func() {
			if _, err := store.DeleteDocuments(ctx, []string{"solver-rhel-8-py38-a"}); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	prev := first
	for _, s := range steps {
		s.write()
		got, cached := hit()
		if s.changes && (cached || got == prev) {
			t.Errorf("%s: cached %t, answer changed %t; want a fresh, different answer", s.name, cached, got != prev)
		}
		if !s.changes && (!cached || got != prev) {
			t.Errorf("%s: cached %t, answer changed %t; want the cached answer", s.name, cached, got != prev)
		}
		// The fresh answer is kept in turn.
		if again, cached := hit(); !cached || again != got {
			t.Errorf("%s: the answer after it was not kept (cached %t)", s.name, cached)
		}
		prev = got
	}
	if st := p.cache.Stats(); st.Invalidated == 0 {
		t.Errorf("stats %+v: nothing counted invalidated", st)
	}
}

// TestGraphCacheNotKept: errors, unknown roots and environments and roots
// not solved in the environment are answered as without the cache and not
// kept.
func TestGraphCacheNotKept(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	cacheSolve(t, store, "solver-rhel-8-py38-app", "app", "1", "a==1")
	p := newCachePair(t, store, 64<<20, GraphQLOptions{})
	walk := func(root, env, more string) string {
		return `{ dependencyGraph(root: ` + root + `, environment: ` + env + more + `) { root { name } nodes { name solved } } }`
	}
	const rhel = `{osName: "rhel", osVersion: "8", pythonVersion: "3.8"}`
	for name, c := range map[string]struct{ query, want string }{
		"unsolved root":           {walk(`{name: "a", version: "1"}`, rhel, ""), `"solved":false`},
		"unknown root":            {walk(`{name: "no-such", version: "1"}`, rhel, ""), `"root":null`},
		"unknown environment":     {walk(`{name: "app", version: "1"}`, `{osName: "fedora", osVersion: "40", pythonVersion: "3.12"}`, ""), `"solved":false`},
		"maxDepth over the limit": {walk(`{name: "app", version: "1"}`, rhel, ", maxDepth: 99"), `"code":"INVALID"`},
	} {
		before := p.cache.Stats()
		a, b := p.both(t, c.query, nil), p.both(t, c.query, nil)
		after := p.cache.Stats()
		if !strings.Contains(a, c.want) {
			t.Errorf("%s: %.300s, want %s in it", name, a, c.want)
		}
		if a != b || after.Hits != before.Hits || after.Entries != 0 {
			t.Errorf("%s: kept (stats %+v -> %+v)", name, before, after)
		}
	}
}

// TestGraphCacheSizeBound: answers beyond the bound evict the least
// recently used; the size never exceeds it.
func TestGraphCacheSizeBound(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	names := []string{"p0", "p1", "p2", "p3", "p4", "p5"}
	for i, n := range names {
		cacheSolve(t, store, "solver-rhel-8-py38-"+n, n, "1", fmt.Sprintf("dep%d==1", i), "shared==1")
	}
	probe := newCachePair(t, store, 64<<20, GraphQLOptions{})
	probe.both(t, cacheQuery, map[string]any{"name": "p0"})
	one := probe.cache.Stats().Bytes
	if one == 0 {
		t.Fatal("the probe kept nothing")
	}
	// Room for three answers.
	p := newCachePair(t, store, 3*one+one/2, GraphQLOptions{})
	for _, n := range names {
		p.both(t, cacheQuery, map[string]any{"name": n})
		if st := p.cache.Stats(); st.Bytes > p.cache.Capacity() {
			t.Fatalf("after %s: %d bytes kept, over the bound of %d", n, st.Bytes, p.cache.Capacity())
		}
	}
	st := p.cache.Stats()
	if st.Entries != 3 || st.Evicted != 3 {
		t.Errorf("six answers into room for three: %+v, want 3 entries and 3 evicted", st)
	}
	// The newest three are kept, the oldest went.
	for _, c := range []struct {
		name string
		kept bool
	}{{"p5", true}, {"p3", true}, {"p0", false}} {
		before := p.cache.Stats().Hits
		p.both(t, cacheQuery, map[string]any{"name": c.name})
		if kept := p.cache.Stats().Hits > before; kept != c.kept {
			t.Errorf("%s: served from the cache %t, want %t", c.name, kept, c.kept)
		}
	}
	// An answer larger than the whole cache is answered and not kept.
	tiny := newCachePair(t, store, one/2, GraphQLOptions{})
	tiny.both(t, cacheQuery, map[string]any{"name": "p1"})
	if st := tiny.cache.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("an answer over the bound was kept: %+v", st)
	}
}

// TestGraphCacheConcurrent: requests racing ingestions of the closure end
// with the answer a gateway without the cache gives.
func TestGraphCacheConcurrent(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	cacheSolve(t, store, "solver-rhel-8-py38-app", "app", "1", "a==1")
	cacheSolve(t, store, "solver-rhel-8-py38-a", "a", "1", "b==1")
	p := newCachePair(t, store, 64<<20, GraphQLOptions{})
	app := map[string]any{"name": "app"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 6 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := postRaw(t, p.cached.URL, cacheQuery, app); !strings.HasPrefix(got, "200 OK") || strings.Contains(got, `"errors"`) {
					t.Errorf("answer under load: %.300s", got)
					return
				}
			}
		})
	}
	for i := range 12 {
		deps := []string{"b==1"}
		if i%2 == 0 {
			deps = append(deps, fmt.Sprintf("n%d==1", i))
		}
		cacheSolve(t, store, "solver-rhel-8-py38-a", "a", "1", deps...)
	}
	close(stop)
	wg.Wait()
	p.both(t, cacheQuery, app)
	if st := p.cache.Stats(); st.Hits == 0 || st.Invalidated == 0 {
		t.Errorf("stats %+v: want hits and invalidations under load", st)
	}
}
