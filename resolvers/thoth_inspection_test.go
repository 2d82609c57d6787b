//go:build thoth

package resolvers_test

import (
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestThothInspectionQueries syncs every real Amun inspection through
// syncDocuments and compares what inspection(id) answers, for each, with a
// plain reading of its JSON: exit codes, indicators (name, component,
// parameters, results, elapsed, rate), hardware, environments, the stack.
func TestThothInspectionQueries(t *testing.T) {
	t.Parallel()
	h, docs := ingestHarness(t)
	fx := testenv.InspectionDocuments(t, testenv.ThothFixtures(t, "inspection"))
	for _, d := range fx {
		d.Put(t, docs)
	}
	var rep struct {
		SyncDocuments struct{ Processed, Synced, Failed int }
	}
	if errs := h.do(t, adminSecret, syncMutation, map[string]any{"input": map[string]any{"prefix": "inspections"}}, &rep); len(errs) > 0 ||
		rep.SyncDocuments.Synced != len(fx) {
		t.Fatalf("syncDocuments: %+v %+v", rep, errs)
	}
	for _, d := range fx {
		var one struct{ Inspection *gqlInspection }
		n := h.query(t, `query($id: String!) { inspection(id: $id) { `+inspectionFields+` } }`, map[string]any{"id": d.ID}, &one)
		if one.Inspection == nil {
			t.Fatalf("inspection(%s) is null", d.ID)
		}
		checkInspectionAnswer(t, d, *one.Inspection)
		if n > 6 {
			t.Errorf("inspection(%s): %d statements, want at most 6", d.ID, n)
		}
		t.Logf("conformance: %s: %d results, %d locked packages, answered in %d statements", d.ID, len(one.Inspection.Results), len(one.Inspection.Stack.Locked), n)
	}
	// The TensorFlow builds the real stacks pin: which multiplies matrices
	// fastest.
	total := 0
	for _, pkg := range []string{"tensorflow-cpu", "intel-tensorflow", "tensorflow"} {
		var ranked struct {
			PerformanceIndicators []struct {
				Rate       float64
				Inspection struct{ ID string }
				Hardware   struct{ CPUBrand string }
			}
		}
		h.query(t, `query($p: String) { performanceIndicators(name: "PiMatmul", package: $p, first: 100) { rate inspection { id } hardware { cpuBrand } } }`,
			map[string]any{"p": pkg}, &ranked)
		want := 0
		for _, d := range fx {
			for _, r := range d.Results {
				if r.Indicator == "PiMatmul" && r.Rate != nil && hasLocked(d, pkg) {
					want++
				}
			}
		}
		if len(ranked.PerformanceIndicators) != want {
			t.Errorf("PiMatmul with %s: %d indicators, want %d", pkg, len(ranked.PerformanceIndicators), want)
		}
		for i := 1; i < len(ranked.PerformanceIndicators); i++ {
			if ranked.PerformanceIndicators[i].Rate > ranked.PerformanceIndicators[i-1].Rate {
				t.Errorf("%s: not ranked by rate at %d", pkg, i)
			}
		}
		if want > 0 {
			best := ranked.PerformanceIndicators[0]
			t.Logf("conformance: PiMatmul with %s: %d results ranked by rate, fastest %.2f (%s on %s)", pkg, want, best.Rate, best.Inspection.ID, best.Hardware.CPUBrand)
		}
		total += want
	}
	if total == 0 {
		t.Error("no PiMatmul result of a TensorFlow stack among the real inspections")
	}
}

func hasLocked(d testenv.InspectionDocument, name string) bool {
	for _, l := range d.Locked {
		if n, _, _ := strings.Cut(l, "=="); normName(n) == name {
			return true
		}
	}
	return false
}
