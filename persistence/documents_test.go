package persistence_test

import (
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

func TestDocuments(t *testing.T) {
	t.Parallel()
	store, _, _ := testenv.Store(t)
	ctx := t.Context()

	if d, err := store.Document(ctx, "solver-none-1"); d != nil || err != nil {
		t.Errorf("missing document = %+v, %v; want nil, nil", d, err)
	}
	ref := persistence.DocumentRef{ID: "solver-b-1", Kind: "solver", ObjectKey: "solver/solver-b-1", SHA256: "aa"}
	if err := store.MarkDocumentFailed(ctx, ref, persistence.CodeInvalid, "result: missing"); err != nil {
		t.Fatal(err)
	}
	// A second failure without key or hash keeps them and counts the attempt.
	if err := store.MarkDocumentFailed(ctx, persistence.DocumentRef{ID: "solver-b-1", Kind: "solver"}, persistence.CodeUnavailable, "store down"); err != nil {
		t.Fatal(err)
	}
	d, err := store.Document(ctx, "solver-b-1")
	if err != nil || d == nil {
		t.Fatalf("document: %v, %v", d, err)
	}
	if d.Status != persistence.StatusFailed || *d.ErrorCode != "UNAVAILABLE" || *d.Error != "store down" || d.Attempts != 2 ||
		*d.ObjectKey != "solver/solver-b-1" || *d.SHA256 != "aa" || d.IngestedAt != nil || d.Counts == nil {
		t.Errorf("failed document = %+v", d)
	}

	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: []persistence.SolvedEntry{{Name: "a", Version: "1"}}}
	for _, id := range []string{"solver-a-1", "solver-c-1"} {
		if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.MarkDocumentFailed(ctx, persistence.DocumentRef{ID: "adviser-x-1", Kind: "adviser"}, persistence.CodeInvalid, "not supported"); err != nil {
		t.Fatal(err)
	}

	ids := func(c persistence.Connection[persistence.Document]) []string {
		var out []string
		for _, d := range c.Items {
			out = append(out, d.ID)
		}
		return out
	}
	all, err := store.Documents(ctx, persistence.DocumentFilter{}, persistence.Page{First: 2})
	if err != nil || all.TotalCount != 4 || !all.HasNextPage || len(all.Items) != 2 || ids(all)[0] != "adviser-x-1" || ids(all)[1] != "solver-a-1" {
		t.Errorf("first page = %v, total %d, next %v, %v", ids(all), all.TotalCount, all.HasNextPage, err)
	}
	rest, err := store.Documents(ctx, persistence.DocumentFilter{}, persistence.Page{First: 5, After: all.Cursors[1]})
	if err != nil || rest.TotalCount != 4 || rest.HasNextPage || len(rest.Items) != 2 || ids(rest)[0] != "solver-b-1" {
		t.Errorf("second page = %v, total %d, next %v, %v", ids(rest), rest.TotalCount, rest.HasNextPage, err)
	}
	failed, err := store.Documents(ctx, persistence.DocumentFilter{Kind: "solver", Status: persistence.StatusFailed}, persistence.Page{First: 5})
	if err != nil || failed.TotalCount != 1 || len(failed.Items) != 1 || failed.Items[0].ID != "solver-b-1" {
		t.Errorf("failed solver documents = %v, total %d, %v", ids(failed), failed.TotalCount, err)
	}
	ingested, err := store.Documents(ctx, persistence.DocumentFilter{Status: persistence.StatusIngested}, persistence.Page{First: 0})
	if err != nil || ingested.TotalCount != 2 || len(ingested.Items) != 0 || !ingested.HasNextPage {
		t.Errorf("first: 0 = %+v, %v", ingested, err)
	}
	for name, c := range map[string]struct {
		f persistence.DocumentFilter
		p persistence.Page
	}{
		"bad status":          {persistence.DocumentFilter{Status: "DONE"}, persistence.Page{First: 1}},
		"forged cursor":       {persistence.DocumentFilter{}, persistence.Page{First: 1, After: "not-a-cursor"}},
		"negative first":      {persistence.DocumentFilter{}, persistence.Page{First: -1}},
		"other list's cursor": {persistence.DocumentFilter{}, persistence.Page{First: 1, After: "eyJrIjoicGFja2FnZSIsInYiOlsiYSJdfQ"}},
	} {
		if _, err := store.Documents(ctx, c.f, c.p); persistence.ErrorCode(err) != persistence.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", name, err)
		}
	}
}
