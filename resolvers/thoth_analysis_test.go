//go:build thoth

package resolvers_test

import (
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestThothImageAnalyses: every real package-extract document, ingested as
// its kind declares (the 2018 ids have no package-extract- prefix), read
// through GraphQL equals an independent reading of its JSON: the image, its
// Python packages (linked to the graph's versions where they exist), RPMs
// with their requirements, Debian packages, symbols, interpreters, files,
// and the counts on the document row.
func TestThothImageAnalyses(t *testing.T) {
	t.Parallel()
	docs := analysisFiles(t, testenv.ThothFixtures(t, "analysis"))
	h := analysisHarness(t, docs)
	for _, d := range docs {
		t.Run(d.id, func(t *testing.T) { checkImage(t, h, d.id, d.raw, knownVersions()) })
	}
}
