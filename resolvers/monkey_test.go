package resolvers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

const monkeyID = "dependency-monkey-211201002000-5eca1ab1"

const monkeyQuery = `query($id: String!) {
  dependencyMonkeyRun(id: $id) {
    id adviserVersion datetime decisionType seed count limitLatestVersions predictor predictorConfig
    osName osVersion pythonVersion skipped error
    input { requirements { name specifier } }
    stacks {
      number inspectionId inspection { id }
      product { score justification { message } stack { name version packageVersion { version } } }
      run { id }
    }
  }
  inspection(id: "inspection-seshat-matmul-0a1b2c3d") { generatedBy { number inspectionId run { id } } }
}`

type monkeyAnswer struct {
	DependencyMonkeyRun *struct {
		ID, AdviserVersion, Datetime, DecisionType, Predictor string
		Seed                                                  float64
		Count, LimitLatestVersions, Skipped                   int
		PredictorConfig                                       map[string]any
		OSName, OSVersion, PythonVersion                      string
		Error                                                 bool
		Input                                                 struct {
			Requirements []struct{ Name, Specifier string }
		}
		Stacks []struct {
			Number       int
			InspectionID string
			Inspection   *struct{ ID string }
			Product      struct {
				Score         *float64
				Justification []struct{ Message string }
				Stack         []struct {
					Name, Version  string
					PackageVersion *struct{ Version string }
				}
			}
			Run struct{ ID string }
		}
	}
	Inspection *struct {
		GeneratedBy []struct {
			Number       int
			InspectionID string
			Run          struct{ ID string }
		}
	}
}

// TestDependencyMonkeyRun: the project's Dependency Monkey report, synced
// beside the project's inspections, answers what an independent reading of
// its JSON says (run parameters, input, each stack's inspection id, score,
// justification and lock), a stack sent as an ingested inspection links to
// it both ways and one sent as an unknown inspection has none, in a
// handful of statements.
func TestDependencyMonkeyRun(t *testing.T) {
	t.Parallel()
	h, _, docs := inspectionHarness(t)
	raw := testenv.ReadTestdata(t, "dependency-monkey", monkeyID+".json")
	if err := docs.Put(t.Context(), "dependency-monkey-reports/"+monkeyID, raw); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SyncDocuments struct{ Synced, Failed int }
	}
	if errs := h.do(t, adminSecret, syncMutation, map[string]any{"input": map[string]any{}}, &rep); len(errs) > 0 ||
		rep.SyncDocuments.Synced != 1 || rep.SyncDocuments.Failed != 0 {
		t.Fatalf("syncDocuments: %+v %+v", rep, errs)
	}
	var want struct {
		Result struct {
			Parameters struct {
				DecisionType        string `json:"decision_type"`
				Seed                float64
				Count               int
				LimitLatestVersions int `json:"limit_latest_versions"`
				Predictor           string
				PredictorConfig     string `json:"predictor_config"`
				Project             struct {
					Requirements struct{ Packages map[string]string }
				}
			}
			Report struct {
				Skipped   int
				Responses []struct {
					Response string
					Product  struct {
						Score         float64
						Justification []struct{ Message string }
						Project       struct {
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
	n := h.query(t, monkeyQuery, map[string]any{"id": monkeyID}, &got)
	run := got.DependencyMonkeyRun
	if run == nil {
		t.Fatal("no run")
	}
	p := want.Result.Parameters
	var config map[string]any
	_ = json.Unmarshal([]byte(p.PredictorConfig), &config)
	if run.ID != monkeyID || run.DecisionType != p.DecisionType || run.Seed != p.Seed || run.Count != p.Count ||
		run.LimitLatestVersions != p.LimitLatestVersions || run.Predictor != p.Predictor || fmt.Sprint(run.PredictorConfig) != fmt.Sprint(config) ||
		run.OSName != "rhel" || run.OSVersion != "8" || run.PythonVersion != "3.8" || run.Skipped != want.Result.Report.Skipped || run.Error {
		t.Errorf("run %+v", run)
	}
	if len(run.Input.Requirements) != len(p.Project.Requirements.Packages) {
		t.Errorf("input %+v, want %v", run.Input, p.Project.Requirements.Packages)
	}
	if len(run.Stacks) != len(want.Result.Report.Responses) {
		t.Fatalf("%d stacks, want %d", len(run.Stacks), len(want.Result.Report.Responses))
	}
	for i, w := range want.Result.Report.Responses {
		s := run.Stacks[i]
		if s.Number != i+1 || s.InspectionID != w.Response || s.Run.ID != monkeyID || s.Product.Score == nil || *s.Product.Score != w.Product.Score ||
			len(s.Product.Justification) != 1 || s.Product.Justification[0].Message != w.Product.Justification[0].Message {
			t.Errorf("stack %d: %+v", i+1, s)
		}
		locked := map[string]string{}
		for _, l := range s.Product.Stack {
			locked[l.Name] = "==" + l.Version
		}
		wantLocked := map[string]string{}
		for name, l := range w.Product.Project.RequirementsLocked.Default {
			wantLocked[name] = l.Version
		}
		if fmt.Sprint(locked) != fmt.Sprint(wantLocked) {
			t.Errorf("stack %d locks %v, want %v", i+1, locked, wantLocked)
		}
		linked := s.Inspection != nil && s.Inspection.ID == w.Response
		if linked != strings.Contains(w.Response, "matmul") {
			t.Errorf("stack %d: inspection %+v for %s", i+1, s.Inspection, w.Response)
		}
	}
	if got.Inspection == nil || len(got.Inspection.GeneratedBy) != 1 || got.Inspection.GeneratedBy[0].Number != 1 || got.Inspection.GeneratedBy[0].Run.ID != monkeyID {
		t.Errorf("inspection.generatedBy %+v", got.Inspection)
	}
	// One statement per level, whatever the number of stacks: the run, its
	// input's requirements, its stacks, their inspections, products, locks
	// and the locks' versions, the stacks' run; the inspection, its
	// generators and theirs runs.
	if n > 11 {
		t.Errorf("%d statements", n)
	}
	var none monkeyAnswer
	h.query(t, monkeyQuery, map[string]any{"id": "dependency-monkey-unknown"}, &none)
	if none.DependencyMonkeyRun != nil {
		t.Errorf("unknown run: %+v", none.DependencyMonkeyRun)
	}
}
