package persistence

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Severities and Confidences are bandit's levels, in the order of
// SecurityIndicator.Counts.
var (
	Severities  = [3]string{"LOW", "MEDIUM", "HIGH"}
	Confidences = [4]string{"LOW", "MEDIUM", "HIGH", "UNDEFINED"}
)

// SecurityIndicator is what Thoth's security indicators (si-bandit,
// si-cloc, si-aggregator) found in one package version's source.
type SecurityIndicator struct {
	ID         int64  `db:"id"`
	VersionID  int64  `db:"version_id"`
	DocumentID string `db:"document_id"`
	// Name, Version and IndexURL name the version analysed (written only).
	Name, Version, IndexURL string     `db:"-"`
	AnalyzedAt              *time.Time `db:"analyzed_at"`
	BanditVersion           *string    `db:"bandit_version"`
	ClocVersion             *string    `db:"cloc_version"`
	// CountedFrom says where Counts come from: "bandit" (its report),
	// "aggregated" (an si-aggregator document alone) or "none".
	CountedFrom  string  `db:"counted_from"`
	Error        bool    `db:"error"`
	ErrorMessage *string `db:"error_message"`
	// Counts are bandit's findings by severity (Severities) and confidence
	// (Confidences); SeverityUndefined those of no severity.
	Counts            [3][4]int `db:"-"`
	SeverityUndefined int       `db:"severity_undefined"`
	// Files are bandit's file counts (files below a /test path are
	// filtered out, as si-aggregator did).
	FilesAnalyzed       *int `db:"files_analyzed"`
	FilesTotal          *int `db:"files_total"`
	FilesWithSeverities *int `db:"files_with_severities"`
	FilesFiltered       *int `db:"files_filtered"`
	// Python and Total are cloc's line counts (nil without cloc).
	Python *LineCounts `db:"-"`
	Total  *LineCounts `db:"-"`
	// Findings summarise bandit's findings per test id.
	Findings []SecurityFinding `db:"-"`
}

// LineCounts are cloc's counts for one language or in total.
type LineCounts struct {
	Files, Code, Comments, Blanks int
	// Lines is every line cloc read (total only).
	Lines *int
}

// SecurityFinding is bandit's findings of one test (B101, B405, ...).
type SecurityFinding struct {
	TestID, TestName  string
	Findings          int
	High, Medium, Low int
	MoreInfo          *string
}

// securityFacts are the tables of a security-indicator document's facts.
var securityFacts = []string{"security_finding", "security_indicator"}

// IngestSecurityIndicator writes the indicator of one document in one
// transaction, as IngestSolverResult does for solver documents: the
// package, index (created disabled when new) and version it names are made
// when the graph lacks them; a re-ingested document's indicator replaces
// its earlier one. Counts: security_indicators, security_findings.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the
// database is unreachable.
func (s *Store) IngestSecurityIndicator(ctx context.Context, doc DocumentRef, si *SecurityIndicator, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, securityFacts, func(tx pgx.Tx, counts Counts) error {
		ids, err := upsertLocked(ctx, tx, []LockedEntry{{Name: si.Name, Version: si.Version, IndexURL: si.IndexURL}}, counts)
		if err != nil {
			return err
		}
		var versionID int64
		for id := range ids {
			versionID = id
		}
		delete(counts, "versions")
		args := []any{versionID, doc.ID, si.AnalyzedAt, si.BanditVersion, si.ClocVersion, si.CountedFrom,
			si.Error, si.ErrorMessage, si.SeverityUndefined,
			si.FilesAnalyzed, si.FilesTotal, si.FilesWithSeverities, si.FilesFiltered}
		for _, c := range []*LineCounts{si.Python, si.Total} {
			if c == nil {
				args = append(args, nil, nil, nil, nil)
				continue
			}
			args = append(args, c.Files, c.Code, c.Comments, c.Blanks)
		}
		var lines *int
		if si.Total != nil {
			lines = si.Total.Lines
		}
		args = append(args, lines)
		for _, row := range si.Counts {
			for _, n := range row {
				args = append(args, n)
			}
		}
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO security_indicator (version_id, document_id, analyzed_at, bandit_version, cloc_version,
				counted_from, error, error_message, severity_undefined,
				files_analyzed, files_total, files_with_severities, files_filtered,
				python_files, python_code, python_comments, python_blanks,
				total_files, total_code, total_comments, total_blanks, total_lines,
				`+countColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
				$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)
			RETURNING id`, args...).Scan(&id)
		if err != nil {
			return err
		}
		counts["security_indicators"] = 1
		if len(si.Findings) == 0 {
			return nil
		}
		rows := make([][]any, len(si.Findings))
		for i, f := range si.Findings {
			rows[i] = []any{id, doc.ID, f.TestID, f.TestName, f.Findings, f.High, f.Medium, f.Low, f.MoreInfo}
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"security_finding"},
			[]string{"indicator_id", "document_id", "test_id", "test_name", "findings", "high", "medium", "low", "more_info"},
			pgx.CopyFromRows(rows))
		counts["security_findings"] = n
		return err
	})
}

// countColumns are the twelve severity x confidence columns in the order
// of SecurityIndicator.Counts.
var countColumns = func() string {
	out := ""
	for _, sev := range Severities {
		for _, conf := range Confidences {
			if out != "" {
				out += ", "
			}
			out += "severity_" + strings.ToLower(sev) + "_confidence_" + strings.ToLower(conf)
		}
	}
	return out
}()

// SecurityIndicatorsOfVersions returns, per version, its security
// indicators, newest analysis first, with their findings: two statements
// whatever the number of versions.
func (s *Store) SecurityIndicatorsOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]SecurityIndicator, error) {
	rows, err := s.reader(ctx).Query(ctx, `
		SELECT id, version_id, document_id, analyzed_at, bandit_version, cloc_version, counted_from, error,
			error_message, severity_undefined, files_analyzed, files_total, files_with_severities, files_filtered,
			python_files, python_code, python_comments, python_blanks,
			total_files, total_code, total_comments, total_blanks, total_lines, `+countColumns+`
		FROM security_indicator WHERE version_id = ANY($1)
		ORDER BY version_id, analyzed_at DESC NULLS LAST, id DESC`, versionIDs)
	if err != nil {
		return nil, err
	}
	var all []SecurityIndicator
	for rows.Next() {
		var si SecurityIndicator
		var py, tot [4]*int
		var lines *int
		dest := []any{&si.ID, &si.VersionID, &si.DocumentID, &si.AnalyzedAt, &si.BanditVersion, &si.ClocVersion,
			&si.CountedFrom, &si.Error, &si.ErrorMessage, &si.SeverityUndefined,
			&si.FilesAnalyzed, &si.FilesTotal, &si.FilesWithSeverities, &si.FilesFiltered,
			&py[0], &py[1], &py[2], &py[3], &tot[0], &tot[1], &tot[2], &tot[3], &lines}
		for i := range si.Counts {
			for j := range si.Counts[i] {
				dest = append(dest, &si.Counts[i][j])
			}
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		si.Python, si.Total = lineCounts(py, nil), lineCounts(tot, lines)
		si.Findings = []SecurityFinding{}
		all = append(all, si)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(all))
	at := make(map[int64]int, len(all))
	for i, si := range all {
		ids[i], at[si.ID] = si.ID, i
	}
	if len(ids) > 0 {
		frows, err := s.reader(ctx).Query(ctx, `
			SELECT indicator_id, test_id, test_name, findings, high, medium, low, more_info
			FROM security_finding WHERE indicator_id = ANY($1)
			ORDER BY indicator_id, findings DESC, test_id`, ids)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var id int64
			var f SecurityFinding
			if err := frows.Scan(&id, &f.TestID, &f.TestName, &f.Findings, &f.High, &f.Medium, &f.Low, &f.MoreInfo); err != nil {
				frows.Close()
				return nil, err
			}
			all[at[id]].Findings = append(all[at[id]].Findings, f)
		}
		if err := frows.Err(); err != nil {
			return nil, err
		}
	}
	out := make(map[int64][]SecurityIndicator)
	for _, si := range all {
		out[si.VersionID] = append(out[si.VersionID], si)
	}
	return out, nil
}

// lineCounts makes LineCounts of scanned columns, nil when cloc gave none.
func lineCounts(c [4]*int, lines *int) *LineCounts {
	if c[0] == nil {
		return nil
	}
	v := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return &LineCounts{Files: v(c[0]), Code: v(c[1]), Comments: v(c[2]), Blanks: v(c[3]), Lines: lines}
}

// UnanalyzedSecurityVersions pages through the versions security
// indicators should analyse next, as Thoth's graph-refresh asked for them:
// solved without error in some environment, providing a source
// distribution, not missing from their index, and with no security
// indicator yet; by id.
// Returns INVALID for a bad page or cursor.
func (s *Store) UnanalyzedSecurityVersions(ctx context.Context, page Page) (Connection[PackageVersion], error) {
	return keysetPage(ctx, s, unanalyzedList, page)
}

var unanalyzedList = keyset[PackageVersion]{
	kind:  "si-unanalyzed",
	key:   func(v PackageVersion) string { return strconv.FormatInt(v.ID, 10) },
	start: int64(0),
	parse: func(key string) (any, error) { return strconv.ParseInt(key, 10, 64) },
	list: `
		SELECT pv.id
		FROM package_version pv
		WHERE pv.provides_source_distro AND NOT pv.is_missing
		AND EXISTS (SELECT 1 FROM solved s WHERE s.version_id = pv.id AND NOT s.error)
		AND NOT EXISTS (SELECT 1 FROM security_indicator si WHERE si.version_id = pv.id)`,
	next: versionSelect + `
		WHERE pv.id IN (SELECT id FROM m WHERE id > $1 ORDER BY id LIMIT $2 + 1)
		ORDER BY pv.id`,
}
