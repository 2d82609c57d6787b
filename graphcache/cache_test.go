package graphcache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// ids are a store's ids of the environment and packages of the test's
// documents.
type ids struct {
	env             int64
	app, lib, other int64
}

// setup solves app==1 (requiring lib) and other==1 in rhel 8 / 3.8.
func setup(t *testing.T) (*persistence.Store, ids, string) {
	t.Helper()
	store, _, dbURL := testenv.Store(t)
	solve(t, store, "solver-rhel-8-py38-app", "app", "lib")
	solve(t, store, "solver-rhel-8-py38-other", "other")
	var out ids
	conn := testenv.Conn(t, dbURL)
	if err := conn.QueryRow(t.Context(), `SELECT (SELECT id FROM environment), (SELECT id FROM package WHERE name = 'app'),
		(SELECT id FROM package WHERE name = 'lib'), (SELECT id FROM package WHERE name = 'other')`).
		Scan(&out.env, &out.app, &out.lib, &out.other); err != nil {
		t.Fatal(err)
	}
	return store, out, dbURL
}

var env38 = persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}

// solve ingests (forced) document id solving name==1 with requirements on
// deps, each resolved to version 1.
func solve(t *testing.T, store *persistence.Store, id, name string, deps ...string) {
	t.Helper()
	e := persistence.SolvedEntry{Name: name, Version: "1", IndexURL: "https://pypi.org/simple"}
	for _, d := range deps {
		e.Dependencies = append(e.Dependencies, persistence.DependencyEntry{Name: d, VersionRange: "*",
			Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{"1"}}}})
	}
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: env38,
		SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: []persistence.SolvedEntry{e}}
	if _, err := store.IngestSolverResult(t.Context(), persistence.DocumentRef{ID: id, Kind: "solver", SHA256: time.Now().String()}, res, true); err != nil {
		t.Fatal(err)
	}
}

// put stores value under key through a fresh Begin and Lookup.
func put(t *testing.T, c *graphcache.Cache, key string, deps graphcache.Deps) bool {
	t.Helper()
	tk, err := c.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, f, hit := tk.Lookup(t.Context(), key)
	if hit {
		t.Fatalf("%s: a hit before it was stored", key)
	}
	return f.Put([]byte(key+" answer"), deps)
}

// has looks key up through a fresh Begin.
func has(t *testing.T, c *graphcache.Cache, key string) bool {
	t.Helper()
	tk, err := c.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	v, f, hit := tk.Lookup(t.Context(), key)
	if !hit {
		f.Abandon()
		return false
	}
	if string(v) != key+" answer" {
		t.Fatalf("%s: %q", key, v)
	}
	return true
}

// TestChangeDuringFill: an answer whose dependencies changed between its
// Begin and its Put is not stored; one whose dependencies did not is.
func TestChangeDuringFill(t *testing.T) {
	t.Parallel()
	store, id, _ := setup(t)
	c := graphcache.New(store, 1<<20)
	begin := func() *graphcache.Fill {
		tk, err := c.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, f, _ := tk.Lookup(t.Context(), "app")
		return f
	}
	stale := begin()
	fresh := func() *graphcache.Fill {
		// A request that began before the change, for another key.
		tk, err := c.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, f, _ := tk.Lookup(t.Context(), "other")
		return f
	}()
	solve(t, store, "solver-rhel-8-py38-lib", "lib")
	// Another request reads the change while the fills are open.
	if has(t, c, "nothing") {
		t.Fatal("a hit on an empty cache")
	}
	if stale.Put([]byte("app answer"), graphcache.Deps{Environment: id.env, Packages: []int64{id.app, id.lib}}) {
		t.Error("an answer read before its package changed was stored")
	}
	if !fresh.Put([]byte("other answer"), graphcache.Deps{Environment: id.env, Packages: []int64{id.other}}) {
		t.Error("an answer of unchanged packages was not stored")
	}
	if has(t, c, "app") || !has(t, c, "other") {
		t.Errorf("after the fills: app kept %t, other kept %t; want false, true", has(t, c, "app"), has(t, c, "other"))
	}
	if !put(t, c, "app", graphcache.Deps{Environment: id.env, Packages: []int64{id.app, id.lib}}) || !has(t, c, "app") {
		t.Error("app's answer read after the change was not stored")
	}
	if st := c.Stats(); st.Invalidated != 1 || st.Entries != 2 {
		t.Errorf("stats %+v: want one invalidated, two entries", st)
	}
}

// TestInvalidationScopes: a package's generation in one environment drops
// that environment's answers reading it; everywhere, every environment's;
// an index's settings, every answer.
func TestInvalidationScopes(t *testing.T) {
	t.Parallel()
	store, id, dbURL := setup(t)
	conn := testenv.Conn(t, dbURL)
	c := graphcache.New(store, 1<<20)
	const elsewhere = 999 // an environment id of no document
	fill := func() {
		t.Helper()
		for key, d := range map[string]graphcache.Deps{
			"app":           {Environment: id.env, Packages: []int64{id.app, id.lib}},
			"lib":           {Environment: id.env, Packages: []int64{id.lib}},
			"lib elsewhere": {Environment: elsewhere, Packages: []int64{id.lib}},
			"other":         {Environment: id.env, Packages: []int64{id.other}},
		} {
			if !has(t, c, key) && !put(t, c, key, d) {
				t.Fatalf("%s not stored", key)
			}
		}
	}
	expect := func(what string, kept map[string]bool) {
		t.Helper()
		for key, want := range kept {
			if got := has(t, c, key); got != want {
				t.Errorf("%s: %s kept %t, want %t", what, key, got, want)
			}
		}
	}
	fill()
	solve(t, store, "solver-rhel-8-py38-lib", "lib")
	expect("lib solved in rhel 8", map[string]bool{"app": false, "lib": false, "lib elsewhere": true, "other": true})
	fill()
	if _, err := store.MarkVersion(t.Context(), persistence.VersionMark{VersionOnIndex: persistence.VersionOnIndex{
		Name: "lib", Version: "1", IndexURL: "https://pypi.org/simple"}, IsMissing: new(true)}); err != nil {
		t.Fatal(err)
	}
	expect("lib marked missing", map[string]bool{"app": false, "lib": false, "lib elsewhere": false, "other": true})
	fill()
	if _, err := conn.Exec(t.Context(), `INSERT INTO graph_generation (environment_id, package_id) VALUES ($1, 0)`, elsewhere); err != nil {
		t.Fatal(err)
	}
	expect("every package elsewhere", map[string]bool{"app": true, "lib": true, "lib elsewhere": false, "other": true})
	fill()
	if _, err := store.RegisterIndex(t.Context(), persistence.IndexRegistration{URL: "https://pypi.org/simple", VerifySSL: new(false)}); err != nil {
		t.Fatal(err)
	}
	expect("an index's settings", map[string]bool{"app": false, "lib": false, "lib elsewhere": false, "other": false})
}

// counting is a Source that counts the reads it passes to the store.
type counting struct {
	*persistence.Store
	reads atomic.Int64
}

func (c *counting) GraphChanges(ctx context.Context, since int64) (persistence.GraphChanges, error) {
	c.reads.Add(1)
	return c.Store.GraphChanges(ctx, since)
}

// TestConcurrentBegins: requests that arrive together share reads of the
// generations, and each still sees a change committed before it began.
func TestConcurrentBegins(t *testing.T) {
	t.Parallel()
	store, id, _ := setup(t)
	src := &counting{Store: store}
	c := graphcache.New(src, 1<<20)
	if !put(t, c, "app", graphcache.Deps{Environment: id.env, Packages: []int64{id.app, id.lib}}) {
		t.Fatal("not stored")
	}
	solve(t, store, "solver-rhel-8-py38-lib", "lib")
	src.reads.Store(0)
	const requests = 64
	var wg sync.WaitGroup
	var hits atomic.Int64
	for range requests {
		wg.Go(func() {
			tk, err := c.Begin(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			if _, f, hit := tk.Lookup(t.Context(), "app"); hit {
				hits.Add(1)
			} else {
				f.Abandon()
			}
		})
	}
	wg.Wait()
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests begun after app's closure changed were served the old answer", n)
	}
	if n := src.reads.Load(); n < 1 || n > requests {
		t.Errorf("%d reads for %d requests", n, requests)
	}
	t.Logf("%d concurrent requests, %d reads of the generations", requests, src.reads.Load())
}
