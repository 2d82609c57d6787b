// Package loaders holds the per-request dataloaders: Middleware makes a fresh
// set for every request; resolvers fetch it with For(ctx). Every batch
// function is one SQL statement and returns exactly len(keys) results in key
// order: missing entities are NOT_FOUND errors, missing lists are empty and
// missing optional values nil.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/seshat-graph/seshat/persistence"
)

// Wait is how long a loader collects keys before it runs its batch.
const Wait = time.Millisecond

// Loaders batches the reads of one request.
type Loaders struct {
	store *persistence.Store

	packages          *dataloader.Loader[int64, *persistence.Package]
	versions          *dataloader.Loader[int64, *persistence.PackageVersion]
	indexes           *dataloader.Loader[int64, *persistence.PackageIndex]
	environments      *dataloader.Loader[int64, *persistence.Environment]
	environmentsByKey *dataloader.Loader[persistence.EnvironmentKey, *persistence.Environment]
	packageVersions   *dataloader.Loader[int64, []persistence.PackageVersion]
	solvedIn          *dataloader.Loader[int64, []persistence.Environment]
	solved            *dataloader.Loader[int64, []persistence.Solved]
	dependencies      *dataloader.Loader[persistence.DependencyKey, []persistence.Dependency]
	resolved          *dataloader.Loader[int64, []persistence.PackageVersion]
	metadata          *dataloader.Loader[int64, *persistence.PackageMetadata]
	vulnerabilities   *dataloader.Loader[int64, []persistence.Vulnerability]
	packageDependents *dataloader.Loader[persistence.DependentsKey, []persistence.Dependent]
	versionDependents *dataloader.Loader[persistence.DependentsKey, []persistence.Dependent]
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
		packageDependents: lists(store.DirectDependentsOfPackages),
		versionDependents: lists(store.DirectDependentsOfVersions),
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

// Vulnerabilities returns the vulnerabilities that affect the version.
func (l *Loaders) Vulnerabilities(ctx context.Context, versionID int64) ([]persistence.Vulnerability, error) {
	return l.vulnerabilities.Load(ctx, versionID)()
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
func entities[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error), what string) *dataloader.Loader[K, *V] {
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
func optional[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) *dataloader.Loader[K, *V] {
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
func lists[K comparable, V any](fetch func(context.Context, []K) (map[K][]V, error)) *dataloader.Loader[K, []V] {
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

func newLoader[K comparable, V any](batch dataloader.BatchFunc[K, V]) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](Wait))
}
