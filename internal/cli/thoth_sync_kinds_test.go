//go:build thoth

package cli

import (
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestThothSyncEveryKind puts every real Thoth document (solver, adviser,
// package-extract, inspection, security-indicator and dependency-monkey
// documents, in Thoth's layout) into one bucket and runs `seshat sync` with
// no prefix: it exits 0, every document of a kind Seshat ingests is
// INGESTED and every other one SKIPPED as not supported yet.
func TestThothSyncEveryKind(t *testing.T) {
	t.Parallel()
	cfg := testenv.Bucket(t, "thoth")
	vars := storeVars(cfg)
	dbURL := testenv.MigratedDatabase(t)
	vars["SESHAT_DATABASE_URL"] = dbURL
	docs, err := objectstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for dir, kind := range map[string]string{
		"solver": "solver", "adviser": "adviser", "analysis": "package-extract", "inspection": "inspection",
		"security": "security-indicator", "dependency-monkey": "dependency-monkey",
	} {
		ids[kind] = putKind(t, docs, testenv.ThothFixtures(t, dir), kind)
	}
	checkEveryKind(t, vars, dbURL, ids)
}
