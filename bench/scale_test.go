package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

// TestScaleMarkdown: the growth section has a column per size with its
// multiple of the first, the figures of each measurement, and replaces the
// section between its markers only.
func TestScaleMarkdown(t *testing.T) {
	row := func(size string, versions, resolved, db int64, walk time.Duration, rps float64, docs int) *ScaleRow {
		return &ScaleRow{
			Dataset: &Dataset{Size: size, DB: "bench_" + size, Cached: true, Marker: Marker{Size: size, Seed: 1, Documents: docs, BuildSeconds: 10, Builds: 2}},
			DBBytes: db,
			Tables:  []TableSize{{Name: "package_version", Rows: versions, Bytes: versions * 200}, {Name: "depends_on_resolved", Rows: resolved, Bytes: resolved * 100}},
			Walk:    &WalkResult{Nodes: 5741, WalkEdges: 173830, HTTP: Dist{N: 3, P50: walk, P95: walk}, SQLEdges: Dist{N: 3, P50: walk / 2, P95: walk / 2}, HTTPStatements: 11},
			Nested:  &NestedTarget{Leaves: 3492, Statements: 4, Runs: map[int]LoadResult{16: {RPS: rps, P50: 100, P99: 200}}, CPU: map[int]time.Duration{16: 7 * time.Millisecond}},
			Syncs:   []ScaleSync{{Run: IngestRun{Workers: 1, Elapsed: 10 * time.Second, Documents: 6914}, Rows: 430000}},
		}
	}
	s := &ScaleResult{Started: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Elapsed: time.Minute, BatchDocs: 6914,
		Config: ScaleConfig{Iters: 3, Clients: 16, Nested: NestedShape{Packages: 25}, NestedPrefix: "tensorflow", Workers: []int{1}, Batch: "tf"},
		Rows:   []*ScaleRow{row("tf", 6500, 361971, 84<<20, 200*time.Millisecond, 139, 6914), row("tf100x", 650000, 24e6, 6<<30, 300*time.Millisecond, 120, 695000)}}
	md := s.Markdown("make bench-scale")
	for _, want := range []string{ScaleBeginMarker, ScaleEndMarker, "`tf` (1x)", "`tf100x` (100x)", "| database size (pg_database_size) | 84 MiB | 6144 MiB |",
		"**200.0** / 200.0 ms", "**300.0** / 300.0 ms", "| nested query, 16 clients: req/s | **139** | **120** |",
		"sync, 1 worker: documents/s; rows/s | **691**; 43000 |", `packages(first: 25, nameStartsWith: "tensorflow")`, "over 2 runs, resumed", "| depends_on_resolved | 361971 | 34.5 | 100 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("section does not say %q:\n%s", want, md)
		}
	}
	if tb := s.Table(); !strings.Contains(tb, "tf100x (100x)") {
		t.Errorf("table:\n%s", tb)
	}
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	doc := "# Benchmarks\n\n" + BeginMarker + "\nmain\n" + EndMarker + "\n\n" + ScaleBeginMarker + "\nold\n" + ScaleEndMarker + "\n\n## Findings\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocSection(path, ScaleBeginMarker, ScaleEndMarker, md); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if strings.Contains(got, "\nold\n") || !strings.Contains(got, "\nmain\n") || !strings.HasSuffix(got, ScaleEndMarker+"\n\n## Findings\n") || strings.Count(got, ScaleBeginMarker) != 1 {
		t.Errorf("rewritten document:\n%s", got)
	}
}

// TestScaleNestedQuery: the growth measurement's nested query is the
// benchmark's, from the packages with the prefix.
func TestScaleNestedQuery(t *testing.T) {
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	shape := NestedShape{Packages: 25, Versions: 1000}
	q, err := scaleNestedQuery(shape, env, "tensorflow")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(SeshatNestedQuery(shape, env), "packages(first: 25)", `packages(first: 25, nameStartsWith: \"tensorflow\")`, 1)
	if q != want {
		t.Errorf("query\n%s\nwant\n%s", q, want)
	}
	if q, _ := scaleNestedQuery(shape, env, ""); q != SeshatNestedQuery(shape, env) {
		t.Errorf("without a prefix: %s", q)
	}
}
