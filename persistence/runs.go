package persistence

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Runs over software stacks: adviser runs and provenance checks. A run's
// stacks are kept as stack_requirement and stack_package rows by (document,
// stack): stack 0 is the run's input, stack n >= 1 the lock of an adviser's
// product n.

// AdviserRun is an adviser_run row: one adviser run as its document gave it.
type AdviserRun struct {
	DocumentID          string          `db:"document_id"`
	Analyzer            *string         `db:"analyzer"`
	AnalyzerVersion     *string         `db:"analyzer_version"`
	RunAt               *time.Time      `db:"run_at"`
	Duration            *float64        `db:"duration"`
	Deployment          *string         `db:"deployment"`
	Origin              *string         `db:"origin"`
	SourceType          *string         `db:"source_type"`
	RecommendationType  *string         `db:"recommendation_type"`
	RequirementsFormat  *string         `db:"requirements_format"`
	Count               *int            `db:"count"`
	Limit               *int            `db:"limit"`
	LimitLatestVersions *int            `db:"limit_latest_versions"`
	Error               bool            `db:"error"`
	ErrorMessage        *string         `db:"error_message"`
	ReRunOf             *string         `db:"re_run_of"`
	IsS2I               *bool           `db:"is_s2i"`
	Debug               bool            `db:"debug"`
	HasReport           bool            `db:"has_report"`
	StackInfo           json.RawMessage `db:"stack_info"`
	EnvironmentName     *string         `db:"environment_name"`
	OSName              *string         `db:"os_name"`
	OSVersion           *string         `db:"os_version"`
	PythonVersion       *string         `db:"python_version"`
	CUDAVersion         *string         `db:"cuda_version"`
	Platform            *string         `db:"platform"`
	RuntimeEnvironment  json.RawMessage `db:"runtime_environment"`
	CPUFamily           *int            `db:"cpu_family"`
	CPUModel            *int            `db:"cpu_model"`
	CPUCores            *int            `db:"cpu_cores"`
	CPUModelName        *string         `db:"cpu_model_name"`
	GPUModel            *string         `db:"gpu_model"`
	RAMSize             *int64          `db:"ram_size"`
	Hardware            json.RawMessage `db:"hardware"`
}

// StackKey names one stack of a run.
type StackKey struct {
	DocumentID string
	Stack      int
}

// StackRequirement is one requirement of a stack's Pipfile.
type StackRequirement struct {
	DocumentID  string  `db:"document_id"`
	Stack       int     `db:"stack"`
	Develop     bool    `db:"develop"`
	PackageName string  `db:"package_name"`
	Specifier   string  `db:"specifier"`
	IndexURL    *string `db:"index_url"`
	Markers     *string `db:"markers"`
}

// StackPackage is one package a stack's lock pins. Its version node is the
// package_version of the same name, version and index (see
// StackPackageVersions).
type StackPackage struct {
	DocumentID  string   `db:"document_id"`
	Stack       int      `db:"stack"`
	Develop     bool     `db:"develop"`
	PackageName string   `db:"package_name"`
	Version     *string  `db:"version"`
	VersionText *string  `db:"version_text"`
	IndexURL    *string  `db:"index_url"`
	Hashes      []string `db:"hashes"`
	Markers     *string  `db:"markers"`
}

// AdviserProduct is one stack an adviser run recommended; its lock is
// stack Number of the run.
type AdviserProduct struct {
	DocumentID                string          `db:"document_id"`
	Number                    int             `db:"number"`
	Score                     *float64        `db:"score"`
	PerformanceScore          *float64        `db:"performance_score"`
	Justification             json.RawMessage `db:"justification"`
	AdvisedRuntimeEnvironment json.RawMessage `db:"advised_runtime_environment"`
	AdvisedManifestChanges    json.RawMessage `db:"advised_manifest_changes"`
}

// AdviserResult is what one adviser document writes.
type AdviserResult struct {
	Run AdviserRun
	// Stacks holds the input (stack 0) and the products' locks.
	Requirements []StackRequirement
	Packages     []StackPackage
	Products     []AdviserProduct
	Unresolved   []string
}

// ProvenanceCheck is a provenance_check row.
type ProvenanceCheck struct {
	DocumentID         string     `db:"document_id"`
	Analyzer           *string    `db:"analyzer"`
	AnalyzerVersion    *string    `db:"analyzer_version"`
	CheckedAt          *time.Time `db:"checked_at"`
	Duration           *float64   `db:"duration"`
	Deployment         *string    `db:"deployment"`
	Origin             *string    `db:"origin"`
	Error              bool       `db:"error"`
	ErrorMessage       *string    `db:"error_message"`
	Debug              bool       `db:"debug"`
	WhitelistedIndexes []string   `db:"whitelisted_indexes"`
}

// ProvenanceFinding is one entry of a provenance check's report.
type ProvenanceFinding struct {
	DocumentID     string          `db:"document_id"`
	Number         int             `db:"number"`
	Type           string          `db:"type"`
	Code           *string         `db:"code"`
	Justification  *string         `db:"justification"`
	PackageName    *string         `db:"package_name"`
	PackageVersion *string         `db:"package_version"`
	IndexURL       *string         `db:"index_url"`
	Digest         *string         `db:"digest"`
	Data           json.RawMessage `db:"data"`
}

// ProvenanceResult is what one provenance-checker document writes (stack 0
// is the checked stack).
type ProvenanceResult struct {
	Check        ProvenanceCheck
	Requirements []StackRequirement
	Packages     []StackPackage
	Findings     []ProvenanceFinding
}

// adviserFacts and provenanceFacts are the tables holding an adviser and a
// provenance-checker document's facts, by document_id.
var (
	adviserFacts    = []string{"adviser_run", "stack_requirement", "stack_package", "adviser_product", "adviser_unresolved"}
	provenanceFacts = []string{"provenance_check", "stack_requirement", "stack_package", "provenance_finding"}
)

// IngestAdviserResult writes one adviser document in one transaction, as
// IngestSolverResult does (SKIPPED when ingested before with the same
// SHA256 unless force; its earlier facts replaced otherwise). wait false
// skips a document another transaction holds (Busy).
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the
// database is unreachable.
func (s *Store) IngestAdviserResult(ctx context.Context, doc DocumentRef, res *AdviserResult, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, adviserFacts, func(tx pgx.Tx, counts Counts) error {
		return writeAdviserResult(ctx, tx, doc.ID, res, counts)
	})
}

// IngestProvenanceResult writes one provenance-checker document in one
// transaction, as IngestAdviserResult does.
func (s *Store) IngestProvenanceResult(ctx context.Context, doc DocumentRef, res *ProvenanceResult, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, provenanceFacts, func(tx pgx.Tx, counts Counts) error {
		return writeProvenanceResult(ctx, tx, doc.ID, res, counts)
	})
}

func writeAdviserResult(ctx context.Context, tx pgx.Tx, docID string, res *AdviserResult, counts Counts) error {
	r := res.Run
	_, err := tx.Exec(ctx, `
		INSERT INTO adviser_run (document_id, analyzer, analyzer_version, run_at, duration, deployment, origin,
			source_type, recommendation_type, requirements_format, count, "limit", limit_latest_versions,
			error, error_message, re_run_of, is_s2i, debug, has_report, stack_info,
			environment_name, os_name, os_version, python_version, cuda_version, platform, runtime_environment,
			cpu_family, cpu_model, cpu_cores, cpu_model_name, gpu_model, ram_size, hardware)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`,
		docID, r.Analyzer, r.AnalyzerVersion, r.RunAt, r.Duration, r.Deployment, r.Origin,
		r.SourceType, r.RecommendationType, r.RequirementsFormat, r.Count, r.Limit, r.LimitLatestVersions,
		r.Error, r.ErrorMessage, r.ReRunOf, r.IsS2I, r.Debug, r.HasReport, jsonbOr(r.StackInfo, "[]"),
		r.EnvironmentName, r.OSName, r.OSVersion, r.PythonVersion, r.CUDAVersion, r.Platform, jsonbOr(r.RuntimeEnvironment, "{}"),
		r.CPUFamily, r.CPUModel, r.CPUCores, r.CPUModelName, r.GPUModel, r.RAMSize, jsonbOr(r.Hardware, "{}"))
	if err != nil {
		return err
	}
	counts["adviser_runs"] = 1
	if err := writeStacks(ctx, tx, docID, res.Requirements, res.Packages, counts); err != nil {
		return err
	}
	if err := writeProducts(ctx, tx, docID, res.Products, counts); err != nil {
		return err
	}
	unresolved := make([][]any, len(res.Unresolved))
	for i, name := range res.Unresolved {
		unresolved[i] = []any{docID, name}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"adviser_unresolved"}, []string{"document_id", "package_name"}, pgx.CopyFromRows(unresolved))
	counts["unresolved"] = n
	return err
}

func writeProvenanceResult(ctx context.Context, tx pgx.Tx, docID string, res *ProvenanceResult, counts Counts) error {
	c := res.Check
	idx := c.WhitelistedIndexes
	if idx == nil {
		idx = []string{}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO provenance_check (document_id, analyzer, analyzer_version, checked_at, duration, deployment,
			origin, error, error_message, debug, whitelisted_indexes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		docID, c.Analyzer, c.AnalyzerVersion, c.CheckedAt, c.Duration, c.Deployment, c.Origin, c.Error, c.ErrorMessage, c.Debug, idx)
	if err != nil {
		return err
	}
	counts["provenance_checks"] = 1
	if err := writeStacks(ctx, tx, docID, res.Requirements, res.Packages, counts); err != nil {
		return err
	}
	rows := make([][]any, len(res.Findings))
	for i, f := range res.Findings {
		rows[i] = []any{docID, f.Number, f.Type, f.Code, f.Justification, f.PackageName, f.PackageVersion, f.IndexURL, f.Digest, jsonbOr(f.Data, "{}")}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"provenance_finding"},
		[]string{"document_id", "number", "type", "code", "justification", "package_name", "package_version", "index_url", "digest", "data"},
		pgx.CopyFromRows(rows))
	counts["findings"] = n
	return err
}

// writeProducts copies the products of a run (an adviser's recommended
// stacks, Dependency Monkey's generated ones).
func writeProducts(ctx context.Context, tx pgx.Tx, docID string, products []AdviserProduct, counts Counts) error {
	rows := make([][]any, len(products))
	for i, p := range products {
		rows[i] = []any{docID, p.Number, p.Score, p.PerformanceScore, jsonbOr(p.Justification, "[]"),
			jsonbOrNull(p.AdvisedRuntimeEnvironment), jsonbOrNull(p.AdvisedManifestChanges)}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"adviser_product"},
		[]string{"document_id", "number", "score", "performance_score", "justification", "advised_runtime_environment", "advised_manifest_changes"},
		pgx.CopyFromRows(rows))
	counts["products"] = n
	return err
}

// writeStacks copies the requirements and locked packages of a run's stacks.
func writeStacks(ctx context.Context, tx pgx.Tx, docID string, reqs []StackRequirement, pkgs []StackPackage, counts Counts) error {
	rows := make([][]any, len(reqs))
	for i, r := range reqs {
		rows[i] = []any{docID, int16(r.Stack), r.Develop, r.PackageName, r.Specifier, r.IndexURL, r.Markers}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"stack_requirement"},
		[]string{"document_id", "stack", "develop", "package_name", "specifier", "index_url", "markers"}, pgx.CopyFromRows(rows))
	if err != nil {
		return err
	}
	counts["stack_requirements"] = n
	rows = make([][]any, len(pkgs))
	for i, p := range pkgs {
		hashes := p.Hashes
		if hashes == nil {
			hashes = []string{}
		}
		rows[i] = []any{docID, int16(p.Stack), p.Develop, p.PackageName, p.Version, p.VersionText, p.IndexURL, hashes, p.Markers}
	}
	n, err = tx.CopyFrom(ctx, pgx.Identifier{"stack_package"},
		[]string{"document_id", "stack", "develop", "package_name", "version", "version_text", "index_url", "hashes", "markers"}, pgx.CopyFromRows(rows))
	counts["stack_packages"] = n
	return err
}

// jsonbOr is raw, or def when raw is empty, as a jsonb parameter.
func jsonbOr(raw json.RawMessage, def string) string {
	if len(raw) == 0 {
		return def
	}
	return string(raw)
}

// jsonbOrNull is raw as a jsonb parameter, NULL when empty.
func jsonbOrNull(raw json.RawMessage) *string {
	if len(raw) == 0 {
		return nil
	}
	s := string(raw)
	return &s
}
