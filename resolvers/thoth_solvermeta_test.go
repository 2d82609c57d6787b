//go:build thoth

package resolvers_test

import "testing"

// TestThothSolverMetadata: every real solver document, entry by entry, as
// GraphQL answers it: author, home page, Requires-Dist, Provides-Extra,
// Platform, Project-URL, the license solver's package_license, the import
// names (the solver's packages list, or derived from the installed files)
// found by packagesProvidingImport, and result.platform.
//
// None of these documents has a packages list, a package_license or
// result.platform (they predate them); their import names come from the
// files of the entries that list them. Their PyYAML entries list no files,
// so packagesProvidingImport("yaml") finds nothing here: the project's own
// testdata document covers that case (TestSolverMetadataFields).
func TestThothSolverMetadata(t *testing.T) {
	t.Parallel()
	docs := thothDocuments(t)
	entries, described, imports := checkDocumentMetadata(t, docs)
	t.Logf("%d documents: %d entries, %d with metadata, %d import names checked", len(docs), entries, described, imports)
	if entries < 400 || described < 4 || imports < 4 {
		t.Errorf("checked %d entries, %d with metadata, %d import names: the fixtures or the reading changed", entries, described, imports)
	}
}
