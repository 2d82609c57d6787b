package persistence

import (
	"context"
	"time"
)

const adviserRunColumns = `document_id, analyzer, analyzer_version, run_at, duration, deployment, origin, source_type,
	recommendation_type, requirements_format, count, "limit", limit_latest_versions, error, error_message,
	re_run_of, is_s2i, debug, has_report, stack_info, environment_name, os_name, os_version, python_version,
	cuda_version, platform, runtime_environment, cpu_family, cpu_model, cpu_cores, cpu_model_name, gpu_model,
	ram_size, hardware`

// AdviserRunsByID returns the adviser runs with these document ids; ids
// without one are absent. One statement.
func (s *Store) AdviserRunsByID(ctx context.Context, ids []string) (map[string]AdviserRun, error) {
	rows, err := collect[AdviserRun](ctx, s, `SELECT `+adviserRunColumns+` FROM adviser_run WHERE document_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]AdviserRun, len(rows))
	for _, r := range rows {
		out[r.DocumentID] = r
	}
	return out, nil
}

// AdviserRun returns the adviser run of a document; NOT_FOUND when there is none.
func (s *Store) AdviserRun(ctx context.Context, id string) (*AdviserRun, error) {
	runs, err := s.AdviserRunsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	r, ok := runs[id]
	if !ok {
		return nil, Errorf(CodeNotFound, "adviser run %q not found", id)
	}
	return &r, nil
}

// AdviserRunFilter selects adviser runs: each field that is set must match
// (From inclusive, To exclusive, on the run's datetime).
type AdviserRunFilter struct {
	SourceType string
	Origin     string
	From, To   *time.Time
}

// AdviserRuns returns a page of the adviser runs f selects, by document id.
// INVALID for a negative page size or a bad cursor.
func (s *Store) AdviserRuns(ctx context.Context, f AdviserRunFilter, page Page) (Connection[AdviserRun], error) {
	return keysetPage(ctx, s, adviserRunList, page, f.SourceType, f.Origin, f.From, f.To)
}

const adviserRunWhere = ` WHERE ($1 = '' OR source_type = $1) AND ($2 = '' OR origin = $2)
	AND ($3::timestamptz IS NULL OR run_at >= $3) AND ($4::timestamptz IS NULL OR run_at < $4)`

var adviserRunList = keyset[AdviserRun]{
	kind:  "adviser-run",
	key:   func(r AdviserRun) string { return r.DocumentID },
	start: "",
	list:  `SELECT ` + adviserRunColumns + ` FROM adviser_run` + adviserRunWhere,
	next:  `SELECT * FROM m WHERE document_id COLLATE "C" > $5 ORDER BY document_id COLLATE "C" LIMIT $6 + 1`,
}

// SourceTypeCount is how many runs came from one source type ("" for runs
// that state none).
type SourceTypeCount struct {
	SourceType string `db:"source_type"`
	Count      int    `db:"count"`
}

// AdviserRunCounts counts the adviser runs f selects, f.SourceType aside,
// per source type, by source type. One statement.
func (s *Store) AdviserRunCounts(ctx context.Context, f AdviserRunFilter) ([]SourceTypeCount, error) {
	return collect[SourceTypeCount](ctx, s, `
		SELECT coalesce(source_type, '') AS source_type, count(*)::int AS count
		FROM adviser_run`+adviserRunWhere+`
		GROUP BY 1 ORDER BY 1`, "", f.Origin, f.From, f.To)
}

// StackRequirements returns the requirements of each stack, by develop and
// name; stacks without any are absent. One statement.
func (s *Store) StackRequirements(ctx context.Context, keys []StackKey) (map[StackKey][]StackRequirement, error) {
	docs, stacks := stackColumns(keys)
	rows, err := collect[StackRequirement](ctx, s, `
		SELECT r.document_id, r.stack, r.develop, r.package_name, r.specifier, r.index_url, r.markers
		FROM unnest($1::text[], $2::smallint[]) AS k(d, s)
		JOIN stack_requirement r ON r.document_id = k.d AND r.stack = k.s
		ORDER BY r.document_id, r.stack, r.develop, r.package_name`, docs, stacks)
	if err != nil {
		return nil, err
	}
	out := map[StackKey][]StackRequirement{}
	for _, r := range rows {
		k := StackKey{r.DocumentID, r.Stack}
		out[k] = append(out[k], r)
	}
	return out, nil
}

// StackPackages returns the locked packages of each stack, by develop and
// name; stacks without any are absent. One statement.
func (s *Store) StackPackages(ctx context.Context, keys []StackKey) (map[StackKey][]StackPackage, error) {
	docs, stacks := stackColumns(keys)
	rows, err := collect[StackPackage](ctx, s, `
		SELECT p.document_id, p.stack, p.develop, p.package_name, p.version, p.version_text, p.index_url, p.hashes, p.markers
		FROM unnest($1::text[], $2::smallint[]) AS k(d, s)
		JOIN stack_package p ON p.document_id = k.d AND p.stack = k.s
		ORDER BY p.document_id, p.stack, p.develop, p.package_name`, docs, stacks)
	if err != nil {
		return nil, err
	}
	out := map[StackKey][]StackPackage{}
	for _, r := range rows {
		k := StackKey{r.DocumentID, r.Stack}
		out[k] = append(out[k], r)
	}
	return out, nil
}

func stackColumns(keys []StackKey) (docs []string, stacks []int16) {
	docs, stacks = make([]string, len(keys)), make([]int16, len(keys))
	for i, k := range keys {
		docs[i], stacks[i] = k.DocumentID, int16(k.Stack)
	}
	return docs, stacks
}

// LockedVersionKey names the version node a locked package pins: its name,
// version and index URL ("" when the lock names no index).
type LockedVersionKey struct {
	Name, Version, IndexURL string
}

// LockedVersionKeyOf is the key of p's version node; ok is false for a
// package locked without a version.
func LockedVersionKeyOf(p StackPackage) (LockedVersionKey, bool) {
	if p.Version == nil {
		return LockedVersionKey{}, false
	}
	k := LockedVersionKey{Name: p.PackageName, Version: *p.Version}
	if p.IndexURL != nil {
		k.IndexURL = *p.IndexURL
	}
	return k, true
}

// LockedVersions returns the version node of each key: the package version
// of that name and version on that index, or, for a key without an index,
// the one with the smallest id on any index. Keys the graph does not know
// are absent. One statement.
func (s *Store) LockedVersions(ctx context.Context, keys []LockedVersionKey) (map[LockedVersionKey]PackageVersion, error) {
	names, versions, urls := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		names[i], versions[i], urls[i] = k.Name, k.Version, k.IndexURL
	}
	type row struct {
		Key int `db:"k"`
		PackageVersion
	}
	rows, err := collect[row](ctx, s, `
		SELECT DISTINCT ON (k.ord) k.ord::int AS k, `+versionColumns+`
		FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(name, version, url, ord)
		JOIN package p ON p.name = k.name
		JOIN package_version pv ON pv.package_id = p.id AND pv.version = k.version
		LEFT JOIN package_index ix ON ix.id = pv.index_id
		WHERE k.url = '' OR ix.url = k.url
		ORDER BY k.ord, pv.id`, names, versions, urls)
	if err != nil {
		return nil, err
	}
	out := make(map[LockedVersionKey]PackageVersion, len(rows))
	for _, r := range rows {
		out[keys[r.Key-1]] = r.PackageVersion
	}
	return out, nil
}

// AdviserProducts returns the products of each adviser run, by number. One
// statement.
func (s *Store) AdviserProducts(ctx context.Context, ids []string) (map[string][]AdviserProduct, error) {
	rows, err := collect[AdviserProduct](ctx, s, `
		SELECT document_id, number, score, performance_score, justification, advised_runtime_environment, advised_manifest_changes
		FROM adviser_product WHERE document_id = ANY($1) ORDER BY document_id, number`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]AdviserProduct{}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r)
	}
	return out, nil
}

// AdviserUnresolved returns the packages each adviser run could not
// resolve, by name. One statement.
func (s *Store) AdviserUnresolved(ctx context.Context, ids []string) (map[string][]string, error) {
	type row struct {
		DocumentID  string `db:"document_id"`
		PackageName string `db:"package_name"`
	}
	rows, err := collect[row](ctx, s, `
		SELECT document_id, package_name FROM adviser_unresolved
		WHERE document_id = ANY($1) ORDER BY document_id, package_name`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.PackageName)
	}
	return out, nil
}

// UnresolvedRun is an adviser run that waits for packages to be solved
// before it is run again.
type UnresolvedRun struct {
	DocumentID string   `db:"document_id"`
	Packages   []string `db:"packages"`
}

// UnresolvedFromAdviserRuns returns, as Thoth's
// get_unsolved_python_packages_all_per_adviser_run did, the adviser runs of
// a source type that could not resolve some packages, are not themselves
// re-runs, and have no re-run with a report that resolved everything; each
// with the packages it could not resolve, by name. By document id. One
// statement.
func (s *Store) UnresolvedFromAdviserRuns(ctx context.Context, sourceType string) ([]UnresolvedRun, error) {
	return collect[UnresolvedRun](ctx, s, `
		SELECT r.document_id, array_agg(u.package_name ORDER BY u.package_name) AS packages
		FROM adviser_run r JOIN adviser_unresolved u ON u.document_id = r.document_id
		WHERE r.source_type = $1 AND r.re_run_of IS NULL
		  AND NOT EXISTS (
			SELECT 1 FROM adviser_run rr
			WHERE rr.re_run_of = r.document_id AND rr.has_report
			  AND NOT EXISTS (SELECT 1 FROM adviser_unresolved ru WHERE ru.document_id = rr.document_id))
		GROUP BY r.document_id
		ORDER BY r.document_id COLLATE "C"`, sourceType)
}

const provenanceCheckColumns = `document_id, analyzer, analyzer_version, checked_at, duration, deployment, origin,
	error, error_message, debug, whitelisted_indexes`

// ProvenanceCheck returns the provenance check of a document; NOT_FOUND
// when there is none.
func (s *Store) ProvenanceCheck(ctx context.Context, id string) (*ProvenanceCheck, error) {
	rows, err := collect[ProvenanceCheck](ctx, s, `SELECT `+provenanceCheckColumns+` FROM provenance_check WHERE document_id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, Errorf(CodeNotFound, "provenance check %q not found", id)
	}
	return &rows[0], nil
}

// ProvenanceChecks returns a page of every provenance check, by document id.
// INVALID for a negative page size or a bad cursor.
func (s *Store) ProvenanceChecks(ctx context.Context, page Page) (Connection[ProvenanceCheck], error) {
	return keysetPage(ctx, s, provenanceCheckList, page)
}

var provenanceCheckList = keyset[ProvenanceCheck]{
	kind:  "provenance-check",
	key:   func(c ProvenanceCheck) string { return c.DocumentID },
	start: "",
	list:  `SELECT ` + provenanceCheckColumns + ` FROM provenance_check`,
	next:  `SELECT * FROM m WHERE document_id COLLATE "C" > $1 ORDER BY document_id COLLATE "C" LIMIT $2 + 1`,
}

// ProvenanceFindings returns the report entries of each check, in report
// order. One statement.
func (s *Store) ProvenanceFindings(ctx context.Context, ids []string) (map[string][]ProvenanceFinding, error) {
	rows, err := collect[ProvenanceFinding](ctx, s, `
		SELECT document_id, number, type, code, justification, package_name, package_version, index_url, digest, data
		FROM provenance_finding WHERE document_id = ANY($1) ORDER BY document_id, number`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]ProvenanceFinding{}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r)
	}
	return out, nil
}
