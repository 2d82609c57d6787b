package resolvers

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
)

// typeSoftwareEnvironment names software environments in global ids.
const typeSoftwareEnvironment = "SoftwareEnvironment"

// str is *s, "" for nil.
func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func imageAnalysisEdge(cursor string, a *persistence.ImageAnalysis) model.ImageAnalysisEdge {
	return model.ImageAnalysisEdge{Cursor: cursor, Node: a}
}

func softwareEnvironmentEdge(cursor string, e *persistence.SoftwareEnvironment) model.SoftwareEnvironmentEdge {
	return model.SoftwareEnvironmentEdge{Cursor: cursor, Node: e}
}

func imagePackageKey(p persistence.ImagePythonPackage) persistence.ImagePackageKey {
	return persistence.ImagePackageKey{Name: p.Name, Version: p.Version}
}

// filesKey asks for an environment's Python files, those with digest sha256
// only when it is given (any case: digests are stored lower case).
func filesKey(envID int64, sha256 *string) persistence.FilesKey {
	return persistence.FilesKey{EnvironmentID: envID, SHA256: strings.ToLower(str(sha256))}
}

// debRelationsOf returns the Debian package version's relations of one kind.
func debRelationsOf(ctx context.Context, id int64, kind string) ([]persistence.DebRelation, error) {
	rels, err := loaders.For(ctx).DebRelations(ctx, id)
	return ofKind(rels, kind), err
}

func ofKind(rels []persistence.DebRelation, kind string) []persistence.DebRelation {
	out := []persistence.DebRelation{}
	for _, r := range rels {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// Prefetch plans of image analyses (see plans).

func analysisEnvironments(p *plan, _ graphql.CollectedField, as []persistence.ImageAnalysis) ([]persistence.SoftwareEnvironment, bool) {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.SoftwareEnvironmentID
	}
	return deref(p.l.PrefetchSoftwareEnvironments(p.ctx, ids)), true
}

func environmentIDs(es []persistence.SoftwareEnvironment) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func environmentAnalyses(p *plan, _ graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.ImageAnalysis, bool) {
	return slices.Concat(p.l.PrefetchAnalysesOfEnvironments(p.ctx, environmentIDs(es))...), true
}

func environmentPythonPackages(p *plan, _ graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.ImagePythonPackage, bool) {
	return slices.Concat(p.l.PrefetchPythonPackagesOfEnvironments(p.ctx, environmentIDs(es))...), true
}

func environmentRPMs(p *plan, _ graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.RPMPackageVersion, bool) {
	return slices.Concat(p.l.PrefetchRPMsOfEnvironments(p.ctx, environmentIDs(es))...), true
}

func environmentDebs(p *plan, _ graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.DebPackageVersion, bool) {
	return slices.Concat(p.l.PrefetchDebsOfEnvironments(p.ctx, environmentIDs(es))...), true
}

func environmentSymbols(p *plan, f graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.VersionedSymbol, bool) {
	lib, ok := strArg(p.args(f), "library")
	if !ok {
		return nil, false
	}
	keys := make([]persistence.SymbolsKey, len(es))
	for i, e := range es {
		keys[i] = persistence.SymbolsKey{EnvironmentID: e.ID, Library: str(lib)}
	}
	return slices.Concat(p.l.PrefetchSymbolsOfEnvironments(p.ctx, keys)...), true
}

func environmentInterpreters(p *plan, _ graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.PythonInterpreter, bool) {
	return slices.Concat(p.l.PrefetchInterpretersOfEnvironments(p.ctx, environmentIDs(es))...), true
}

func environmentFiles(p *plan, f graphql.CollectedField, es []persistence.SoftwareEnvironment) ([]persistence.PythonFile, bool) {
	digest, ok := strArg(p.args(f), "sha256")
	if !ok {
		return nil, false
	}
	keys := make([]persistence.FilesKey, len(es))
	for i, e := range es {
		keys[i] = filesKey(e.ID, digest)
	}
	return slices.Concat(p.l.PrefetchPythonFilesOfEnvironments(p.ctx, keys)...), true
}

func imagePackageVersions(p *plan, _ graphql.CollectedField, pkgs []persistence.ImagePythonPackage) ([]persistence.PackageVersion, bool) {
	keys := make([]persistence.ImagePackageKey, len(pkgs))
	for i, pk := range pkgs {
		keys[i] = imagePackageKey(pk)
	}
	return slices.Concat(p.l.PrefetchVersionsOfImagePackages(p.ctx, keys)...), true
}

func rpmRequirements(p *plan, _ graphql.CollectedField, rpms []persistence.RPMPackageVersion) ([]string, bool) {
	ids := make([]int64, len(rpms))
	for i, r := range rpms {
		ids[i] = r.ID
	}
	return slices.Concat(p.l.PrefetchRPMRequirements(p.ctx, ids)...), true
}

// debRelations plans the Debian relations of one kind: all three kinds are
// one read, cached once.
func debRelations(kind string) func(p *plan, _ graphql.CollectedField, debs []persistence.DebPackageVersion) ([]persistence.DebRelation, bool) {
	return func(p *plan, _ graphql.CollectedField, debs []persistence.DebPackageVersion) ([]persistence.DebRelation, bool) {
		ids := make([]int64, len(debs))
		for i, d := range debs {
			ids[i] = d.ID
		}
		return ofKind(slices.Concat(p.l.PrefetchDebRelations(p.ctx, ids)...), kind), true
	}
}

func versionImages(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.ImageAnalysis, bool) {
	return slices.Concat(p.l.PrefetchImagesOfVersions(p.ctx, versionIDs(vs))...), true
}
