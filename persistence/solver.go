package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SolverResult is one parsed solver document, ready to be written.
// Names must already be PEP 503 normalised.
type SolverResult struct {
	SolverName    string
	SolverVersion string
	Environment   EnvironmentKey
	SolvedAt      time.Time
	Duration      float64
	// Platform is the platform the solver ran on ("linux-x86_64"); "" when
	// the document does not say.
	Platform string
	Entries  []SolvedEntry
	Problems []ProblemEntry
}

// SolvedEntry is one package version of the solver's tree (or one solver
// error for a known version, with Error set and no dependencies).
type SolvedEntry struct {
	Name             string
	Version          string
	IndexURL         string // "" when unknown
	Error            bool
	ErrorUnparseable bool
	ErrorUnsolvable  bool
	ErrorDetails     json.RawMessage
	// Missing says the document shows the index no longer serves the
	// version (an error entry only); the version is marked IsMissing.
	Missing      bool
	Metadata     *MetadataEntry
	Artifacts    []ArtifactEntry
	Dependencies []DependencyEntry
}

// MetadataEntry is the core metadata of a solved version, the license
// the license solver detected for it and the packages it provides.
type MetadataEntry struct {
	Summary, License, RequiresPython *string
	Classifiers                      []string
	Author, AuthorEmail, HomePage    *string
	RequiresDist                     []string
	ProvidesExtra                    []string
	Platforms                        []string
	ProjectURLs                      []ProjectURL
	PackageLicense                   *LicenseEntry
	// ImportNames are the packages the version's files provide, by import
	// name ("yaml", "dask.array").
	ImportNames []string
}

// ProjectURL is one Project-URL of core metadata ("Source, https://...").
type ProjectURL struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// LicenseEntry is the license solver's verdict on a version: the license
// (its full name, SPDX identifier and version, each nil when unknown) and
// whether it warned (the license could not be told for sure).
type LicenseEntry struct {
	Name, Identifier, Version *string
	Warning                   *bool
}

// ArtifactEntry is one distribution file of a version and its digest.
type ArtifactEntry struct{ Name, SHA256 string }

// DependencyEntry is one requirement of a solved version.
type DependencyEntry struct {
	Name                   string
	VersionRange           string
	Marker                 *string
	Extra                  *string
	Extras                 []string
	MarkerEvaluationResult *bool
	Resolved               []ResolvedEntry
}

// ResolvedEntry lists the versions a requirement resolves to on one index.
type ResolvedEntry struct {
	IndexURL string
	Versions []string
}

// ProblemEntry is a solver error without a version, or an unparsed or
// unresolved requirement.
type ProblemEntry struct {
	Kind        string // error | unparsed | unresolved
	PackageName string
	Version     string
	IndexURL    string
	Details     json.RawMessage
}

// DocumentRef identifies a document being ingested.
type DocumentRef struct {
	ID        string
	Kind      string
	ObjectKey string
	SHA256    string
}

// Counts are the facts one document wrote, by kind.
type Counts map[string]int64

// IngestOutcome says what IngestSolverResult did.
type IngestOutcome struct {
	Status DocumentStatus // INGESTED, or SKIPPED when already ingested with the same SHA256
	Counts Counts         // facts written; for SKIPPED, those of the earlier ingestion
	// Busy says the document was SKIPPED because another transaction was
	// ingesting it (IngestSolverResultNoWait only); Counts is empty then.
	Busy bool
}

// IngestSolverResult writes the graph facts of one solver document in one
// transaction and marks the document INGESTED. A document already ingested
// with the same SHA256 is SKIPPED unless force; otherwise its previous facts
// are replaced, never added to. Per (version, environment) the newest solver
// run wins. Upserts go in key order so concurrent documents cannot deadlock;
// a deadlock or serialization failure is retried by WithTx. A document that
// another transaction is ingesting is waited for.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the database is unreachable.
func (s *Store) IngestSolverResult(ctx context.Context, doc DocumentRef, res *SolverResult, force bool) (IngestOutcome, error) {
	return s.ingestSolverResult(ctx, doc, res, force, true)
}

// IngestSolverResultNoWait is IngestSolverResult for syncs that share a
// backlog: a document another transaction is ingesting at that moment is
// not waited for but SKIPPED with Busy set (that transaction writes it, or
// records its failure for the next sync).
func (s *Store) IngestSolverResultNoWait(ctx context.Context, doc DocumentRef, res *SolverResult, force bool) (IngestOutcome, error) {
	return s.ingestSolverResult(ctx, doc, res, force, false)
}

func (s *Store) ingestSolverResult(ctx context.Context, doc DocumentRef, res *SolverResult, force, wait bool) (IngestOutcome, error) {
	var ids *nodeIDs
	out, err := s.ingestDocumentKeyed(ctx, doc, force, wait, solverFacts, func(tx pgx.Tx, counts Counts) ([]GenerationKey, error) {
		// Each try of the transaction starts afresh.
		ids = &nodeIDs{indexes: map[string]int64{}, packages: map[string]int64{}, versions: map[versionKey]int64{}}
		var keys []GenerationKey
		err := writeSolverResult(ctx, tx, doc.ID, res, s.nodes, s.edgeIDs, ids, counts, &keys)
		return keys, err
	})
	if err == nil && out.Status == StatusIngested {
		// Committed: the ids the transaction read and wrote hold.
		s.nodes.add(ids, res.Environment, [2]string{res.SolverName, res.SolverVersion})
	}
	return out, err
}

// solverFacts are the tables holding a solver document's facts, by
// document_id (edges and resolved versions go with their solved rows).
var solverFacts = []string{"solved", "depends_on", "solver_problem", "package_metadata", "artifact", "import_name"}

// ingestDocument is every document kind's transaction: it claims the
// document (waiting for another transaction's claim when wait, else
// SKIPPED with Busy), skips it when it was ingested with the same SHA256
// and not force, removes its earlier facts (the rows of the tables facts
// names with its document_id) when it is re-ingested, lets
// write add the new ones (counting what it writes in counts), and marks the
// document INGESTED with those counts — all in one transaction, so a
// document that fails leaves nothing behind.
func (s *Store) ingestDocument(ctx context.Context, doc DocumentRef, force, wait bool, facts []string, write func(tx pgx.Tx, counts Counts) error) (IngestOutcome, error) {
	return s.ingestDocumentKeyed(ctx, doc, force, wait, facts, func(tx pgx.Tx, counts Counts) ([]GenerationKey, error) {
		return nil, write(tx, counts)
	})
}

// ingestDocumentKeyed is ingestDocument for a write that knows the
// generations its facts reach: when it returns keys (non-nil), those are
// bumped, without documentKeysSQL's read of the facts back; nil keys
// leave it to documentKeysSQL.
func (s *Store) ingestDocumentKeyed(ctx context.Context, doc DocumentRef, force, wait bool, facts []string, write func(tx pgx.Tx, counts Counts) ([]GenerationKey, error)) (IngestOutcome, error) {
	var out IngestOutcome
	err := s.withPipelinedTx(ctx, func(tx pgx.Tx) error {
		out = IngestOutcome{Counts: Counts{}}
		claimed, skip, err := beginDocument(ctx, tx, doc, force, wait, facts)
		if err != nil {
			return err
		}
		if !claimed {
			out = IngestOutcome{Status: StatusSkipped, Counts: Counts{}, Busy: true}
			return nil
		}
		if skip != nil {
			out = IngestOutcome{Status: StatusSkipped, Counts: skip}
			return nil
		}
		keys, err := write(tx, out.Counts)
		if err != nil {
			return err
		}
		out.Status = StatusIngested
		// The generations the new facts reach are bumped, the document
		// marked INGESTED and the transaction committed, in one round trip.
		b := &pgx.Batch{}
		if keys != nil {
			queueGenerations(b, keys)
		} else {
			queueDocumentGenerations(b, []string{doc.ID})
		}
		if err := queueFinishDocument(b, doc.ID, out.Counts); err != nil {
			return err
		}
		b.Queue(commitSQL)
		return tx.SendBatch(ctx, b).Close()
	})
	return out, err
}

// claimDocumentSQL takes the transaction's claim on document $1 and locks
// its row, creating it (PENDING, first attempt) when there is none, in one
// statement; it returns the row's status, SHA-256 and counts and whether it
// was just inserted (xmax 0). The claim is an advisory lock on a 64-bit hash
// of the id, not the row lock, so that a document whose row another
// transaction is creating is covered too. It is the transaction's first
// lock, so waiting for it cannot close a deadlock cycle. %s is the claim,
// a query of one row whose ok says the claim is taken: claimWaitSQL waits
// for another transaction's claim; claimNoWaitSQL does not, and then the
// statement returns no row.
// A row another transaction committed while the claim waited is still
// found: ON CONFLICT DO UPDATE locks and returns the row's latest version,
// whatever the statement's snapshot.
const claimDocumentSQL = `
	WITH claim AS (%s)
	INSERT INTO document AS d (id, kind, object_key, sha256, status, attempts)
	SELECT $1, $2, NULLIF($3, ''), NULLIF($4, ''), 'PENDING', 1 FROM claim WHERE claim.ok
	ON CONFLICT (id) DO UPDATE SET updated_at = now()
	RETURNING d.status, d.sha256, d.counts, d.xmax = 0`

var (
	claimWaitSQL   = fmt.Sprintf(claimDocumentSQL, `SELECT true AS ok FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l`)
	claimNoWaitSQL = fmt.Sprintf(claimDocumentSQL, `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok`)
)

// beginDocument claims the document and locks its row, creating it
// (claimDocumentSQL), then decides: claimed is false when another
// transaction holds the claim and wait is false; when it returns the counts
// of the earlier ingestion (never nil then), the document is skipped.
// Otherwise it removes the document's previous facts, for it is
// re-ingested; a document seen for the first time (its row just inserted,
// with its first attempt counted) has none to remove.
func beginDocument(ctx context.Context, tx pgx.Tx, doc DocumentRef, force, wait bool, facts []string) (claimed bool, skip Counts, err error) {
	var status DocumentStatus
	var sha *string
	var counts Counts
	var inserted bool
	query := claimNoWaitSQL
	if wait {
		query = claimWaitSQL
	}
	// A batch of its own: the transaction's BEGIN goes with it.
	b := &pgx.Batch{}
	b.Queue(query, doc.ID, doc.Kind, doc.ObjectKey, doc.SHA256).QueryRow(func(row pgx.Row) error {
		return row.Scan(&status, &sha, &counts, &inserted)
	})
	err = tx.SendBatch(ctx, b).Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	if !force && status == StatusIngested && sha != nil && *sha == doc.SHA256 {
		if counts == nil {
			counts = Counts{}
		}
		return true, counts, nil
	}
	if inserted {
		return true, nil, nil
	}
	// The generations of the facts it replaces are bumped, the facts
	// removed and the attempt counted, in one round trip.
	b = &pgx.Batch{}
	queueDocumentGenerations(b, []string{doc.ID})
	queueDeleteDocumentFacts(b, doc.ID, facts)
	b.Queue(`
		UPDATE document SET kind = $2, object_key = NULLIF($3, ''), sha256 = NULLIF($4, ''),
			attempts = attempts + 1, updated_at = now()
		WHERE id = $1`, doc.ID, doc.Kind, doc.ObjectKey, doc.SHA256)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return true, nil, fmt.Errorf("replace the document's facts: %w", err)
	}
	return true, nil, nil
}

const finishDocumentSQL = `
	UPDATE document SET status = 'INGESTED', error = NULL, error_code = NULL,
		counts = $2, ingested_at = now(), updated_at = now()
	WHERE id = $1`

func finishDocument(ctx context.Context, tx pgx.Tx, id string, counts Counts) error {
	raw, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, finishDocumentSQL, id, raw)
	return err
}

// queueFinishDocument is finishDocument queued on b.
func queueFinishDocument(b *pgx.Batch, id string, counts Counts) error {
	raw, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	b.Queue(finishDocumentSQL, id, raw)
	return nil
}

// queueDeleteDocumentFacts queues on b the removal of every fact a
// document wrote to the tables facts names, in one statement. Nodes — packages, versions, indexes,
// environments — are shared and stay.
func queueDeleteDocumentFacts(b *pgx.Batch, id string, facts []string) {
	if len(facts) == 0 {
		return
	}
	parts := make([]string, len(facts))
	for i, table := range facts {
		parts[i] = fmt.Sprintf("d%d AS (DELETE FROM %s WHERE document_id = $1)", i, pgx.Identifier{table}.Sanitize())
	}
	b.Queue("WITH "+strings.Join(parts, ", ")+" SELECT 1", id)
}

type versionKey struct {
	name, version, index string
}

// The generations the facts reach go to *keys (documentKeysSQL's, known
// here): the package of each solved row the document owns, in its
// environment; its edges and what they resolve to are those rows'.
func writeSolverResult(ctx context.Context, tx pgx.Tx, docID string, res *SolverResult, cache *nodeCache, edges *idBlock, ids *nodeIDs, counts Counts, keys *[]GenerationKey) error {
	// Versions and index URLs in their stored forms; texts keeps the
	// spellings that differed, for display.
	res, texts := normalResult(res)
	entries := dedupeEntries(res.Entries)

	// Nodes: indexes, packages, versions, in key order.
	indexSet := map[string]bool{}
	pkgSet := map[string]bool{}
	verSet := map[versionKey]bool{}
	for _, e := range entries {
		pkgSet[e.Name] = true
		verSet[versionKey{e.Name, e.Version, e.IndexURL}] = true
		if e.IndexURL != "" {
			indexSet[e.IndexURL] = true
		}
		for _, d := range e.Dependencies {
			pkgSet[d.Name] = true
			for _, r := range d.Resolved {
				if r.IndexURL != "" {
					indexSet[r.IndexURL] = true
				}
				for _, v := range r.Versions {
					verSet[versionKey{d.Name, v, r.IndexURL}] = true
				}
			}
		}
	}
	// The nodes the cache does not know are upserted and read, the
	// indexes, packages, environment and solver in one round trip, the
	// versions in another; a document whose nodes are all known (nearly
	// every one, once a sync is under way) writes none.
	names := sortedKeys(pkgSet)
	missURLs, missNames, missEnv, missSolver, missVersions := cache.lookup(ids, sortedKeys(indexSet), names,
		res.Environment, [2]string{res.SolverName, res.SolverVersion}, verSet)
	if len(missURLs) > 0 || len(missNames) > 0 || missEnv || missSolver {
		if err := upsertNodes(ctx, tx, ids, missURLs, missNames, missEnv, missSolver, res); err != nil {
			return err
		}
	}
	if len(missVersions) > 0 {
		verIDs, err := upsertVersions(ctx, tx, missVersions, texts, ids.packages, ids.indexes)
		if err != nil {
			return err
		}
		for k, id := range verIDs {
			ids.versions[k] = id
		}
	}
	verIDs, envID, solverID, pkgIDs := ids.versions, ids.environment, ids.solver, ids.packages
	counts["versions"] = int64(len(verIDs))

	// Solved rows, sorted by version id; the newest run per (version,
	// environment) wins, and only rows this document owns get its edges.
	sort.Slice(entries, func(i, j int) bool {
		return verIDs[keyOf(entries[i])] < verIDs[keyOf(entries[j])]
	})
	n := len(entries)
	vids := make([]int64, n)
	errs := make([]bool, n)
	unparse := make([]bool, n)
	unsolv := make([]bool, n)
	details := make([]*string, n)
	maxEdges := 0
	for i, e := range entries {
		vids[i] = verIDs[keyOf(e)]
		errs[i], unparse[i], unsolv[i] = e.Error, e.ErrorUnparseable, e.ErrorUnsolvable
		if len(e.ErrorDetails) > 0 {
			d := string(e.ErrorDetails)
			details[i] = &d
		}
		maxEdges += len(e.Dependencies)
	}
	// One round trip: the vulnerability records and solver rules naming
	// the packages, which the versions (new ones and known ones) are
	// matched against; the solved rows. The ids for every edge the
	// document could write (only owned rows' edges are; the others' ids
	// stay unused) come from the store's block, fetched with this round
	// trip when it runs short.
	var arr arrivals
	owned := map[int64]int64{} // version id -> solved id
	var takenOver []int64      // solved ids that existed before
	b := &pgx.Batch{}
	queueArrivals(b, names, &arr)
	b.Queue(`
		INSERT INTO solved AS s (version_id, environment_id, solver_id, document_id, solved_at, duration,
			error, error_unparseable, error_unsolvable, error_details, platform)
		SELECT v, $2, $3, $4, $5, $6, e, u, us, d::jsonb, NULLIF($11, '')
		FROM unnest($1::bigint[], $7::bool[], $8::bool[], $9::bool[], $10::text[]) AS t(v, e, u, us, d)
		ORDER BY v
		ON CONFLICT (version_id, environment_id) DO UPDATE SET
			solver_id = excluded.solver_id, document_id = excluded.document_id,
			solved_at = excluded.solved_at, duration = excluded.duration, error = excluded.error,
			error_unparseable = excluded.error_unparseable, error_unsolvable = excluded.error_unsolvable,
			error_details = excluded.error_details, platform = excluded.platform
		WHERE (excluded.solved_at, excluded.document_id) >= (s.solved_at, s.document_id)
		RETURNING id, version_id, xmax = 0`,
		vids, envID, solverID, docID, res.SolvedAt, res.Duration, errs, unparse, unsolv, details, res.Platform).Query(func(rows pgx.Rows) error {
		var solvedID, versionID int64
		var inserted bool
		_, err := pgx.ForEachRow(rows, []any{&solvedID, &versionID, &inserted}, func() error {
			owned[versionID] = solvedID
			if !inserted {
				takenOver = append(takenOver, solvedID)
			}
			return nil
		})
		return err
	})
	edges.queueFill(b, maxEdges)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("upsert solved: %w", err)
	}
	edgeIDs, err := edges.take(ctx, tx, maxEdges)
	if err != nil {
		return fmt.Errorf("edge ids: %w", err)
	}
	counts["solved"] = int64(len(owned))
	*keys = make([]GenerationKey, 0, len(owned))
	for i, e := range entries {
		if _, ok := owned[vids[i]]; ok {
			*keys = append(*keys, GenerationKey{EnvironmentID: envID, PackageID: pkgIDs[e.Name]})
		}
	}

	// One round trip: the rows of the versions' matches; the edges of rows
	// taken over from an older run go (new rows have none); the owned
	// rows' edges, the versions they resolve to, metadata, licenses,
	// import names and artifacts; the problems and the versions the index
	// no longer serves (whose generations are bumped with them, late).
	b = &pgx.Batch{}
	b.Queue(genericPlans)
	queueArrivalMatches(b, &arr, verIDs, counts)
	if len(takenOver) > 0 {
		sort.Slice(takenOver, func(i, j int) bool { return takenOver[i] < takenOver[j] })
		b.Queue(`DELETE FROM depends_on WHERE solved_id = ANY($1)`, takenOver)
	}
	if err := queueEdges(b, docID, envID, entries, owned, verIDs, pkgIDs, edgeIDs, counts); err != nil {
		return err
	}
	if err := queueMetadata(b, docID, entries, owned, verIDs, counts); err != nil {
		return err
	}
	// The plan setting goes back only for the problems and the missing
	// versions (whose generations' statement needs plans of its own);
	// what follows in the transaction's last round trip (the bump of
	// its keys, its document's row) serves as well with generic plans,
	// and SET LOCAL ends with the transaction.
	if len(res.Problems) > 0 || slices.ContainsFunc(entries, func(e SolvedEntry) bool { return e.Missing }) {
		b.Queue(defaultPlans)
		queueProblems(b, docID, envID, res.Problems, counts)
		queueMissing(b, entries, verIDs, counts)
	}
	return tx.SendBatch(ctx, b).Close()
}

// genericPlans and defaultPlans bracket statements that PostgreSQL would
// otherwise plan again on every execution (a plan for the very parameters
// looks cheaper to it than the cached one), though a plan made once serves
// them as well: the metadata upsert with its seventeen arrays, the edge ids,
// the rows of a document's facts. LOCAL: the setting ends with the
// transaction at the latest.
const (
	genericPlans = `SET LOCAL plan_cache_mode = force_generic_plan`
	defaultPlans = `SET LOCAL plan_cache_mode TO DEFAULT`
)

func keyOf(e SolvedEntry) versionKey { return versionKey{e.Name, e.Version, e.IndexURL} }

// dedupeEntries keeps the first entry per version key.
func dedupeEntries(in []SolvedEntry) []SolvedEntry {
	seen := make(map[versionKey]bool, len(in))
	out := make([]SolvedEntry, 0, len(in))
	for _, e := range in {
		k := keyOf(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// upsertNodes inserts the package indexes urls and packages names, and the
// environment and solver of res when env and solver are set, unless they
// exist, and reads their ids into ids: one round trip, upserts in the same
// order for every document. The ids are read by a statement of its own
// after the inserts: an insert that conflicted with a concurrent
// transaction waited for it to commit, and only a new statement's snapshot
// sees that row (a SELECT in the same statement, as in a "WITH ins AS
// (INSERT ...) SELECT ... UNION ALL SELECT ..." upsert, does not, and finds
// nothing).
func upsertNodes(ctx context.Context, tx pgx.Tx, ids *nodeIDs, urls, names []string, env, solver bool, res *SolverResult) error {
	e := res.Environment
	b := &pgx.Batch{}
	// An index first seen in a document is created disabled (Thoth's
	// only_if_package_seen): its versions are not offered to solvers until
	// an admin enables it (registerPackageIndex).
	if len(urls) > 0 {
		b.Queue(`INSERT INTO package_index (url, enabled) SELECT u, false FROM unnest($1::text[]) AS u ORDER BY u
			ON CONFLICT (url) DO NOTHING`, urls)
	}
	if len(names) > 0 {
		b.Queue(`INSERT INTO package (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n
			ON CONFLICT (name) DO NOTHING`, names)
	}
	if env {
		b.Queue(`INSERT INTO environment (os_name, os_version, python_version) VALUES ($1, $2, $3)
			ON CONFLICT ON CONSTRAINT environment_key DO NOTHING`, e.OSName, e.OSVersion, e.PythonVersion)
	}
	if solver {
		b.Queue(`INSERT INTO solver (name, version) VALUES ($1, $2) ON CONFLICT (name, version) DO NOTHING`,
			res.SolverName, res.SolverVersion)
	}
	b.Queue(`
		SELECT 'i', url, id FROM package_index WHERE url = ANY($1)
		UNION ALL SELECT 'p', name, id FROM package WHERE name = ANY($2)
		UNION ALL SELECT 'e', '', id FROM environment WHERE $8 AND os_name = $3 AND os_version = $4 AND python_version = $5
		UNION ALL SELECT 's', '', id FROM solver WHERE $9 AND name = $6 AND version = $7`,
		urls, names, e.OSName, e.OSVersion, e.PythonVersion, res.SolverName, res.SolverVersion, env, solver).Query(func(rows pgx.Rows) error {
		var kind, key string
		var id int64
		_, err := pgx.ForEachRow(rows, []any{&kind, &key, &id}, func() error {
			switch kind {
			case "i":
				ids.indexes[key] = id
			case "p":
				ids.packages[key] = id
			case "e":
				ids.environment = id
			case "s":
				ids.solver = id
			}
			return nil
		})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("upsert nodes: %w", err)
	}
	return nil
}

// collectIDs reads (key, id) rows into into.
func collectIDs(into map[string]int64) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		var k string
		var id int64
		_, err := pgx.ForEachRow(rows, []any{&k, &id}, func() error {
			into[k] = id
			return nil
		})
		return err
	}
}

// upsertVersions inserts the versions of set unless they exist (a new one
// with its spelling from texts when it differs from the stored form) and
// reads their ids.
func upsertVersions(ctx context.Context, tx pgx.Tx, set map[versionKey]bool, texts map[versionKey]string, pkgIDs, indexIDs map[string]int64) (map[versionKey]int64, error) {
	type row struct {
		pkg     int64
		version string
		index   *int64
		text    *string
	}
	rowsIn := make([]row, 0, len(set))
	for k := range set {
		r := row{pkg: pkgIDs[k.name], version: k.version}
		if t, ok := texts[k]; ok {
			r.text = &t
		}
		if k.index != "" {
			id := indexIDs[k.index]
			r.index = &id
		}
		rowsIn = append(rowsIn, r)
	}
	sort.Slice(rowsIn, func(i, j int) bool {
		a, b := rowsIn[i], rowsIn[j]
		if a.pkg != b.pkg {
			return a.pkg < b.pkg
		}
		if a.version != b.version {
			return a.version < b.version
		}
		return idx(a.index) < idx(b.index)
	})
	pkgs := make([]int64, len(rowsIn))
	vers := make([]string, len(rowsIn))
	idxs := make([]*int64, len(rowsIn))
	txts := make([]*string, len(rowsIn))
	for i, r := range rowsIn {
		pkgs[i], vers[i], idxs[i], txts[i] = r.pkg, r.version, r.index, r.text
	}
	pkgNames := make(map[int64]string, len(pkgIDs))
	for name, id := range pkgIDs {
		pkgNames[id] = name
	}
	indexURLs := make(map[int64]string, len(indexIDs))
	for url, id := range indexIDs {
		indexURLs[id] = url
	}
	ids := make(map[versionKey]int64, len(rowsIn))
	// Insert, then read every id in a statement of its own (see upsertNodes),
	// in one round trip. Keys come back as ids and are mapped to names here:
	// joining package and package_index in the statement made PostgreSQL
	// scan package for every document.
	b := &pgx.Batch{}
	b.Queue(`
		INSERT INTO package_version (package_id, version, index_id, version_text)
		SELECT p, v, i, x FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS t(p, v, i, x)
		ORDER BY p, v, i
		ON CONFLICT ON CONSTRAINT package_version_key DO NOTHING`, pkgs, vers, idxs, txts)
	b.Queue(`
		SELECT pv.package_id, pv.version, pv.index_id, pv.id
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS t(p, v, i)
		JOIN package_version pv ON pv.package_id = t.p AND pv.version = t.v AND pv.index_id IS NOT DISTINCT FROM t.i`,
		pkgs, vers, idxs).Query(func(rows pgx.Rows) error {
		var pkg, id int64
		var version string
		var index *int64
		_, err := pgx.ForEachRow(rows, []any{&pkg, &version, &index, &id}, func() error {
			k := versionKey{name: pkgNames[pkg], version: version}
			if index != nil {
				k.index = indexURLs[*index]
			}
			ids[k] = id
			return nil
		})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("upsert versions: %w", err)
	}
	return ids, nil
}

func idx(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

type edgeKey struct {
	solved  int64
	pkg     int64
	vrange  string
	marker  string
	hasMark bool
	extra   string
	hasExt  bool
}

// queueEdges queues on b the inserts of the DEPENDS_ON edges of the owned
// solved rows and of the versions they resolve to, with ids taken from the
// sequence up front (ids: at least one per edge); the rows written go into
// counts when b runs.
func queueEdges(b *pgx.Batch, docID string, envID int64, entries []SolvedEntry,
	owned map[int64]int64, verIDs map[versionKey]int64, pkgIDs map[string]int64, ids []int64, counts Counts) error {
	type edge struct {
		key      edgeKey
		versionT int64
		d        *DependencyEntry
	}
	var edges []edge
	seen := map[edgeKey]bool{}
	for i := range entries {
		e := &entries[i]
		vid := verIDs[keyOf(*e)]
		sid, ok := owned[vid]
		if !ok {
			continue
		}
		for j := range e.Dependencies {
			d := &e.Dependencies[j]
			k := edgeKey{solved: sid, pkg: pkgIDs[d.Name], vrange: d.VersionRange}
			if d.Marker != nil {
				k.marker, k.hasMark = *d.Marker, true
			}
			if d.Extra != nil {
				k.extra, k.hasExt = *d.Extra, true
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			edges = append(edges, edge{key: k, versionT: vid, d: d})
		}
	}
	if len(edges) == 0 {
		return nil
	}
	n := len(edges)
	var (
		edgeIDs, solvedIDs, versionIDs, packageIDs = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		ranges, extras                             = make([]string, n), make([]string, n)
		markers, extra                             = make([]*string, n), make([]*string, n)
		evaluated                                  = make([]*bool, n)
		resEdges, resVersions                      []int64
	)
	for i, e := range edges {
		x, err := jsonList(e.d.Extras)
		if err != nil {
			return err
		}
		edgeIDs[i], solvedIDs[i], versionIDs[i], packageIDs[i] = ids[i], e.key.solved, e.versionT, e.key.pkg
		ranges[i], extras[i], markers[i], extra[i], evaluated[i] = e.d.VersionRange, x, e.d.Marker, e.d.Extra, e.d.MarkerEvaluationResult
		targets := map[int64]bool{}
		for _, r := range e.d.Resolved {
			for _, v := range r.Versions {
				t := verIDs[versionKey{e.d.Name, v, r.IndexURL}]
				if !targets[t] {
					targets[t] = true
					resEdges, resVersions = append(resEdges, ids[i]), append(resVersions, t)
				}
			}
		}
	}
	b.Queue(`
		INSERT INTO depends_on (id, solved_id, version_id, environment_id, package_id, version_range,
			marker, extra, extras, marker_evaluation_result, document_id)
		OVERRIDING SYSTEM VALUE
		SELECT i, s, v, $5, p, r, m, x, ARRAY(SELECT jsonb_array_elements_text(xs::jsonb)), e, $11
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::bool[]) AS t(i, s, v, p, r, m, x, xs, e)`,
		edgeIDs, solvedIDs, versionIDs, packageIDs, envID, ranges, markers, extra, extras, evaluated, docID).
		Exec(func(tag pgconn.CommandTag) error {
			counts["edges"] = tag.RowsAffected()
			return nil
		})
	counts["resolved"] = 0
	if len(resEdges) > 0 {
		b.Queue(`
			INSERT INTO depends_on_resolved (edge_id, version_id)
			SELECT e, v FROM unnest($1::bigint[], $2::bigint[]) AS t(e, v)`, resEdges, resVersions).
			Exec(func(tag pgconn.CommandTag) error {
				counts["resolved"] = tag.RowsAffected()
				return nil
			})
	}
	return nil
}

// queueMetadata queues the package metadata and artifacts of the owned
// solved rows; the rows written go into counts when b runs.
func queueMetadata(b *pgx.Batch, docID string, entries []SolvedEntry,
	owned map[int64]int64, verIDs map[versionKey]int64, counts Counts) error {
	if err := queueVersionMetadata(b, docID, entries, owned, verIDs, counts); err != nil {
		return err
	}
	var aVids []int64
	var aNames, aShas []string
	for _, e := range entries {
		vid := verIDs[keyOf(e)]
		if _, ok := owned[vid]; !ok {
			continue
		}
		for _, a := range e.Artifacts {
			aVids = append(aVids, vid)
			aNames = append(aNames, a.Name)
			aShas = append(aShas, a.SHA256)
		}
	}
	if len(aVids) > 0 {
		b.Queue(`
			INSERT INTO artifact (version_id, name, sha256, document_id)
			SELECT v, n, s, $4 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(v, n, s)
			ORDER BY v, n, s
			ON CONFLICT ON CONSTRAINT artifact_key DO NOTHING`, aVids, aNames, aShas, docID).Exec(func(tag pgconn.CommandTag) error {
			counts["artifacts"] = tag.RowsAffected()
			return nil
		})
	}
	return nil
}

// queueProblems queues a document's solver problems; the rows written go
// into counts when b runs.
func queueProblems(b *pgx.Batch, docID string, envID int64, problems []ProblemEntry, counts Counts) {
	if len(problems) == 0 {
		return
	}
	kinds := make([]string, len(problems))
	names := make([]string, len(problems))
	versions := make([]string, len(problems))
	indexes := make([]string, len(problems))
	details := make([]*string, len(problems))
	for i, p := range problems {
		kinds[i], names[i], versions[i], indexes[i] = p.Kind, p.PackageName, p.Version, p.IndexURL
		if len(p.Details) > 0 {
			d := string(p.Details)
			details[i] = &d
		}
	}
	b.Queue(`
		INSERT INTO solver_problem (document_id, environment_id, kind, package_name, version, index_url, details)
		SELECT $1, $2, k, n, v, i, d::jsonb
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(k, n, v, i, d)
		ORDER BY k, n, v, i
		ON CONFLICT ON CONSTRAINT solver_problem_key DO NOTHING`,
		docID, envID, kinds, names, versions, indexes, details).Exec(func(tag pgconn.CommandTag) error {
		counts["problems"] = tag.RowsAffected()
		return nil
	})
}
