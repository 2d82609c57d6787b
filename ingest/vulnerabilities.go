package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/seshat-graph/seshat/ingest/osv"
	"github.com/seshat-graph/seshat/persistence"
)

// VulnerabilityRecord maps a parsed OSV record to what the store writes:
// severity and references as OSV-shaped JSON arrays, a published time the
// record does not give as nil.
func VulnerabilityRecord(r *osv.Record) persistence.VulnerabilityRecord {
	type severity struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	}
	type reference struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	}
	sev := make([]severity, len(r.Severity))
	for i, s := range r.Severity {
		sev[i] = severity(s)
	}
	refs := make([]reference, len(r.References))
	for i, x := range r.References {
		refs[i] = reference(x)
	}
	// Marshalling slices of strings cannot fail.
	sevJSON, _ := json.Marshal(sev)
	refsJSON, _ := json.Marshal(refs)
	out := persistence.VulnerabilityRecord{
		ID: r.ID, Aliases: r.Aliases, Summary: r.Summary, Details: r.Details,
		Severity: sevJSON, References: refsJSON, Withdrawn: r.Withdrawn,
		Affected: r.Affected, Raw: r.Raw,
	}
	if !r.Published.IsZero() {
		p := r.Published
		out.Published = &p
	}
	if !r.Modified.IsZero() {
		m := r.Modified
		out.Modified = &m
	}
	return out
}

// parseRecord parses one OSV record named name (a path, a zip entry, a
// mutation's "records[3]"; its extension says JSON or YAML): INVALID naming
// the path within the record of the problem.
func parseRecord(name string, raw []byte) (*osv.Record, error) {
	rec, err := osv.Parse(name, raw)
	if err != nil {
		var oe *osv.Error
		if errors.As(err, &oe) || errors.Is(err, osv.ErrInvalid) {
			return nil, persistence.Errorf(persistence.CodeInvalid, "invalid OSV record: %s", err.Error())
		}
		return nil, persistence.Wrap(persistence.CodeInvalid, err, "invalid OSV record: "+err.Error())
	}
	return rec, nil
}

// writeVulnerability writes a document of the vulnerability kind: one OSV
// record, JSON or YAML (the key's extension decides, else its first
// character), kept under vulnerabilities/<id> in the document store.
func writeVulnerability(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	name := ref.ObjectKey
	if name == "" {
		name = ref.ID
	}
	rec, err := parseRecord(name, raw)
	if err != nil {
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	recs := []persistence.VulnerabilityRecord{VulnerabilityRecord(rec)}
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestVulnerabilityDocument(ctx, ref, recs, o.force, !o.shared)
	})
}

// ImportReport says what an import of OSV records did: how many records
// were new, updated, unchanged (modified not newer than the stored record),
// withdrawn (new or updated, and withdrawn: they match nothing) and invalid
// (refused, see Failures).
type ImportReport struct {
	// DocumentID names the document row that records the import; "" when
	// the import wrote and refused nothing and so left no row.
	DocumentID                                  string
	New, Updated, Unchanged, Withdrawn, Invalid int
	// Affects is the number of versions the new and updated records affect.
	Affects int
	// Failures are the refused records, in the order they came.
	Failures []ImportFailure
}

// ImportFailure is one refused record.
type ImportFailure struct {
	// ID is the record's id when it has one; Path names where it came
	// from: a file, a zip entry, "records[3]".
	ID, Path string
	Code     persistence.Code
	// Message names the problem and its path within the record
	// ("affected[0].ranges[0].type: unknown range type ...").
	Message string
}

// ImportBatch is how many records ImportVulnerabilities writes per round:
// each record is its own transaction, but records are parsed a batch ahead.
const ImportBatch = 100

// ImportVulnerabilities imports the OSV records walk hands it (osv.Walk
// over a file, a directory or a zip; a mutation's records) into store: bad
// records (no id, an unknown range type, a version PEP 440 cannot parse...)
// are refused INVALID with their name and the path of the problem, and the
// import goes on; the others are upserted by id and matched against every
// version the graph knows (see persistence.Store.ImportVulnerabilities).
// The import is recorded as a document of the vulnerability kind
// (ImportDocumentID; source, such as the paths imported, kept as its object
// key), which the records it writes name as their provenance: INGESTED with
// the report's counts, or FAILED with the error that stopped it; an import
// that wrote and refused nothing leaves no row.
// progress, when not nil, is called once per record, refused or written.
// The error is walk's, or the store's (UNAVAILABLE, INTERNAL), which stops
// the import; the report counts what was done before it.
func ImportVulnerabilities(ctx context.Context, store *persistence.Store, source string,
	walk func(fn func(name string, raw []byte) error) error, progress func()) (ImportReport, error) {
	rep := ImportReport{DocumentID: ImportDocumentID(time.Now())}
	if err := store.BeginVulnerabilityImport(ctx, rep.DocumentID, source); err != nil {
		return rep, err
	}
	err := importVulnerabilities(ctx, store, &rep, walk, progress)
	counts := persistence.Counts{"new": int64(rep.New), "updated": int64(rep.Updated),
		"unchanged": int64(rep.Unchanged), "withdrawn": int64(rep.Withdrawn),
		"invalid": int64(rep.Invalid), "affects": int64(rep.Affects)}
	// The import's outcome is recorded even when ctx ended it.
	ctx = context.WithoutCancel(ctx)
	kept := rep.New+rep.Updated+rep.Withdrawn+rep.Invalid > 0
	if ferr := store.FinishVulnerabilityImport(ctx, rep.DocumentID, counts, kept, err); ferr != nil && err == nil {
		err = ferr
	}
	if !kept && err == nil {
		rep.DocumentID = ""
	}
	return rep, err
}

// ImportDocumentID names the document that records an import begun at t:
// vulnerability-import-<UTC time to the microsecond>-<random>, so imports
// list in the order they ran and two at the same moment do not collide.
func ImportDocumentID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "vulnerability-import-" + t.UTC().Format("20060102T150405.000000Z") + "-" + hex.EncodeToString(b[:])
}

func importVulnerabilities(ctx context.Context, store *persistence.Store, rep *ImportReport,
	walk func(fn func(name string, raw []byte) error) error, progress func()) error {
	var pending []persistence.VulnerabilityRecord
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		outs, err := store.ImportVulnerabilities(ctx, rep.DocumentID, pending)
		for _, o := range outs {
			switch o.Status {
			case persistence.ImportNew:
				rep.New++
			case persistence.ImportUpdated:
				rep.Updated++
			case persistence.ImportUnchanged:
				rep.Unchanged++
			case persistence.ImportWithdrawn:
				rep.Withdrawn++
			}
			rep.Affects += o.Affects
			if progress != nil {
				progress()
			}
		}
		pending = pending[:0]
		return err
	}
	err := walk(func(name string, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := parseRecord(name, raw)
		if err != nil {
			rep.Invalid++
			rep.Failures = append(rep.Failures, ImportFailure{ID: recordID(raw), Path: name,
				Code: persistence.ErrorCode(err), Message: persistence.ErrorMessage(err)})
			if progress != nil {
				progress()
			}
			return nil
		}
		pending = append(pending, VulnerabilityRecord(rec))
		if len(pending) >= ImportBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		// The records read before the walk failed are written all the same.
		if ctx.Err() == nil {
			if ferr := flush(); ferr != nil {
				return errors.Join(err, ferr)
			}
		}
		return err
	}
	return flush()
}

// recordID returns the id of a refused JSON record when it has a string
// one, "" otherwise (YAML records are not decoded again).
func recordID(raw []byte) string {
	var r struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return ""
	}
	id, _ := r.ID.(string)
	return id
}
