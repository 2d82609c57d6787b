package persistence

import (
	"context"
	"strconv"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// SoftwareEnvironment is a container image as image analyses describe it:
// its name (without tag), digest and environment type (RUNTIME or
// BUILDTIME) identify it; OS, Python and CUDA versions are what its
// analyses found (nil when none said).
type SoftwareEnvironment struct {
	ID              int64   `db:"id"`
	EnvironmentType string  `db:"environment_type"`
	ImageName       string  `db:"image_name"`
	ImageDigest     *string `db:"image_digest"`
	OSName          *string `db:"os_name"`
	OSVersion       *string `db:"os_version"`
	PythonVersion   *string `db:"python_version"`
	CUDAVersion     *string `db:"cuda_version"`
}

// ImageAnalysis is one package-extract run, named by its document id.
type ImageAnalysis struct {
	DocumentID            string     `db:"document_id"`
	SoftwareEnvironmentID int64      `db:"software_environment_id"`
	Image                 string     `db:"image"`
	ImageTag              string     `db:"image_tag"`
	ImageSize             *int64     `db:"image_size"`
	Analyzer              *string    `db:"analyzer"`
	AnalyzerVersion       *string    `db:"analyzer_version"`
	AnalyzedAt            *time.Time `db:"analyzed_at"`
	Duration              *float64   `db:"duration"`
	Origin                *string    `db:"origin"`
	Layers                []string   `db:"layers"`
}

// ImagePythonPackage is a Python distribution found in an image.
type ImagePythonPackage struct {
	Name     string `db:"package_name"`
	Version  string `db:"version"`
	Location string `db:"location"`
}

// RPMPackageVersion is an RPM package version (name, version, release,
// epoch, arch, src identify it).
type RPMPackageVersion struct {
	ID                int64   `db:"id"`
	Name              string  `db:"name"`
	Version           string  `db:"version"`
	Release           *string `db:"release"`
	Epoch             *string `db:"epoch"`
	Arch              *string `db:"arch"`
	Src               bool    `db:"src"`
	PackageIdentifier string  `db:"package_identifier"`
}

// DebPackageVersion is a Debian package version.
type DebPackageVersion struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	Version string  `db:"version"`
	Epoch   *string `db:"epoch"`
	Arch    *string `db:"arch"`
}

// DebRelation is one Depends, Pre-Depends or Replaces entry of a Debian
// package version: Kind is "depends", "pre-depends" or "replaces"; Range is
// "" when the entry states none.
type DebRelation struct {
	Kind  string `db:"kind"`
	Name  string `db:"name"`
	Range string `db:"version_range"`
}

// VersionedSymbol is an ABI symbol a library provides.
type VersionedSymbol struct {
	ID      int64  `db:"id"`
	Library string `db:"library"`
	Symbol  string `db:"symbol"`
}

// PythonInterpreter is a Python interpreter of an image.
type PythonInterpreter struct {
	Path    string  `db:"path"`
	Link    *string `db:"link"`
	Version *string `db:"version"`
}

// PythonFile is a Python file of an image and its SHA-256 digest.
type PythonFile struct {
	Path   string `db:"path"`
	SHA256 string `db:"sha256"`
}

const analysisColumns = `a.document_id, a.software_environment_id, a.image, a.image_tag, a.image_size,
	a.analyzer, a.analyzer_version, a.analyzed_at, a.duration, a.origin, a.layers`

const environmentColumns = `e.id, e.environment_type, e.image_name, e.image_digest, e.os_name, e.os_version,
	e.python_version, e.cuda_version`

// ImageAnalysis returns the analysis of the document with id; nil when there is none.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) ImageAnalysis(ctx context.Context, id string) (*ImageAnalysis, error) {
	rows, err := collect[ImageAnalysis](ctx, s, `SELECT `+analysisColumns+` FROM image_analysis a WHERE a.document_id = $1`, id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// ImageAnalyses returns a page of the analyses ordered by document id;
// with imageName, those of images of that name (without tag).
// Returns INVALID for a bad page, UNAVAILABLE when the database is unreachable.
func (s *Store) ImageAnalyses(ctx context.Context, imageName string, page Page) (Connection[ImageAnalysis], error) {
	return keysetPage(ctx, s, analysisList, page, imageName)
}

var analysisList = keyset[ImageAnalysis]{
	kind:  "image-analysis",
	key:   func(a ImageAnalysis) string { return a.DocumentID },
	start: "",
	list: `SELECT ` + analysisColumns + ` FROM image_analysis a
		JOIN software_environment e ON e.id = a.software_environment_id
		WHERE $1 = '' OR e.image_name = $1`,
	next: `SELECT * FROM m WHERE document_id COLLATE "C" > $2 ORDER BY document_id COLLATE "C" LIMIT $3 + 1`,
}

// SoftwareEnvironmentFilter narrows SoftwareEnvironments: "" matches any.
// Symbol keeps the environments with a library providing it, PythonFile
// those with a Python file of that SHA-256 digest (lower-case hex).
type SoftwareEnvironmentFilter struct {
	ImageName, EnvironmentType, OSName, OSVersion, PythonVersion string
	Symbol, PythonFile                                           string
}

// SoftwareEnvironments returns a page of the software environments that
// match f, by id. The OS and Python of f are normalised as environments are.
// Returns INVALID for a bad page or cursor, UNAVAILABLE when the database is unreachable.
func (s *Store) SoftwareEnvironments(ctx context.Context, f SoftwareEnvironmentFilter, page Page) (Connection[SoftwareEnvironment], error) {
	n := python.Environment{OSName: f.OSName, OSVersion: f.OSVersion, PythonVersion: f.PythonVersion}.Normalized()
	return keysetPage(ctx, s, environmentList, page, f.ImageName, f.EnvironmentType, n.OSName, n.OSVersion, n.PythonVersion,
		f.Symbol, f.PythonFile)
}

var environmentList = keyset[SoftwareEnvironment]{
	kind:  "software-environment",
	key:   func(e SoftwareEnvironment) string { return strconv.FormatInt(e.ID, 10) },
	start: int64(0),
	parse: func(s string) (any, error) { return strconv.ParseInt(s, 10, 64) },
	list: `SELECT ` + environmentColumns + ` FROM software_environment e
		WHERE ($1 = '' OR e.image_name = $1) AND ($2 = '' OR e.environment_type = $2)
		  AND ($3 = '' OR e.os_name = $3) AND ($4 = '' OR e.os_version = $4)
		  AND ($5 = '' OR e.python_version = $5)
		  AND ($6 = '' OR EXISTS (SELECT 1 FROM image_analysis a
			JOIN image_symbol isy ON isy.document_id = a.document_id
			JOIN versioned_symbol v ON v.id = isy.versioned_symbol_id
			WHERE a.software_environment_id = e.id AND v.symbol = $6))
		  AND ($7 = '' OR EXISTS (SELECT 1 FROM image_analysis a
			JOIN image_python_file f ON f.document_id = a.document_id
			WHERE a.software_environment_id = e.id AND f.sha256 = $7))`,
	next: `SELECT * FROM m WHERE id > $8 ORDER BY id LIMIT $9 + 1`,
}

// SoftwareEnvironmentsByID returns the software environments with the
// given ids; unknown ids are absent. One statement.
func (s *Store) SoftwareEnvironmentsByID(ctx context.Context, ids []int64) (map[int64]SoftwareEnvironment, error) {
	rows, err := collect[SoftwareEnvironment](ctx, s, `SELECT `+environmentColumns+` FROM software_environment e WHERE e.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(e *SoftwareEnvironment) int64 { return e.ID }), nil
}

// AnalysesOfEnvironments returns, per software environment, its analyses by
// document id. One statement.
func (s *Store) AnalysesOfEnvironments(ctx context.Context, ids []int64) (map[int64][]ImageAnalysis, error) {
	rows, err := collect[ImageAnalysis](ctx, s, `SELECT `+analysisColumns+` FROM image_analysis a
		WHERE a.software_environment_id = ANY($1) ORDER BY a.software_environment_id, a.document_id COLLATE "C"`, ids)
	if err != nil {
		return nil, err
	}
	return groupBy(rows, func(a *ImageAnalysis) int64 { return a.SoftwareEnvironmentID }), nil
}

// PythonPackagesOfEnvironments returns, per software environment, the
// Python packages its analyses found, by name, version and location, each
// once. One statement.
func (s *Store) PythonPackagesOfEnvironments(ctx context.Context, ids []int64) (map[int64][]ImagePythonPackage, error) {
	type row struct {
		Key int64 `db:"key"`
		ImagePythonPackage
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT a.software_environment_id AS key, ip.package_name, ip.version, ip.location
		FROM image_analysis a JOIN image_python_package ip ON ip.document_id = a.document_id
		WHERE a.software_environment_id = ANY($1)
		ORDER BY 1, 2, 3, 4`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]ImagePythonPackage)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.ImagePythonPackage)
	}
	return out, nil
}

// RPMsOfEnvironments returns, per software environment, the RPM package
// versions its analyses found, by name, version, release and id. One statement.
func (s *Store) RPMsOfEnvironments(ctx context.Context, ids []int64) (map[int64][]RPMPackageVersion, error) {
	type row struct {
		Key int64 `db:"key"`
		RPMPackageVersion
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT a.software_environment_id AS key, r.id, r.name, r.version, r.release, r.epoch, r.arch, r.src, r.package_identifier
		FROM image_analysis a
		JOIN image_rpm ir ON ir.document_id = a.document_id
		JOIN rpm_package_version r ON r.id = ir.rpm_package_version_id
		WHERE a.software_environment_id = ANY($1)
		ORDER BY 1, r.name, r.version, r.release, r.id`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]RPMPackageVersion)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.RPMPackageVersion)
	}
	return out, nil
}

// DebsOfEnvironments returns, per software environment, the Debian package
// versions its analyses found, by name, version and id. One statement.
func (s *Store) DebsOfEnvironments(ctx context.Context, ids []int64) (map[int64][]DebPackageVersion, error) {
	type row struct {
		Key int64 `db:"key"`
		DebPackageVersion
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT a.software_environment_id AS key, d.id, d.name, d.version, d.epoch, d.arch
		FROM image_analysis a
		JOIN image_deb idb ON idb.document_id = a.document_id
		JOIN deb_package_version d ON d.id = idb.deb_package_version_id
		WHERE a.software_environment_id = ANY($1)
		ORDER BY 1, d.name, d.version, d.id`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]DebPackageVersion)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.DebPackageVersion)
	}
	return out, nil
}

// SymbolsKey asks for the ABI symbols of a software environment, of one
// library ("" for every library).
type SymbolsKey struct {
	EnvironmentID int64
	Library       string
}

// SymbolsOfEnvironments returns, per key, the symbols the environment's
// analyses found, by library and symbol. One statement.
func (s *Store) SymbolsOfEnvironments(ctx context.Context, keys []SymbolsKey) (map[SymbolsKey][]VersionedSymbol, error) {
	envs, libs := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		envs[i], libs[i] = k.EnvironmentID, k.Library
	}
	type row struct {
		Env int64  `db:"env"`
		Lib string `db:"lib"`
		VersionedSymbol
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT k.env, k.lib, v.id, v.library, v.symbol
		FROM unnest($1::bigint[], $2::text[]) AS k(env, lib)
		JOIN image_analysis a ON a.software_environment_id = k.env
		JOIN image_symbol isy ON isy.document_id = a.document_id
		JOIN versioned_symbol v ON v.id = isy.versioned_symbol_id AND (k.lib = '' OR v.library = k.lib)
		ORDER BY 1, 2, v.library, v.symbol`, envs, libs)
	if err != nil {
		return nil, err
	}
	out := make(map[SymbolsKey][]VersionedSymbol)
	for _, r := range rows {
		k := SymbolsKey{EnvironmentID: r.Env, Library: r.Lib}
		out[k] = append(out[k], r.VersionedSymbol)
	}
	return out, nil
}

// InterpretersOfEnvironments returns, per software environment, the Python
// interpreters its analyses found, by path. One statement.
func (s *Store) InterpretersOfEnvironments(ctx context.Context, ids []int64) (map[int64][]PythonInterpreter, error) {
	type row struct {
		Key int64 `db:"key"`
		PythonInterpreter
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT a.software_environment_id AS key, i.path, i.link, i.version
		FROM image_analysis a JOIN image_python_interpreter i ON i.document_id = a.document_id
		WHERE a.software_environment_id = ANY($1)
		ORDER BY 1, 2, 3, 4`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]PythonInterpreter)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.PythonInterpreter)
	}
	return out, nil
}

// FilesKey asks for the Python files of a software environment, those with
// one digest ("" for every file).
type FilesKey struct {
	EnvironmentID int64
	SHA256        string
}

// PythonFilesOfEnvironments returns, per key, the Python files the
// environment's analyses found, by path. One statement.
func (s *Store) PythonFilesOfEnvironments(ctx context.Context, keys []FilesKey) (map[FilesKey][]PythonFile, error) {
	envs, digests := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		envs[i], digests[i] = k.EnvironmentID, k.SHA256
	}
	type row struct {
		Env    int64  `db:"env"`
		Digest string `db:"digest"`
		PythonFile
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT k.env, k.digest, f.path, f.sha256
		FROM unnest($1::bigint[], $2::text[]) AS k(env, digest)
		JOIN image_analysis a ON a.software_environment_id = k.env
		JOIN image_python_file f ON f.document_id = a.document_id AND (k.digest = '' OR f.sha256 = k.digest)
		ORDER BY 1, 2, f.path, f.sha256`, envs, digests)
	if err != nil {
		return nil, err
	}
	out := make(map[FilesKey][]PythonFile)
	for _, r := range rows {
		k := FilesKey{EnvironmentID: r.Env, SHA256: r.Digest}
		out[k] = append(out[k], r.PythonFile)
	}
	return out, nil
}

// RPMRequirements returns, per RPM package version, what it requires, sorted. One statement.
func (s *Store) RPMRequirements(ctx context.Context, ids []int64) (map[int64][]string, error) {
	type row struct {
		Key  int64  `db:"key"`
		Name string `db:"name"`
	}
	rows, err := collect[row](ctx, s, `
		SELECT rr.rpm_package_version_id AS key, q.name
		FROM rpm_requires rr JOIN rpm_requirement q ON q.id = rr.rpm_requirement_id
		WHERE rr.rpm_package_version_id = ANY($1)
		ORDER BY 1, q.name COLLATE "C"`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]string)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.Name)
	}
	return out, nil
}

// DebRelations returns, per Debian package version, its relations by kind,
// name and range. One statement.
func (s *Store) DebRelations(ctx context.Context, ids []int64) (map[int64][]DebRelation, error) {
	type row struct {
		Key int64 `db:"key"`
		DebRelation
	}
	rows, err := collect[row](ctx, s, `
		SELECT deb_package_version_id AS key, kind, name, version_range
		FROM deb_requirement WHERE deb_package_version_id = ANY($1)
		ORDER BY 1, kind, name COLLATE "C", version_range COLLATE "C"`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]DebRelation)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.DebRelation)
	}
	return out, nil
}

// ImagePackageKey names a Python package found in an image: a PEP 503 name
// and a version in PEP 440 normal form.
type ImagePackageKey struct{ Name, Version string }

// VersionsOfImagePackages returns, per key, the package versions of the
// graph with that name and version, on any index, by index URL. One statement.
func (s *Store) VersionsOfImagePackages(ctx context.Context, keys []ImagePackageKey) (map[ImagePackageKey][]PackageVersion, error) {
	names, versions := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		names[i], versions[i] = k.Name, k.Version
	}
	type row struct {
		PackageVersion
	}
	rows, err := collect[row](ctx, s, versionSelect+`
		JOIN unnest($1::text[], $2::text[]) AS k(name, version) ON k.name = p.name AND k.version = pv.version
		ORDER BY p.name, pv.version, ix.url NULLS FIRST`, names, versions)
	if err != nil {
		return nil, err
	}
	out := make(map[ImagePackageKey][]PackageVersion)
	for _, r := range rows {
		k := ImagePackageKey{Name: r.Name, Version: r.Version}
		out[k] = append(out[k], r.PackageVersion)
	}
	return out, nil
}

// ImagesOfVersions returns, per package version, the image analyses that
// found a Python package of its name and version, by document id. One statement.
func (s *Store) ImagesOfVersions(ctx context.Context, ids []int64) (map[int64][]ImageAnalysis, error) {
	type row struct {
		Key int64 `db:"key"`
		ImageAnalysis
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT pv.id AS key, `+analysisColumns+`
		FROM package_version pv
		JOIN package p ON p.id = pv.package_id
		JOIN image_python_package ip ON ip.package_name = p.name AND ip.version = pv.version
		JOIN image_analysis a ON a.document_id = ip.document_id
		WHERE pv.id = ANY($1)
		ORDER BY 1, a.document_id`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]ImageAnalysis)
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.ImageAnalysis)
	}
	return out, nil
}
