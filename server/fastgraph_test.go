package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// TestGraphListsSameBytes sends the same dependencyGraph requests to a
// gateway that writes the lists itself (graphLists) and to one that leaves
// them to gqlgen, and requires byte-identical responses: every leaf, nulls,
// markers with quotes, aliases, fragments, @include/@skip, __typename,
// lists that must fall back (packageVersion, vulnerabilities), the
// vulnerability overlay, two walks in one query and
// errors.
func TestGraphListsSameBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, dbURL := testenv.Store(t)
	envs := []persistence.EnvironmentKey{{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}}
	g := graphgen.Generate(graphgen.Config{
		Seed: 5, Packages: 80, VersionsPerPackage: 3, DepsPerVersion: 4,
		Indexes: []string{"https://pypi.org/simple"}, Environments: envs,
		Unsolved: 0.1, SolverError: 0.05, FalseMarker: 0.2, Extra: 0.3, TargetExtras: 0.3,
	})
	if err := g.Ingest(ctx, store, "solver-graph"); err != nil {
		t.Fatal(err)
	}
	// A requirement whose strings need escaping.
	oddMarker := "python_version < \"3.9\" and os_name == 'posix\\\t\x01'"
	odd := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: envs[0],
		SolvedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Duration: 1,
		Entries: []persistence.SolvedEntry{
			{Name: "odd", Version: "1.0", IndexURL: "https://pypi.org/simple", Dependencies: []persistence.DependencyEntry{{
				Name: "odd-dep", VersionRange: ">=1,<2", Marker: &oddMarker,
				Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{"1.5"}}},
			}}},
			{Name: "odd-dep", Version: "1.5", IndexURL: "https://pypi.org/simple"},
		}}
	if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "odd", Kind: "solver", SHA256: "odd"}, odd, false); err != nil {
		t.Fatal(err)
	}
	// Advisories on every seventh version, one of them withdrawn.
	if _, err := testenv.Conn(t, dbURL).Exec(ctx, `
		WITH v AS (
			INSERT INTO vulnerability (external_id, summary, aliases, severity, refs, modified, withdrawn)
			VALUES ('PYSEC-TEST-1', 'Quote " and tab 	', '{CVE-2099-1}', '[{"type": "CVSS_V3", "score": "7.5"}]',
			        '[{"type": "WEB", "url": "https://example.com/1"}]', '2024-01-01T00:00:00Z', NULL),
			       ('PYSEC-TEST-2', 'Second', '{}', '[]', '[]', NULL, NULL),
			       ('PYSEC-TEST-3', 'Withdrawn', '{}', '[]', '[]', NULL, '2024-01-01T00:00:00Z')
			RETURNING id, external_id)
		INSERT INTO vulnerability_affects (vulnerability_id, version_id, fixed_in)
		SELECT v.id, pv.id, CASE WHEN v.external_id = 'PYSEC-TEST-1' THEN '9.0' END
		FROM v JOIN package_version pv ON pv.id % 7 = length(v.external_id) % 7`); err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	fast := httptest.NewServer(GraphQL(r, logger, GraphQLOptions{}))
	t.Cleanup(fast.Close)
	plain := httptest.NewServer(GraphQL(r, logger, GraphQLOptions{generatedLists: true}))
	t.Cleanup(plain.Close)

	post := func(t *testing.T, url, query string, vars map[string]any) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("invalid JSON from %s: %.300s", url, b)
		}
		return resp.Status + " " + string(b)
	}

	const args = `root: $root, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}, maxDepth: $d, extras: $x, markerTrueOnly: $m`
	queries := map[string]string{
		"every leaf": `{ dependencyGraph(` + args + `) {
			__typename truncated depthReached
			nodes { __typename id name version indexUrl depth solved solverError extras }
			edges { __typename from to versionRange marker extra markerEvaluationResult } } }`,
		"aliases and fragments": `{ g: dependencyGraph(` + args + `) {
			a: nodes { i: id ...N ... on DependencyGraphNode { depth } }
			b: nodes { name @include(if: $yes) version @skip(if: $yes) }
			edges { ...E to: from from: to } depthReached } }
			fragment N on DependencyGraphNode { name extras }
			fragment E on DependencyGraphEdge { marker @include(if: $yes) extra @skip(if: $no) }`,
		"objects next to the lists": `{ dependencyGraph(` + args + `) {
			root { id name version } environment { osName pythonVersion }
			nodes { id solved } edges { from to } } }`,
		"packageVersion falls back": `{ dependencyGraph(` + args + `) {
			nodes { id packageVersion { name version } } edges { from to markerEvaluationResult } } }`,
		"one node alias falls back": `{ dependencyGraph(` + args + `) {
			a: nodes { id } b: nodes { packageVersion { id } } } }`,
		"vulnerabilities fall back": `{ dependencyGraph(` + args + `) {
			nodes { id name vulnerabilities { id summary aliases severity { type score } link fixedIn withdrawn } }
			edges { from to } } }`,
		"vulnerable next to leaf lists": `{ dependencyGraph(` + args + `) {
			nodes { id depth } edges { from to marker } vulnerable { id name vulnerabilities { id fixedIn } } } }`,
		"vulnerabilities under one node alias": `{ dependencyGraph(` + args + `) {
			a: nodes { id } b: nodes { v: vulnerabilities { id } } } }`,
		"two walks": `{ one: dependencyGraph(` + args + `) { nodes { id } edges { from } }
			two: dependencyGraph(` + strings.Replace(args, "$d", "1", 1) + `) { edges { to marker } nodes { name } } }`,
		"unknown root": `{ dependencyGraph(root: {name: "no-such-package", version: "1"}, environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}) { nodes { id } } }`,
	}
	roots := []map[string]any{{"name": "odd", "version": "1.0"}}
	for i, c := range g.Cases() {
		if i%3 == 0 {
			roots = append(roots, map[string]any{"name": c.Root.Name, "version": c.Root.Version})
		}
	}
	decls := []struct{ name, typ string }{{"root", "PackageVersionInput!"}, {"d", "Int"}, {"x", "[String!]"},
		{"m", "Boolean"}, {"yes", "Boolean!"}, {"no", "Boolean!"}}
	for name, body := range queries {
		t.Run(name, func(t *testing.T) {
			var used []string
			for _, d := range decls {
				if strings.Contains(body, "$"+d.name) {
					used = append(used, "$"+d.name+": "+d.typ)
				}
			}
			q := body
			if len(used) > 0 {
				q = "query(" + strings.Join(used, ", ") + ") " + body
			}
			advisories := false
			for i, root := range roots {
				all := map[string]any{"root": root, "d": 3 + i%8, "m": i%2 == 0, "x": []string{"security"}, "yes": true, "no": false}
				vars := map[string]any{}
				for _, d := range decls {
					if strings.Contains(body, "$"+d.name) {
						vars[d.name] = all[d.name]
					}
				}
				got, want := post(t, fast.URL, q, vars), post(t, plain.URL, q, vars)
				if got != want {
					t.Fatalf("root %v: responses differ\nlists written directly: %.600s\ngenerated:              %.600s", root, got, want)
				}
				if i == 0 && name != "unknown root" && !strings.Contains(got, `"data":{`) {
					t.Fatalf("no data: %.300s", got)
				}
				advisories = advisories || strings.Contains(got, "PYSEC-TEST-1")
				if len(vars) == 0 {
					break
				}
			}
			if strings.Contains(name, "vulnerab") && !advisories {
				t.Errorf("no walk reached an advisory")
			}
		})
	}
}
