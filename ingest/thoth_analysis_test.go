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

// thothAnalyses are the real package-extract documents, kept as Thoth kept
// them: analysis/<metadata.document_id>.
func thothAnalyses(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.ThothFixtures(t, "analysis"), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no real analyses: %v", err)
	}
	var out []fixture
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		id := doc["metadata"].(map[string]any)["document_id"].(string)
		out = append(out, fixture{file: f, id: id, key: "analysis/" + id, raw: raw, doc: doc})
	}
	return out
}

// TestThothAnalysisSync: the real analyses sync from analysis/ (their ids
// name no kind: the folder does), INGESTED with one row per RPM of
// rpm-dependencies and per Python-Dist mercator entry; a second sync adds
// no row; a copy with a bad RPM is refused INVALID naming its path and
// leaves no row.
func TestThothAnalysisSync(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := thothAnalyses(t)
	b.putAll(t, fx)
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "analysis"})
	if rep.Synced != len(fx) || rep.Failed != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range fx {
		res := f.doc["result"].(map[string]any)
		rpms, _ := res["rpm-dependencies"].([]any)
		dists := 0
		for _, m := range res["mercator"].([]any) {
			if m.(map[string]any)["ecosystem"] == "Python-Dist" {
				dists++
			}
		}
		if n := countRows(t, b.db, "image_rpm", f.id); n != len(rpms) {
			t.Errorf("%s: %d RPMs stored, the document lists %d", f.id, n, len(rpms))
		}
		if n := countRows(t, b.db, "image_python_package", f.id); n != dists {
			t.Errorf("%s: %d Python packages stored, the document has %d Python-Dist entries", f.id, n, dists)
		}
		d, err := b.store.Document(t.Context(), f.id)
		if err != nil || d == nil || d.Status != persistence.StatusIngested || d.Kind != "package-extract" {
			t.Errorf("document %+v, %v", d, err)
		}
	}
	before := tableCounts(t, b.db)
	if rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "analysis"}); rep.Skipped != len(fx) {
		t.Errorf("second sync %+v", rep)
	}
	if after := tableCounts(t, b.db); !equalCounts(before, after) {
		t.Errorf("second sync changed row counts:\n%v\n%v", before, after)
	}

	bad := newBundle(t)
	for _, f := range fx {
		var d map[string]any
		if err := json.Unmarshal(f.raw, &d); err != nil {
			t.Fatal(err)
		}
		d["result"].(map[string]any)["rpm-dependencies"].([]any)[3].(map[string]any)["version"] = []any{}
		raw, _ := json.Marshal(d)
		r, err := bad.svc.Submit(t.Context(), ingest.Submission{ID: f.id, Kind: "package-extract", Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		msg := persistence.ErrorMessage(r.Err)
		if r.Status != persistence.StatusFailed || persistence.ErrorCode(r.Err) != persistence.CodeInvalid ||
			!strings.Contains(msg, "result.rpm-dependencies[3].version: ") {
			t.Errorf("%s: %s %s %q, want FAILED INVALID naming result.rpm-dependencies[3].version", f.id, r.Status, persistence.ErrorCode(r.Err), msg)
		}
	}
	counts := tableCounts(t, bad.db)
	for _, tbl := range analysisTables {
		if counts[tbl] != 0 {
			t.Errorf("%s has %d rows after the refused copies", tbl, counts[tbl])
		}
	}
}
