package ingest

import (
	"context"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// writer parses raw and, unless o.dryRun, writes its facts.
type writer func(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error)

// writers maps every kind of objectstore's layout (objectstore.Kinds) to the
// writer of its documents; nil says the kind is recognised but not ingested
// yet: its documents are SKIPPED with the reason (see notSupported), never
// FAILED, and are ingested by the first sync after their writer lands. TestWriters
// fails when a kind of the layout is missing here: a new kind is one row of
// the layout and one entry here.
var writers = map[string]writer{
	"solver":             writeSolver,
	"revsolver":          writeRevsolver,
	"adviser":            writeAdviser,
	"package-extract":    writeImageAnalysis,
	"provenance-checker": writeProvenance,
	"dependency-monkey":  writeDependencyMonkey,
	"inspection":         writeInspection,
	"security-indicator": writeSecurityIndicator,
	"vulnerability":      writeVulnerability,
}

// kind is a document kind and its writer.
type kind struct {
	name  string // "solver"
	write writer // nil: not ingested yet
}

// lookupKind returns the kind of a document, as objectstore.KindFor decides
// it from the kind its sender declares, the id's prefix and the key holding
// it (either may be "").
// INVALID when declared is not a known kind or disagrees with the id's
// prefix, or when neither declared, the id nor the key names a kind.
func lookupKind(id, key, declared string) (kind, error) {
	name, err := objectstore.KindFor(id, key, declared)
	if err != nil {
		return kind{}, err
	}
	return kind{name: name, write: writers[name]}, nil
}

// KindOf returns the document kind of an id ("solver" for "solver-…").
// INVALID when the id has no known prefix.
func KindOf(id string) (string, error) {
	return objectstore.KindFor(id, "", "")
}

// notSupported is the reason a document of kind k, which has no writer yet,
// is SKIPPED.
func notSupported(k kind) error {
	var ingested []string
	for _, name := range objectstore.Kinds() {
		if writers[name] != nil {
			ingested = append(ingested, name)
		}
	}
	return persistence.Errorf(persistence.CodeInvalid, "%s documents are not supported yet: only %s documents are ingested",
		k.name, strings.Join(ingested, ", "))
}
