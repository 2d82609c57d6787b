package ingest

import (
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestUnsupportedKindSkipped: documents of a kind of the table whose writer
// has not landed are SKIPPED with the reason, recorded so, counted by kind,
// never FAILED; once the writer is there the next sync ingests them. It
// takes the inspection kind's writer away for its first sync (serially:
// the parallel tests wait until it is put back).
func TestUnsupportedKindSkipped(t *testing.T) {
	store, _, _ := testenv.Store(t)
	docs, err := objectstore.Open(t.Context(), testenv.Bucket(t, "thoth/data"))
	if err != nil {
		t.Fatal(err)
	}
	fx := testenv.InspectionDocuments(t, testenv.Testdata(t, "inspection", "inspections"))
	for _, d := range fx {
		d.Put(t, docs)
	}
	svc := &Service{Store: store, Docs: docs, Logger: testenv.Logger(t), Workers: 2}

	write := writers["inspection"]
	writers["inspection"] = nil
	rep, err := svc.Sync(t.Context(), SyncOptions{})
	writers["inspection"] = write
	if err != nil {
		t.Fatal(err)
	}
	if rep.Processed != len(fx) || rep.Skipped != len(fx) || rep.Failed != 0 || rep.Unsupported["inspection"] != len(fx) ||
		!strings.Contains(rep.Reasons["inspection"], "inspection documents are not supported yet: only ") ||
		strings.Contains(rep.Reasons["inspection"], "inspection, ") {
		t.Fatalf("sync without the inspection writer: %+v", rep)
	}
	for _, d := range fx {
		row, err := store.Document(t.Context(), d.ID)
		if err != nil || row == nil || row.Status != persistence.StatusSkipped || row.ErrorCode != nil || row.Error == nil ||
			!strings.Contains(*row.Error, "not supported yet") || row.Kind != "inspection" {
			t.Errorf("%s row %+v, %v: want SKIPPED with the reason", d.ID, row, err)
		}
	}
	// A dry run reports them the same and records nothing new.
	writers["inspection"] = nil
	rep, err = svc.Sync(t.Context(), SyncOptions{DryRun: true})
	writers["inspection"] = write
	if err != nil || rep.Unsupported["inspection"] != len(fx) || rep.Failed != 0 {
		t.Errorf("dry run without the writer: %+v, %v", rep, err)
	}

	rep, err = svc.Sync(t.Context(), SyncOptions{})
	if err != nil || rep.Synced != len(fx) || rep.Unsupported != nil {
		t.Fatalf("sync with the writer back: %+v, %v", rep, err)
	}
	for _, d := range fx {
		if row, err := store.Document(t.Context(), d.ID); err != nil || row == nil || row.Status != persistence.StatusIngested || row.Error != nil {
			t.Errorf("%s row %+v, %v: want INGESTED", d.ID, row, err)
		}
	}
}
