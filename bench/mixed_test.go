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
// Markdown, with its first failures.
func TestMixedReportFailed(t *testing.T) {
	m := &MixedResult{Dataset: &Dataset{DB: "bench_mixed"}, Clients: 2, Duration: time.Second, Elapsed: time.Second,
		Requests: 3, Answers: map[string]int{"200": 2, "502 no code": 1}, Failures: 1, Examples: []string{"dependents: HTTP 502"},
		Kinds: []MixedKind{{Name: "dependents", Latency: Summarize([]time.Duration{time.Millisecond})}}}
	r := &Report{Mixed: m}
	if !m.Failed() {
		t.Fatal("not failed")
	}
	for name, s := range map[string]string{"table": r.Table(), "markdown": r.Markdown("make bench")} {
		if !strings.Contains(s, "FAILED") || !strings.Contains(s, "dependents: HTTP 502") || !strings.Contains(s, "200: 2, 502 no code: 1") {
			t.Errorf("%s does not report the failure:\n%s", name, s)
		}
	}
}
