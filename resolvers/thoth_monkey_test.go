//go:build thoth

package resolvers_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestThothDependencyMonkeyQueries: every real Dependency Monkey report,
// synced from dependency-monkey-reports/ (its id is its key's: the report
// names none), answers dependencyMonkeyRun with what a plain reading of
// its JSON says: the run's decision type, seed and count, and per stack
// the inspection id, the score and the locked packages with their versions.
func TestThothDependencyMonkeyQueries(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	files, err := filepath.Glob(filepath.Join(testenv.ThothFixtures(t, "dependency-monkey"), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reports: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		if err := docs.Put(t.Context(), "dependency-monkey-reports/"+id, raw); err != nil {
			t.Fatal(err)
		}
		var rep struct {
			SyncDocuments struct{ Synced, Failed int }
		}
		if errs := h.do(t, adminSecret, syncMutation, map[string]any{"input": map[string]any{"prefix": "dependency-monkey-reports/" + id}}, &rep); len(errs) > 0 ||
			rep.SyncDocuments.Synced != 1 || rep.SyncDocuments.Failed != 0 {
			t.Fatalf("%s: syncDocuments %+v %+v", id, rep, errs)
		}
		var want struct {
			Result struct {
				Parameters struct {
					DecisionType string `json:"decision_type"`
					Seed         float64
					Count        int
				}
				Report struct {
					Responses []struct {
						Response string
						Product  struct {
							Score   float64
							Project struct {
								RequirementsLocked struct {
									Default map[string]struct{ Version string }
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
		var got monkeyAnswer
		h.query(t, monkeyQuery, map[string]any{"id": id}, &got)
		run := got.DependencyMonkeyRun
		if run == nil || run.ID != id || run.DecisionType != want.Result.Parameters.DecisionType || run.Seed != want.Result.Parameters.Seed ||
			run.Count != want.Result.Parameters.Count || len(run.Stacks) != len(want.Result.Report.Responses) {
			t.Fatalf("%s: run %+v", id, run)
		}
		for i, w := range want.Result.Report.Responses {
			s := run.Stacks[i]
			locked := map[string]string{}
			for _, l := range s.Product.Stack {
				locked[l.Name] = "==" + l.Version
			}
			wantLocked := map[string]string{}
			for name, l := range w.Product.Project.RequirementsLocked.Default {
				wantLocked[strings.ToLower(strings.ReplaceAll(name, "_", "-"))] = l.Version
			}
			if s.InspectionID != w.Response || s.Product.Score == nil || *s.Product.Score != w.Product.Score ||
				fmt.Sprint(locked) != fmt.Sprint(wantLocked) {
				t.Errorf("%s stack %d: %s, score %v, %d locked; want %s, %v, %d", id, i+1, s.InspectionID, s.Product.Score,
					len(locked), w.Response, w.Product.Score, len(wantLocked))
			}
		}
	}
}
