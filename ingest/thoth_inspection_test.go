//go:build thoth

package ingest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestThothInspections syncs every real Amun inspection (Thoth's storage
// layout, read in place): each is one document with all of its results,
// compared with a plain reading of its JSON; a second sync adds no row; a
// malformed copy of each (its last result's exit code a string) is
// refused INVALID with the file and JSON path and leaves no rows.
func TestThothInspections(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	docs := testenv.InspectionDocuments(t, testenv.ThothFixtures(t, "inspection"))
	results := 0
	for _, d := range docs {
		d.Put(t, b.docs)
		results += len(d.Results)
	}
	rep := sync(t, b.svc, ingest.SyncOptions{})
	if rep.Processed != len(docs) || rep.Synced != len(docs) {
		t.Fatalf("sync %+v (%v), want the %d real inspections ingested", rep, rep.Failures, len(docs))
	}
	for _, d := range docs {
		checkInspection(t, b, d)
	}
	before := tableCounts(t, b.db)
	rep = sync(t, b.svc, ingest.SyncOptions{})
	if rep.Skipped != len(docs) {
		t.Errorf("second sync %+v", rep)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	t.Logf("conformance: %d real inspections with %d results ingested; %d hardware nodes, %d performance indicators",
		len(docs), results, before["hardware"], before["performance_indicator"])

	for _, d := range docs {
		last := d.Results[len(d.Results)-1].Number
		id := "inspection-malformed-" + strings.TrimPrefix(d.ID, "inspection-")
		file := fmt.Sprintf("results/%d/result", last)
		for key, raw := range d.Objects {
			rel := strings.TrimPrefix(key, "inspections/"+d.ID+"/")
			if rel == file {
				var doc map[string]any
				if err := json.Unmarshal(raw, &doc); err != nil {
					t.Fatal(err)
				}
				doc["exit_code"] = "none"
				raw, _ = json.Marshal(doc)
			}
			put(t, b.docs, "inspections/"+id+"/"+rel, raw)
		}
		rep := sync(t, b.svc, ingest.SyncOptions{IDs: []string{id}})
		row, err := b.store.Document(t.Context(), id)
		if rep.Failed != 1 || err != nil || row == nil || row.ErrorCode == nil || *row.ErrorCode != "INVALID" ||
			!strings.Contains(*row.Error, file+".exit_code") {
			t.Errorf("malformed copy of %s: %+v, row %+v (%v)", d.ID, rep, row, err)
			continue
		}
		for _, table := range []string{"inspection", "inspection_result", "inspection_lock", "performance_indicator"} {
			if n := countRows(t, b.db, table, id); n != 0 {
				t.Errorf("%d rows in %s from refused %s", n, table, id)
			}
		}
		if row.Status != persistence.StatusFailed {
			t.Errorf("%s: %s", id, row.Status)
		}
		t.Logf("conformance: malformed copy of %s refused: %s", d.ID, *row.Error)
	}
}
