package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

var (
	indexA = "https://pypi.org/simple"
	indexB = "https://mirror.example.com/simple"
	envs   = []persistence.EnvironmentKey{
		{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		{OSName: "fedora", OSVersion: "38", PythonVersion: "3.11"},
	}
	adminSecret  = "admin-secret-0123456789"
	ingestSecret = "ingest-secret-0123456789"
)

// harness is a GraphQL server over a fresh database holding the generated
// test graph plus a few hand-made packages.
type harness struct {
	url    string
	store  *persistence.Store
	tracer *persistence.Tracer
	g      *graphgen.Graph
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	store, tracer, _ := testenv.Store(t)
	g := graphgen.Generate(graphgen.Config{
		Seed: 11, Packages: 120, VersionsPerPackage: 4, DepsPerVersion: 4,
		Indexes: []string{indexA, indexB}, Environments: envs,
		Unsolved: 0.12, SolverError: 0.05, FalseMarker: 0.15, Extra: 0.2, TargetExtras: 0.2,
	})
	// The mirror is registered, as an operator would: an index first seen
	// in a document is created disabled (PyPI, indexA, is known from the start).
	enabled := true
	if _, err := store.RegisterIndex(ctx, persistence.IndexRegistration{URL: indexB, Enabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	if err := g.Ingest(ctx, store, "solver-graph"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-fixtures", Kind: "solver", SHA256: "x"}, fixtures(), false); err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	if os.Getenv("SESHAT_TEST_LOG_SQL") != "" {
		tracer.Logger, tracer.Log = logger, true
	}
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	return &harness{url: serve(t, server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute})), store: store, tracer: tracer, g: g}
}

// serve serves h to requests authenticated with adminSecret or
// ingestSecret (or none) until t ends, and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	tokens, err := auth.ParseTokens("admin:admin:" + adminSecret + ",ingest:ingest:" + ingestSecret)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auth.New(tokens).Middleware(h))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fixtures are hand-made facts: names that need normalising and versions
// whose PEP 440 order is not their byte order.
func fixtures() *persistence.SolverResult {
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: envs[0],
		SolvedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Duration: 2}
	for _, v := range []string{"1.9", "1.10", "2.0rc1", "2.0", "1.0.dev1", "0.9"} {
		res.Entries = append(res.Entries, persistence.SolvedEntry{Name: "pep-order", Version: v, IndexURL: indexA})
	}
	res.Entries = append(res.Entries,
		persistence.SolvedEntry{Name: "py-yaml", Version: "6.0", IndexURL: indexA, Dependencies: []persistence.DependencyEntry{
			{Name: "ruamel-yaml", VersionRange: ">=0.17", Resolved: []persistence.ResolvedEntry{{IndexURL: indexA, Versions: []string{"0.17.21"}}}},
		}},
		persistence.SolvedEntry{Name: "ruamel-yaml", Version: "0.17.21", IndexURL: indexA},
		persistence.SolvedEntry{Name: "only-pre", Version: "3.0b1", IndexURL: indexB},
	)
	return res
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// do posts a query and decodes data into out; it returns the GraphQL errors.
func (h *harness) do(t *testing.T, token, query string, vars map[string]any, out any) []gqlError {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("decode response (HTTP %d): %v", resp.StatusCode, err)
	}
	if out != nil && len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatalf("decode data: %v: %s", err, env.Data)
		}
	}
	return env.Errors
}

// query runs a query that must succeed and returns its statement count.
func (h *harness) query(t *testing.T, query string, vars map[string]any, out any) int64 {
	t.Helper()
	h.tracer.Reset()
	if errs := h.do(t, "", query, vars, out); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	return h.tracer.Count()
}

func envVar(k persistence.EnvironmentKey) map[string]any {
	return map[string]any{"osName": k.OSName, "osVersion": k.OSVersion, "pythonVersion": k.PythonVersion}
}
