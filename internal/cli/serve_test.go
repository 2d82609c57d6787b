package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

type served struct {
	base   string
	cancel context.CancelFunc
	done   chan int
	stderr *testenv.Buffer
}

// startServe runs `seshat serve args...` in-process on a free port.
func startServe(t *testing.T, vars map[string]string, args ...string) *served {
	t.Helper()
	vars["SESHAT_LISTEN_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{cancel: cancel, done: make(chan int, 1), stderr: &testenv.Buffer{}}
	addr := make(chan string, 1)
	e := &env{lookup: lookupMap(vars), stdout: io.Discard, stderr: s.stderr, ready: func(a string) { addr <- a }}
	go func() { s.done <- e.run(ctx, append([]string{"serve"}, args...)) }()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case code := <-s.done:
		cancel()
		t.Fatalf("serve exited with %d before listening:\n%s", code, s.stderr)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start:\n%s", s.stderr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	return s
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
	return resp.StatusCode, body
}

func TestServeRefusesUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	dbURL := testenv.Database(t)
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"serve"}, lookupMap(map[string]string{
		"SESHAT_DATABASE_URL": dbURL, "SESHAT_LISTEN_ADDR": "127.0.0.1:0",
	}), io.Discard, &stderr)
	if code == 0 {
		t.Fatal("serve accepted an unmigrated database")
	}
	if !strings.Contains(stderr.String(), "seshat migrate up") {
		t.Errorf("error does not name the fix: %s", stderr.String())
	}
}

func TestServeMigrateFlag(t *testing.T) {
	t.Parallel()
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": testenv.Database(t)}, "--migrate")
	if code, body := getJSON(t, s.base+"/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("/readyz = %d %v", code, body)
	}
}

func TestServeEndpoints(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MigratedDatabase(t)
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": dbURL})

	if code, body := getJSON(t, s.base+"/healthz"); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("/healthz = %d %v", code, body)
	}
	if code, body := getJSON(t, s.base+"/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Errorf("/readyz = %d %v", code, body)
	}
	if code, body := getJSON(t, s.base+"/version"); code != http.StatusOK || body["version"] != version || body["go"] == "" {
		t.Errorf("/version = %d %v", code, body)
	}

	resp, err := http.Post(s.base+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"__typename":"Query"`) {
		t.Errorf("POST /graphql = %d %s", resp.StatusCode, b)
	}
	if rid := resp.Header.Get("X-Request-ID"); rid == "" {
		t.Error("no X-Request-ID on the response")
	}
	code, body := getJSON(t, s.base+"/graphql?query=%7B__typename%7D")
	if code != http.StatusOK || fmt.Sprint(body["data"]) != "map[__typename:Query]" {
		t.Errorf("GET /graphql = %d %v", code, body)
	}

	// A schema that falls behind makes the gateway not ready, naming the fix.
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"migrate", "down", "1"}, lookupMap(map[string]string{"SESHAT_DATABASE_URL": dbURL}), &out, &out); code != 0 {
		t.Fatalf("migrate down: %d %s", code, out.String())
	}
	code, body = getJSON(t, s.base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(body["reason"]), "seshat migrate up") {
		t.Errorf("/readyz after migrate down = %d %v", code, body)
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": testenv.MigratedDatabase(t)})

	// A request whose body is still arriving when the signal comes must
	// complete; new connections are refused afterwards.
	pr, pw := io.Pipe()
	result := make(chan error, 1)
	go func() {
		resp, err := http.Post(s.base+"/graphql", "application/json", pr)
		if err != nil {
			result <- err
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Query") {
			result <- fmt.Errorf("in-flight request got %d %s", resp.StatusCode, b)
			return
		}
		result <- nil
	}()
	if _, err := pw.Write([]byte(`{"query":`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the server start reading
	s.cancel()
	time.Sleep(200 * time.Millisecond)
	if _, err := pw.Write([]byte(`"{ __typename }"}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-result; err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	select {
	case code := <-s.done:
		s.done <- code
		if code != 0 {
			t.Fatalf("serve exited %d after SIGTERM:\n%s", code, s.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not exit after shutdown")
	}
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
	if !strings.Contains(s.stderr.String(), "stopped") {
		t.Errorf("no shutdown log:\n%s", s.stderr)
	}
}

func TestCLIUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "SESHAT_DATABASE_URL"},
		{[]string{"serve", "--help"}, 0, "--migrate"},
		{[]string{"migrate", "--help"}, 0, "force V"},
		{[]string{"version"}, 0, "seshat " + version},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"migrate"}, 2, "missing subcommand"},
		{[]string{"migrate", "sideways"}, 2, "unknown subcommand"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			code := Run(context.Background(), tt.args, lookupMap(map[string]string{"SESHAT_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}), &out, &out)
			if code != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", code, tt.code, tt.want, out.String())
			}
		})
	}
}

func TestServeInvalidConfig(t *testing.T) {
	var out bytes.Buffer
	code := Run(context.Background(), []string{"serve"}, lookupMap(map[string]string{"SESHAT_LOG_FORMAT": "xml"}), &out, &out)
	if code != 1 || !strings.Contains(out.String(), "SESHAT_LOG_FORMAT") {
		t.Errorf("exit %d, output %q", code, out.String())
	}
}

func TestServeMetrics(t *testing.T) {
	t.Parallel()
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": testenv.MigratedDatabase(t)})
	resp, err := http.Post(s.base+"/graphql", "application/json", strings.NewReader(`{"query":"{ environments { osName } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`seshat_http_requests_total{code="200",route="graphql"} 1`, "seshat_sql_statements_total", "go_goroutines"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestServeReadURL: with SESHAT_DATABASE_READ_URL, queries read from that
// database and mutations write to SESHAT_DATABASE_URL.
func TestServeReadURL(t *testing.T) {
	t.Parallel()
	primary, replica := testenv.MigratedDatabase(t), testenv.MigratedDatabase(t)
	ctx := context.Background()
	rs, err := persistence.Open(ctx, replica, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if _, err := rs.RegisterIndex(ctx, persistence.IndexRegistration{URL: "https://replica.example.com/simple"}); err != nil {
		t.Fatal(err)
	}
	const token = "admin-token-0123456789"
	s := startServe(t, map[string]string{
		"SESHAT_DATABASE_URL": primary, "SESHAT_DATABASE_READ_URL": replica,
		"SESHAT_API_TOKENS": "ops:admin:" + token,
	})
	post := func(query string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.base+"/graphql", strings.NewReader(fmt.Sprintf(`{"query":%q}`, query)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := post(`{ indexes { url } }`); !strings.Contains(got, "replica.example.com") {
		t.Errorf("indexes did not come from the read database: %s", got)
	}
	if got := post(`mutation { registerPackageIndex(url: "https://primary.example.com/simple") { url } }`); !strings.Contains(got, "primary.example.com") {
		t.Fatalf("registerPackageIndex: %s", got)
	}
	ps, err := persistence.Open(ctx, primary, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	ixs, err := ps.Indexes(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// PyPI is registered in every graph by the migrations.
	if len(ixs) != 2 || ixs[0].URL != python.PyPI || ixs[1].URL != "https://primary.example.com/simple" {
		t.Errorf("primary indexes = %+v, want PyPI and the registered one only", ixs)
	}
	if code, body := getJSON(t, s.base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %v", code, body)
	}
}
