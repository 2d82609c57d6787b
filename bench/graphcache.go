package bench

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GraphCacheMB is the graph cache the cached measurements give the gateway
// (SESHAT_GRAPH_CACHE_MB, the default of `seshat serve`); StartSeshat runs
// it without one.
const GraphCacheMB = 256

// StartSeshatCache is StartSeshat with a graph cache of cacheMB MiB (0:
// none, as StartSeshat): a load can compare the gateway with and without
// it.
func StartSeshatCache(ctx context.Context, bin, dbURL string, cacheMB int) (*Process, error) {
	return startSeshat(ctx, bin, dbURL, "SESHAT_MAX_COMPLEXITY=100000000", "SESHAT_GRAPH_CACHE_MB="+strconv.Itoa(cacheMB))
}

// CacheWalk is the repeated dependencyGraph of a walk's root answered from
// the graph cache.
type CacheWalk struct {
	HTTP Dist
	// Hits is how many of the timed calls the gateway counted as hits
	// (seshat_graph_cache_hits_total), Statements the SQL statements of
	// one of them (the read of the generations).
	Hits          int
	Statements    float64
	ResponseBytes int
}

// MeasureCachedWalk starts a gateway with a graph cache on dbURL, asks for
// root's dependencyGraph once (computed and kept), then times iters calls
// of the same request, each answered from the cache, and records them in
// res.Cache.
func MeasureCachedWalk(ctx context.Context, bin, dbURL string, root Root, iters int, res *WalkResult) error {
	p, err := StartSeshatCache(ctx, bin, dbURL, GraphCacheMB)
	if err != nil {
		return err
	}
	defer p.Stop()
	client := &http.Client{Timeout: 2 * time.Minute}
	body := WalkQuery(root)
	first, err := PostGraphQL(ctx, client, p.URL+"/graphql", body)
	if err != nil {
		return err
	}
	again, err := PostGraphQL(ctx, client, p.URL+"/graphql", body)
	if err != nil {
		return err
	}
	if string(again) != string(first) {
		return fmt.Errorf("the cached answer (%d bytes) differs from the first (%d bytes)", len(again), len(first))
	}
	if res.ResponseBytes != 0 && len(first) != res.ResponseBytes {
		return fmt.Errorf("the cached gateway answered %d bytes, the gateway without a cache %d", len(first), res.ResponseBytes)
	}
	c := &res.Cache
	c.ResponseBytes = len(first)
	counter := func(name string) (float64, error) { return Counter(ctx, client, p.URL, name) }
	stmts, err := counter("seshat_sql_statements_total")
	if err != nil {
		return err
	}
	hits, err := counter("seshat_graph_cache_hits_total")
	if err != nil {
		return err
	}
	samples := make([]time.Duration, 0, iters)
	for range iters {
		start := time.Now()
		if _, err := StreamGraphQL(ctx, client, p.URL+"/graphql", body); err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
	}
	c.HTTP = Summarize(samples)
	after, err := counter("seshat_graph_cache_hits_total")
	if err != nil {
		return err
	}
	stmtsAfter, err := counter("seshat_sql_statements_total")
	if err != nil {
		return err
	}
	c.Hits = int(after - hits)
	c.Statements = (stmtsAfter - stmts) / float64(max(iters, 1))
	return nil
}

const cacheContract = "a repeated dependencyGraph of a popular root, from the graph cache (HTTP p50), >= 10x faster than the single SQL statement (p50)"

// cacheTarget judges the cached walks against the single statement.
func (r *Report) cacheTarget() Target {
	t := Target{Contract: cacheContract}
	var figs []string
	for _, w := range r.Walks {
		c := w.Cache
		if c.HTTP.N == 0 {
			continue
		}
		rt := ratio(float64(w.SQLEdges.P50), float64(c.HTTP.P50))
		ok := rt >= 10 && c.Hits == c.HTTP.N
		t.Met = ok && (t.Met || !t.Known)
		t.Known = true
		figs = append(figs, fmt.Sprintf("%s: %.1fx (%s ms from the cache / %s ms SQL; %d of %d calls hits, %.0f statements each)",
			w.Size, rt, ms(c.HTTP.P50), ms(w.SQLEdges.P50), c.Hits, c.HTTP.N, c.Statements))
	}
	t.Figure = strings.Join(figs, "; ")
	return t
}

// cacheMarkdown writes the cached walks' table.
func (r *Report) cacheMarkdown(b *strings.Builder) {
	header := false
	for _, w := range r.Walks {
		c := w.Cache
		if c.HTTP.N == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(b, "\n### dependencyGraph from the graph cache (`SESHAT_GRAPH_CACHE_MB=%d`, the same request %d times after the one that computed it)\n\n", GraphCacheMB, c.HTTP.N)
			b.WriteString("Every other walk of this document runs with the cache off (`SESHAT_GRAPH_CACHE_MB=0`). A hit costs one SQL statement, the read of the generations that changed since the last request's.\n\n")
			b.WriteString("| dataset | nodes | response | from the cache p50 / p95 ms | computed (HTTP, cache off) p50 ms | best SQL p50 ms | SQL / cache | hits | statements per call |\n|---|---|---|---|---|---|---|---|---|\n")
			header = true
		}
		fmt.Fprintf(b, "| %s | %d | %.1f MB | %s / %s | %s | %s | %.1fx | %d of %d | %.0f |\n", w.Size, w.Nodes, float64(c.ResponseBytes)/1e6,
			ms(c.HTTP.P50), ms(c.HTTP.P95), ms(w.HTTP.P50), ms(w.SQLEdges.P50), ratio(float64(w.SQLEdges.P50), float64(c.HTTP.P50)),
			c.Hits, c.HTTP.N, c.Statements)
	}
}
