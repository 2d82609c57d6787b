package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// analysisLoaders batch the reads of image analyses: software environments
// and what their analyses found, the requirements of RPM and Debian
// packages, the graph's versions of the Python packages found, and the
// images a version was found in.
type analysisLoaders struct {
	environments   *loader[int64, *persistence.SoftwareEnvironment]
	analyses       *loader[int64, []persistence.ImageAnalysis]
	pythonPackages *loader[int64, []persistence.ImagePythonPackage]
	rpms           *loader[int64, []persistence.RPMPackageVersion]
	debs           *loader[int64, []persistence.DebPackageVersion]
	symbols        *loader[persistence.SymbolsKey, []persistence.VersionedSymbol]
	interpreters   *loader[int64, []persistence.PythonInterpreter]
	files          *loader[persistence.FilesKey, []persistence.PythonFile]
	rpmRequires    *loader[int64, []string]
	debRelations   *loader[int64, []persistence.DebRelation]
	versions       *loader[persistence.ImagePackageKey, []persistence.PackageVersion]
	images         *loader[int64, []persistence.ImageAnalysis]
}

func newAnalysisLoaders(store *persistence.Store) analysisLoaders {
	return analysisLoaders{
		environments:   entities(store.SoftwareEnvironmentsByID, "software environment"),
		analyses:       lists(store.AnalysesOfEnvironments),
		pythonPackages: lists(store.PythonPackagesOfEnvironments),
		rpms:           lists(store.RPMsOfEnvironments),
		debs:           lists(store.DebsOfEnvironments),
		symbols:        lists(store.SymbolsOfEnvironments),
		interpreters:   lists(store.InterpretersOfEnvironments),
		files:          lists(store.PythonFilesOfEnvironments),
		rpmRequires:    lists(store.RPMRequirements),
		debRelations:   lists(store.DebRelations),
		versions:       lists(store.VersionsOfImagePackages),
		images:         lists(store.ImagesOfVersions),
	}
}

// SoftwareEnvironment returns the software environment with id; NOT_FOUND when there is none.
func (l *Loaders) SoftwareEnvironment(ctx context.Context, id int64) (*persistence.SoftwareEnvironment, error) {
	return l.analysis.environments.Load(ctx, id)()
}

// AnalysesOfEnvironment returns the environment's analyses, by document id.
func (l *Loaders) AnalysesOfEnvironment(ctx context.Context, id int64) ([]persistence.ImageAnalysis, error) {
	return l.analysis.analyses.Load(ctx, id)()
}

// PythonPackagesOfEnvironment returns the Python packages found in the environment.
func (l *Loaders) PythonPackagesOfEnvironment(ctx context.Context, id int64) ([]persistence.ImagePythonPackage, error) {
	return l.analysis.pythonPackages.Load(ctx, id)()
}

// RPMsOfEnvironment returns the RPM package versions found in the environment.
func (l *Loaders) RPMsOfEnvironment(ctx context.Context, id int64) ([]persistence.RPMPackageVersion, error) {
	return l.analysis.rpms.Load(ctx, id)()
}

// DebsOfEnvironment returns the Debian package versions found in the environment.
func (l *Loaders) DebsOfEnvironment(ctx context.Context, id int64) ([]persistence.DebPackageVersion, error) {
	return l.analysis.debs.Load(ctx, id)()
}

// SymbolsOfEnvironment returns the ABI symbols found in the environment, of
// key.Library only unless it is "".
func (l *Loaders) SymbolsOfEnvironment(ctx context.Context, key persistence.SymbolsKey) ([]persistence.VersionedSymbol, error) {
	return l.analysis.symbols.Load(ctx, key)()
}

// InterpretersOfEnvironment returns the Python interpreters found in the environment.
func (l *Loaders) InterpretersOfEnvironment(ctx context.Context, id int64) ([]persistence.PythonInterpreter, error) {
	return l.analysis.interpreters.Load(ctx, id)()
}

// PythonFilesOfEnvironment returns the Python files found in the
// environment, with digest key.SHA256 only unless it is "".
func (l *Loaders) PythonFilesOfEnvironment(ctx context.Context, key persistence.FilesKey) ([]persistence.PythonFile, error) {
	return l.analysis.files.Load(ctx, key)()
}

// RPMRequirements returns what the RPM package version requires, sorted.
func (l *Loaders) RPMRequirements(ctx context.Context, id int64) ([]string, error) {
	return l.analysis.rpmRequires.Load(ctx, id)()
}

// DebRelations returns the Debian package version's relations of every kind.
func (l *Loaders) DebRelations(ctx context.Context, id int64) ([]persistence.DebRelation, error) {
	return l.analysis.debRelations.Load(ctx, id)()
}

// VersionsOfImagePackage returns the graph's versions of a Python package
// found in an image, on any index.
func (l *Loaders) VersionsOfImagePackage(ctx context.Context, key persistence.ImagePackageKey) ([]persistence.PackageVersion, error) {
	return l.analysis.versions.Load(ctx, key)()
}

// ImagesOfVersion returns the analyses that found the version installed.
func (l *Loaders) ImagesOfVersion(ctx context.Context, versionID int64) ([]persistence.ImageAnalysis, error) {
	return l.analysis.images.Load(ctx, versionID)()
}

// PrefetchSoftwareEnvironments fetches and caches SoftwareEnvironment for every id.
func (l *Loaders) PrefetchSoftwareEnvironments(ctx context.Context, ids []int64) []*persistence.SoftwareEnvironment {
	return l.analysis.environments.prefetch(ctx, ids)
}

// PrefetchAnalysesOfEnvironments fetches and caches AnalysesOfEnvironment for every id.
func (l *Loaders) PrefetchAnalysesOfEnvironments(ctx context.Context, ids []int64) [][]persistence.ImageAnalysis {
	return l.analysis.analyses.prefetch(ctx, ids)
}

// PrefetchPythonPackagesOfEnvironments fetches and caches PythonPackagesOfEnvironment for every id.
func (l *Loaders) PrefetchPythonPackagesOfEnvironments(ctx context.Context, ids []int64) [][]persistence.ImagePythonPackage {
	return l.analysis.pythonPackages.prefetch(ctx, ids)
}

// PrefetchRPMsOfEnvironments fetches and caches RPMsOfEnvironment for every id.
func (l *Loaders) PrefetchRPMsOfEnvironments(ctx context.Context, ids []int64) [][]persistence.RPMPackageVersion {
	return l.analysis.rpms.prefetch(ctx, ids)
}

// PrefetchDebsOfEnvironments fetches and caches DebsOfEnvironment for every id.
func (l *Loaders) PrefetchDebsOfEnvironments(ctx context.Context, ids []int64) [][]persistence.DebPackageVersion {
	return l.analysis.debs.prefetch(ctx, ids)
}

// PrefetchSymbolsOfEnvironments fetches and caches SymbolsOfEnvironment for every key.
func (l *Loaders) PrefetchSymbolsOfEnvironments(ctx context.Context, keys []persistence.SymbolsKey) [][]persistence.VersionedSymbol {
	return l.analysis.symbols.prefetch(ctx, keys)
}

// PrefetchInterpretersOfEnvironments fetches and caches InterpretersOfEnvironment for every id.
func (l *Loaders) PrefetchInterpretersOfEnvironments(ctx context.Context, ids []int64) [][]persistence.PythonInterpreter {
	return l.analysis.interpreters.prefetch(ctx, ids)
}

// PrefetchPythonFilesOfEnvironments fetches and caches PythonFilesOfEnvironment for every key.
func (l *Loaders) PrefetchPythonFilesOfEnvironments(ctx context.Context, keys []persistence.FilesKey) [][]persistence.PythonFile {
	return l.analysis.files.prefetch(ctx, keys)
}

// PrefetchRPMRequirements fetches and caches RPMRequirements for every id.
func (l *Loaders) PrefetchRPMRequirements(ctx context.Context, ids []int64) [][]string {
	return l.analysis.rpmRequires.prefetch(ctx, ids)
}

// PrefetchDebRelations fetches and caches DebRelations for every id.
func (l *Loaders) PrefetchDebRelations(ctx context.Context, ids []int64) [][]persistence.DebRelation {
	return l.analysis.debRelations.prefetch(ctx, ids)
}

// PrefetchVersionsOfImagePackages fetches and caches VersionsOfImagePackage for every key.
func (l *Loaders) PrefetchVersionsOfImagePackages(ctx context.Context, keys []persistence.ImagePackageKey) [][]persistence.PackageVersion {
	return l.analysis.versions.prefetch(ctx, keys)
}

// PrefetchImagesOfVersions fetches and caches ImagesOfVersion for every version.
func (l *Loaders) PrefetchImagesOfVersions(ctx context.Context, ids []int64) [][]persistence.ImageAnalysis {
	return l.analysis.images.prefetch(ctx, ids)
}
