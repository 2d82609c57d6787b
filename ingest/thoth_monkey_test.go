//go:build thoth

package ingest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestThothDependencyMonkey: every real Dependency Monkey report (its
// document_id is null: the id is its key's) syncs INGESTED with its run's
// parameters, and each response's inspection id, score and locked packages
// equal an independent reading of the JSON; a re-sync writes nothing.
func TestThothDependencyMonkey(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	dir := testenv.ThothFixtures(t, "dependency-monkey")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reports in %s: %v", dir, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		if err := b.docs.Put(ctx, "dependency-monkey-reports/"+id, raw); err != nil {
			t.Fatal(err)
		}
		var want struct {
			Result struct {
				Parameters struct {
					Seed         int64
					DecisionType string `json:"decision_type"`
				}
				Report struct {
					Responses []struct {
						Response string
						Product  struct {
							Score   float64
							Project struct {
								RequirementsLocked struct {
									Default map[string]any
								} `json:"requirements_locked"`
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "dependency-monkey-reports/" + id})
		if err != nil || rep.Synced != 1 || rep.Failed != 0 {
			t.Fatalf("%s: sync %+v, %v", id, rep, err)
		}
		runs, err := b.store.DependencyMonkeyRunsByID(ctx, []string{id})
		if err != nil || runs[id].Seed == nil || *runs[id].Seed != want.Result.Parameters.Seed ||
			runs[id].DecisionType == nil || *runs[id].DecisionType != want.Result.Parameters.DecisionType {
			t.Errorf("%s: run %+v, %v", id, runs[id], err)
		}
		stacks, err := b.store.DependencyMonkeyStacks(ctx, []string{id})
		if err != nil || len(stacks[id]) != len(want.Result.Report.Responses) {
			t.Fatalf("%s: %d stacks, want %d (%v)", id, len(stacks[id]), len(want.Result.Report.Responses), err)
		}
		products, err := b.store.AdviserProducts(ctx, []string{id})
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]persistence.StackKey, len(stacks[id]))
		for i, s := range stacks[id] {
			keys[i] = persistence.StackKey{DocumentID: id, Stack: s.Number}
		}
		pkgs, err := b.store.StackPackages(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want.Result.Report.Responses {
			s, p := stacks[id][i], products[id][i]
			if s.InspectionID != w.Response || p.Score == nil || *p.Score != w.Product.Score ||
				len(pkgs[keys[i]]) != len(w.Product.Project.RequirementsLocked.Default) {
				t.Errorf("%s stack %d: %+v, product %+v, %d locked; want %s, %v, %d", id, i+1, s, p,
					len(pkgs[keys[i]]), w.Response, w.Product.Score, len(w.Product.Project.RequirementsLocked.Default))
			}
		}
		before := tableCounts(t, b.db)
		if _, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "dependency-monkey-reports/" + id, Force: true}); err != nil {
			t.Fatal(err)
		}
		if after := tableCounts(t, b.db); len(after) != len(before) || after["stack_package"] != before["stack_package"] ||
			after["dependency_monkey_stack"] != before["dependency_monkey_stack"] {
			t.Errorf("%s: a forced re-sync changed the rows", id)
		}
	}
}
