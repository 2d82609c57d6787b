// Package solver parses and validates Thoth solver result documents
// ("solver-<os>-<version>-py<XY>-…"): the 2018-19 legacy shape (thoth-solver
// 1.0.x: dependencies with required_version and a flat resolved_versions
// list) and the 2019+ shape (specifier, per-index resolved_versions, marker
// evaluation, extras, importlib_metadata, artifact hashes). It touches no
// database: Parse turns raw JSON into a typed Document or a *ValidationError
// naming the JSON path of the first bad value.
//
// Unknown keys are ignored (the raw document stays in object storage); a
// document is accepted whole or not at all.
package solver

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// Limits enforced by Parse. A document beyond them is INVALID.
const (
	// MaxDocumentBytes is the largest document Parse accepts.
	MaxDocumentBytes = 64 << 20
	// MaxTreeEntries bounds result.tree.
	MaxTreeEntries = 1_000_000
	// MaxListItems bounds every other array: errors, unparsed, unresolved,
	// environment packages, an entry's dependencies and artifacts, one
	// index's resolved versions, classifiers, extras.
	MaxListItems = 1_000_000
	// MaxResolvedVersions bounds the resolved versions of the whole document
	// (the number of DEPENDS_ON ... resolves-to facts it can produce).
	MaxResolvedVersions = 5_000_000
	// MaxNameBytes bounds package names and extras.
	MaxNameBytes = 256
	// MaxVersionBytes bounds version strings.
	MaxVersionBytes = 256
)

// ErrLegacyID is wrapped by ParseID for a pre-2019 document id (for example
// "fridex-thoth-solver-fc26-thoth-solver-fc26") that carries no environment;
// Parse then takes the environment from the document's metadata.
var ErrLegacyID = errors.New("legacy solver document id: the environment is not encoded in it")

// ErrUUIDID is wrapped by ParseID for a "solver-<uuid>" id, the form
// thoth-result-api gave the documents of thoth_solver 1.0.0 (2018): like a
// legacy id it carries no environment, and Parse takes it from metadata.
var ErrUUIDID = errors.New("solver-<uuid> document id: the environment is not encoded in it")

// ValidationError says why a document is invalid and where: Path is a JSON
// path such as "result.tree[12].dependencies[3].resolved_versions[0].versions",
// "" for the document as a whole and "id" for the id argument of Parse.
type ValidationError struct {
	Path    string
	Message string
}

// Error returns "path: message", or the message alone for the whole document.
func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Document is one parsed and validated solver document.
type Document struct {
	// ID is the document id (the id argument of Parse, else metadata.document_id).
	ID string
	// SolverName is the solver that ran, "solver-fedora-31-py37": the id
	// without its "-<timestamp>-<hex>" suffix. For a legacy id it is built
	// from the environment ("solver-fedora-26-py36").
	SolverName string
	// SolverVersion is metadata.analyzer_version ("1.5.1"); "" when absent.
	SolverVersion string
	// Legacy is set when the id does not encode the environment (it
	// predates the solver-<os>-<ver>-py<XY>-… convention, or only names the
	// document; see Parse and ParseNamed) and the environment came from
	// metadata.
	Legacy bool
	// Environment is where the solver ran, normalised (python.Environment.Normalized).
	Environment python.Environment
	// Datetime is metadata.datetime (naive times are UTC), else
	// metadata.timestamp; zero when both are absent.
	Datetime time.Time
	// Duration is metadata.duration in seconds; 0 when absent.
	Duration float64
	// Platform is result.platform ("linux-x86_64"); "" when absent.
	Platform string
	// MarkerEnvironment is result.environment when it is the PEP 508 marker
	// environment (2019+ documents); nil otherwise.
	MarkerEnvironment map[string]string
	// EnvironmentPackages are the packages installed next to the solver:
	// result.environment_packages, or the legacy result.environment list.
	EnvironmentPackages []EnvironmentPackage
	// Entries is result.tree: the package versions solved.
	Entries []Entry
	// Errors is result.errors: versions the solver could not install or inspect.
	Errors []Failure
	// Unparsed is result.unparsed: requirements that could not be parsed.
	Unparsed []Unparsed
	// Unresolved is result.unresolved: requirements no version satisfied.
	Unresolved []Unresolved
}

// EnvironmentPackage is a package installed in the solver's environment.
type EnvironmentPackage struct {
	Name    string // PEP 503 normalised
	Version string
}

// Entry is one package version of result.tree.
type Entry struct {
	// Name is package_name, PEP 503 normalised.
	Name string
	// Version is package_version, trimmed; it can differ from VersionRequested.
	Version string
	// VersionRequested is package_version_requested; "" when absent.
	VersionRequested string
	// IndexURL is index_url; "" when absent (legacy documents).
	IndexURL string
	// Metadata is the core-metadata summary from importlib_metadata.metadata;
	// nil when the entry has none.
	Metadata *Metadata
	// Artifacts are the entry's sha256 digests of its distribution files on
	// the index; nil when the document has none.
	Artifacts []Artifact
	// Dependencies are the requirements of the version.
	Dependencies []Dependency
	// ImportNames are the packages the version provides, by import name
	// ("yaml", "dask.array"): the solver's packages list, or for documents
	// before it the same list derived from importlib_metadata.files (a
	// directory holding __init__.py, as the solver derives it), ordered by
	// depth, then name; nil when the document has neither.
	ImportNames []string
	// License is the license solver's package_license; nil when absent.
	License *License
}

// License is the license solver's verdict on a version (package_license).
// A field is nil when the document does not say.
type License struct {
	Name       *string // license.full_name (a lone string: that string)
	Identifier *string // license.identifier_spdx
	Version    *string // license_version ("LICENSE-WITHOUT-VERSION", "UNDETECTED", "2.0")
	Warning    *bool   // warning: the detection was not certain
}

// Metadata is the part of a version's core metadata that Seshat keeps. A
// field is nil when the solver did not record it (newer solvers drop Summary
// and License from their limited output).
type Metadata struct {
	Summary        *string  // "Summary"
	License        *string  // "License"
	RequiresPython *string  // "Requires-Python"
	Classifiers    []string // "Classifier"
	Author         *string  // "Author"
	AuthorEmail    *string  // "Author-email"
	HomePage       *string  // "Home-page"
	RequiresDist   []string // "Requires-Dist", as written
	ProvidesExtra  []string // "Provides-Extra"
	Platforms      []string // "Platform"
	// ProjectURLs are "Project-URL" values ("Source, https://...") split
	// at their first comma; a value without one is a URL without label.
	ProjectURLs []ProjectURL
}

// ProjectURL is one Project-URL of core metadata.
type ProjectURL struct {
	Label string
	URL   string
}

// Artifact is one distribution file of a version, known by its digest.
type Artifact struct {
	SHA256 string // 64 lowercase hex digits
}

// Dependency is one requirement of an entry.
type Dependency struct {
	// Name is package_name, PEP 503 normalised (and equal to
	// normalized_package_name when the document has it).
	Name string
	// Extra lists the extras of the depending entry under which this
	// requirement applies (the solver's `extra`, from `extra == "x"` in the
	// marker), normalised; empty means it always applies.
	Extra []string
	// Extras are the extras requested of the target (the solver's `extras`,
	// "dask[array]" -> ["array"]), normalised.
	Extras []string
	// Marker is the PEP 508 environment marker as written; nil when none.
	Marker *string
	// MarkerEvaluationResult is how the marker evaluated in the solver's
	// environment; nil when the document does not say.
	MarkerEvaluationResult *bool
	// VersionRange is the specifier (legacy: required_version), trimmed;
	// "*" when there is none.
	VersionRange string
	// Resolved lists the versions the requirement resolved to, per index.
	// Legacy documents have one group with IndexURL "".
	Resolved []Resolved
}

// Resolved is the versions a requirement resolved to on one index.
type Resolved struct {
	IndexURL string // "" for legacy documents, which name no index
	Versions []string
}

// Failure is one entry of result.errors: a version the solver could not
// install or inspect.
type Failure struct {
	// Name is package_name, PEP 503 normalised.
	Name string
	// Version is package_version (legacy: version).
	Version string
	// IndexURL is index_url; "" when absent.
	IndexURL string
	// Type is the kind of failure, e.g. "command_error", "not_site_package".
	Type string
	// IsProvidedPackage and IsProvidedPackageVersion say whether the index
	// offers the package and the version; nil when the document does not say.
	IsProvidedPackage        *bool
	IsProvidedPackageVersion *bool
	// Details is the raw details value (command, message, stderr, ...); nil when absent.
	Details json.RawMessage
}

// Unparsed is one entry of result.unparsed: a requirement string the solver
// could not parse.
type Unparsed struct {
	Requirement string
	Details     json.RawMessage // raw; nil when absent
}

// Unresolved is one entry of result.unresolved: a requirement no version on
// the index satisfied.
type Unresolved struct {
	// Name is package_name, PEP 503 normalised.
	Name string
	// VersionSpec is version_spec as written ("==39.1.0"; "" for any version).
	VersionSpec string
	// IndexURL is index_url; "" when absent.
	IndexURL string
	// IsProvidedPackage and IsProvidedPackageVersion are as in Failure.
	IsProvidedPackage        *bool
	IsProvidedPackageVersion *bool
}
