package persistence

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/seshat-graph/seshat/python"
)

// VulnerabilityRecord is one OSV record, ready to be written. Affected holds
// its PyPI entries, names PEP 503 normalised and validated.
type VulnerabilityRecord struct {
	// ID is the record's OSV id (PYSEC-…, GHSA-…, CVE-…), kept as
	// vulnerability.external_id.
	ID               string
	Aliases          []string
	Summary, Details string
	// Severity and References are the record's arrays as JSON (nil: none).
	Severity, References json.RawMessage
	Published, Modified  *time.Time
	// Withdrawn, when set, says the record no longer applies: it matches no
	// version.
	Withdrawn *time.Time
	Affected  []python.Affected
	// Raw is the whole record as JSON.
	Raw json.RawMessage
}

// ImportStatus says what importing one record did.
type ImportStatus string

// The outcomes of importing a record.
const (
	ImportNew       ImportStatus = "NEW"       // first seen
	ImportUpdated   ImportStatus = "UPDATED"   // newer modified than the stored record
	ImportUnchanged ImportStatus = "UNCHANGED" // modified not newer: nothing written
	ImportWithdrawn ImportStatus = "WITHDRAWN" // new or updated, and withdrawn: matches nothing
)

// VulnerabilityOutcome is what importing one record did.
type VulnerabilityOutcome struct {
	ID     string
	Status ImportStatus
	// Affects is the number of versions the record affects after the
	// import (for UNCHANGED, 0: not evaluated).
	Affects int
}

// vulnerabilityLock is the advisory lock (two-key space, which never
// overlaps the documents' one-key claims) that orders record imports against
// solver documents re-matching: an import holds it exclusively, a solver
// document shares it while it reads the records naming its packages. So a
// version arriving while its record is written is matched by one of the
// two: either the import sees the version committed, or the solver document
// sees the record.
const vulnerabilityLock = `SELECT pg_advisory_xact_lock(1397051457, 1)`

const vulnerabilityLockShared = `SELECT pg_advisory_xact_lock_shared(1397051457, 1)`

// ImportVulnerabilities upserts OSV records by id, one transaction per
// record, and matches each new or updated one against every version the
// graph knows of the packages it names, on every index: its
// vulnerability_affects rows are replaced. A record whose modified is not
// newer than the stored one changes nothing (UNCHANGED); a withdrawn one
// keeps its row but affects no version. documentID, when not "", names the
// document the records came from (it must exist). Outcomes are in the order
// of recs.
// Returns INVALID for a record the schema refuses, UNAVAILABLE when the
// database is unreachable; the outcomes of the records before it are
// returned with the error.
func (s *Store) ImportVulnerabilities(ctx context.Context, documentID string, recs []VulnerabilityRecord) ([]VulnerabilityOutcome, error) {
	out := make([]VulnerabilityOutcome, 0, len(recs))
	for i := range recs {
		var o VulnerabilityOutcome
		err := s.WithTx(ctx, func(tx pgx.Tx) (err error) {
			if _, err := tx.Exec(ctx, vulnerabilityLock); err != nil {
				return err
			}
			o, err = importVulnerability(ctx, tx, documentID, &recs[i], false)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("vulnerability %s: %w", recs[i].ID, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// BeginVulnerabilityImport records an import of OSV records that did not
// come from the document store (`seshat vulnerabilities import`, the
// importVulnerabilities mutation) as a document of the vulnerability kind,
// PENDING, with source kept as its object key: the records the import
// writes name it as the document they came from. FinishVulnerabilityImport
// closes it.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) BeginVulnerabilityImport(ctx context.Context, id, source string) error {
	return s.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO document (id, kind, object_key, status, attempts)
			VALUES ($1, 'vulnerability', NULLIF($2, ''), 'PENDING', 1)`, id, source)
		return err
	})
}

// FinishVulnerabilityImport marks an import begun by
// BeginVulnerabilityImport INGESTED with counts, or FAILED with failure's
// code and message when failure is not nil (the records written before it
// stay, each committed on its own). An import that succeeded without
// writing any record (kept false) is removed instead, so a repeated import
// of unchanged records changes no row.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) FinishVulnerabilityImport(ctx context.Context, id string, counts Counts, kept bool, failure error) error {
	return s.WithTx(ctx, func(tx pgx.Tx) error {
		if failure == nil && !kept {
			_, err := tx.Exec(ctx, `DELETE FROM document WHERE id = $1`, id)
			return err
		}
		if failure != nil {
			raw, err := json.Marshal(counts)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				UPDATE document SET status = 'FAILED', error_code = $2, error = $3, counts = $4,
					updated_at = now()
				WHERE id = $1`, id, string(ErrorCode(failure)), ErrorMessage(failure), raw)
			return err
		}
		return finishDocument(ctx, tx, id, counts)
	})
}

// IngestVulnerabilityDocument writes the records of one document of the
// vulnerability kind in one transaction and marks the document INGESTED,
// as IngestSolverResult does for solver documents: a document already
// ingested with the same SHA256 is SKIPPED unless force; force rewrites its
// records even when their modified is not newer. wait says whether a
// document another transaction is ingesting is waited for (else SKIPPED,
// Busy). Counts: vulnerabilities (records new or updated), affects (the
// versions they affect).
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the database is unreachable.
func (s *Store) IngestVulnerabilityDocument(ctx context.Context, doc DocumentRef, recs []VulnerabilityRecord, force, wait bool) (IngestOutcome, error) {
	// Records are upserted by OSV id, so a document re-ingested has no facts
	// to remove first.
	return s.ingestDocument(ctx, doc, force, wait, nil, func(tx pgx.Tx, counts Counts) error {
		if _, err := tx.Exec(ctx, vulnerabilityLock); err != nil {
			return err
		}
		var written, affects int64
		for i := range recs {
			o, err := importVulnerability(ctx, tx, doc.ID, &recs[i], force)
			if err != nil {
				return fmt.Errorf("vulnerability %s: %w", recs[i].ID, err)
			}
			if o.Status != ImportUnchanged {
				written++
			}
			affects += int64(o.Affects)
		}
		counts["vulnerabilities"], counts["affects"] = written, affects
		return nil
	})
}

// osvAffected is an affected entry as the affected column keeps it: the
// OSV shape, names normalised, PyPI only.
type osvAffected struct {
	Package  osvPackage `json:"package"`
	Ranges   []osvRange `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
}

type osvPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

type osvRange struct {
	Type   string     `json:"type"`
	Repo   string     `json:"repo,omitempty"`
	Events []osvEvent `json:"events"`
}

type osvEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

func encodeAffected(in []python.Affected) ([]byte, error) {
	out := make([]osvAffected, len(in))
	for i, a := range in {
		e := osvAffected{Package: osvPackage{Ecosystem: "PyPI", Name: a.Name}, Versions: a.Versions}
		for _, r := range a.Ranges {
			or := osvRange{Type: r.Type, Repo: r.Repo, Events: make([]osvEvent, len(r.Events))}
			for j, ev := range r.Events {
				or.Events[j] = osvEvent(ev)
			}
			e.Ranges = append(e.Ranges, or)
		}
		out[i] = e
	}
	return json.Marshal(out)
}

func decodeAffected(raw []byte) ([]python.Affected, error) {
	var in []osvAffected
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	out := make([]python.Affected, len(in))
	for i, e := range in {
		a := python.Affected{Name: e.Package.Name, Versions: e.Versions}
		for _, r := range e.Ranges {
			pr := python.Range{Type: r.Type, Repo: r.Repo, Events: make([]python.Event, len(r.Events))}
			for j, ev := range r.Events {
				pr.Events[j] = python.Event(ev)
			}
			a.Ranges = append(a.Ranges, pr)
		}
		out[i] = a
	}
	return out, nil
}

func jsonArray(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "[]"
	}
	return string(raw)
}

// importVulnerability upserts one record and, when it is new or updated,
// replaces its packages and affected versions. The caller holds
// vulnerabilityLock.
func importVulnerability(ctx context.Context, tx pgx.Tx, documentID string, r *VulnerabilityRecord, force bool) (VulnerabilityOutcome, error) {
	o := VulnerabilityOutcome{ID: r.ID, Status: ImportUnchanged}
	affected, err := encodeAffected(r.Affected)
	if err != nil {
		return o, err
	}
	aliases := r.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	var raw *string
	if len(r.Raw) > 0 {
		s := string(r.Raw)
		raw = &s
	}
	var id int64
	var inserted bool
	err = tx.QueryRow(ctx, `
		INSERT INTO vulnerability AS v (external_id, summary, aliases, details, severity, refs, affected,
			published, modified, withdrawn, raw, document_id, updated_at)
		VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11::jsonb, NULLIF($12, ''), now())
		ON CONFLICT (external_id) DO UPDATE SET summary = excluded.summary, aliases = excluded.aliases,
			details = excluded.details, severity = excluded.severity, refs = excluded.refs,
			affected = excluded.affected, published = excluded.published, modified = excluded.modified,
			withdrawn = excluded.withdrawn, raw = excluded.raw, document_id = excluded.document_id,
			updated_at = now()
		WHERE $13 OR excluded.modified > v.modified OR (v.modified IS NULL AND excluded.modified IS NOT NULL)
		RETURNING id, xmax = 0`,
		r.ID, r.Summary, aliases, r.Details, jsonArray(r.Severity), jsonArray(r.References), string(affected),
		r.Published, r.Modified, r.Withdrawn, raw, documentID, force).Scan(&id, &inserted)
	if err == pgx.ErrNoRows {
		return o, nil // not newer: nothing changes
	}
	if err != nil {
		return o, err
	}
	o.Status = ImportUpdated
	if inserted {
		o.Status = ImportNew
	}
	names := affectedNames(r.Affected)
	b := &pgx.Batch{}
	queueVulnerabilityGenerations(b, id, names)
	if !inserted {
		b.Queue(`DELETE FROM vulnerability_package WHERE vulnerability_id = $1`, id)
		b.Queue(`DELETE FROM vulnerability_affects WHERE vulnerability_id = $1`, id)
	}
	b.Queue(`INSERT INTO vulnerability_package (vulnerability_id, package_name)
		SELECT $1, n FROM unnest($2::text[]) AS n ORDER BY n`, id, names)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return o, err
	}
	if r.Withdrawn != nil {
		o.Status = ImportWithdrawn
		return o, nil
	}
	// Every version of the named packages, on every index, in one statement.
	rows, err := tx.Query(ctx, `
		SELECT pv.id, p.name, pv.version
		FROM package p JOIN package_version pv ON pv.package_id = p.id
		WHERE p.name = ANY($1)`, names)
	if err != nil {
		return o, err
	}
	var versions []knownVersion
	var kv knownVersion
	if _, err := pgx.ForEachRow(rows, []any{&kv.id, &kv.name, &kv.version}, func() error {
		versions = append(versions, kv)
		return nil
	}); err != nil {
		return o, err
	}
	matched := matchVersions([]matchRecord{{id: id, affected: r.Affected}}, versions)
	o.Affects = len(matched)
	_, err = insertAffects(ctx, tx, matched)
	return o, err
}

// affectedNames returns the distinct package names of entries, sorted.
func affectedNames(entries []python.Affected) []string {
	set := map[string]bool{}
	for _, a := range entries {
		set[a.Name] = true
	}
	return sortedKeys(set)
}

// knownVersion is a version of the graph matched against records.
type knownVersion struct {
	id            int64
	name, version string
}

// matchRecord is a stored record's affected entries.
type matchRecord struct {
	id       int64
	affected []python.Affected
}

// affectsRow is one vulnerability_affects row.
type affectsRow struct {
	vulnerability, version int64
	fixedIn                *string
}

// matchVersions evaluates every record against every version (of the
// package an entry names), in Go: the rows of vulnerability_affects, sorted
// by (vulnerability, version). A version PEP 440 cannot parse matches
// nothing. fixed_in is the first matching entry's that says one. It is
// python.Affected's Matcher, which parses and sorts each entry's versions and
// events once (a record may list hundreds, and a package have thousands of
// versions).
func matchVersions(recs []matchRecord, versions []knownVersion) []affectsRow {
	parsed := make([]*python.Version, len(versions))
	for i, v := range versions {
		if pv, err := python.ParseVersion(v.version); err == nil {
			parsed[i] = &pv
		}
	}
	var out []affectsRow
	for _, r := range recs {
		names := make([]string, len(r.affected))
		matchers := make([]*python.Matcher, len(r.affected))
		for i, a := range r.affected {
			names[i], matchers[i] = a.Name, a.Matcher()
		}
		for i, v := range versions {
			if parsed[i] == nil {
				continue
			}
			hit := false
			var fixed *string
			for k, m := range matchers {
				if names[k] != v.name || !m.Matches(*parsed[i]) {
					continue
				}
				hit = true
				if f, ok := m.FixedIn(*parsed[i]); ok && fixed == nil {
					fixed = &f
				}
			}
			if hit {
				out = append(out, affectsRow{vulnerability: r.id, version: v.id, fixedIn: fixed})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].vulnerability != out[j].vulnerability {
			return out[i].vulnerability < out[j].vulnerability
		}
		return out[i].version < out[j].version
	})
	return out
}

// insertAffects inserts rows (sorted), keeping those that exist, and
// returns how many it inserted.
func insertAffects(ctx context.Context, tx pgx.Tx, rows []affectsRow) (int64, error) {
	var n int64
	b := &pgx.Batch{}
	queueAffects(b, rows, func(inserted int64) { n = inserted })
	if b.Len() == 0 {
		return 0, nil
	}
	err := tx.SendBatch(ctx, b).Close()
	return n, err
}

// queueAffects queues on b the insert of rows (sorted), keeping those that
// exist; inserted gets how many it inserted when b runs. Nothing is queued
// for no rows.
func queueAffects(b *pgx.Batch, rows []affectsRow, inserted func(int64)) {
	if len(rows) == 0 {
		return
	}
	vulns := make([]int64, len(rows))
	vers := make([]int64, len(rows))
	fixed := make([]*string, len(rows))
	for i, r := range rows {
		vulns[i], vers[i], fixed[i] = r.vulnerability, r.version, r.fixedIn
	}
	b.Queue(`
		INSERT INTO vulnerability_affects (vulnerability_id, version_id, fixed_in)
		SELECT a, v, f FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(a, v, f)
		ORDER BY a, v
		ON CONFLICT (vulnerability_id, version_id) DO NOTHING`, vulns, vers, fixed).Exec(func(tag pgconn.CommandTag) error {
		inserted(tag.RowsAffected())
		return nil
	})
}

// queueRecordsOf queues, on b, sharing vulnerabilityLock and reading the
// non-withdrawn records that name any of names; the records are in *recs
// once b has run.
func queueRecordsOf(b *pgx.Batch, names []string, recs *[]matchRecord) {
	b.Queue(vulnerabilityLockShared)
	b.Queue(`
		SELECT v.id, v.affected FROM vulnerability v
		WHERE v.withdrawn IS NULL
		  AND v.id IN (SELECT vulnerability_id FROM vulnerability_package WHERE package_name = ANY($1))
		ORDER BY v.id`, names).Query(func(rows pgx.Rows) error {
		var id int64
		var raw []byte
		_, err := pgx.ForEachRow(rows, []any{&id, &raw}, func() error {
			a, err := decodeAffected(raw)
			if err != nil {
				return fmt.Errorf("vulnerability %d: affected: %w", id, err)
			}
			*recs = append(*recs, matchRecord{id: id, affected: a})
			return nil
		})
		return err
	})
}

// queueAffectArrivals matches versions (by key) against recs, the records
// naming their packages, and queues on b the insert of the affects rows;
// inserted gets how many it inserted (those that existed stay). Nothing is
// queued when nothing matches.
func queueAffectArrivals(b *pgx.Batch, recs []matchRecord, verIDs map[versionKey]int64, inserted func(int64)) {
	if len(recs) == 0 {
		return
	}
	named := map[string]bool{}
	for _, r := range recs {
		for _, a := range r.affected {
			named[a.Name] = true
		}
	}
	var versions []knownVersion
	for k, id := range verIDs {
		if named[k.name] {
			versions = append(versions, knownVersion{id: id, name: k.name, version: k.version})
		}
	}
	queueAffects(b, matchVersions(recs, versions), inserted)
}
