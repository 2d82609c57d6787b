package persistence

import (
	"time"

	"github.com/seshat-graph/seshat/python"
)

// PackageIndex is a Python package index (a PEP 503 simple repository).
type PackageIndex struct {
	ID              int64   `db:"id"`
	URL             string  `db:"url"`
	WarehouseAPIURL *string `db:"warehouse_api_url"`
	VerifySSL       bool    `db:"verify_ssl"`
	Enabled         bool    `db:"enabled"`
}

// Package is a Python package under its PEP 503 normalised name.
type Package struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// PackageVersion is one release of a package on one index (IndexID nil when
// the index is unknown).
type PackageVersion struct {
	ID        int64   `db:"id"`
	PackageID int64   `db:"package_id"`
	Name      string  `db:"name"`
	Version   string  `db:"version"`
	IndexID   *int64  `db:"index_id"`
	IndexURL  *string `db:"index_url"`
	// IsMissing says the index no longer serves the version.
	IsMissing bool `db:"is_missing"`
	// ProvidesSourceDistro says the index ships a source distribution of it.
	ProvidesSourceDistro bool `db:"provides_source_distro"`
}

// Environment is an environment row: a normalised (OS, OS version, Python
// version) triple and its id. The columns os_name, os_version and
// python_version scan into the embedded python.Environment by name.
type Environment struct {
	ID int64 `db:"id"`
	python.Environment
}

// EnvironmentKey names an environment without its id: the python.Environment
// the store's lookups normalise (python.Environment.Normalized).
type EnvironmentKey = python.Environment

// Solved records a version solved in an environment by a solver run.
type Solved struct {
	ID               int64     `db:"id"`
	VersionID        int64     `db:"version_id"`
	EnvironmentID    int64     `db:"environment_id"`
	SolverName       string    `db:"solver_name"`
	SolverVersion    string    `db:"solver_version"`
	DocumentID       string    `db:"document_id"`
	SolvedAt         time.Time `db:"solved_at"`
	Duration         float64   `db:"duration"`
	Error            bool      `db:"error"`
	ErrorUnparseable bool      `db:"error_unparseable"`
	ErrorUnsolvable  bool      `db:"error_unsolvable"`
	ErrorDetails     *string   `db:"error_details"`
	// Platform is the platform the solver ran on ("linux-x86_64"); nil when
	// its document did not say.
	Platform *string `db:"platform"`
}

// Dependency is a DEPENDS_ON edge: a version solved in an environment
// requires a package.
type Dependency struct {
	ID                     int64    `db:"id"`
	VersionID              int64    `db:"version_id"`
	EnvironmentID          int64    `db:"environment_id"`
	PackageID              int64    `db:"package_id"`
	PackageName            string   `db:"package_name"`
	VersionRange           string   `db:"version_range"`
	Marker                 *string  `db:"marker"`
	Extra                  *string  `db:"extra"`
	Extras                 []string `db:"extras"`
	MarkerEvaluationResult *bool    `db:"marker_evaluation_result"`
	DocumentID             string   `db:"document_id"`
}

// SolverProblem is a solver entry that produced no solved version: an error,
// an unparsable or an unresolvable requirement.
type SolverProblem struct {
	ID            int64   `db:"id"`
	DocumentID    string  `db:"document_id"`
	EnvironmentID int64   `db:"environment_id"`
	Kind          string  `db:"kind"`
	PackageName   string  `db:"package_name"`
	Version       string  `db:"version"`
	IndexURL      string  `db:"index_url"`
	Details       *string `db:"details"`
}

// Vulnerability is an OSV record as the reads return it (see
// vulnerability_reads.go).
type Vulnerability struct {
	ID int64 `db:"id"`
	// ExternalID is the OSV id.
	ExternalID string      `db:"external_id"`
	Aliases    []string    `db:"aliases"`
	Summary    string      `db:"summary"`
	Details    string      `db:"details"`
	Scores     []Severity  `db:"severity"`
	Refs       []Reference `db:"refs"`
	Link       *string     `db:"link"`
	Published  *time.Time  `db:"published"`
	Modified   *time.Time  `db:"modified"`
	Withdrawn  *time.Time  `db:"withdrawn"`
	// DocumentID names the document the record was last written from: a
	// document of the store's vulnerabilities/ folder, or an import
	// (BeginVulnerabilityImport).
	DocumentID *string `db:"document_id"`
	// FixedIn is the lowest fixed version above the affected version, read
	// only with the versions a record affects; nil elsewhere.
	FixedIn *string `db:"fixed_in"`
}

// Severity is an OSV severity entry.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Reference is an OSV reference.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// PackageMetadata summarises a version's core metadata.
type PackageMetadata struct {
	VersionID      int64    `db:"version_id"`
	Summary        *string  `db:"summary"`
	License        *string  `db:"license"`
	RequiresPython *string  `db:"requires_python"`
	Classifiers    []string `db:"classifiers"`
	Author         *string  `db:"author"`
	AuthorEmail    *string  `db:"author_email"`
	HomePage       *string  `db:"home_page"`
	RequiresDist   []string `db:"requires_dist"`
	ProvidesExtra  []string `db:"provides_extra"`
	Platforms      []string `db:"platforms"`
	// URLs are the Project-URL entries.
	URLs []ProjectURL `db:"project_urls"`
	// HasLicense says the license solver ran; LicenseName, LicenseIdentifier
	// and LicenseVersion are what it found, LicenseWarning whether it warned.
	HasLicense        bool    `db:"has_license"`
	LicenseName       *string `db:"license_name"`
	LicenseIdentifier *string `db:"license_identifier"`
	LicenseVersion    *string `db:"license_version"`
	LicenseWarning    *bool   `db:"license_warning"`
}

// DocumentStatus is the ingestion state of a document.
type DocumentStatus string

// Document states.
const (
	StatusPending  DocumentStatus = "PENDING"
	StatusIngested DocumentStatus = "INGESTED"
	StatusSkipped  DocumentStatus = "SKIPPED"
	StatusFailed   DocumentStatus = "FAILED"
)

// Document is a result document Seshat has seen, with its ingestion state.
type Document struct {
	ID         string           `db:"id"`
	Kind       string           `db:"kind"`
	ObjectKey  *string          `db:"object_key"`
	SHA256     *string          `db:"sha256"`
	Status     DocumentStatus   `db:"status"`
	ErrorCode  *string          `db:"error_code"`
	Error      *string          `db:"error"`
	Counts     map[string]int64 `db:"counts"`
	Attempts   int32            `db:"attempts"`
	CreatedAt  time.Time        `db:"created_at"`
	UpdatedAt  time.Time        `db:"updated_at"`
	IngestedAt *time.Time       `db:"ingested_at"`
}
