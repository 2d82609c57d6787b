//go:build thoth

package resolvers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestThothAdviserRuns syncs every real adviser document (2020 successes, a
// 2022 run killed for its memory with report null, a failure with
// _ERROR_DETAILS.unresolved, a boot failure) and compares what adviserRun
// answers with a plain reading of each document's JSON; a second sync adds
// no row; a malformed copy of each is refused INVALID with its path and
// leaves no row.
func TestThothAdviserRuns(t *testing.T) {
	t.Parallel()
	h := emptyRunsHarness(t)
	dir := testenv.ThothFixtures(t, "adviser")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no adviser documents in %s: %v", dir, err)
	}
	var ids []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		if got := get(decodeDoc(t, raw), "metadata", "document_id"); got != id {
			t.Fatalf("%s: metadata.document_id %v", f, got)
		}
		h.put(t, id, raw)
		ids = append(ids, id)
	}
	if s := h.sync(t, false); s.SyncDocuments.Synced != len(ids) || s.SyncDocuments.Failed != 0 {
		t.Fatalf("sync: %+v, want %d synced", s.SyncDocuments, len(ids))
	}
	// The graph has no solver documents here: no locked package has a node.
	none := func(string, string, string) (string, bool) { return "", false }
	sawUnresolved, sawNoReport, sawProducts := false, false, false
	for _, id := range ids {
		var out struct{ AdviserRun map[string]any }
		h.query(t, `query($id: String!) { adviserRun(id: $id) { `+adviserRunSelection+` } }`, map[string]any{"id": id}, &out)
		want := expectAdviserRun(t, decodeDoc(t, h.raw[id]), none)
		sameJSON(t, id, out.AdviserRun, want)
		sawUnresolved = sawUnresolved || len(want["unresolved"].([]any)) > 0
		sawNoReport = sawNoReport || !want["hasReport"].(bool)
		sawProducts = sawProducts || len(want["products"].([]any)) > 0
	}
	if !sawUnresolved || !sawNoReport || !sawProducts {
		t.Errorf("the documents cover unresolved %v, no report %v, products %v; want all", sawUnresolved, sawNoReport, sawProducts)
	}

	before := h.rows(t)
	if before["adviser_run"] != len(ids) || before["stack_package"] == 0 || before["adviser_product"] == 0 || before["adviser_unresolved"] == 0 {
		t.Fatalf("rows: %v", before)
	}
	if s := h.sync(t, false); s.SyncDocuments.Synced != 0 || s.SyncDocuments.Skipped != len(ids) {
		t.Errorf("second sync: %+v", s.SyncDocuments)
	}
	if after := h.rows(t); !mapsEqual(after, before) {
		t.Errorf("rows after a second sync: %v, want %v", after, before)
	}

	for _, id := range ids {
		bad := id + "-bad"
		doc := decodeDoc(t, h.raw[id])
		setPath(t, doc, "result.parameters.count", "one")
		doc["metadata"].(map[string]any)["document_id"] = bad
		h.refused(t, bad, doc, "result.parameters.count: want an integer")
	}
}
