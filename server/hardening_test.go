package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

const (
	adminSecret  = "admin-secret-4f1d2c3b5a697887"
	ingestSecret = "ingest-secret-9e8d7c6b5a493827"
	badSecret    = "not-a-token-0a1b2c3d4e5f6071"
)

var env = persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}

// gateway is the whole HTTP surface over a fresh database holding a small
// generated graph.
type gateway struct {
	url    string
	dbURL  string
	store  *persistence.Store
	tracer *persistence.Tracer
	graph  *graphgen.Graph
	logs   *testenv.Buffer // every log record of the gateway, for assertions
}

type gatewayConfig struct {
	opts    server.GraphQLOptions
	store   persistence.Options
	maxBody int64
	// limits of the resolvers; zero: MaxDepth 20, MaxPageSize 100, DefaultPage 20.
	limits resolvers.Limits
}

func newGateway(t *testing.T, cfg gatewayConfig) *gateway {
	t.Helper()
	ctx := context.Background()
	dbURL := testenv.MigratedDatabase(t)
	logs := &testenv.Buffer{}
	// Debug level: every record the gateway can write is captured.
	logger := slog.New(server.LogHandler{Handler: slog.NewTextHandler(io.MultiWriter(logs, tWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug})})
	tracer := &persistence.Tracer{Logger: logger, Log: true}
	cfg.store.Tracer, cfg.store.Logger = tracer, logger
	store, err := persistence.Open(ctx, dbURL, cfg.store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	g := graphgen.Generate(graphgen.Config{
		Seed: 3, Packages: 40, VersionsPerPackage: 3, DepsPerVersion: 3,
		Indexes: []string{"https://pypi.org/simple"}, Environments: []persistence.EnvironmentKey{env},
	})
	if err := g.Ingest(ctx, store, "solver-hardening"); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.ParseTokens("ops:admin:" + adminSecret + ",sync:ingest:" + ingestSecret)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := objectstore.Open(ctx, objectstore.Config{URL: "dir://" + t.TempDir(), CreateBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	limits := cfg.limits
	if limits == (resolvers.Limits{}) {
		limits = resolvers.Limits{MaxDepth: 20, MaxPageSize: 100, DefaultPage: 20}
	}
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: limits,
		Ingest: &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: 1}}
	h := server.Handler(server.Deps{
		Logger:       logger,
		GraphQL:      server.GraphQL(r, logger, cfg.opts),
		Auth:         auth.New(tokens).Middleware,
		Ready:        store.Ping,
		MaxBodyBytes: cfg.maxBody,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gateway{url: srv.URL, dbURL: dbURL, store: store, tracer: tracer, graph: g, logs: logs}
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// result is a decoded GraphQL response with its HTTP status.
type result struct {
	status      int
	contentType string
	wwwAuth     string
	raw         string
	Data        json.RawMessage `json:"data"`
	Errors      []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r result) hasData() bool { return strings.Contains(r.raw, `"data"`) }

type req struct {
	method string // POST when empty
	accept string
	token  string
	header string // Authorization verbatim, instead of token
	body   string // raw body, instead of query
	query  string
	vars   map[string]any
}

func (g *gateway) do(t *testing.T, rq req) result {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodPost
	}
	target := g.url + "/graphql"
	var body io.Reader
	if method == http.MethodGet {
		target += "?query=" + url.QueryEscape(rq.query)
	} else {
		b := []byte(rq.body)
		if rq.body == "" {
			b, _ = json.Marshal(map[string]any{"query": rq.query, "variables": rq.vars})
		}
		body = bytes.NewReader(b)
	}
	hr, _ := http.NewRequest(method, target, body)
	if method != http.MethodGet {
		hr.Header.Set("Content-Type", "application/json")
	}
	if rq.accept != "" {
		hr.Header.Set("Accept", rq.accept)
	}
	switch {
	case rq.header != "":
		hr.Header.Set("Authorization", rq.header)
	case rq.token != "":
		hr.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := result{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), wwwAuth: resp.Header.Get("WWW-Authenticate"), raw: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("HTTP %d, not JSON: %v: %s", resp.StatusCode, err, raw)
	}
	return out
}

const registerIndex = `mutation { registerPackageIndex(url: "https://mirror.example.org/simple", verifySsl: true) { url verifySsl } }`

const ingestMutation = `mutation($doc: JSON!) { ingestDocument(input: {document: $doc}) { documentId status errorCode error } }`

// solverDocument is a small valid solver document (2019+ format).
func solverDocument(id string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"analyzer": "thoth-solver", "analyzer_version": "1.5.1", "document_id": id,
			"datetime": "2021-05-25T12:34:56.000000", "duration": 3,
			"os_release": map[string]any{"id": "rhel", "version_id": "8.3"}, "python": map[string]any{"major": 3, "minor": 8}},
		"result": map[string]any{
			"environment": map[string]any{"python_version": "3.8"},
			"tree": []any{map[string]any{"package_name": "auth-probe", "package_version": "1.0", "index_url": "https://pypi.org/simple",
				"dependencies": []any{}}},
		},
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{Complexity: 100000}})
	locked := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{Complexity: 100000, RequireAuth: true}})
	query := `{ packages(first: 2) { totalCount } }`
	tests := []struct {
		name       string
		gw         *gateway
		rq         req
		wantStatus int
		wantCode   string
		wantData   bool
	}{
		{"mutation without token", g, req{query: registerIndex}, 401, "UNAUTHENTICATED", false},
		{"mutation with unknown token", g, req{query: registerIndex, token: badSecret}, 401, "UNAUTHENTICATED", false},
		{"mutation with a non-bearer header", g, req{query: registerIndex, header: "Basic " + adminSecret}, 401, "UNAUTHENTICATED", false},
		{"mutation with ingest scope needing admin", g, req{query: registerIndex, token: ingestSecret}, 403, "FORBIDDEN", false},
		{"ingestDocument without token", g, req{query: ingestMutation, vars: map[string]any{"doc": solverDocument("solver-rhel-8-py38-210525123456-00000000000000a1")}}, 401, "UNAUTHENTICATED", false},
		{"ingestDocument with unknown token", g, req{query: ingestMutation, token: badSecret, vars: map[string]any{"doc": solverDocument("solver-rhel-8-py38-210525123456-00000000000000a2")}}, 401, "UNAUTHENTICATED", false},
		{"syncDocuments without token", g, req{query: `mutation { syncDocuments(input: {dryRun: true}) { processed } }`}, 401, "UNAUTHENTICATED", false},
		{"mixed mutation refused whole for the ingest scope", g, req{query: `mutation($doc: JSON!) { a: ingestDocument(input: {document: $doc}) { status } b: registerPackageIndex(url: "https://x.example/simple") { url } }`, token: ingestSecret, vars: map[string]any{"doc": solverDocument("solver-rhel-8-py38-210525123456-00000000000000a3")}}, 403, "FORBIDDEN", false},
		{"ingestDocument with ingest scope", g, req{query: ingestMutation, token: ingestSecret, vars: map[string]any{"doc": solverDocument("solver-rhel-8-py38-210525123456-00000000000000a4")}}, 200, "", true},
		{"ingestDocument with admin scope", g, req{query: ingestMutation, token: adminSecret, vars: map[string]any{"doc": solverDocument("solver-rhel-8-py38-210525123456-00000000000000a5")}}, 200, "", true},
		{"syncDocuments with ingest scope", g, req{query: `mutation { syncDocuments(input: {dryRun: true}) { processed failed } }`, token: ingestSecret}, 200, "", true},
		{"mutation with admin scope", g, req{query: registerIndex, token: adminSecret}, 200, "", true},
		{"anonymous query", g, req{query: query}, 200, "", true},
		{"query with a bad token still answers when queries are open", g, req{query: query, token: badSecret}, 200, "", true},
		{"query without token when required", locked, req{query: query}, 401, "UNAUTHENTICATED", false},
		{"query with unknown token when required", locked, req{query: query, token: badSecret}, 401, "UNAUTHENTICATED", false},
		{"introspection without token when required", locked, req{query: `{ __schema { queryType { name } } }`}, 401, "UNAUTHENTICATED", false},
		{"query with ingest token when required", locked, req{query: query, token: ingestSecret}, 200, "", true},
		{"query with admin token when required", locked, req{query: query, token: adminSecret}, 200, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.gw.tracer.Reset()
			got := tt.gw.do(t, tt.rq)
			if got.status != tt.wantStatus || got.code() != tt.wantCode || got.hasData() != tt.wantData {
				t.Fatalf("HTTP %d code %q data %v, want %d %q %v: %s", got.status, got.code(), got.hasData(), tt.wantStatus, tt.wantCode, tt.wantData, got.raw)
			}
			if tt.wantCode != "" {
				if n := tt.gw.tracer.Count(); n != 0 {
					t.Errorf("refused request ran %d SQL statements", n)
				}
			}
			if got.status == http.StatusUnauthorized && !strings.HasPrefix(got.wwwAuth, "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer (got %q)", got.wwwAuth)
			}
		})
	}
	// Refused mutations did nothing; accepted ones ingested their document.
	var out struct {
		Indexes   []struct{ URL string } `json:"indexes"`
		Documents struct {
			Edges []struct {
				Node struct{ ID, Status string }
			}
		}
	}
	res := g.do(t, req{query: `{ indexes { url } documents(first: 20) { edges { node { id status } } } }`})
	if err := json.Unmarshal(res.Data, &out); err != nil {
		t.Fatalf("%v: %s", err, res.raw)
	}
	for _, ix := range out.Indexes {
		if ix.URL == "https://x.example/simple" {
			t.Error("a refused mutation registered its index")
		}
	}
	ingested := map[string]string{}
	for _, e := range out.Documents.Edges {
		if strings.HasPrefix(e.Node.ID, "solver-rhel-8-py38-210525123456-") {
			ingested[e.Node.ID] = e.Node.Status
		}
	}
	want := map[string]string{"solver-rhel-8-py38-210525123456-00000000000000a4": "INGESTED", "solver-rhel-8-py38-210525123456-00000000000000a5": "INGESTED"}
	if fmt.Sprint(ingested) != fmt.Sprint(want) {
		t.Errorf("documents after the auth cases: %v, want %v", ingested, want)
	}
	// Secrets never reach the logs, whether they were accepted or not.
	for _, gw := range []*gateway{g, locked} {
		logs := gw.logs.String()
		if !strings.Contains(logs, "http request") {
			t.Fatal("no request logs captured")
		}
		for _, secret := range []string{adminSecret, ingestSecret, badSecret} {
			if strings.Contains(logs, secret) {
				t.Errorf("a token secret (%s...) appears in the logs", secret[:6])
			}
		}
	}
}

func TestCostLimits(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{Complexity: 20000, MaxQueryDepth: 8, Introspection: true}})
	root := g.graph.Versions[0]
	walk := func(depth int, fields string) string {
		return fmt.Sprintf(`{ dependencyGraph(root: {name: %q, version: %q}, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}, maxDepth: %d) { %s } }`,
			root.Name, root.Version, depth, fields)
	}
	tests := []struct {
		name     string
		query    string
		wantCode string
	}{
		{"small page", `{ packages(first: 5) { edges { node { name versions(first: 3) { edges { node { version } } } } } } }`, ""},
		{"nested pages over budget", `{ packages(first: 100) { edges { node { name versions(first: 100) { edges { node { version } } } } } } }`, "COMPLEXITY_LIMIT"},
		{"default pages multiply too", `{ packages { edges { node { versions { edges { node { dependencies(environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}) { resolvedVersions { version } } } } } } } } }`, "COMPLEXITY_LIMIT"},
		{"shallow walk", walk(3, "nodes { name version depth } edges { from to }"), ""},
		{"deep walk with batched fields under its nodes", walk(20, "nodes { name packageVersion { dependencies(environment: {osName: \"rhel\", osVersion: \"8\", pythonVersion: \"3.8\"}) { resolvedVersions { version } } } }"), ""},
		{"deep walk with pages of pages under its nodes over budget", walk(20, "nodes { packageVersion { dependents(first: 100) { edges { node { dependents(first: 100) { totalCount } } } } } }"), "COMPLEXITY_LIMIT"},
		{"maxDepth above its cap", walk(21, "depthReached"), "INVALID"},
		{"nesting deeper than the depth limit", `{ packages(first: 1) { edges { node { versions(first: 1) { edges { node { package { versions(first: 1) { edges { node { name } } } } } } } } } } }`, "COMPLEXITY_LIMIT"},
		{"deep nesting through fragments", `query { packages(first: 1) { ...P } } fragment P on PackageConnection { edges { node { versions(first: 1) { edges { node { package { versions(first: 1) { edges { node { name } } } } } } } } } }`, "COMPLEXITY_LIMIT"},
		{"introspection is not depth-limited", `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, accept := range []string{"application/json", "application/graphql-response+json"} {
				g.tracer.Reset()
				got := g.do(t, req{query: tt.query, accept: accept})
				if got.code() != tt.wantCode {
					t.Fatalf("%s: code %q, want %q: %.300s", accept, got.code(), tt.wantCode, got.raw)
				}
				if tt.wantCode != "COMPLEXITY_LIMIT" {
					continue
				}
				if n := g.tracer.Count(); n != 0 {
					t.Errorf("%s: a query over its limits ran %d SQL statements", accept, n)
				}
				wantStatus := map[string]int{"application/json": 200, "application/graphql-response+json": 400}[accept]
				if got.status != wantStatus || got.hasData() {
					t.Errorf("%s: HTTP %d, data %v; want %d without data", accept, got.status, got.hasData(), wantStatus)
				}
			}
		})
	}
}

func TestIntrospectionSetting(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("introspection=", on), func(t *testing.T) {
			g := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{Introspection: on}})
			got := g.do(t, req{query: `{ __schema { queryType { name } } }`})
			if on != strings.Contains(got.raw, `"queryType":{"name":"Query"}`) {
				t.Fatalf("introspection %v: %s", on, got.raw)
			}
			if !on && (got.code() != "FORBIDDEN" || got.status != http.StatusForbidden || got.hasData()) {
				t.Fatalf("introspection refused with HTTP %d: %s", got.status, got.raw)
			}
			// __typename is not introspection: it always answers.
			if got := g.do(t, req{query: `{ __typename }`}); !strings.Contains(got.raw, `"Query"`) {
				t.Errorf("__typename: %s", got.raw)
			}
		})
	}
}

func TestHTTPLimits(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{MaxQueryBytes: 512}, maxBody: 4096})
	long := `{ packages(first: 1) { totalCount } ` + strings.Repeat(" ", 600) + `}`
	tests := []struct {
		name       string
		rq         req
		wantStatus int
	}{
		{"batched operations are refused", req{body: `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`}, 400},
		{"an empty batch too", req{body: ` []`}, 400},
		{"query over the length limit", req{query: long}, 400},
		{"query over the length limit by GET", req{method: http.MethodGet, query: long}, 400},
		{"body over the limit", req{body: `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`}, 413},
		{"mutation over GET", req{method: http.MethodGet, query: registerIndex}, 405},
		{"malformed JSON", req{body: `{"query":`}, 400},
		{"query of the wrong type", req{body: `{"query":7}`}, 400},
		{"no acceptable media type", req{query: `{ __typename }`, accept: "text/html"}, 406},
		{"within every limit", req{query: `{ __typename }`}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.tracer.Reset()
			got := g.do(t, tt.rq)
			if got.status != tt.wantStatus {
				t.Fatalf("HTTP %d, want %d: %.300s", got.status, tt.wantStatus, got.raw)
			}
			if tt.wantStatus != 200 && (got.code() == "" || got.hasData()) {
				t.Errorf("refusal without a code, or with data: %.300s", got.raw)
			}
			if n := g.tracer.Count(); n != 0 {
				t.Errorf("ran %d SQL statements", n)
			}
		})
	}
	// A streamed body with no Content-Length is cut at the limit too.
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"query":"{ __typename }","variables":{"pad":"`))
		_, _ = pw.Write(bytes.Repeat([]byte("y"), 8192))
		_ = pw.CloseWithError(io.EOF)
	}()
	resp, err := http.Post(g.url+"/graphql", "application/json", pr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("streamed oversized body: HTTP %d", resp.StatusCode)
	}
}

// lockPackages holds an ACCESS EXCLUSIVE lock on the package table until
// the returned function is called, so every read of it waits.
func lockPackages(t *testing.T, dbURL string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE package IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		})
	}
	t.Cleanup(release)
	return release
}

// waiting counts the gateway's statements still running on the server for
// dbURL's database (excluding the session holding the lock).
func waiting(t *testing.T, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
		  AND state = 'active' AND query NOT LIKE 'LOCK TABLE%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestTimeoutCancelsSQL(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{opts: server.GraphQLOptions{Timeout: 500 * time.Millisecond}})
	release := lockPackages(t, g.dbURL)
	start := time.Now()
	got := g.do(t, req{query: `{ packages(first: 3) { totalCount edges { node { name } } } }`})
	elapsed := time.Since(start)
	if got.code() != "UNAVAILABLE" || got.status != 200 {
		t.Fatalf("HTTP %d code %q: %s", got.status, got.code(), got.raw)
	}
	if elapsed > 3*time.Second {
		t.Errorf("the timed-out request took %s", elapsed)
	}
	// The statement was cancelled on the server, not left waiting for the lock.
	deadline := time.Now().Add(2 * time.Second)
	for waiting(t, g.dbURL) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the gateway's statement still runs on the server after the request timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	release()
	if got := g.do(t, req{query: `{ packages(first: 3) { totalCount } }`}); got.code() != "" {
		t.Fatalf("after the lock: %s", got.raw)
	}
}

func TestPoolExhaustion(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{
		opts:  server.GraphQLOptions{Timeout: 20 * time.Second},
		store: persistence.Options{MaxConns: 1, AcquireTimeout: 300 * time.Millisecond},
	})
	release := lockPackages(t, g.dbURL)
	// The only connection waits on the lock.
	held := make(chan result, 1)
	go func() { held <- g.do(t, req{query: `{ packages(first: 1) { totalCount } }`}) }()
	deadline := time.Now().Add(5 * time.Second)
	for waiting(t, g.dbURL) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first request never reached the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	got := g.do(t, req{query: `{ environments { osName } }`})
	elapsed := time.Since(start)
	if got.code() != "UNAVAILABLE" || !strings.Contains(got.Errors[0].Message, "no connection free within 300ms") {
		t.Fatalf("with the pool exhausted: HTTP %d %s", got.status, got.raw)
	}
	if elapsed > 2*time.Second {
		t.Errorf("waited %s for a connection, the bound is 300ms", elapsed)
	}
	release()
	if r := <-held; r.code() != "" {
		t.Errorf("the request holding the connection failed: %s", r.raw)
	}
	if got := g.do(t, req{query: `{ environments { osName } }`}); got.code() != "" {
		t.Errorf("after the pool freed up: %s", got.raw)
	}
}

// TestReadOnlyDatabase: a gateway on a hot standby answers writes with
// UNAVAILABLE naming the cause, not INTERNAL.
func TestReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{})
	readOnly, err := persistence.Open(context.Background(), g.dbURL+"&options="+"-c%20default_transaction_read_only%3Don", persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer readOnly.Close()
	_, err = readOnly.RegisterIndex(context.Background(), persistence.IndexRegistration{URL: "https://ro.example/simple"})
	if persistence.ErrorCode(err) != persistence.CodeUnavailable || !strings.Contains(persistence.ErrorMessage(err), "read-only") {
		t.Fatalf("write on a read-only database: %v", err)
	}
	if _, err := readOnly.Indexes(context.Background(), nil); err != nil {
		t.Fatalf("read on a read-only database: %v", err)
	}
}
