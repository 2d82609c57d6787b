package persistence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// InspectionRecord is what one Amun inspection document says: the
// inspection as specified (nil when only its results were kept) and its
// results. Names, versions and index URLs are as written; the store
// normalises them.
type InspectionRecord struct {
	Spec    *InspectionSpec
	Results []InspectionRun
}

// InspectionSpec is an inspection's build specification.
type InspectionSpec struct {
	Identifier, BaseImage, Script string
	Created                       *time.Time
	// BuildRequests, RunRequests and HardwareRequested are JSON objects
	// (nil when absent); Raw is the whole specification.
	BuildRequests, RunRequests, HardwareRequested, Raw json.RawMessage
	Requirements                                       []InspectionRequirement
	Locked                                             []LockedEntry
}

// InspectionRequirement is one package of an inspection stack's Pipfile.
type InspectionRequirement struct {
	Name      string  `db:"package_name"`
	Specifier string  `db:"specifier"`
	Index     *string `db:"index_name"`
	Develop   bool    `db:"develop"`
}

// LockedEntry is one pinned package of an inspection stack's lock.
type LockedEntry struct {
	Name, Version, IndexURL string
	Hashes                  []string
	Develop                 bool
}

// InspectionRun is one result (results/<N>) of an inspection.
type InspectionRun struct {
	Number, ExitCode int
	Started, Ended   *time.Time
	Hostname, Script string // Script: the script's sha256
	Usage, Runtime   json.RawMessage
	Environment      *EnvironmentKey // nil when the result names none completely
	Hardware         *HardwareSpec
	Indicator        *IndicatorEntry
}

// HardwareSpec describes a machine; equal specs are one hardware node.
type HardwareSpec struct {
	CPUBrand, CPUVendor                    *string
	CPUFamily, CPUModel, CPUCores          *int64
	Flags                                  []string
	L1Data, L1Instruction, L2, L3, RAMSize *int64
	GPU                                    json.RawMessage
}

// fingerprint is the spec's identity: the SHA-256 of its fields as JSON.
func (h *HardwareSpec) fingerprint() string {
	flags := slices.Clone(h.Flags)
	sort.Strings(flags)
	flags = slices.Compact(flags)
	// The GPU as decoded, so that the order of its members does not matter.
	var gpu any
	_ = json.Unmarshal(h.GPU, &gpu)
	raw, _ := json.Marshal([]any{h.CPUBrand, h.CPUVendor, h.CPUFamily, h.CPUModel, h.CPUCores, flags,
		h.L1Data, h.L1Instruction, h.L2, h.L3, h.RAMSize, gpu})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// IndicatorEntry is a result's performance indicator.
type IndicatorEntry struct {
	Name, Component    string
	Parameters, Result json.RawMessage
	Elapsed, Rate      *float64
}

// inspectionFacts: every inspection table hangs off inspection and goes
// with it (ON DELETE CASCADE); hardware nodes are shared and stay.
var inspectionFacts = []string{"inspection"}

// IngestInspection writes one inspection document in one transaction, as
// IngestSolverResult does a solver document: SKIPPED when ingested before
// with the same SHA256 unless force, its earlier facts replaced otherwise.
// Each locked package becomes (or is linked to) its PackageVersion node;
// hardware is deduplicated. A document another transaction is ingesting is
// waited for unless noWait, then SKIPPED with Busy.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the
// database is unreachable.
func (s *Store) IngestInspection(ctx context.Context, doc DocumentRef, rec *InspectionRecord, force, noWait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, !noWait, inspectionFacts, func(tx pgx.Tx, counts Counts) error {
		return writeInspection(ctx, tx, doc.ID, rec, counts)
	})
}

func writeInspection(ctx context.Context, tx pgx.Tx, docID string, rec *InspectionRecord, counts Counts) error {
	spec := rec.Spec
	if spec == nil {
		spec = &InspectionSpec{}
	}
	locked, err := upsertLocked(ctx, tx, spec.Locked, counts)
	if err != nil {
		return err
	}
	envIDs, hwIDs, err := upsertRunNodes(ctx, tx, rec.Results)
	if err != nil {
		return err
	}
	counts["hardware"] = int64(len(hwIDs))

	b := &pgx.Batch{}
	raw := spec.Raw
	if raw == nil {
		raw = json.RawMessage("{}")
	}
	b.Queue(`INSERT INTO inspection (document_id, identifier, base_image, script, created,
			build_requests, run_requests, hardware_requested, specification)
		VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), NULLIF($4, ''), $5, $6, $7, $8, $9)`,
		docID, spec.Identifier, spec.BaseImage, spec.Script, spec.Created,
		jsonOrNil(spec.BuildRequests), jsonOrNil(spec.RunRequests), jsonOrNil(spec.HardwareRequested), raw)
	counts["inspections"] = 1

	if len(spec.Requirements) > 0 {
		reqs := slices.Clone(spec.Requirements)
		names, specs, indexes, dev := make([]string, len(reqs)), make([]string, len(reqs)), make([]*string, len(reqs)), make([]bool, len(reqs))
		seen := map[[2]string]bool{}
		n := 0
		for _, r := range reqs {
			name := python.NormalizeName(r.Name)
			k := [2]string{name, fmt.Sprint(r.Develop)}
			if seen[k] {
				continue
			}
			seen[k] = true
			names[n], specs[n], indexes[n], dev[n] = name, r.Specifier, r.Index, r.Develop
			n++
		}
		b.Queue(`INSERT INTO inspection_requirement (document_id, package_name, specifier, index_name, develop)
			SELECT $1, n, s, i, d FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS t(n, s, i, d)`,
			docID, names[:n], specs[:n], indexes[:n], dev[:n])
		counts["requirements"] = int64(n)
	}
	if len(locked) > 0 {
		ids := make([]int64, 0, len(locked))
		for id := range locked {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		dev, hashes := make([]bool, len(ids)), make([]string, len(ids))
		for i, id := range ids {
			dev[i] = locked[id].Develop
			h, _ := json.Marshal(locked[id].Hashes)
			hashes[i] = string(h)
		}
		b.Queue(`INSERT INTO inspection_lock (document_id, version_id, develop, hashes)
			SELECT $1, v, d, ARRAY(SELECT jsonb_array_elements_text(h::jsonb))
			FROM unnest($2::bigint[], $3::boolean[], $4::text[]) AS t(v, d, h)`, docID, ids, dev, hashes)
		counts["locked"] = int64(len(ids))
	}
	seen := map[int]bool{}
	for _, r := range rec.Results {
		if seen[r.Number] {
			return Errorf(CodeInvalid, "result %d is given twice", r.Number)
		}
		seen[r.Number] = true
		var envID, hwID *int64
		if r.Environment != nil {
			id := envIDs[r.Environment.Normalized()]
			envID = &id
		}
		if r.Hardware != nil {
			id := hwIDs[r.Hardware.fingerprint()]
			hwID = &id
		}
		usage, runtime := r.Usage, r.Runtime
		if usage == nil {
			usage = json.RawMessage("{}")
		}
		if runtime == nil {
			runtime = json.RawMessage("{}")
		}
		b.Queue(`INSERT INTO inspection_result (document_id, number, exit_code, started_at, ended_at, hostname,
				script_sha256, usage, environment_id, runtime_environment, hardware_id)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), $8, $9, $10, $11)`,
			docID, r.Number, r.ExitCode, r.Started, r.Ended, r.Hostname, r.Script, usage, envID, runtime, hwID)
		counts["results"]++
		if pi := r.Indicator; pi != nil {
			b.Queue(`INSERT INTO performance_indicator (document_id, number, name, component, parameters, result, elapsed, rate)
				VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8)`,
				docID, r.Number, pi.Name, pi.Component, pi.Parameters, pi.Result, pi.Elapsed, pi.Rate)
			counts["performance_indicators"]++
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write inspection: %w", err)
	}
	return nil
}

func jsonOrNil(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return raw
}

// upsertLocked makes the package, index and version nodes of a lock and
// returns its entries by version id. Versions new to the graph are matched
// against the vulnerability records naming their packages.
func upsertLocked(ctx context.Context, tx pgx.Tx, locked []LockedEntry, counts Counts) (map[int64]LockedEntry, error) {
	if len(locked) == 0 {
		return nil, nil
	}
	pkgSet, indexSet := map[string]bool{}, map[string]bool{}
	verSet := map[versionKey]bool{}
	texts := map[versionKey]string{}
	keys := make([]versionKey, len(locked))
	for i, l := range locked {
		v := strings.TrimSpace(l.Version)
		if n, ok := python.NormalizeVersion(v); ok {
			v = n
		}
		k := versionKey{name: python.NormalizeName(l.Name), version: v}
		if l.IndexURL != "" {
			k.index = python.NormalizeIndexURL(l.IndexURL)
			indexSet[k.index] = true
		}
		if t := strings.TrimSpace(l.Version); t != v {
			texts[k] = t
		}
		pkgSet[k.name], verSet[k], keys[i] = true, true, k
	}
	indexIDs, pkgIDs := map[string]int64{}, map[string]int64{}
	urls, names := sortedKeys(indexSet), sortedKeys(pkgSet)
	b := &pgx.Batch{}
	// An index first seen in a document is created disabled, as solver
	// documents create it.
	b.Queue(`INSERT INTO package_index (url, enabled) SELECT u, false FROM unnest($1::text[]) AS u ORDER BY u
		ON CONFLICT (url) DO NOTHING`, urls)
	b.Queue(`SELECT url, id FROM package_index WHERE url = ANY($1)`, urls).Query(collectIDs(indexIDs))
	b.Queue(`INSERT INTO package (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n
		ON CONFLICT (name) DO NOTHING`, names)
	b.Queue(`SELECT name, id FROM package WHERE name = ANY($1)`, names).Query(collectIDs(pkgIDs))
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("upsert lock nodes: %w", err)
	}
	verIDs, err := upsertVersions(ctx, tx, verSet, texts, pkgIDs, indexIDs)
	if err != nil {
		return nil, err
	}
	counts["versions"] = int64(len(verIDs))
	if err := matchArrivals(ctx, tx, verIDs, counts); err != nil {
		return nil, err
	}
	out := make(map[int64]LockedEntry, len(locked))
	for i, l := range locked {
		out[verIDs[keys[i]]] = l
	}
	return out, nil
}

// upsertRunNodes makes the environment and hardware nodes of the results
// and returns their ids by normalised environment and by fingerprint.
func upsertRunNodes(ctx context.Context, tx pgx.Tx, runs []InspectionRun) (map[EnvironmentKey]int64, map[string]int64, error) {
	envs := map[EnvironmentKey]bool{}
	hws := map[string]*HardwareSpec{}
	for _, r := range runs {
		if r.Environment != nil {
			envs[r.Environment.Normalized()] = true
		}
		if r.Hardware != nil {
			hws[r.Hardware.fingerprint()] = r.Hardware
		}
	}
	envIDs := make(map[EnvironmentKey]int64, len(envs))
	hwIDs := make(map[string]int64, len(hws))
	b := &pgx.Batch{}
	envList := make([]EnvironmentKey, 0, len(envs))
	for e := range envs {
		envList = append(envList, e)
	}
	sort.Slice(envList, func(i, j int) bool {
		a, c := envList[i], envList[j]
		return a.OSName+"\x00"+a.OSVersion+"\x00"+a.PythonVersion < c.OSName+"\x00"+c.OSVersion+"\x00"+c.PythonVersion
	})
	for _, e := range envList {
		b.Queue(`INSERT INTO environment (os_name, os_version, python_version) VALUES ($1, $2, $3)
			ON CONFLICT ON CONSTRAINT environment_key DO NOTHING`, e.OSName, e.OSVersion, e.PythonVersion)
		b.Queue(`SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3`,
			e.OSName, e.OSVersion, e.PythonVersion).QueryRow(func(row pgx.Row) error {
			var id int64
			err := row.Scan(&id)
			envIDs[e] = id
			return err
		})
	}
	fps := make([]string, 0, len(hws))
	for fp := range hws {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		h := hws[fp]
		flags := h.Flags
		if flags == nil {
			flags = []string{}
		}
		b.Queue(`INSERT INTO hardware (fingerprint, cpu_brand, cpu_vendor, cpu_family, cpu_model, cpu_cores, cpu_flags,
				l1_data_cache, l1_instruction_cache, l2_cache, l3_cache, gpu, ram_size)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (fingerprint) DO NOTHING`,
			fp, h.CPUBrand, h.CPUVendor, h.CPUFamily, h.CPUModel, h.CPUCores, flags,
			h.L1Data, h.L1Instruction, h.L2, h.L3, jsonOrNil(h.GPU), h.RAMSize)
	}
	if len(fps) > 0 {
		b.Queue(`SELECT fingerprint, id FROM hardware WHERE fingerprint = ANY($1)`, fps).Query(collectIDs(hwIDs))
	}
	if b.Len() == 0 {
		return envIDs, hwIDs, nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, fmt.Errorf("upsert inspection nodes: %w", err)
	}
	return envIDs, hwIDs, nil
}
