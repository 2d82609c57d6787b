package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
)

// typeRule is the global id type of solver rules (rule(id:), deleteRule).
const typeRule = "Rule"

// ruleID reads a rule's global id; another type's id or a malformed one is INVALID.
func ruleID(id string) (int64, error) {
	typ, n, err := parseGlobalID(id)
	if err != nil {
		return 0, err
	}
	if typ != typeRule {
		return 0, persistence.Errorf(persistence.CodeInvalid, "id %q is not a rule's", id)
	}
	return n, nil
}

func ruleEdge(cursor string, r *persistence.Rule) model.RuleEdge {
	return model.RuleEdge{Cursor: cursor, Node: r}
}

// isTrue reads an optional Boolean argument defaulting to false.
func isTrue(b *bool) bool { return b != nil && *b }

// keepMissing returns vs, without the versions their index no longer serves
// unless includeMissing.
func keepMissing(vs []persistence.PackageVersion, includeMissing *bool) []persistence.PackageVersion {
	if isTrue(includeMissing) {
		return vs
	}
	return persistence.WithoutMissing(vs)
}

// versionSelection is which versions of a package Package.versions lists
// before paging: all of them, or those solved as key says.
type versionSelection struct {
	solved bool
	key    persistence.SolvedVersionsKey // PackageID unset
}

// versionsOf reads Package.versions' arguments: with an environment, the
// versions solved in it; with solvedOnly alone, those solved in any. An
// incomplete environment is INVALID.
func versionsOf(environment *model.EnvironmentInput, solvedOnly, includeErrors *bool) (versionSelection, error) {
	env, err := optEnvKey(environment)
	if err != nil {
		return versionSelection{}, err
	}
	s := versionSelection{key: persistence.SolvedVersionsKey{IncludeErrors: isTrue(includeErrors)}}
	switch {
	case env != nil:
		s.solved, s.key.Environment = true, *env
	case isTrue(solvedOnly):
		s.solved, s.key.AnyEnvironment = true, true
	}
	return s, nil
}

// load returns the selected versions of package id, newest first.
func (s versionSelection) load(ctx context.Context, id int64) ([]persistence.PackageVersion, error) {
	if !s.solved {
		return loaders.For(ctx).VersionsOfPackage(ctx, id)
	}
	k := s.key
	k.PackageID = id
	return loaders.For(ctx).SolvedVersions(ctx, k)
}

// prefetch fetches the selected versions of every package for a plan and
// returns them, per package.
func (s versionSelection) prefetch(p *plan, ids []int64) [][]persistence.PackageVersion {
	if !s.solved {
		return p.l.PrefetchVersionsOfPackages(p.ctx, ids)
	}
	keys := make([]persistence.SolvedVersionsKey, len(ids))
	for i, id := range ids {
		keys[i] = s.key
		keys[i].PackageID = id
	}
	return p.l.PrefetchSolvedVersions(p.ctx, keys)
}

// Prefetch plans (the entries of plans in prefetch.go).

func versionArtifacts(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Artifact, bool) {
	return slices.Concat(p.l.PrefetchArtifacts(p.ctx, versionIDs(vs))...), true
}

// versionHashes prefetches the artifacts hashes are read from.
func versionHashes(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]string, bool) {
	p.l.PrefetchArtifacts(p.ctx, versionIDs(vs))
	return nil, false
}

func versionRules(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Rule, bool) {
	return slices.Concat(p.l.PrefetchRules(p.ctx, versionIDs(vs))...), true
}

func versionRecords(p *plan, f graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.PackageVersion, bool) {
	args := p.args(f)
	env, ok := envArg(args)
	if !ok || env == nil {
		return nil, false
	}
	keys := make([]persistence.RecordsKey, len(vs))
	for i, v := range vs {
		keys[i] = persistence.RecordsKey{VersionID: v.ID, Environment: *env, IncludeErrors: boolArg(args, "includeErrors")}
	}
	includeMissing := boolArg(args, "includeMissing")
	return keepMissing(slices.Concat(p.l.PrefetchRecords(p.ctx, keys)...), &includeMissing), true
}

func ruleIndexes(p *plan, _ graphql.CollectedField, rules []persistence.Rule) ([]persistence.PackageIndex, bool) {
	var ids []int64
	for _, r := range rules {
		if r.IndexID != nil {
			ids = append(ids, *r.IndexID)
		}
	}
	return deref(p.l.PrefetchIndexes(p.ctx, ids)), true
}

// versionSelectionArg reads Package.versions' selection arguments; ok is
// false when they are invalid.
func versionSelectionArg(args map[string]any) (versionSelection, bool) {
	env, ok := envArg(args)
	if !ok {
		return versionSelection{}, false
	}
	var in *model.EnvironmentInput
	if env != nil {
		in = &model.EnvironmentInput{OsName: env.OSName, OsVersion: env.OSVersion, PythonVersion: env.PythonVersion}
	}
	solvedOnly, includeErrors := boolArg(args, "solvedOnly"), boolArg(args, "includeErrors")
	s, err := versionsOf(in, &solvedOnly, &includeErrors)
	return s, err == nil
}

// boolArg reads an optional Boolean argument; absent, null or not a
// Boolean is false.
func boolArg(args map[string]any, name string) bool {
	b, _ := args[name].(bool)
	return b
}
