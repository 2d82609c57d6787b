package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolve"
)

// resolveLock runs the resolution and plans what the query selects on the
// lock's packages and unsolved versions: one statement per field for all.
func (r *Resolver) resolveLock(ctx context.Context, input model.ResolveInput) (*resolve.Lock, error) {
	lock, err := resolve.Resolve(ctx, r.Store, resolveInput(input))
	if err != nil {
		return nil, err
	}
	pl := r.plan(ctx)
	pl.walk("ResolvedPackage", pl.below("ResolvedPackage", "packages"), lock.Packages)
	pl.versions(pl.below("PackageVersion", "unsolved"), lock.Unsolved)
	return lock, nil
}

func pickedVersions(_ *plan, _ graphql.CollectedField, pkgs []resolve.LockedPackage) ([]persistence.PackageVersion, bool) {
	out := make([]persistence.PackageVersion, len(pkgs))
	for i, p := range pkgs {
		out[i] = p.PackageVersion
	}
	return out, true
}

func pickedVulnerabilities(p *plan, f graphql.CollectedField, pkgs []resolve.LockedPackage) ([]persistence.Vulnerability, bool) {
	vs, _ := pickedVersions(p, f, pkgs)
	return slices.Concat(p.l.PrefetchVulnerabilities(p.ctx, versionIDs(vs))...), true
}

// resolveInput maps the query's input onto the engine's; the environment
// is validated by resolve.Resolve.
func resolveInput(in model.ResolveInput) resolve.Input {
	out := resolve.Input{Requirements: in.Requirements, Constraints: in.Constraints, IndexURLs: in.IndexUrls}
	if in.Environment != nil {
		out.Environment = envKey(*in.Environment)
	}
	if in.AllowPrereleases != nil {
		out.AllowPrereleases = *in.AllowPrereleases
	}
	if in.ExcludeVulnerable != nil {
		out.ExcludeVulnerable = *in.ExcludeVulnerable
	}
	if in.Strategy != nil && *in.Strategy == model.ResolutionStrategyOldest {
		out.Strategy = resolve.Oldest
	}
	return out
}
