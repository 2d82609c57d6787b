package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/persistence"
)

// NestedShape sizes the nested query: the first Packages packages by name,
// each one's versions (all of them: Versions is above any package's count),
// their dependencies in one environment, and the versions each resolves to;
// with Deeper, one more level: the dependencies of each resolved version in
// the same environment.
type NestedShape struct {
	Packages int
	Versions int
	Deeper   bool
}

// Levels is the number of lists nested below packages.
func (s NestedShape) Levels() int {
	if s.Deeper {
		return 4
	}
	return 3
}

// SeshatNestedQuery is the nested query in Seshat's schema. Markers are not
// filtered (markerTrueOnly: false) so both servers return every edge.
func SeshatNestedQuery(s NestedShape, env persistence.EnvironmentKey) string {
	deps := fmt.Sprintf(`dependencies(environment: {osName: %q, osVersion: %q, pythonVersion: %q}, markerTrueOnly: false) { versionRange`,
		env.OSName, env.OSVersion, env.PythonVersion)
	inner := ""
	if s.Deeper {
		inner = "\n        " + deps + " }"
	}
	q := fmt.Sprintf(`{ packages(first: %d) { edges { node { name
  versions(first: %d) { edges { node { version
    %s
      resolvedVersions { version%s } } } } } } } } }`,
		s.Packages, s.Versions, deps, inner)
	b, _ := json.Marshal(map[string]string{"query": q})
	return string(b)
}

// PostGraphileNestedQuery is the same query in PostGraphile 4's naming over
// the same tables: packages by name, their package_version rows, those
// rows' depends_on rows in the environment, and each edge's
// depends_on_resolved rows with their package_version (and, Deeper, its
// depends_on rows in the environment).
func PostGraphileNestedQuery(s NestedShape, envID int64) string {
	deps := fmt.Sprintf(`dependsOnsByVersionId(condition: {environmentId: "%d"}) { nodes { versionRange`, envID)
	inner := ""
	if s.Deeper {
		inner = "\n        " + deps + " } }"
	}
	q := fmt.Sprintf(`{ allPackages(first: %d, orderBy: NAME_ASC) { nodes { name
  packageVersionsByPackageId(first: %d) { nodes { version
    %s
      dependsOnResolvedsByEdgeId { nodes { packageVersionByVersionId { version%s } } } } } } } } } }`,
		s.Packages, s.Versions, deps, inner)
	b, _ := json.Marshal(map[string]string{"query": q})
	return string(b)
}

// countLeaves counts the resolved versions and the dependency edges (the
// objects with a versionRange) in a nested response, whichever server's
// naming it uses: both must return the same numbers.
func countLeaves(body []byte) (versions, edges int, err error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return 0, 0, err
	}
	var walk func(any, string)
	walk = func(v any, key string) {
		switch t := v.(type) {
		case map[string]any:
			if key == "resolvedVersions" || key == "packageVersionByVersionId" {
				if _, ok := t["version"]; ok {
					versions++
				}
			}
			if _, ok := t["versionRange"]; ok {
				edges++
			}
			for k, c := range t {
				walk(c, k)
			}
		case []any:
			for _, c := range t {
				walk(c, key)
			}
		}
	}
	walk(v, "")
	return versions, edges, nil
}

// LoadResult is one autocannon run.
type LoadResult struct {
	Completed  int     `json:"completed"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50        float64 `json:"p50"`
	P95        float64 `json:"p95"`
	P99        float64 `json:"p99"`
	Max        float64 `json:"max"`
	Errors     int     `json:"errors"`
	Timeouts   int     `json:"timeouts"`
	Mismatches int     `json:"mismatches"`
	Non2xx     int     `json:"non2xx"`
}

// Load runs bench/peer/load.js (autocannon) against url: connections
// clients in a closed loop for d, each response compared with expect.
func Load(ctx context.Context, peerDir, url, body string, expect []byte, connections int, d time.Duration) (LoadResult, error) {
	dir, err := os.MkdirTemp("", "seshat-load-")
	if err != nil {
		return LoadResult{}, err
	}
	defer os.RemoveAll(dir)
	bodyFile, expectFile := filepath.Join(dir, "body.json"), filepath.Join(dir, "expect.json")
	if err := os.WriteFile(bodyFile, []byte(body), 0o600); err != nil {
		return LoadResult{}, err
	}
	if err := os.WriteFile(expectFile, expect, 0o600); err != nil {
		return LoadResult{}, err
	}
	cmd := exec.CommandContext(ctx, "node", filepath.Join(peerDir, "load.js"), url, bodyFile,
		strconv.Itoa(connections), strconv.Itoa(int(d.Seconds())), expectFile)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return LoadResult{}, fmt.Errorf("autocannon: %w", err)
	}
	var r LoadResult
	if err := json.Unmarshal(out, &r); err != nil {
		return r, fmt.Errorf("autocannon output %q: %w", out, err)
	}
	return r, nil
}

// NestedTarget is one server under the nested-query load.
type NestedTarget struct {
	Name       string
	Process    *Process
	Path       string // GraphQL endpoint path
	Body       string
	Statements float64 // per query, when the server counts them
	Leaves     int     // resolved versions
	Edges      int     // dependency edges
	Bytes      int
	Runs       map[int]LoadResult // by concurrent clients
	// CPU is the server's CPU time per completed request (its process
	// tree, PostgreSQL not included), by concurrent clients.
	CPU     map[int]time.Duration
	PeakRSS int64
}

// NestedResult compares the servers at each concurrency.
type NestedResult struct {
	Shape       NestedShape
	Clients     []int
	Duration    time.Duration
	Warmup      time.Duration
	Targets     []*NestedTarget
	Environment persistence.EnvironmentKey
}

// environmentID looks up the id of env in dbURL.
func environmentID(ctx context.Context, dbURL string, env persistence.EnvironmentKey) (int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var id int64
	err = conn.QueryRow(ctx, `SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3`,
		env.OSName, env.OSVersion, env.PythonVersion).Scan(&id)
	return id, err
}

// RunNested checks that every target answers the same data, warms each
// up and loads it at each concurrency in turn, recording its peak RSS under
// load. Targets run one at a time, so each has the machine to itself.
func RunNested(ctx context.Context, peerDir string, res *NestedResult) error {
	client := &http.Client{Timeout: time.Minute}
	for _, t := range res.Targets {
		url := t.Process.URL + t.Path
		b, err := PostGraphQL(ctx, client, url, t.Body)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if t.Leaves, t.Edges, err = countLeaves(b); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		t.Bytes = len(b)
		if t.Name == "seshat" {
			before, err := Counter(ctx, client, t.Process.URL, "seshat_sql_statements_total")
			if err != nil {
				return err
			}
			if _, err := PostGraphQL(ctx, client, url, t.Body); err != nil {
				return err
			}
			after, err := Counter(ctx, client, t.Process.URL, "seshat_sql_statements_total")
			if err != nil {
				return err
			}
			t.Statements = after - before
		}
		if first := res.Targets[0]; t.Leaves != first.Leaves || t.Edges != first.Edges {
			return fmt.Errorf("%s returned %d resolved versions and %d edges, %s %d and %d: not the same query",
				t.Name, t.Leaves, t.Edges, first.Name, first.Leaves, first.Edges)
		}
		if _, err := Load(ctx, peerDir, url, t.Body, b, res.Clients[0], res.Warmup); err != nil {
			return fmt.Errorf("%s warm-up: %w", t.Name, err)
		}
		t.Process.ResetPeak()
		t.Runs, t.CPU = map[int]LoadResult{}, map[int]time.Duration{}
		for _, c := range res.Clients {
			cpu := t.Process.CPU()
			r, err := Load(ctx, peerDir, url, t.Body, b, c, res.Duration)
			if err != nil {
				return fmt.Errorf("%s at %d clients: %w", t.Name, c, err)
			}
			t.Runs[c] = r
			if r.Completed > 0 {
				t.CPU[c] = (t.Process.CPU() - cpu) / time.Duration(r.Completed)
			}
		}
		t.PeakRSS = t.Process.PeakRSS()
	}
	return nil
}
