package persistence_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestRuleCreatedWhileVersionArrives: a rule created while a document
// brings a version it matches ends up matching it, whichever transaction
// commits first (ruleLock); a rule there first is matched on arrival and
// counted.
func TestRuleCreatedWhileVersionArrives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, _ := testenv.Store(t)
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	doc := func(name string) *persistence.SolverResult {
		return &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1", Environment: env,
			SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Entries:  []persistence.SolvedEntry{{Name: name, Version: "1.0rc1", IndexURL: "https://pypi.org/simple"}}}
	}
	spec := ">=0.9"
	for i := range 20 {
		name := fmt.Sprintf("race-%d", i)
		var wg sync.WaitGroup
		var ruleErr, docErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _, ruleErr = store.CreateRule(ctx, persistence.RuleInput{Package: name, VersionRange: &spec})
		}()
		go func() {
			defer wg.Done()
			_, docErr = store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-" + name, Kind: "solver", SHA256: name}, doc(name), false)
		}()
		wg.Wait()
		if ruleErr != nil || docErr != nil {
			t.Fatalf("%s: createRule %v, ingest %v", name, ruleErr, docErr)
		}
		v, err := store.PackageVersion(ctx, name, "1.0rc1", nil)
		if err != nil || v == nil {
			t.Fatalf("%s: version %v, %v", name, v, err)
		}
		rules, err := store.RulesOfVersions(ctx, []int64{v.ID})
		if err != nil || len(rules[v.ID]) != 1 {
			t.Errorf("%s: rules of the version %v, %v; want the rule", name, rules[v.ID], err)
		}
	}

	out, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-race-0-again", Kind: "solver", SHA256: "again"},
		&persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1", Environment: env, SolvedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
			Entries: []persistence.SolvedEntry{{Name: "race-0", Version: "2.0.dev1", IndexURL: "https://pypi.org/simple"}}}, false)
	if err != nil || out.Counts["rule_matches"] != 1 {
		t.Errorf("a version arriving under an existing rule: counts %v, %v; want rule_matches 1", out.Counts, err)
	}
}
