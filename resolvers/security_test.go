package resolvers_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest/security"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// ingestSecurityTestdata writes the project's security-indicator documents
// (testdata/security) into h's store, a folder as the object of its parts
// the sync reads it as.
func ingestSecurityTestdata(t *testing.T, h *harness) {
	t.Helper()
	dir := testenv.Testdata(t, "security")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".json")
		var raw []byte
		if e.IsDir() {
			parts := map[string]json.RawMessage{}
			for _, p := range []string{"bandit", "cloc", "aggregated"} {
				parts[p] = testenv.ReadTestdata(t, "security", e.Name(), p+".json")
			}
			raw, _ = json.Marshal(parts)
		} else {
			raw = testenv.ReadTestdata(t, "security", e.Name())
		}
		si, err := security.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if _, err := h.store.IngestSecurityIndicator(t.Context(), persistence.DocumentRef{ID: id, Kind: "security-indicator", SHA256: id},
			si, false, true); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
	}
}

type indicatorAnswer struct {
	DocumentID  string
	CountedFrom string
	Error       bool
	Counts      []struct {
		Severity, Confidence string
		Count                int
	}
	TotalFindings                                                 int
	FilesAnalyzed, FilesTotal, FilesWithSeverities, FilesFiltered *int
	Python                                                        *struct{ Files, Code, Comments, Blanks int }
	Total                                                         *struct {
		Files, Code, Comments, Blanks int
		Lines                         *int
	}
	Findings []struct {
		TestID                      string
		Findings, High, Medium, Low int
		MoreInfo                    *string
	}
}

const indicatorFields = `documentId countedFrom error counts { severity confidence count } totalFindings
	filesAnalyzed filesTotal filesWithSeverities filesFiltered python { files code comments blanks }
	total { files code comments blanks lines } findings { testId findings high medium low moreInfo }`

// TestSecurityIndicatorFields: PackageVersion.securityIndicators through
// the real handler answers what the documents say (counted from bandit's
// report with /test files left out, or from si-aggregator's result with
// its axes put back); the list costs two statements for a whole level of
// versions; unanalyzedSecurityPackageVersions is the solved versions
// without an indicator, and a version leaves it when its indicator arrives.
func TestSecurityIndicatorFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ingestSecurityTestdata(t, h)

	var out struct {
		PackageVersions []struct {
			SecurityIndicators []indicatorAnswer
		}
	}
	h.query(t, `{ packageVersions(name: "Example_Pkg", version: "1.2.3") { securityIndicators { `+indicatorFields+` } } }`, nil, &out)
	if len(out.PackageVersions) != 1 || len(out.PackageVersions[0].SecurityIndicators) != 1 {
		t.Fatalf("example-pkg 1.2.3: %+v", out)
	}
	si := out.PackageVersions[0].SecurityIndicators[0]
	counts := map[string]int{}
	for _, c := range si.Counts {
		if c.Count > 0 {
			counts[c.Severity+"/"+c.Confidence] = c.Count
		}
	}
	// testdata/security/security-indicator-…0001/bandit.json: six findings
	// outside tests/, three B101 in tests/test_core.py left out.
	want := map[string]int{"LOW/HIGH": 2, "MEDIUM/HIGH": 1, "MEDIUM/LOW": 1, "LOW/MEDIUM": 1, "HIGH/HIGH": 1}
	if si.DocumentID != "security-indicator-211201000000-5eca1ab1e0000001" || si.CountedFrom != "BANDIT" || len(si.Counts) != 12 ||
		fmt.Sprint(counts) != fmt.Sprint(want) || si.TotalFindings != 6 {
		t.Errorf("indicator %+v; counts %v, want %v", si, counts, want)
	}
	if f := [4]*int{si.FilesAnalyzed, si.FilesTotal, si.FilesWithSeverities, si.FilesFiltered}; f[0] == nil || *f[0] != 3 || *f[1] != 4 || *f[2] != 2 || *f[3] != 1 {
		t.Errorf("files %v %v %v %v, want 3 4 2 1", f[0], f[1], f[2], f[3])
	}
	if si.Python == nil || si.Python.Code != 300 || si.Python.Files != 4 || si.Total == nil || si.Total.Lines == nil || *si.Total.Lines != 401 || si.Total.Code != 310 {
		t.Errorf("cloc counts %+v %+v", si.Python, si.Total)
	}
	tests := map[string]int{}
	for _, f := range si.Findings {
		tests[f.TestID] = f.Findings
		if f.TestID == "B602" && (f.High != 1 || f.MoreInfo == nil) {
			t.Errorf("B602: %+v", f)
		}
	}
	if fmt.Sprint(tests) != fmt.Sprint(map[string]int{"B101": 2, "B105": 1, "B303": 1, "B602": 1, "B608": 1}) {
		t.Errorf("findings per test %v", tests)
	}

	// The flattened aggregate alone: counters with si-aggregator's axes put
	// back (it wrote B101's LOW severity, HIGH confidence as SEVERITY.HIGH__CONFIDENCE.LOW).
	h.query(t, `{ packageVersions(name: "six", version: "1.16.0") { securityIndicators { `+indicatorFields+` } } }`, nil, &out)
	if len(out.PackageVersions) != 1 || len(out.PackageVersions[0].SecurityIndicators) != 1 {
		t.Fatalf("six 1.16.0: %+v", out)
	}
	agg := out.PackageVersions[0].SecurityIndicators[0]
	counts = map[string]int{}
	for _, c := range agg.Counts {
		if c.Count > 0 {
			counts[c.Severity+"/"+c.Confidence] = c.Count
		}
	}
	if agg.CountedFrom != "AGGREGATED" || fmt.Sprint(counts) != fmt.Sprint(want) || len(agg.Findings) != 0 {
		t.Errorf("aggregate %+v; counts %v, want %v", agg, counts, want)
	}

	// One level of versions: the indicators and their findings in two statements.
	var page struct {
		Packages struct {
			Edges []struct {
				Node struct {
					Name     string
					Versions struct {
						Edges []struct {
							Node struct{ SecurityIndicators []indicatorAnswer }
						}
					}
				}
			}
		}
	}
	plain := h.query(t, `{ packages(first: 200) { edges { node { name versions(first: 200) { edges { node { version } } } } } } }`, nil, nil)
	with := h.query(t, `{ packages(first: 200) { edges { node { name versions(first: 200) { edges { node { version securityIndicators { `+indicatorFields+` } } } } } } } }`, nil, &page)
	seen := 0
	for _, p := range page.Packages.Edges {
		for _, v := range p.Node.Versions.Edges {
			seen += len(v.Node.SecurityIndicators)
		}
	}
	if seen != 3 || with != plain+2 {
		t.Errorf("%d indicators in the page; %d statements with them, %d without: want 3 and two more", seen, with, plain)
	}

	// The backlog: solved versions without an indicator, by id.
	type backlog struct {
		UnanalyzedSecurityPackageVersions struct {
			TotalCount int
			Edges      []struct {
				Node struct{ Name, Version string }
			}
		}
	}
	var before, after backlog
	h.query(t, `{ unanalyzedSecurityPackageVersions(first: 200) { totalCount edges { node { name version } } } }`, nil, &before)
	if before.UnanalyzedSecurityPackageVersions.TotalCount == 0 {
		t.Fatal("no unanalyzed version in the harness graph")
	}
	for _, e := range before.UnanalyzedSecurityPackageVersions.Edges {
		if e.Node.Name == "example-pkg" || e.Node.Name == "six" {
			t.Errorf("%s %s is in the backlog: it was analysed, and never solved", e.Node.Name, e.Node.Version)
		}
	}
	first := before.UnanalyzedSecurityPackageVersions.Edges[0].Node
	si2 := &persistence.SecurityIndicator{Name: first.Name, Version: first.Version, IndexURL: indexA, CountedFrom: "none"}
	if _, err := h.store.IngestSecurityIndicator(t.Context(), persistence.DocumentRef{ID: "security-indicator-new", Kind: "security-indicator", SHA256: "n"},
		si2, false, true); err != nil {
		t.Fatal(err)
	}
	h.query(t, `{ unanalyzedSecurityPackageVersions(first: 200) { totalCount edges { node { name version } } } }`, nil, &after)
	if after.UnanalyzedSecurityPackageVersions.TotalCount != before.UnanalyzedSecurityPackageVersions.TotalCount-1 {
		t.Errorf("backlog %d after %s %s was analysed, was %d", after.UnanalyzedSecurityPackageVersions.TotalCount,
			first.Name, first.Version, before.UnanalyzedSecurityPackageVersions.TotalCount)
	}
	for _, e := range after.UnanalyzedSecurityPackageVersions.Edges {
		if e.Node == first {
			t.Errorf("%s %s is still in the backlog", first.Name, first.Version)
		}
	}
}
