package persistence_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// generations reads the generations of the packages names (by name) in
// environment env ("" for every environment) as a map by name.
type generations struct {
	t     *testing.T
	store *persistence.Store
	conn  *pgx.Conn
}

func (g generations) key(env persistence.EnvironmentKey, name string) persistence.GenerationKey {
	g.t.Helper()
	var k persistence.GenerationKey
	if env != (persistence.EnvironmentKey{}) {
		if err := g.conn.QueryRow(g.t.Context(), `SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3`,
			env.OSName, env.OSVersion, env.PythonVersion).Scan(&k.EnvironmentID); err != nil {
			g.t.Fatalf("environment %v: %v", env, err)
		}
	}
	if name != "" {
		if err := g.conn.QueryRow(g.t.Context(), `SELECT id FROM package WHERE name = $1`, name).Scan(&k.PackageID); err != nil {
			g.t.Fatalf("package %s: %v", name, err)
		}
	}
	return k
}

// of returns the generation of name in env.
func (g generations) of(env persistence.EnvironmentKey, name string) int64 {
	g.t.Helper()
	k := g.key(env, name)
	m, err := g.store.Generations(g.t.Context(), []persistence.GenerationKey{k})
	if err != nil {
		g.t.Fatal(err)
	}
	return m[k]
}

// expect checks the generations want gives, by "name" (every environment)
// or "name@env38" (env38).
func (g generations) expect(what string, want map[string]int64) {
	g.t.Helper()
	for k, n := range want {
		env, name := persistence.EnvironmentKey{}, k
		if len(k) > 6 && k[len(k)-6:] == "@env38" {
			env, name = env38, k[:len(k)-6]
		}
		if got := g.of(env, name); got != n {
			g.t.Errorf("%s: generation of %s = %d, want %d", what, k, got, n)
		}
	}
}

// solverDoc is a solver document of env38 solving name==version, whose
// requirements resolve to the versions deps gives ("name==version").
func solverDoc(name, version string, deps ...[2]string) *persistence.SolverResult {
	e := persistence.SolvedEntry{Name: name, Version: version, IndexURL: indexA}
	for _, d := range deps {
		e.Dependencies = append(e.Dependencies, persistence.DependencyEntry{Name: d[0], VersionRange: "*",
			Resolved: []persistence.ResolvedEntry{{IndexURL: indexA, Versions: []string{d[1]}}}})
	}
	return &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: env38,
		SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: []persistence.SolvedEntry{e}}
}

// TestGraphGenerations: every writer that changes what a dependencyGraph
// answer reads bumps the generations of what it touched, and only those.
func TestGraphGenerations(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	g := generations{t: t, store: store, conn: testenv.Conn(t, dbURL)}
	start, err := store.GraphChanges(ctx, 0)
	if err != nil || start.Horizon == 0 || len(start.Changes) != 0 {
		t.Fatalf("first read: %+v, %v; want a horizon and no changes", start, err)
	}
	ingest := func(id string, res *persistence.SolverResult, force bool) persistence.IngestOutcome {
		t.Helper()
		out, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id + res.Entries[0].Name}, res, force)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	// A solver document bumps its solved package in its environment, not
	// the packages its edges reach (their versions are new rows).
	ingest("solver-rhel-8-py38-a", solverDoc("a", "1", [2]string{"b", "1"}, [2]string{"c", "1"}), false)
	g.expect("a solved", map[string]int64{"a@env38": 1, "b@env38": 0, "c@env38": 0, "a": 0, "b": 0})
	ingest("solver-rhel-8-py38-b", solverDoc("b", "1"), false)
	g.expect("b solved", map[string]int64{"a@env38": 1, "b@env38": 1})

	// The same content again is skipped and bumps nothing; a forced
	// re-ingestion that solves another version bumps what it replaced too.
	if out := ingest("solver-rhel-8-py38-a", solverDoc("a", "1", [2]string{"b", "1"}, [2]string{"c", "1"}), false); out.Status != persistence.StatusSkipped {
		t.Fatalf("same content: %s", out.Status)
	}
	g.expect("skipped", map[string]int64{"a@env38": 1})
	ingest("solver-rhel-8-py38-a", solverDoc("x", "1"), true)
	g.expect("replaced", map[string]int64{"a@env38": 2, "x@env38": 1})
	ingest("solver-rhel-8-py38-a2", solverDoc("a", "1", [2]string{"b", "1"}), false)
	g.expect("a solved again", map[string]int64{"a@env38": 3})
	// An older run of a and a new package in one document: the newer run
	// of a keeps its row, so only the new package is bumped.
	older := solverDoc("a", "1")
	older.SolvedAt = older.SolvedAt.Add(-time.Hour)
	older.Entries = append(older.Entries, persistence.SolvedEntry{Name: "y", Version: "1", IndexURL: indexA})
	ingest("solver-rhel-8-py38-a0", older, false)
	g.expect("an older run", map[string]int64{"a@env38": 3, "y@env38": 1, "y": 0})

	// A version flag bumps its package everywhere, and the packages whose
	// edges resolve to it (a depends on b 1).
	if _, err := store.MarkVersion(ctx, persistence.VersionMark{
		VersionOnIndex: persistence.VersionOnIndex{Name: "b", Version: "1", IndexURL: indexA}, IsMissing: new(true)}); err != nil {
		t.Fatal(err)
	}
	g.expect("b marked missing", map[string]int64{"b": 1, "a": 1, "c": 0, "x": 0, "a@env38": 3})

	// A solver document showing its index no longer serves a version bumps
	// the version's package everywhere when it marks it, not again.
	gone := solverDoc("m", "1")
	gone.Entries[0].Error, gone.Entries[0].Missing = true, true
	ingest("solver-rhel-8-py38-m", gone, false)
	g.expect("m marked missing by a document", map[string]int64{"m": 1, "m@env38": 1})
	ingest("solver-rhel-8-py38-m", gone, true)
	g.expect("m's document again", map[string]int64{"m": 1, "m@env38": 3})

	// A vulnerability record bumps the packages it names, before and after.
	rec := persistence.VulnerabilityRecord{ID: "PYSEC-1", Summary: "s", Modified: at("2024-02-01T00:00:00Z"),
		Affected: []python.Affected{{Name: "c", Versions: []string{"1"}}}}
	if _, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec}); err != nil {
		t.Fatal(err)
	}
	g.expect("record on c", map[string]int64{"c": 1, "x": 0})
	rec.Modified, rec.Affected = at("2024-03-01T00:00:00Z"), []python.Affected{{Name: "x", Versions: []string{"1"}}}
	if _, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec}); err != nil {
		t.Fatal(err)
	}
	g.expect("record moved to x", map[string]int64{"c": 2, "x": 1})
	if _, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec}); err != nil {
		t.Fatal(err)
	}
	g.expect("record unchanged", map[string]int64{"c": 2, "x": 1})

	// Rules, registrations and index settings.
	rule, _, err := store.CreateRule(ctx, persistence.RuleInput{Package: "c", Description: "broken"})
	if err != nil {
		t.Fatal(err)
	}
	g.expect("rule created", map[string]int64{"c": 3})
	if _, err := store.DeleteRule(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	g.expect("rule deleted", map[string]int64{"c": 4})
	if _, err := store.RegisterVersions(ctx, []persistence.VersionRegistration{{Name: "c", Version: "2", IndexURL: &indexA}}); err != nil {
		t.Fatal(err)
	}
	g.expect("version registered", map[string]int64{"c": 5})
	if _, err := store.RegisterVersions(ctx, []persistence.VersionRegistration{{Name: "c", Version: "2", IndexURL: &indexA}}); err != nil {
		t.Fatal(err)
	}
	g.expect("version known", map[string]int64{"c": 5})
	all := func() int64 {
		m, err := store.Generations(ctx, []persistence.GenerationKey{{}})
		if err != nil {
			t.Fatal(err)
		}
		return m[persistence.GenerationKey{}]
	}
	if _, err := store.RegisterIndex(ctx, persistence.IndexRegistration{URL: indexA, Enabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	if n := all(); n != 0 {
		t.Errorf("an index registered again as it was: every package's generation %d, want 0", n)
	}
	if _, err := store.RegisterIndex(ctx, persistence.IndexRegistration{URL: indexA, VerifySSL: new(false)}); err != nil {
		t.Fatal(err)
	}
	if n := all(); n != 1 {
		t.Errorf("an index's verifySsl changed: every package's generation %d, want 1", n)
	}

	// Deleting a document bumps what its facts reached.
	if _, err := store.DeleteDocuments(ctx, []string{"solver-rhel-8-py38-b"}); err != nil {
		t.Fatal(err)
	}
	g.expect("b's document deleted", map[string]int64{"b@env38": 2, "a@env38": 3})

	// What committed since the first read, each key once.
	ch, err := store.GraphChanges(ctx, start.Horizon)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[persistence.GenerationKey]int64{}
	for _, c := range ch.Changes {
		if _, dup := seen[c.GenerationKey]; dup {
			t.Errorf("%v reported twice", c.GenerationKey)
		}
		seen[c.GenerationKey] = c.Generation
	}
	for k, n := range map[persistence.GenerationKey]int64{g.key(env38, "a"): 3, g.key(env38, "b"): 2, g.key(env38, "x"): 1,
		g.key(persistence.EnvironmentKey{}, "c"): 5, {}: 1} {
		if seen[k] != n {
			t.Errorf("changes since the start: %v at %d, want %d (all: %v)", k, seen[k], n, ch.Changes)
		}
	}
	if ch.Horizon < start.Horizon {
		t.Errorf("horizon went back: %d after %d", ch.Horizon, start.Horizon)
	}
	// Nothing ran here since: from the latest horizon, at most changes
	// already seen come back (transactions of other databases of the
	// cluster hold the horizon back), at the generations seen.
	again, err := store.GraphChanges(ctx, ch.Horizon)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again.Changes {
		if n, ok := seen[c.GenerationKey]; !ok || n != c.Generation {
			t.Errorf("changes since the latest read: %v, new; want only those seen", c)
		}
	}
}

// TestGraphChangesOutOfOrder: a transaction that started first and commits
// last is not lost by a read that happened between the two commits.
func TestGraphChangesOutOfOrder(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	ctx := t.Context()
	first, second := testenv.Conn(t, dbURL), testenv.Conn(t, dbURL)
	bump := func(tx pgx.Tx, env int64) {
		t.Helper()
		if _, err := tx.Exec(ctx, `INSERT INTO graph_generation (environment_id, package_id) VALUES ($1, 1)`, env); err != nil {
			t.Fatal(err)
		}
	}
	start, err := store.GraphChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	older, err := first.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback(context.Background()) //nolint:errcheck // committed below
	bump(older, 1)
	newer, err := second.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bump(newer, 2)
	if err := newer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mid, err := store.GraphChanges(ctx, start.Horizon)
	if err != nil {
		t.Fatal(err)
	}
	if got := envsOf(mid.Changes); !slices.Equal(got, []int64{2}) {
		t.Fatalf("between the commits: changes in environments %v, want [2]", got)
	}
	if err := older.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	late, err := store.GraphChanges(ctx, mid.Horizon)
	if err != nil {
		t.Fatal(err)
	}
	if got := envsOf(late.Changes); !slices.Contains(got, 1) {
		t.Fatalf("after the older transaction committed: changes in environments %v, want 1 among them", got)
	}
}

func envsOf(cs []persistence.GraphChange) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.EnvironmentID)
	}
	slices.Sort(out)
	return out
}
