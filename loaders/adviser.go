package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// adviserLoaders batch what an adviser asks of every candidate: artifacts,
// solver rules, the releases solved in an environment and the indexes a
// release is solved on.
type adviserLoaders struct {
	artifacts      *loader[int64, []persistence.Artifact]
	rules          *loader[int64, []persistence.Rule]
	solvedVersions *loader[persistence.SolvedVersionsKey, []persistence.PackageVersion]
	records        *loader[persistence.RecordsKey, []persistence.PackageVersion]
}

func newAdviserLoaders(store *persistence.Store) adviserLoaders {
	return adviserLoaders{
		artifacts:      lists(store.ArtifactsOfVersions),
		rules:          lists(store.RulesOfVersions),
		solvedVersions: lists(store.SolvedVersionsOfPackages),
		records:        lists(store.VersionRecords),
	}
}

// Artifacts returns the version's artifacts, by sha256.
func (l *Loaders) Artifacts(ctx context.Context, versionID int64) ([]persistence.Artifact, error) {
	return l.adviser.artifacts.Load(ctx, versionID)()
}

// Rules returns the solver rules that match the version, by id.
func (l *Loaders) Rules(ctx context.Context, versionID int64) ([]persistence.Rule, error) {
	return l.adviser.rules.Load(ctx, versionID)()
}

// SolvedVersions returns the versions of a package solved as key says,
// newest first per PEP 440 (the environment normalised).
func (l *Loaders) SolvedVersions(ctx context.Context, key persistence.SolvedVersionsKey) ([]persistence.PackageVersion, error) {
	return l.adviser.solvedVersions.Load(ctx, solvedKey(key))()
}

// Records returns the same release on every index it is solved on as key
// says (the environment normalised), by index.
func (l *Loaders) Records(ctx context.Context, key persistence.RecordsKey) ([]persistence.PackageVersion, error) {
	key.Environment = key.Environment.Normalized()
	return l.adviser.records.Load(ctx, key)()
}

// solvedKey normalises a key's environment (and clears it when any
// environment will do), so equal questions share one cache entry.
func solvedKey(k persistence.SolvedVersionsKey) persistence.SolvedVersionsKey {
	if k.AnyEnvironment {
		k.Environment = persistence.EnvironmentKey{}
	} else {
		k.Environment = k.Environment.Normalized()
	}
	return k
}

// PrefetchArtifacts fetches and caches Artifacts for every version.
func (l *Loaders) PrefetchArtifacts(ctx context.Context, ids []int64) [][]persistence.Artifact {
	return l.adviser.artifacts.prefetch(ctx, ids)
}

// PrefetchRules fetches and caches Rules for every version.
func (l *Loaders) PrefetchRules(ctx context.Context, ids []int64) [][]persistence.Rule {
	return l.adviser.rules.prefetch(ctx, ids)
}

// PrefetchSolvedVersions fetches and caches SolvedVersions for every key.
func (l *Loaders) PrefetchSolvedVersions(ctx context.Context, keys []persistence.SolvedVersionsKey) [][]persistence.PackageVersion {
	ks := make([]persistence.SolvedVersionsKey, len(keys))
	for i, k := range keys {
		ks[i] = solvedKey(k)
	}
	return l.adviser.solvedVersions.prefetch(ctx, ks)
}

// PrefetchRecords fetches and caches Records for every key.
func (l *Loaders) PrefetchRecords(ctx context.Context, keys []persistence.RecordsKey) [][]persistence.PackageVersion {
	ks := make([]persistence.RecordsKey, len(keys))
	for i, k := range keys {
		k.Environment = k.Environment.Normalized()
		ks[i] = k
	}
	return l.adviser.records.prefetch(ctx, ks)
}
