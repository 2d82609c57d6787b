package ingest

import (
	"slices"
	"testing"

	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestWriters: every kind of objectstore's layout has an entry in writers,
// a writer or nil for a kind recognised but not ingested yet, and writers
// names no other kind.
func TestWriters(t *testing.T) {
	t.Parallel()
	kinds := objectstore.Kinds()
	for _, name := range kinds {
		if _, ok := writers[name]; !ok {
			t.Errorf("kind %q of objectstore's layout has no entry in writers: give it a writer, or nil while its documents are not ingested", name)
		}
	}
	for name := range writers {
		if !slices.Contains(kinds, name) {
			t.Errorf("writers has an entry for %q, which is not a kind of objectstore's layout (%v)", name, kinds)
		}
	}
	if writers["solver"] == nil {
		t.Error("solver documents have no writer")
	}
}
