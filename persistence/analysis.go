package persistence

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AnalysisResult is one parsed image analysis (a package-extract document),
// ready to be written. Python package names must already be PEP 503
// normalised and their versions in PEP 440 normal form; lists must be free
// of duplicates (by the keys of their tables).
type AnalysisResult struct {
	Analyzer, AnalyzerVersion string
	AnalyzedAt                time.Time // zero when unknown
	Duration                  *float64
	Origin                    string
	// Image is the image as analysed (name[:tag]); ImageName and ImageTag
	// its parts; Digest "" when unknown.
	Image, ImageName, ImageTag, Digest string
	Size                               *int64
	// EnvironmentType is RUNTIME or BUILDTIME.
	EnvironmentType                               string
	OSName, OSVersion, PythonVersion, CUDAVersion string // "" when unknown
	Layers                                        []string
	PythonPackages                                []ImagePythonPackage
	RPMs                                          []RPMEntry
	Debs                                          []DebEntry
	Symbols                                       []VersionedSymbol
	Interpreters                                  []PythonInterpreter
	Files                                         []PythonFile
}

// RPMEntry is an RPM package version found in an image and its requirements.
type RPMEntry struct {
	RPMPackageVersion
	Requires []string
}

// DebEntry is a Debian package version found in an image and its relations.
type DebEntry struct {
	DebPackageVersion
	Relations []DebRelation
}

// IngestImageAnalysis writes the facts of one image analysis in one
// transaction and marks the document INGESTED, as IngestSolverResult does
// (SKIPPED when ingested with the same SHA256 unless force; a re-ingested
// document's earlier facts replaced). Shared nodes — the software
// environment, RPM and Debian package versions and their requirements, ABI
// symbols — are upserted in key order, each list in one statement; the
// document's facts go in with COPY. wait false skips a document another
// transaction holds (Busy) instead of waiting for it.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the database is unreachable.
func (s *Store) IngestImageAnalysis(ctx context.Context, doc DocumentRef, a *AnalysisResult, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, analysisFacts, func(tx pgx.Tx, counts Counts) error {
		return writeAnalysis(ctx, tx, doc.ID, a, counts)
	})
}

// analysisFacts are the tables holding an image analysis's facts, by document_id.
var analysisFacts = []string{"image_analysis", "image_python_package", "image_rpm", "image_deb",
	"image_symbol", "image_python_interpreter", "image_python_file"}

func writeAnalysis(ctx context.Context, tx pgx.Tx, docID string, a *AnalysisResult, counts Counts) error {
	var envID int64
	err := tx.QueryRow(ctx, `
		INSERT INTO software_environment (environment_type, image_name, image_digest, os_name, os_version, python_version, cuda_version)
		VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), NULLIF($7, ''))
		ON CONFLICT ON CONSTRAINT software_environment_key DO UPDATE SET
			os_name = COALESCE(EXCLUDED.os_name, software_environment.os_name),
			os_version = COALESCE(EXCLUDED.os_version, software_environment.os_version),
			python_version = COALESCE(EXCLUDED.python_version, software_environment.python_version),
			cuda_version = COALESCE(EXCLUDED.cuda_version, software_environment.cuda_version)
		RETURNING id`,
		a.EnvironmentType, a.ImageName, a.Digest, a.OSName, a.OSVersion, a.PythonVersion, a.CUDAVersion).Scan(&envID)
	if err != nil {
		return err
	}
	var analyzedAt *time.Time
	if !a.AnalyzedAt.IsZero() {
		analyzedAt = &a.AnalyzedAt
	}
	layers := a.Layers
	if layers == nil {
		layers = []string{}
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO image_analysis (document_id, software_environment_id, image, image_tag, image_size,
			analyzer, analyzer_version, analyzed_at, duration, origin, layers)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), $8, $9, NULLIF($10, ''), $11)`,
		docID, envID, a.Image, a.ImageTag, a.Size, a.Analyzer, a.AnalyzerVersion, analyzedAt, a.Duration, a.Origin, layers)
	if err != nil {
		return err
	}
	counts["analyses"] = 1

	rows := make([][]any, len(a.PythonPackages))
	for i, p := range a.PythonPackages {
		rows[i] = []any{docID, p.Name, p.Version, p.Location}
	}
	if counts["python_packages"], err = copyRows(ctx, tx, "image_python_package", []string{"document_id", "package_name", "version", "location"}, rows); err != nil {
		return err
	}
	if err := writeRPMs(ctx, tx, docID, a.RPMs, counts); err != nil {
		return err
	}
	if err := writeDebs(ctx, tx, docID, a.Debs, counts); err != nil {
		return err
	}
	if err := writeSymbols(ctx, tx, docID, a.Symbols, counts); err != nil {
		return err
	}
	rows = make([][]any, len(a.Interpreters))
	for i, in := range a.Interpreters {
		rows[i] = []any{docID, in.Path, in.Link, in.Version}
	}
	if counts["interpreters"], err = copyRows(ctx, tx, "image_python_interpreter", []string{"document_id", "path", "link", "version"}, rows); err != nil {
		return err
	}
	rows = make([][]any, len(a.Files))
	for i, f := range a.Files {
		rows[i] = []any{docID, f.Path, f.SHA256}
	}
	counts["python_files"], err = copyRows(ctx, tx, "image_python_file", []string{"document_id", "path", "sha256"}, rows)
	return err
}

func copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	return tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
}

// optKey is a nullable text column as a sort key: NULL first.
func optKey(s *string) string {
	if s == nil {
		return ""
	}
	return "\x01" + *s
}

func rpmKey(r RPMPackageVersion) string {
	src := "0"
	if r.Src {
		src = "1"
	}
	return strings.Join([]string{r.Name, r.Version, optKey(r.Release), optKey(r.Epoch), optKey(r.Arch), src}, "\x00")
}

func writeRPMs(ctx context.Context, tx pgx.Tx, docID string, rpms []RPMEntry, counts Counts) error {
	counts["rpms"], counts["rpm_requirements"] = 0, 0
	if len(rpms) == 0 {
		return nil
	}
	sorted := slices.Clone(rpms)
	slices.SortFunc(sorted, func(a, b RPMEntry) int {
		return strings.Compare(rpmKey(a.RPMPackageVersion), rpmKey(b.RPMPackageVersion))
	})
	n := len(sorted)
	names, versions, identifiers := make([]string, n), make([]string, n), make([]string, n)
	releases, epochs, arches := make([]*string, n), make([]*string, n), make([]*string, n)
	srcs := make([]bool, n)
	reqSet := map[string]bool{}
	for i, r := range sorted {
		names[i], versions[i], identifiers[i] = r.Name, r.Version, r.PackageIdentifier
		releases[i], epochs[i], arches[i], srcs[i] = r.Release, r.Epoch, r.Arch, r.Src
		for _, q := range r.Requires {
			reqSet[q] = true
		}
	}
	// DO UPDATE (a no-op) so that RETURNING gives the rows that exist too.
	got, err := tx.Query(ctx, `
		INSERT INTO rpm_package_version (name, version, release, epoch, arch, src, package_identifier)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
		ON CONFLICT ON CONSTRAINT rpm_package_version_key DO UPDATE SET name = EXCLUDED.name
		RETURNING id, name, version, release, epoch, arch, src, package_identifier`,
		names, versions, releases, epochs, arches, srcs, identifiers)
	if err != nil {
		return err
	}
	stored, err := pgx.CollectRows(got, pgx.RowToStructByName[RPMPackageVersion])
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(stored))
	for _, r := range stored {
		ids[rpmKey(r)] = r.ID
	}
	reqIDs, err := upsertNames(ctx, tx, "rpm_requirement", sortedNames(reqSet))
	if err != nil {
		return err
	}
	var verCol, reqCol []int64
	rows := make([][]any, 0, n)
	for _, r := range sorted {
		id := ids[rpmKey(r.RPMPackageVersion)]
		rows = append(rows, []any{docID, id})
		for _, q := range r.Requires {
			verCol, reqCol = append(verCol, id), append(reqCol, reqIDs[q])
		}
	}
	if len(verCol) > 0 {
		if _, err := tx.Exec(ctx, `
			INSERT INTO rpm_requires (rpm_package_version_id, rpm_requirement_id)
			SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS u(v, r) ORDER BY v, r
			ON CONFLICT DO NOTHING`, verCol, reqCol); err != nil {
			return err
		}
	}
	counts["rpm_requirements"] = int64(len(verCol))
	counts["rpms"], err = copyRows(ctx, tx, "image_rpm", []string{"document_id", "rpm_package_version_id"}, rows)
	return err
}

// upsertNames makes sure table (id, name UNIQUE) has a row for every name,
// sorted, and returns their ids by name: new names are inserted (rows that
// exist are not written), then every id is read, in a statement that sees
// rows other transactions committed meanwhile.
func upsertNames(ctx context.Context, tx pgx.Tx, table string, names []string) (map[string]int64, error) {
	out := make(map[string]int64, len(names))
	if len(names) == 0 {
		return out, nil
	}
	t := pgx.Identifier{table}.Sanitize()
	if _, err := tx.Exec(ctx, `INSERT INTO `+t+` (name) SELECT * FROM unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, names); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT t.id, t.name FROM `+t+` t JOIN unnest($1::text[]) AS u(name) ON u.name = t.name`, names)
	if err != nil {
		return nil, err
	}
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[name] = id
		return nil
	})
	return out, err
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func debKey(d DebPackageVersion) string {
	return strings.Join([]string{d.Name, d.Version, optKey(d.Epoch), optKey(d.Arch)}, "\x00")
}

func writeDebs(ctx context.Context, tx pgx.Tx, docID string, debs []DebEntry, counts Counts) error {
	counts["debs"], counts["deb_relations"] = 0, 0
	if len(debs) == 0 {
		return nil
	}
	sorted := slices.Clone(debs)
	slices.SortFunc(sorted, func(a, b DebEntry) int {
		return strings.Compare(debKey(a.DebPackageVersion), debKey(b.DebPackageVersion))
	})
	n := len(sorted)
	names, versions := make([]string, n), make([]string, n)
	epochs, arches := make([]*string, n), make([]*string, n)
	for i, d := range sorted {
		names[i], versions[i], epochs[i], arches[i] = d.Name, d.Version, d.Epoch, d.Arch
	}
	got, err := tx.Query(ctx, `
		INSERT INTO deb_package_version (name, version, epoch, arch)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
		ON CONFLICT ON CONSTRAINT deb_package_version_key DO UPDATE SET name = EXCLUDED.name
		RETURNING id, name, version, epoch, arch`, names, versions, epochs, arches)
	if err != nil {
		return err
	}
	stored, err := pgx.CollectRows(got, pgx.RowToStructByName[DebPackageVersion])
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(stored))
	for _, d := range stored {
		ids[debKey(d)] = d.ID
	}
	var verCol []int64
	var kinds, relNames, ranges []string
	rows := make([][]any, 0, n)
	for _, d := range sorted {
		id := ids[debKey(d.DebPackageVersion)]
		rows = append(rows, []any{docID, id})
		rels := slices.Clone(d.Relations)
		slices.SortFunc(rels, func(a, b DebRelation) int {
			return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Name, b.Name), strings.Compare(a.Range, b.Range))
		})
		for _, r := range slices.Compact(rels) {
			verCol, kinds, relNames, ranges = append(verCol, id), append(kinds, r.Kind), append(relNames, r.Name), append(ranges, r.Range)
		}
	}
	if len(verCol) > 0 {
		if _, err := tx.Exec(ctx, `
			INSERT INTO deb_requirement (deb_package_version_id, kind, name, version_range)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
			ON CONFLICT DO NOTHING`, verCol, kinds, relNames, ranges); err != nil {
			return err
		}
	}
	counts["deb_relations"] = int64(len(verCol))
	counts["debs"], err = copyRows(ctx, tx, "image_deb", []string{"document_id", "deb_package_version_id"}, rows)
	return err
}

func writeSymbols(ctx context.Context, tx pgx.Tx, docID string, syms []VersionedSymbol, counts Counts) error {
	counts["symbols"] = 0
	if len(syms) == 0 {
		return nil
	}
	sorted := slices.Clone(syms)
	slices.SortFunc(sorted, func(a, b VersionedSymbol) int {
		return cmp.Or(strings.Compare(a.Library, b.Library), strings.Compare(a.Symbol, b.Symbol))
	})
	sorted = slices.CompactFunc(sorted, func(a, b VersionedSymbol) bool { return a.Library == b.Library && a.Symbol == b.Symbol })
	libs, names := make([]string, len(sorted)), make([]string, len(sorted))
	for i, s := range sorted {
		libs[i], names[i] = s.Library, s.Symbol
	}
	// Symbols are shared by every image of a base: most exist. New ones
	// are inserted, then every id is read (rows that exist are not written).
	if _, err := tx.Exec(ctx, `
		INSERT INTO versioned_symbol (library, symbol)
		SELECT * FROM unnest($1::text[], $2::text[])
		ON CONFLICT ON CONSTRAINT versioned_symbol_key DO NOTHING`, libs, names); err != nil {
		return err
	}
	got, err := tx.Query(ctx, `
		SELECT v.id FROM versioned_symbol v
		JOIN unnest($1::text[], $2::text[]) AS u(library, symbol) ON v.library = u.library AND v.symbol = u.symbol`, libs, names)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(got, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if len(ids) != len(sorted) {
		return Errorf(CodeInternal, "versioned symbols: %d of %d found after the upsert", len(ids), len(sorted))
	}
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{docID, id}
	}
	counts["symbols"], err = copyRows(ctx, tx, "image_symbol", []string{"document_id", "versioned_symbol_id"}, rows)
	return err
}
