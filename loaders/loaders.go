// Package loaders holds the per-request dataloaders: Middleware makes a fresh
// set for every request; resolvers fetch it with For(ctx). Every batch
// function is one SQL statement and returns exactly len(keys) results in key
// order: missing entities are NOT_FOUND errors, missing lists are empty and
// missing optional values nil.
package loaders

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/seshat-graph/seshat/persistence"
)

// Wait is how long a loader collects keys before it runs its batch.
const Wait = time.Millisecond

// Loaders batches the reads of one request.
type Loaders struct {
	store *persistence.Store

	packages          *loader[int64, *persistence.Package]
	versions          *loader[int64, *persistence.PackageVersion]
	indexes           *loader[int64, *persistence.PackageIndex]
	environments      *loader[int64, *persistence.Environment]
	environmentsByKey *loader[persistence.EnvironmentKey, *persistence.Environment]
	packageVersions   *loader[int64, []persistence.PackageVersion]
	solvedIn          *loader[int64, []persistence.Environment]
	solved            *loader[int64, []persistence.Solved]
	dependencies      *loader[persistence.DependencyKey, []persistence.Dependency]
	resolved          *loader[int64, []persistence.PackageVersion]
	metadata          *loader[int64, *persistence.PackageMetadata]
	vulnerabilities   *loader[int64, []persistence.Vulnerability]
	packageVulns      *loader[int64, []persistence.Vulnerability]
	packageDependents *loader[persistence.DependentsKey, []persistence.Dependent]
	versionDependents *loader[persistence.DependentsKey, []persistence.Dependent]
	adviser           adviserLoaders
	runs              runLoaders
	solverMeta        solverMetaLoaders
	inspection        inspectionLoaders
	analysis          analysisLoaders
	security          *loader[int64, []persistence.SecurityIndicator]
	monkey            monkeyLoaders
}

type ctxKey struct{}

// New returns a fresh set of loaders over store.
func New(store *persistence.Store) *Loaders {
	return &Loaders{
		store:             store,
		packages:          entities(store.PackagesByID, "package"),
		versions:          entities(store.VersionsByID, "package version"),
		indexes:           entities(store.IndexesByID, "package index"),
		environments:      entities(store.EnvironmentsByID, "environment"),
		environmentsByKey: optional(store.EnvironmentsByKey),
		packageVersions:   lists(store.VersionsOfPackages),
		solvedIn:          lists(store.EnvironmentsOfVersions),
		solved:            lists(store.SolvedOfVersions),
		dependencies:      lists(store.Dependencies),
		resolved:          lists(store.ResolvedVersions),
		metadata:          optional(store.MetadataOfVersions),
		vulnerabilities:   lists(store.VulnerabilitiesOfVersions),
		packageVulns:      lists(store.VulnerabilitiesOfPackages),
		packageDependents: lists(store.DirectDependentsOfPackages),
		versionDependents: lists(store.DirectDependentsOfVersions),
		adviser:           newAdviserLoaders(store),
		runs:              newRunLoaders(store),
		solverMeta:        newSolverMetaLoaders(store),
		inspection:        newInspectionLoaders(store),
		analysis:          newAnalysisLoaders(store),
		security:          lists(store.SecurityIndicatorsOfVersions),
		monkey:            newMonkeyLoaders(store),
	}
}

// Middleware attaches a fresh set of loaders to every request.
func Middleware(store *persistence.Store) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), ctxKey{}, New(store))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// With returns ctx carrying l (for callers outside HTTP, such as tests).
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders. It panics when the middleware did not
// run: that is a wiring bug, recovered and reported as INTERNAL.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders: no loaders in context (loaders.Middleware not installed)")
	}
	return l
}

// Package returns the package with id; NOT_FOUND when there is none.
func (l *Loaders) Package(ctx context.Context, id int64) (*persistence.Package, error) {
	return l.packages.Load(ctx, id)()
}

// Version returns the package version with id; NOT_FOUND when there is none.
func (l *Loaders) Version(ctx context.Context, id int64) (*persistence.PackageVersion, error) {
	return l.versions.Load(ctx, id)()
}

// Index returns the package index with id; NOT_FOUND when there is none.
func (l *Loaders) Index(ctx context.Context, id int64) (*persistence.PackageIndex, error) {
	return l.indexes.Load(ctx, id)()
}

// Environment returns the environment with id; NOT_FOUND when there is none.
func (l *Loaders) Environment(ctx context.Context, id int64) (*persistence.Environment, error) {
	return l.environments.Load(ctx, id)()
}

// EnvironmentByKey returns the environment with key (normalised); nil when unknown.
func (l *Loaders) EnvironmentByKey(ctx context.Context, key persistence.EnvironmentKey) (*persistence.Environment, error) {
	return l.environmentsByKey.Load(ctx, key.Normalized())()
}

// VersionsOfPackage returns every version of the package, newest first per PEP 440.
func (l *Loaders) VersionsOfPackage(ctx context.Context, packageID int64) ([]persistence.PackageVersion, error) {
	return l.packageVersions.Load(ctx, packageID)()
}

// EnvironmentsOfVersion returns the environments the version is solved in without error.
func (l *Loaders) EnvironmentsOfVersion(ctx context.Context, versionID int64) ([]persistence.Environment, error) {
	return l.solvedIn.Load(ctx, versionID)()
}

// SolvedOfVersion returns the version's solved records, errors included, by environment id.
func (l *Loaders) SolvedOfVersion(ctx context.Context, versionID int64) ([]persistence.Solved, error) {
	return l.solved.Load(ctx, versionID)()
}

// Dependencies returns the DEPENDS_ON edges of the version as solved in the
// environment that a walk with extras (nil: every extra) and markerTrueOnly
// follows. The environment is resolved inside the edge statement.
func (l *Loaders) Dependencies(ctx context.Context, versionID int64, env persistence.EnvironmentKey, extras []string, markerTrueOnly bool) ([]persistence.Dependency, error) {
	deps, err := l.dependencies.Load(ctx, persistence.DependencyKey{VersionID: versionID, Environment: env.Normalized()})()
	if err != nil {
		return nil, err
	}
	return persistence.FilterDependencies(deps, extras, markerTrueOnly), nil
}

// ResolvedVersions returns the versions the DEPENDS_ON edge resolves to.
func (l *Loaders) ResolvedVersions(ctx context.Context, edgeID int64) ([]persistence.PackageVersion, error) {
	return l.resolved.Load(ctx, edgeID)()
}

// Metadata returns the version's core metadata; nil when none was recorded.
func (l *Loaders) Metadata(ctx context.Context, versionID int64) (*persistence.PackageMetadata, error) {
	return l.metadata.Load(ctx, versionID)()
}

// Vulnerabilities returns the records matched to the version (withdrawn
// ones excluded), with fixedIn.
func (l *Loaders) Vulnerabilities(ctx context.Context, versionID int64) ([]persistence.Vulnerability, error) {
	return l.vulnerabilities.Load(ctx, versionID)()
}

// VulnerabilitiesOfVersions returns Vulnerabilities of every version in
// versionIDs, in their order, fetching those not fetched before in one
// statement (a dependency graph's overlay) and caching them for the
// version resolvers.
func (l *Loaders) VulnerabilitiesOfVersions(ctx context.Context, versionIDs []int64) ([][]persistence.Vulnerability, error) {
	l.vulnerabilities.prefetch(ctx, versionIDs)
	out := make([][]persistence.Vulnerability, len(versionIDs))
	for i, id := range versionIDs {
		vs, err := l.vulnerabilities.Load(ctx, id)()
		if err != nil {
			return nil, err
		}
		out[i] = vs
	}
	return out, nil
}

// PackageVulnerabilities returns the records naming the package (withdrawn
// ones excluded), without fixedIn.
func (l *Loaders) PackageVulnerabilities(ctx context.Context, packageID int64) ([]persistence.Vulnerability, error) {
	return l.packageVulns.Load(ctx, packageID)()
}

// PackageDependents returns the direct dependents of a package (any version),
// in the environment or, when env is nil, in all.
func (l *Loaders) PackageDependents(ctx context.Context, packageID int64, env *persistence.EnvironmentKey) ([]persistence.Dependent, error) {
	return l.packageDependents.Load(ctx, dependentsKey(packageID, env))()
}

// VersionDependents returns the direct dependents of a version, in the
// environment or, when env is nil, in all.
func (l *Loaders) VersionDependents(ctx context.Context, versionID int64, env *persistence.EnvironmentKey) ([]persistence.Dependent, error) {
	return l.versionDependents.Load(ctx, dependentsKey(versionID, env))()
}

func dependentsKey(id int64, env *persistence.EnvironmentKey) persistence.DependentsKey {
	if env == nil {
		return persistence.DependentsKey{ID: id, AllEnvironments: true}
	}
	return persistence.DependentsKey{ID: id, Environment: env.Normalized()}
}

// entities makes a loader of required entities: a key the batch does not
// return is a NOT_FOUND error.
func entities[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error), what string) *loader[K, *V] {
	return newLoader(func(ctx context.Context, keys []K) []*dataloader.Result[*V] {
		found, err := fetch(ctx, keys)
		return results(keys, err, func(k K) (*V, error) {
			v, ok := found[k]
			if !ok {
				return nil, persistence.Errorf(persistence.CodeNotFound, "%s %v not found", what, k)
			}
			return &v, nil
		})
	})
}

// optional makes a loader of optional values: a missing key is nil.
func optional[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) *loader[K, *V] {
	return newLoader(func(ctx context.Context, keys []K) []*dataloader.Result[*V] {
		found, err := fetch(ctx, keys)
		return results(keys, err, func(k K) (*V, error) {
			v, ok := found[k]
			if !ok {
				return nil, nil
			}
			return &v, nil
		})
	})
}

// lists makes a loader of lists: a missing key is an empty list.
func lists[K comparable, V any](fetch func(context.Context, []K) (map[K][]V, error)) *loader[K, []V] {
	return newLoader(func(ctx context.Context, keys []K) []*dataloader.Result[[]V] {
		found, err := fetch(ctx, keys)
		return results(keys, err, func(k K) ([]V, error) {
			if vs, ok := found[k]; ok {
				return vs, nil
			}
			return []V{}, nil
		})
	})
}

// results answers every key, in key order: the batch error for all, or pick's result.
func results[K comparable, V any](keys []K, err error, pick func(K) (V, error)) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], len(keys))
	for i, k := range keys {
		if err != nil {
			out[i] = &dataloader.Result[V]{Error: err}
			continue
		}
		v, perr := pick(k)
		out[i] = &dataloader.Result[V]{Data: v, Error: perr}
	}
	return out
}

// loader is a dataloader that also keeps its batch function, so a prefetch
// plan can fetch a whole level in one call and prime the cache with it.
type loader[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	batch   dataloader.BatchFunc[K, V]
	mu      sync.Mutex
	fetched map[K]bool
	// primed holds what prefetches found, for loads under PrefetchedOnly.
	primed map[K]V
}

func newLoader[K comparable, V any](batch dataloader.BatchFunc[K, V]) *loader[K, V] {
	return &loader[K, V]{
		Loader:  dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](Wait)),
		batch:   batch,
		fetched: map[K]bool{},
		primed:  map[K]V{},
	}
}

// prefetchedOnlyKey marks a context made by PrefetchedOnly.
type prefetchedOnlyKey struct{}

// ErrNotPrefetched is the error of a load under PrefetchedOnly whose key no
// prefetch found.
var ErrNotPrefetched = errors.New("loaders: not prefetched")

// PrefetchedOnly returns ctx in which every load answers at once from what
// the request's prefetches found, and fails with ErrNotPrefetched for any
// other key instead of waiting for a batch. A caller that walks objects one
// by one (the gateway's direct response writer) uses it to learn that a
// value was not prefetched, rather than paying a statement per object.
func PrefetchedOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, prefetchedOnlyKey{}, true)
}

// Load is the dataloader's Load, except under PrefetchedOnly (see there).
func (l *loader[K, V]) Load(ctx context.Context, k K) dataloader.Thunk[V] {
	if ctx.Value(prefetchedOnlyKey{}) == nil {
		return l.Loader.Load(ctx, k)
	}
	l.mu.Lock()
	v, ok := l.primed[k]
	l.mu.Unlock()
	return func() (V, error) {
		if !ok {
			return v, ErrNotPrefetched
		}
		return v, nil
	}
}

// prefetch runs the batch function once for the keys no prefetch asked for
// before, primes the cache with what it found, and returns the values of
// all keys that have one, in key order (errors are left for the resolvers,
// whose loads run the batch again).
func (l *loader[K, V]) prefetch(ctx context.Context, keys []K) []V {
	l.mu.Lock()
	var missing []K
	for _, k := range keys {
		if !l.fetched[k] {
			l.fetched[k] = true
			missing = append(missing, k)
		}
	}
	l.mu.Unlock()
	if len(missing) > 0 {
		found := l.batch(ctx, missing)
		for i, r := range found {
			if r.Error == nil {
				l.Prime(ctx, missing[i], r.Data)
			}
		}
		l.mu.Lock()
		for i, r := range found {
			if r.Error == nil {
				l.primed[missing[i]] = r.Data
			}
		}
		l.mu.Unlock()
	}
	out := make([]V, 0, len(keys))
	for _, k := range keys {
		if v, err := l.Loader.Load(ctx, k)(); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// Prefetching. gqlgen resolves the elements of a list in one goroutine each;
// on two cores the fan-out over a few hundred elements takes several
// milliseconds (tens under -race), longer than the 1 ms batch window, so
// loads made by element resolvers alone can split one level into several
// statements. A prefetch plan (see resolvers) walks the query below a root
// field level by level instead: each Prefetch method below fetches one whole
// level in one statement and primes the loader cache, and the element
// resolvers then find every value there.

// PrefetchPackages fetches and caches Package for every id.
func (l *Loaders) PrefetchPackages(ctx context.Context, ids []int64) []*persistence.Package {
	return l.packages.prefetch(ctx, ids)
}

// PrefetchIndexes fetches and caches Index for every id.
func (l *Loaders) PrefetchIndexes(ctx context.Context, ids []int64) []*persistence.PackageIndex {
	return l.indexes.prefetch(ctx, ids)
}

// PrefetchEnvironments fetches and caches Environment for every id.
func (l *Loaders) PrefetchEnvironments(ctx context.Context, ids []int64) []*persistence.Environment {
	return l.environments.prefetch(ctx, ids)
}

// PrefetchVersionsOfPackages fetches and caches VersionsOfPackage for every package.
func (l *Loaders) PrefetchVersionsOfPackages(ctx context.Context, ids []int64) [][]persistence.PackageVersion {
	return l.packageVersions.prefetch(ctx, ids)
}

// PrefetchEnvironmentsOfVersions fetches and caches EnvironmentsOfVersion for every version.
func (l *Loaders) PrefetchEnvironmentsOfVersions(ctx context.Context, ids []int64) [][]persistence.Environment {
	return l.solvedIn.prefetch(ctx, ids)
}

// PrefetchSolved fetches and caches SolvedOfVersion for every version.
func (l *Loaders) PrefetchSolved(ctx context.Context, ids []int64) [][]persistence.Solved {
	return l.solved.prefetch(ctx, ids)
}

// PrefetchDependencies fetches and caches the unfiltered Dependencies of every version in env.
func (l *Loaders) PrefetchDependencies(ctx context.Context, ids []int64, env persistence.EnvironmentKey) [][]persistence.Dependency {
	keys := make([]persistence.DependencyKey, len(ids))
	for i, id := range ids {
		keys[i] = persistence.DependencyKey{VersionID: id, Environment: env.Normalized()}
	}
	return l.dependencies.prefetch(ctx, keys)
}

// PrefetchResolved fetches and caches ResolvedVersions for every edge.
func (l *Loaders) PrefetchResolved(ctx context.Context, ids []int64) [][]persistence.PackageVersion {
	return l.resolved.prefetch(ctx, ids)
}

// PrefetchMetadata fetches and caches Metadata for every version.
func (l *Loaders) PrefetchMetadata(ctx context.Context, ids []int64) []*persistence.PackageMetadata {
	return l.metadata.prefetch(ctx, ids)
}

// PrefetchVulnerabilities fetches and caches Vulnerabilities for every version.
func (l *Loaders) PrefetchVulnerabilities(ctx context.Context, ids []int64) [][]persistence.Vulnerability {
	return l.vulnerabilities.prefetch(ctx, ids)
}

// PrefetchPackageVulnerabilities fetches and caches PackageVulnerabilities for every package.
func (l *Loaders) PrefetchPackageVulnerabilities(ctx context.Context, ids []int64) [][]persistence.Vulnerability {
	return l.packageVulns.prefetch(ctx, ids)
}

// PrefetchPackageDependents fetches and caches PackageDependents for every package.
func (l *Loaders) PrefetchPackageDependents(ctx context.Context, ids []int64, env *persistence.EnvironmentKey) [][]persistence.Dependent {
	keys := make([]persistence.DependentsKey, len(ids))
	for i, id := range ids {
		keys[i] = dependentsKey(id, env)
	}
	return l.packageDependents.prefetch(ctx, keys)
}

// PrefetchVersionDependents fetches and caches VersionDependents for every version.
func (l *Loaders) PrefetchVersionDependents(ctx context.Context, ids []int64, env *persistence.EnvironmentKey) [][]persistence.Dependent {
	keys := make([]persistence.DependentsKey, len(ids))
	for i, id := range ids {
		keys[i] = dependentsKey(id, env)
	}
	return l.versionDependents.prefetch(ctx, keys)
}
