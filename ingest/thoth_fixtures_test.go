//go:build thoth

package ingest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// The conformance suite over real Thoth solver documents (`make test-thoth`):
// the directory testenv.ThothFixtures names, GPL-3.0 data read in place and
// never copied into this repository. Every test takes whatever the folder
// holds.

// thothSynced stores every real solver document in a fresh bucket, syncs
// them and returns them with the sync's report.
func thothSynced(t *testing.T, b *bundle) ([]fixture, ingest.Report) {
	t.Helper()
	fx := documentsIn(t, testenv.ThothFixtures(t, "solver"))
	b.putAll(t, fx)
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver"})
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	if rep.Processed != len(fx) || rep.Synced+rep.Failed != len(fx) {
		t.Fatalf("report %+v, want all %d documents processed", rep, len(fx))
	}
	return fx, rep
}

// checkRefused checks that a real document the sync refused is INVALID and
// that the parser refuses it too, as it parses a document of the solver/
// folder (ParseNamed): ingestion refuses nothing the parser accepts. (The
// parser's conformance test fails on any refusal.)
func checkRefused(t *testing.T, b *bundle, f fixture) {
	t.Helper()
	d, err := b.store.Document(t.Context(), f.id)
	if err != nil || d == nil {
		t.Fatalf("document row: %v, %v", d, err)
	}
	if d.ErrorCode == nil || *d.ErrorCode != string(persistence.CodeInvalid) || d.Error == nil {
		t.Fatalf("%s refused with %v %v, want INVALID", f.id, d.ErrorCode, d.Error)
	}
	_, perr := solver.ParseNamed(f.id, f.raw)
	var ve *solver.ValidationError
	if !errors.As(perr, &ve) {
		t.Fatalf("ingestion refused %s (%s) but solver.Parse accepts it", f.id, *d.Error)
	}
	for _, n := range []string{"solved", "depends_on", "solver_problem"} {
		if c := countRows(t, b.db, n, f.id); c != 0 {
			t.Errorf("%d rows in %s from a refused document", c, n)
		}
	}
	t.Logf("conformance: %s (key %s): REFUSED, %s", f.id, f.key, *d.Error)
}

// TestThothSyncFixtures syncs every real solver document and compares, per
// document, the tree entries, errored versions and edges in the graph with a
// plain reading of the JSON.
func TestThothSyncFixtures(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx, rep := thothSynced(t, b)
	t.Logf("conformance: sync of %d real solver documents: %d ingested, %d refused", len(fx), rep.Synced, rep.Failed)
	for _, f := range fx {
		t.Run(f.id, func(t *testing.T) {
			d, err := b.store.Document(t.Context(), f.id)
			if err != nil || d == nil {
				t.Fatalf("document row: %v, %v", d, err)
			}
			if d.Status != persistence.StatusIngested {
				checkRefused(t, b, f)
				return
			}
			tree, errored, edges := checkIngested(t, b, f)
			t.Logf("conformance: %s (key %s): ingested, %d solved versions, %d with errors, %d edges, %d problems; counts %v",
				f.id, f.key, tree, errored, edges, countRows(t, b.db, "solver_problem", f.id), d.Counts)
		})
	}
}

// TestThothResyncFixtures syncs the real documents again: nothing changes;
// then forced: the same rows in every table, each ingested document's facts
// replaced by the same ones.
func TestThothResyncFixtures(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx, first := thothSynced(t, b)
	before := tableCounts(t, b.db)

	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "solver"})
	if rep.Skipped != first.Synced || rep.Synced != 0 || rep.Failed != first.Failed {
		t.Errorf("second sync %+v, want %d skipped and %d failed again", rep, first.Synced, first.Failed)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "solver", Force: true})
	if rep.Synced != first.Synced || rep.Failed != first.Failed {
		t.Errorf("forced sync %+v, want %d synced and %d failed", rep, first.Synced, first.Failed)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("forced sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	var ingested []string
	for _, f := range fx {
		d, err := b.store.Document(t.Context(), f.id)
		if err != nil || d == nil || d.Status != persistence.StatusIngested {
			continue
		}
		ingested = append(ingested, f.id)
		wantTree, _, wantEdges := expected(f.doc)
		gotTree, _, gotEdges := stored(t, b.db, f.id)
		diff(t, f.id+" tree after force", wantTree, gotTree)
		diff(t, f.id+" edges after force", wantEdges, gotEdges)
	}
	t.Logf("conformance: resync and forced sync of %d real solver documents: rows unchanged (%s)", len(ingested), strings.Join(ingested, ", "))
}
