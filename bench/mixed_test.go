package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAskFailures: the mixed load counts transport errors, 5xx, INTERNAL
// and bodies that are no GraphQL response as failures, other codes as
// answers.
func TestAskFailures(t *testing.T) {
	bodies := map[string]struct {
		status int
		body   string
	}{
		"/ok":       {200, `{"data":{"environments":[]}}`},
		"/notfound": {200, `{"errors":[{"message":"no such package","extensions":{"code":"NOT_FOUND"}}],"data":{"package":null}}`},
		"/internal": {200, `{"errors":[{"message":"a","extensions":{"code":"NOT_FOUND"}},{"message":"b","extensions":{"code":"INTERNAL"}}],"data":null}`},
		"/5xx":      {502, `{"errors":[{"message":"bad gateway"}]}`},
		"/html":     {200, `<html>oops</html>`},
		"/empty":    {200, `{}`},
		"/refused":  {400, `{"errors":[{"message":"too costly","extensions":{"code":"INVALID"}}]}`},
		"/uncoded":  {200, `{"errors":[{"message":"x"}],"data":null}`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := bodies[r.URL.Path]
		w.WriteHeader(b.status)
		w.Write([]byte(b.body))
	}))
	defer srv.Close()
	client := srv.Client()
	for _, c := range []struct{ path, key, failure string }{
		{"/ok", "200", ""},
		{"/notfound", "200 NOT_FOUND", ""},
		{"/internal", "200 INTERNAL", "INTERNAL"},
		{"/5xx", "502 no code", "HTTP 502"},
		{"/html", "transport error", "transport error: HTTP 200, body not JSON"},
		{"/empty", "transport error", "transport error: HTTP 200, neither data nor errors"},
		{"/refused", "400 INVALID", ""},
		{"/uncoded", "200 no code", ""},
	} {
		a := Ask(context.Background(), client, srv.URL+c.path, `{ environments { id } }`)
		if a.Key() != c.key {
			t.Errorf("%s: key %q, want %q", c.path, a.Key(), c.key)
		}
		if f := a.Failure(); !strings.HasPrefix(f, c.failure) || (c.failure == "") != (f == "") {
			t.Errorf("%s: failure %q, want %q", c.path, f, c.failure)
		}
	}
	srv.Close()
	if a := Ask(context.Background(), client, srv.URL+"/ok", `{ environments { id } }`); a.Key() != "transport error" || a.Failure() == "" {
		t.Errorf("closed server: key %q, failure %q", a.Key(), a.Failure())
	}
}

// TestMixedReportFailed: a failed mixed load says so in the table and the
// Markdown, with its first failures, and its contract lines are NOT MET; a
// gateway whose goroutines did not come back fails the leak check.
func TestMixedReportFailed(t *testing.T) {
	ds := &Dataset{DB: "bench_mixed"}
	kinds := []MixedKind{{Name: "dependents", Latency: Summarize([]time.Duration{time.Millisecond})}}
	on := &MixedResult{Dataset: ds, Clients: 2, Duration: time.Second, Elapsed: time.Second, Cache: "on", CacheCapacity: 256 << 20,
		Requests: 3, Answers: map[string]int{"200": 2, "502 no code": 1}, Failures: 1, ServerErrors: 1, Examples: []string{"dependents: HTTP 502"},
		Kinds: kinds, CacheKnown: true, CacheHits: 3, CacheMisses: 1, GoroutinesBefore: 10, GoroutinesAfter: 11}
	off := &MixedResult{Dataset: ds, Clients: 2, Duration: time.Second, Elapsed: time.Second, Cache: "off", CacheCapacity: -1,
		Requests: 4, Answers: map[string]int{"200": 4}, Kinds: kinds, GoroutinesBefore: 10, GoroutinesAfter: 10 + GoroutineSlack + 1}
	l := &MixedLoad{Runs: []*MixedResult{on, off}}
	r := &Report{Mixed: l}
	if !l.Failed() || l.Failures() != 1 {
		t.Fatalf("failed %v, %d failures", l.Failed(), l.Failures())
	}
	if on.Leaked() || !off.Leaked() {
		t.Errorf("leaked: on %v, off %v", on.Leaked(), off.Leaked())
	}
	if got, ok := on.HitRatio(); !ok || got != 0.75 {
		t.Errorf("hit ratio %v %v, want 0.75", got, ok)
	}
	for name, s := range map[string]string{"table": r.Table(), "markdown": r.Markdown("make bench")} {
		for _, want := range []string{"dependents: HTTP 502", "200: 2, 502 no code: 1", "cache on (256 MiB)", "cache off", "75.0% (3 of 4 lookups)", "NOT MET"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s does not say %q:\n%s", name, want, s)
			}
		}
	}
	if md := r.Markdown("make bench"); !strings.Contains(md, "**FAILED**: cache on (256 MiB): 1 failed answers") {
		t.Errorf("markdown does not mark the load FAILED:\n%s", md)
	}
	for _, tg := range l.targets() {
		if !tg.Known || tg.Met {
			t.Errorf("%s: known %v, met %v, want NOT MET", tg.Contract, tg.Known, tg.Met)
		}
	}
}

// TestMetrics: the mixed load reads unlabelled samples by name and leaves
// out comments and labelled ones; a missing counter is absent, not zero.
func TestMetrics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 17\n" +
			"seshat_graph_cache_evictions_total{reason=\"size\"} 4\nseshat_graph_cache_hits_total 1.5e+06\n"))
	}))
	defer srv.Close()
	m, err := Metrics(context.Background(), srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if m["go_goroutines"] != 17 || m["seshat_graph_cache_hits_total"] != 1.5e6 || len(m) != 2 {
		t.Errorf("samples %v", m)
	}
	if _, ok := delta(m, m, "seshat_graph_cache_misses_total"); ok {
		t.Error("a missing counter has a delta")
	}
}
