package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// solverMetaLoaders batch what the solver recorded of a version besides
// its metadata row: the import names it provides and the spelling its
// version was first given.
type solverMetaLoaders struct {
	importNames  *loader[int64, []string]
	versionTexts *loader[int64, *string]
}

func newSolverMetaLoaders(store *persistence.Store) solverMetaLoaders {
	return solverMetaLoaders{
		importNames:  lists(store.ImportNamesOfVersions),
		versionTexts: optional(store.VersionTexts),
	}
}

// ImportNames returns the import names the version provides, shallowest
// first.
func (l *Loaders) ImportNames(ctx context.Context, versionID int64) ([]string, error) {
	return l.solverMeta.importNames.Load(ctx, versionID)()
}

// VersionText returns the version's first spelling; nil for a version the
// graph does not have.
func (l *Loaders) VersionText(ctx context.Context, versionID int64) (*string, error) {
	return l.solverMeta.versionTexts.Load(ctx, versionID)()
}

// PrefetchImportNames fetches and caches ImportNames for every version.
func (l *Loaders) PrefetchImportNames(ctx context.Context, ids []int64) [][]string {
	return l.solverMeta.importNames.prefetch(ctx, ids)
}

// PrefetchVersionTexts fetches and caches VersionText for every version.
func (l *Loaders) PrefetchVersionTexts(ctx context.Context, ids []int64) []*string {
	return l.solverMeta.versionTexts.prefetch(ctx, ids)
}
