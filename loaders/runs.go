package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// runLoaders batch what adviser runs and provenance checks hold: their
// stacks, products, unresolved packages and findings, and the version nodes
// their locked packages pin.
type runLoaders struct {
	requirements   *loader[persistence.StackKey, []persistence.StackRequirement]
	packages       *loader[persistence.StackKey, []persistence.StackPackage]
	products       *loader[string, []persistence.AdviserProduct]
	unresolved     *loader[string, []string]
	findings       *loader[string, []persistence.ProvenanceFinding]
	lockedVersions *loader[persistence.LockedVersionKey, *persistence.PackageVersion]
}

func newRunLoaders(store *persistence.Store) runLoaders {
	return runLoaders{
		requirements:   lists(store.StackRequirements),
		packages:       lists(store.StackPackages),
		products:       lists(store.AdviserProducts),
		unresolved:     lists(store.AdviserUnresolved),
		findings:       lists(store.ProvenanceFindings),
		lockedVersions: optional(store.LockedVersions),
	}
}

// StackRequirements returns the requirements of a run's stack, by develop and name.
func (l *Loaders) StackRequirements(ctx context.Context, k persistence.StackKey) ([]persistence.StackRequirement, error) {
	return l.runs.requirements.Load(ctx, k)()
}

// StackPackages returns the locked packages of a run's stack, by develop and name.
func (l *Loaders) StackPackages(ctx context.Context, k persistence.StackKey) ([]persistence.StackPackage, error) {
	return l.runs.packages.Load(ctx, k)()
}

// AdviserProducts returns the products of an adviser run, by number.
func (l *Loaders) AdviserProducts(ctx context.Context, id string) ([]persistence.AdviserProduct, error) {
	return l.runs.products.Load(ctx, id)()
}

// AdviserUnresolved returns the packages an adviser run could not resolve, by name.
func (l *Loaders) AdviserUnresolved(ctx context.Context, id string) ([]string, error) {
	return l.runs.unresolved.Load(ctx, id)()
}

// ProvenanceFindings returns the report entries of a provenance check, in report order.
func (l *Loaders) ProvenanceFindings(ctx context.Context, id string) ([]persistence.ProvenanceFinding, error) {
	return l.runs.findings.Load(ctx, id)()
}

// LockedVersion returns the version node a locked package pins; nil when
// the graph does not know it.
func (l *Loaders) LockedVersion(ctx context.Context, k persistence.LockedVersionKey) (*persistence.PackageVersion, error) {
	return l.runs.lockedVersions.Load(ctx, k)()
}

// PrefetchStackRequirements fetches and caches StackRequirements for every key.
func (l *Loaders) PrefetchStackRequirements(ctx context.Context, keys []persistence.StackKey) [][]persistence.StackRequirement {
	return l.runs.requirements.prefetch(ctx, keys)
}

// PrefetchStackPackages fetches and caches StackPackages for every key.
func (l *Loaders) PrefetchStackPackages(ctx context.Context, keys []persistence.StackKey) [][]persistence.StackPackage {
	return l.runs.packages.prefetch(ctx, keys)
}

// PrefetchAdviserProducts fetches and caches AdviserProducts for every run.
func (l *Loaders) PrefetchAdviserProducts(ctx context.Context, ids []string) [][]persistence.AdviserProduct {
	return l.runs.products.prefetch(ctx, ids)
}

// PrefetchAdviserUnresolved fetches and caches AdviserUnresolved for every run.
func (l *Loaders) PrefetchAdviserUnresolved(ctx context.Context, ids []string) [][]string {
	return l.runs.unresolved.prefetch(ctx, ids)
}

// PrefetchProvenanceFindings fetches and caches ProvenanceFindings for every check.
func (l *Loaders) PrefetchProvenanceFindings(ctx context.Context, ids []string) [][]persistence.ProvenanceFinding {
	return l.runs.findings.prefetch(ctx, ids)
}

// PrefetchLockedVersions fetches and caches LockedVersion for every key.
func (l *Loaders) PrefetchLockedVersions(ctx context.Context, keys []persistence.LockedVersionKey) []*persistence.PackageVersion {
	return l.runs.lockedVersions.prefetch(ctx, keys)
}
