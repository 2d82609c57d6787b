package persistence

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// Inspection is an Amun inspection run as specified; its id is its
// document's.
type Inspection struct {
	ID                string         `db:"document_id"`
	Identifier        *string        `db:"identifier"`
	BaseImage         *string        `db:"base_image"`
	Script            *string        `db:"script"`
	Created           *time.Time     `db:"created"`
	BuildRequests     map[string]any `db:"build_requests"`
	RunRequests       map[string]any `db:"run_requests"`
	HardwareRequested map[string]any `db:"hardware_requested"`
	Specification     map[string]any `db:"specification"`
}

// InspectionStack names the Python stack of an inspection; its
// requirements and lock load by the inspection's id.
type InspectionStack struct {
	InspectionID string
}

// LockedPackage is one pinned package of an inspection's stack, linked to
// its version node.
type LockedPackage struct {
	InspectionID string   `db:"document_id"`
	VersionID    int64    `db:"version_id"`
	Name         string   `db:"name"`
	Version      string   `db:"version"`
	IndexURL     *string  `db:"index_url"`
	Hashes       []string `db:"hashes"`
	Develop      bool     `db:"develop"`
}

// Hardware is a machine inspections ran on.
type Hardware struct {
	ID                            int64
	CPUBrand, CPUVendor           *string
	CPUFamily, CPUModel, CPUCores *int64
	CPUFlags                      []string
	// Sizes in bytes.
	L1DataCache, L1InstructionCache *float64
	L2Cache, L3Cache                *float64
	GPU                             map[string]any
	RAMSize                         *float64
}

// hardwareRow is hardware h as hardwareColumns select it, NULL when a
// result names none.
type hardwareRow struct {
	ID                 *int64         `db:"hw_id"`
	CPUBrand           *string        `db:"hw_cpu_brand"`
	CPUVendor          *string        `db:"hw_cpu_vendor"`
	CPUFamily          *int64         `db:"hw_cpu_family"`
	CPUModel           *int64         `db:"hw_cpu_model"`
	CPUCores           *int64         `db:"hw_cpu_cores"`
	CPUFlags           []string       `db:"hw_cpu_flags"`
	L1DataCache        *float64       `db:"hw_l1_data_cache"`
	L1InstructionCache *float64       `db:"hw_l1_instruction_cache"`
	L2Cache            *float64       `db:"hw_l2_cache"`
	L3Cache            *float64       `db:"hw_l3_cache"`
	GPU                map[string]any `db:"hw_gpu"`
	RAMSize            *float64       `db:"hw_ram_size"`
}

// PerformanceIndicator is what one result's indicator reported, with the
// result's exit code, environment and hardware.
type PerformanceIndicator struct {
	InspectionID  string
	Number        int
	Name          string
	Component     *string
	Parameters    map[string]any
	Result        map[string]any
	Elapsed, Rate *float64
	ExitCode      *int
	EnvironmentID *int64
	Hardware      *Hardware
}

// InspectionResult is one run (results/<N>) of an inspection.
type InspectionResult struct {
	InspectionID       string
	Number             int
	ExitCode           *int
	StartedAt, EndedAt *time.Time
	Hostname           *string
	ScriptSHA256       *string
	Usage              map[string]any
	RuntimeEnvironment map[string]any
	EnvironmentID      *int64
	Hardware           *Hardware
	// PerformanceIndicator is nil when the result's stdout reported none.
	PerformanceIndicator *PerformanceIndicator
}

// hardwareColumns select hardware h's columns as Hardware scans them.
const hardwareColumns = `h.id AS hw_id, h.cpu_brand AS hw_cpu_brand, h.cpu_vendor AS hw_cpu_vendor,
	h.cpu_family AS hw_cpu_family, h.cpu_model AS hw_cpu_model, h.cpu_cores AS hw_cpu_cores,
	h.cpu_flags AS hw_cpu_flags, h.l1_data_cache::float8 AS hw_l1_data_cache,
	h.l1_instruction_cache::float8 AS hw_l1_instruction_cache, h.l2_cache::float8 AS hw_l2_cache,
	h.l3_cache::float8 AS hw_l3_cache, h.gpu AS hw_gpu, h.ram_size::float8 AS hw_ram_size`

// resultRow is a row of inspection_result r joined with its indicator pi
// and hardware h.
type resultRow struct {
	DocumentID         string         `db:"document_id"`
	Number             int            `db:"number"`
	ExitCode           *int           `db:"exit_code"`
	StartedAt          *time.Time     `db:"started_at"`
	EndedAt            *time.Time     `db:"ended_at"`
	Hostname           *string        `db:"hostname"`
	ScriptSHA256       *string        `db:"script_sha256"`
	Usage              map[string]any `db:"usage"`
	RuntimeEnvironment map[string]any `db:"runtime_environment"`
	EnvironmentID      *int64         `db:"environment_id"`
	PIName             *string        `db:"pi_name"`
	PIComponent        *string        `db:"pi_component"`
	PIParameters       map[string]any `db:"pi_parameters"`
	PIResult           map[string]any `db:"pi_result"`
	PIElapsed          *float64       `db:"pi_elapsed"`
	PIRate             *float64       `db:"pi_rate"`
	hardwareRow
}

// resultColumns select resultRow's columns.
const resultColumns = `r.document_id, r.number, r.exit_code, r.started_at, r.ended_at, r.hostname,
	r.script_sha256, r.usage, r.runtime_environment, r.environment_id,
	pi.name AS pi_name, pi.component AS pi_component, pi.parameters AS pi_parameters,
	pi.result AS pi_result, pi.elapsed AS pi_elapsed, pi.rate AS pi_rate, ` + hardwareColumns

// resultFrom joins a result to its indicator and hardware.
const resultFrom = `inspection_result r
	LEFT JOIN performance_indicator pi ON pi.document_id = r.document_id AND pi.number = r.number
	LEFT JOIN hardware h ON h.id = r.hardware_id`

func (r *resultRow) indicator() *PerformanceIndicator {
	if r.PIName == nil {
		return nil
	}
	return &PerformanceIndicator{
		InspectionID: r.DocumentID, Number: r.Number, Name: *r.PIName, Component: r.PIComponent,
		Parameters: r.PIParameters, Result: r.PIResult, Elapsed: r.PIElapsed, Rate: r.PIRate,
		ExitCode: r.ExitCode, EnvironmentID: r.EnvironmentID, Hardware: r.hardware(),
	}
}

func (r *resultRow) hardware() *Hardware {
	h := r.hardwareRow
	if h.ID == nil {
		return nil
	}
	return &Hardware{
		ID: *h.ID, CPUBrand: h.CPUBrand, CPUVendor: h.CPUVendor, CPUFamily: h.CPUFamily, CPUModel: h.CPUModel,
		CPUCores: h.CPUCores, CPUFlags: h.CPUFlags, L1DataCache: h.L1DataCache, L1InstructionCache: h.L1InstructionCache,
		L2Cache: h.L2Cache, L3Cache: h.L3Cache, GPU: h.GPU, RAMSize: h.RAMSize,
	}
}

// inspectionColumns select inspection i's columns as Inspection scans them.
const inspectionColumns = `i.document_id, i.identifier, i.base_image, i.script, i.created,
	i.build_requests, i.run_requests, i.hardware_requested, i.specification`

// InspectionsByID returns the inspections with the given ids.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) InspectionsByID(ctx context.Context, ids []string) (map[string]Inspection, error) {
	rows, err := collect[Inspection](ctx, s, `SELECT `+inspectionColumns+` FROM inspection i WHERE i.document_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Inspection, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// InspectionFilter selects inspections; empty fields match every one.
type InspectionFilter struct {
	// Package: the inspection's lock pins a version of it (PEP 503 name).
	Package string
	// Environment: one of its results ran in it (normalised).
	Environment *EnvironmentKey
}

// Inspections returns a keyset page of the inspections that match f, by
// id, with the number of all that match.
// Returns INVALID for a bad page or cursor, UNAVAILABLE when the database
// is unreachable.
func (s *Store) Inspections(ctx context.Context, f InspectionFilter, page Page) (Connection[Inspection], error) {
	var env EnvironmentKey
	if f.Environment != nil {
		env = f.Environment.Normalized()
	}
	return keysetPage(ctx, s, inspectionList, page, python.NormalizeName(f.Package), env.OSName, env.OSVersion, env.PythonVersion)
}

var inspectionList = keyset[Inspection]{
	kind:  "inspection",
	key:   func(i Inspection) string { return i.ID },
	start: "",
	list: `SELECT ` + inspectionColumns + ` FROM inspection i
		WHERE ($1 = '' OR EXISTS (
			SELECT 1 FROM inspection_lock l
			JOIN package_version pv ON pv.id = l.version_id
			JOIN package p ON p.id = pv.package_id
			WHERE l.document_id = i.document_id AND p.name = $1))
		AND ($2 = '' OR EXISTS (
			SELECT 1 FROM inspection_result r
			JOIN environment e ON e.id = r.environment_id
			WHERE r.document_id = i.document_id AND e.os_name = $2 AND e.os_version = $3 AND e.python_version = $4))`,
	next: `SELECT * FROM m WHERE document_id COLLATE "C" > $5 ORDER BY document_id COLLATE "C" LIMIT $6 + 1`,
}

// ResultsOfInspections returns the results of each inspection, by number,
// with their indicators and hardware, in one statement.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) ResultsOfInspections(ctx context.Context, ids []string) (map[string][]InspectionResult, error) {
	rows, err := collect[resultRow](ctx, s, `SELECT `+resultColumns+` FROM `+resultFrom+`
		WHERE r.document_id = ANY($1) ORDER BY r.document_id, r.number`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]InspectionResult, len(ids))
	for i := range rows {
		r := &rows[i]
		out[r.DocumentID] = append(out[r.DocumentID], InspectionResult{
			InspectionID: r.DocumentID, Number: r.Number, ExitCode: r.ExitCode, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
			Hostname: r.Hostname, ScriptSHA256: r.ScriptSHA256, Usage: r.Usage, RuntimeEnvironment: r.RuntimeEnvironment,
			EnvironmentID: r.EnvironmentID, Hardware: r.hardware(), PerformanceIndicator: r.indicator(),
		})
	}
	return out, nil
}

// RequirementsOfInspections returns each inspection stack's requirements,
// by package name (default packages first).
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) RequirementsOfInspections(ctx context.Context, ids []string) (map[string][]InspectionRequirement, error) {
	type row struct {
		DocumentID string `db:"document_id"`
		InspectionRequirement
	}
	rows, err := collect[row](ctx, s, `SELECT document_id, package_name, specifier, index_name, develop
		FROM inspection_requirement WHERE document_id = ANY($1) ORDER BY document_id, develop, package_name`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]InspectionRequirement, len(ids))
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.InspectionRequirement)
	}
	return out, nil
}

// LockedOfInspections returns each inspection stack's locked packages, by
// name (default packages first), with their versions' names.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) LockedOfInspections(ctx context.Context, ids []string) (map[string][]LockedPackage, error) {
	rows, err := collect[LockedPackage](ctx, s, `
		SELECT l.document_id, l.version_id, p.name, pv.version, ix.url AS index_url, l.hashes, l.develop
		FROM inspection_lock l
		JOIN package_version pv ON pv.id = l.version_id
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		WHERE l.document_id = ANY($1)
		ORDER BY l.document_id, l.develop, p.name, l.version_id`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]LockedPackage, len(ids))
	for _, r := range rows {
		out[r.InspectionID] = append(out[r.InspectionID], r)
	}
	return out, nil
}

// IndicatorsKey asks for the performance indicators of the inspections
// whose lock pins a version; Name "" for every indicator.
type IndicatorsKey struct {
	VersionID int64
	Name      string
}

// indicatorRow is a resultRow with the key it answers.
type indicatorRow struct {
	KeyVersion int64  `db:"key_version"`
	KeyName    string `db:"key_name"`
	resultRow
}

// IndicatorsOfVersions returns, per key, the performance indicators of
// the inspections whose locked stack pins the key's version (of the key's
// name when it has one), fastest first (rate, highest first), in one
// statement.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) IndicatorsOfVersions(ctx context.Context, keys []IndicatorsKey) (map[IndicatorsKey][]PerformanceIndicator, error) {
	vs, ns := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		vs[i], ns[i] = k.VersionID, k.Name
	}
	rows, err := collect[indicatorRow](ctx, s, `
		SELECT k.v AS key_version, k.n AS key_name, `+resultColumns+`
		FROM unnest($1::bigint[], $2::text[]) AS k(v, n)
		JOIN inspection_lock l ON l.version_id = k.v
		JOIN `+resultFrom+` ON r.document_id = l.document_id
		WHERE pi.name IS NOT NULL AND (k.n = '' OR pi.name = k.n)
		ORDER BY k.v, k.n, pi.rate DESC NULLS LAST, r.document_id, r.number`, vs, ns)
	if err != nil {
		return nil, err
	}
	out := make(map[IndicatorsKey][]PerformanceIndicator, len(keys))
	for i := range rows {
		r := &rows[i]
		k := IndicatorsKey{VersionID: r.KeyVersion, Name: r.KeyName}
		out[k] = append(out[k], *r.indicator())
	}
	return out, nil
}

// IndicatorQuery selects performance indicators by name, package pinned
// in the inspection's lock and parameters.
type IndicatorQuery struct {
	Name string
	// Package (PEP 503 name; "" for any) must be pinned by the lock.
	Package string
	// Parameters, when set, must be contained in the indicator's
	// @parameters (every key with an equal value).
	Parameters map[string]any
	First      int
}

// PerformanceIndicators returns the indicators q selects, fastest first
// (rate, highest first; those without a rate last), at most q.First.
// Returns INVALID for a negative First, UNAVAILABLE when the database is
// unreachable.
func (s *Store) PerformanceIndicators(ctx context.Context, q IndicatorQuery) ([]PerformanceIndicator, error) {
	if q.First < 0 {
		return nil, Errorf(CodeInvalid, "first must be >= 0, got %d", q.First)
	}
	params := []byte("{}")
	if q.Parameters != nil {
		var err error
		if params, err = json.Marshal(q.Parameters); err != nil {
			return nil, Errorf(CodeInvalid, "parameters: %v", err)
		}
	}
	rows, err := collect[resultRow](ctx, s, `
		SELECT `+resultColumns+` FROM `+resultFrom+`
		WHERE pi.name = $1 AND pi.parameters @> $3::jsonb
		  AND ($2 = '' OR EXISTS (
			SELECT 1 FROM inspection_lock l
			JOIN package_version pv ON pv.id = l.version_id
			JOIN package p ON p.id = pv.package_id
			WHERE l.document_id = r.document_id AND p.name = $2))
		ORDER BY pi.rate DESC NULLS LAST, r.document_id, r.number
		LIMIT $4`, q.Name, python.NormalizeName(q.Package), string(params), q.First)
	if err != nil {
		return nil, err
	}
	out := make([]PerformanceIndicator, len(rows))
	for i := range rows {
		out[i] = *rows[i].indicator()
	}
	return out, nil
}
