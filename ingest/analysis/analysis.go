// Package analysis parses and validates Thoth package-extract documents,
// the analyses of container images ("package-extract-<id>", kept under
// analysis/): the 2018 shape (thoth-package-extract 1.0: layers, mercator,
// rpm, rpm-dependencies) and the later one (operating-system,
// python-packages, python-files, python-interpreters, system-symbols, deb,
// deb-dependencies, skopeo-inspect, cuda-version, image_size). It touches
// no database: Parse turns raw JSON into a typed Document or a
// *ValidationError naming the JSON path of the first bad value.
//
// Every key of result is optional (an image without Debian packages has
// none), unknown keys are ignored (the raw document stays in object
// storage), and a document is accepted whole or not at all.
package analysis

import (
	"time"
)

// Limits enforced by Parse. A document beyond them is INVALID.
const (
	// MaxDocumentBytes is the largest document Parse accepts.
	MaxDocumentBytes = 256 << 20
	// MaxListItems bounds every array and the libraries of system-symbols.
	MaxListItems = 2_000_000
	// MaxStringBytes bounds every string.
	MaxStringBytes = 4096
	// MaxNameBytes bounds what identifies a package or a symbol: names,
	// versions, releases, epochs, architectures, version ranges, symbols and
	// digests (they are parts of index keys).
	MaxNameBytes = 256
	// MaxPathBytes bounds paths (libraries, locations, files, interpreters),
	// RPM requirements and image references.
	MaxPathBytes = 1024
)

// Environment types of an analysed image, as Thoth named them.
const (
	Runtime   = "RUNTIME"
	Buildtime = "BUILDTIME"
)

// ValidationError says why a document is invalid and where: Path is a JSON
// path such as "result.rpm-dependencies[3].name", "" for the document as a
// whole.
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

// Document is one parsed and validated image analysis.
type Document struct {
	// ID is the document id (the id argument of Parse, else metadata.document_id).
	ID string
	// Analyzer and AnalyzerVersion are metadata.analyzer and
	// metadata.analyzer_version ("thoth-package-extract", "1.0.0"); "" when absent.
	Analyzer, AnalyzerVersion string
	// AnalyzedAt is metadata.datetime (UTC when it names no zone); zero when absent.
	AnalyzedAt time.Time
	// Duration is metadata.duration in seconds; nil when absent.
	Duration *float64
	// Origin is the origin the analysis was requested for (a repository
	// URL), from metadata.arguments.thoth-package-extract.metadata; "" when absent.
	Origin string

	// Image is the image as analysed, metadata.arguments.extract-image.image
	// ("quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.35.1").
	Image string
	// ImageName is Image without its tag or digest; ImageTag its tag
	// ("latest" when it has none).
	ImageName, ImageTag string
	// Digest is the image's digest: skopeo-inspect's Digest, else the
	// digest Image names ("name@sha256:…"), else the last layer's (Thoth's
	// image_sha); "" when none is known.
	Digest string
	// Size is result.image_size in bytes; nil when absent.
	Size *int64
	// EnvironmentType is RUNTIME or BUILDTIME, from the environment_type
	// of metadata.arguments.thoth-package-extract.metadata; RUNTIME when
	// the document does not say (the 2018 shape never does).
	EnvironmentType string
	// OSName and OSVersion come from result.operating-system (its id and
	// version_id), normalised as the graph's environments are ("ubi" is
	// rhel, rhel keeps its major version); "" when absent.
	OSName, OSVersion string
	// PythonVersion is the Python version the image's name ends with
	// ("s2i-thoth-ubi8-py38" -> "3.8"), as Thoth took it; "" when it names none.
	PythonVersion string
	// CUDAVersion is the CUDA version nvcc or /usr/local/cuda/version.txt
	// reports (they must agree); "" when neither does.
	CUDAVersion string
	// Layers are the image's layer digests, base layer first.
	Layers []string

	// PythonPackages are the Python distributions installed in the image
	// (result.python-packages; the 2018 shape's mercator entries of
	// ecosystem Python-Dist), deduplicated.
	PythonPackages []PythonPackage
	// RPMs are the RPM packages of result.rpm-dependencies with their
	// requirements, deduplicated.
	RPMs []RPM
	// Debs are the Debian packages of result.deb-dependencies with their
	// relations, plus those of result.deb that it does not list (no
	// relations known), deduplicated.
	Debs []Deb
	// Symbols are the ABI symbols of result.system-symbols, by library,
	// deduplicated and sorted.
	Symbols []Symbol
	// Interpreters are result.python-interpreters, deduplicated by path.
	Interpreters []Interpreter
	// Files are result.python-files, deduplicated by path.
	Files []File
}

// PythonPackage is a Python distribution found in an image: its name PEP
// 503 normalised, its version in PEP 440 normal form (trimmed when it is
// not a PEP 440 version) and the directory holding it.
type PythonPackage struct {
	Name, Version, Location string
}

// RPM is an RPM package version and what it requires.
type RPM struct {
	Name, Version string
	// Release, Epoch and Arch are nil when the document gives none.
	Release, Epoch, Arch *string
	Src                  bool
	// Identifier is the package identifier repoquery printed
	// ("bind-license-32:9.9.4-38.el7_3.noarch"); the name when absent.
	Identifier string
	// Requires are the package's requirements, deduplicated, in document order.
	Requires []string
}

// Deb is a Debian package version and its relations.
type Deb struct {
	Name, Version string
	// Epoch and Arch are nil when the document gives none.
	Epoch, Arch                   *string
	Depends, PreDepends, Replaces []DebRelation
}

// DebRelation is one entry of a Debian package's Depends, Pre-Depends or
// Replaces: a package name and a version range ("" when none is stated).
type DebRelation struct {
	Name, Range string
}

// Symbol is an ABI symbol a library of the image provides.
type Symbol struct {
	Library, Symbol string
}

// Interpreter is a Python interpreter of the image.
type Interpreter struct {
	Path string
	// Link is where Path links to, Version what it reports ("Python
	// 3.8.6"); nil when the document gives none.
	Link, Version *string
}

// File is a Python file of the image and its SHA-256 digest (lower-case hex).
type File struct {
	Path, SHA256 string
}
