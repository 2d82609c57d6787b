package resolvers

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/persistence"
)

// Plans of what the solver recorded of a version beyond its metadata row
// (metadata.graphqls): both are leaves, prefetched for the whole level.

func versionImportNames(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]string, bool) {
	p.l.PrefetchImportNames(p.ctx, versionIDs(vs))
	return nil, false
}

func versionTexts(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]string, bool) {
	p.l.PrefetchVersionTexts(p.ctx, versionIDs(vs))
	return nil, false
}
