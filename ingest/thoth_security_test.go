//go:build thoth

package ingest_test

import (
	"path/filepath"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestThothSecurityIndicators: every real security-indicator document (the
// folder layout with and without si-aggregator's result, a standalone
// si-bandit result, a flattened aggregate) syncs INGESTED; each stored
// indicator equals an independent reading of its JSON, and where bandit's
// report and si-aggregator's result are both there, bandit's findings
// equal si-aggregator's counters with their axes swapped back.
func TestThothSecurityIndicators(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	dir := testenv.ThothFixtures(t, "security")
	ids := putSecurityTree(t, b.docs, dir)
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "security-indicators"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Synced != len(ids) || rep.Failed != 0 {
		t.Fatalf("sync: %+v; want %d documents ingested", rep, len(ids))
	}
	for file, id := range ids {
		want := expectFrom(t, filepath.Join(dir, file))
		found := false
		for _, got := range indicatorsOf(t, b, want.name, want.version) {
			if got.DocumentID == id {
				found = true
				checkIndicator(t, file, got, want)
			}
		}
		if !found {
			t.Errorf("%s: no indicator of %s==%s names document %s", file, want.name, want.version, id)
		}
	}
}
