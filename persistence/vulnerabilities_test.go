package persistence_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

var env38 = persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}

// solve writes a solver document whose tree holds the given versions
// ("name==version@index").
func solve(t *testing.T, store *persistence.Store, id string, versions ...[3]string) persistence.IngestOutcome {
	t.Helper()
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: env38,
		SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, v := range versions {
		res.Entries = append(res.Entries, persistence.SolvedEntry{Name: v[0], Version: v[1], IndexURL: v[2]})
	}
	out, err := store.IngestSolverResult(t.Context(), persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func at(s string) *time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &v
}

func ecosystem(events ...python.Event) python.Range {
	return python.Range{Type: python.RangeEcosystem, Events: events}
}

// affects lists vulnerability_affects as "id name version index fixed".
func affects(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(t.Context(), `
		SELECT v.external_id, p.name, pv.version, coalesce(i.url, ''), coalesce(a.fixed_in, '-')
		FROM vulnerability_affects a
		JOIN vulnerability v ON v.id = a.vulnerability_id
		JOIN package_version pv ON pv.id = a.version_id
		JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index i ON i.id = pv.index_id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var id, name, version, index, fixed string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name, &version, &index, &fixed}, func() error {
		out = append(out, fmt.Sprintf("%s %s %s %s %s", id, name, version, index, fixed))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// vulnerabilityCounts counts the rows of the vulnerability tables and
// their last update.
func vulnerabilityCounts(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(t.Context(), `SELECT format('%s vulnerabilities, %s packages, %s affects, %s versions, updated %s',
		(SELECT count(*) FROM vulnerability), (SELECT count(*) FROM vulnerability_package),
		(SELECT count(*) FROM vulnerability_affects), (SELECT count(*) FROM package_version),
		(SELECT max(updated_at) FROM vulnerability))`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func statuses(outs []persistence.VulnerabilityOutcome) []string {
	var s []string
	for _, o := range outs {
		s = append(s, o.ID+" "+string(o.Status))
	}
	return s
}

func TestImportVulnerabilities(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	conn := testenv.Conn(t, dbURL)
	ctx := t.Context()
	solve(t, store, "solver-rhel-8-py38-1",
		[3]string{"foo-bar", "0.9", indexA}, [3]string{"foo-bar", "1.0", indexA}, [3]string{"foo-bar", "1.1", indexA},
		[3]string{"foo-bar", "1.5", indexA}, [3]string{"foo-bar", "2.0", indexA}, [3]string{"foo-bar", "2.1", indexA},
		[3]string{"foo-bar", "1.1", indexB}, [3]string{"other", "1.0", indexA})

	rec := persistence.VulnerabilityRecord{ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1"}, Summary: "s",
		Modified: at("2024-02-01T00:00:00Z"), Raw: []byte(`{"id":"PYSEC-2024-1"}`),
		Affected: []python.Affected{{Name: "foo-bar", Versions: []string{"0.9"},
			Ranges: []python.Range{ecosystem(python.Event{Introduced: "1.0"}, python.Event{Fixed: "2.0"})}}}}
	outs, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(outs); !slices.Equal(got, []string{"PYSEC-2024-1 NEW"}) || outs[0].Affects != 5 {
		t.Fatalf("first import: %v, %d affects", got, outs[0].Affects)
	}
	want := []string{
		"PYSEC-2024-1 foo-bar 0.9 " + indexA + " -",
		"PYSEC-2024-1 foo-bar 1.0 " + indexA + " 2.0",
		"PYSEC-2024-1 foo-bar 1.1 " + indexB + " 2.0",
		"PYSEC-2024-1 foo-bar 1.1 " + indexA + " 2.0",
		"PYSEC-2024-1 foo-bar 1.5 " + indexA + " 2.0",
	}
	slices.Sort(want)
	if got := affects(t, conn); !slices.Equal(got, want) {
		t.Fatalf("affects:\n got %q\nwant %q", got, want)
	}

	t.Run("re-import changes nothing", func(t *testing.T) {
		before := vulnerabilityCounts(t, conn)
		outs, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(outs); !slices.Equal(got, []string{"PYSEC-2024-1 UNCHANGED"}) {
			t.Errorf("re-import: %v", got)
		}
		if after := vulnerabilityCounts(t, conn); after != before {
			t.Errorf("re-import changed rows: %s, was %s", after, before)
		}
	})

	// A release inside the range the record does not list arrives later: it
	// is affected on arrival, without importing the record again.
	t.Run("solver document re-matches", func(t *testing.T) {
		out := solve(t, store, "solver-rhel-8-py38-2", [3]string{"foo-bar", "1.7", indexA}, [3]string{"other", "2.0", indexA})
		if out.Counts["affects"] != 1 {
			t.Errorf("counts %v; want affects 1", out.Counts)
		}
		if got := affects(t, conn); !slices.Contains(got, "PYSEC-2024-1 foo-bar 1.7 "+indexA+" 2.0") || len(got) != 6 {
			t.Errorf("after the solver document: %q", got)
		}
		// The same document again (force): nothing new.
		before := vulnerabilityCounts(t, conn)
		res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: env38,
			SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Entries:  []persistence.SolvedEntry{{Name: "foo-bar", Version: "1.7", IndexURL: indexA}}}
		if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-rhel-8-py38-2", Kind: "solver", SHA256: "y"}, res, true); err != nil {
			t.Fatal(err)
		}
		if after := vulnerabilityCounts(t, conn); after != before {
			t.Errorf("re-ingesting the solver document changed rows: %s, was %s", after, before)
		}
	})

	t.Run("newer modified updates", func(t *testing.T) {
		newer := rec
		newer.Modified = at("2024-03-01T00:00:00Z")
		newer.Affected = []python.Affected{{Name: "foo-bar", Versions: []string{"0.9"},
			Ranges: []python.Range{ecosystem(python.Event{Introduced: "1.0"}, python.Event{Fixed: "1.5"})}}}
		outs, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{newer})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(outs); !slices.Equal(got, []string{"PYSEC-2024-1 UPDATED"}) {
			t.Errorf("newer: %v", got)
		}
		want := []string{
			"PYSEC-2024-1 foo-bar 0.9 " + indexA + " -",
			"PYSEC-2024-1 foo-bar 1.0 " + indexA + " 1.5",
			"PYSEC-2024-1 foo-bar 1.1 " + indexB + " 1.5",
			"PYSEC-2024-1 foo-bar 1.1 " + indexA + " 1.5",
		}
		slices.Sort(want)
		if got := affects(t, conn); !slices.Equal(got, want) {
			t.Errorf("affects after the update:\n got %q\nwant %q", got, want)
		}
		// An older one is not newer: unchanged.
		outs, err = store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{rec})
		if err != nil || outs[0].Status != persistence.ImportUnchanged {
			t.Errorf("older record: %v, %v", statuses(outs), err)
		}
	})

	t.Run("withdrawn stops matching", func(t *testing.T) {
		gone := rec
		gone.Modified, gone.Withdrawn = at("2024-04-01T00:00:00Z"), at("2024-04-01T00:00:00Z")
		outs, err := store.ImportVulnerabilities(ctx, "", []persistence.VulnerabilityRecord{gone})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(outs); !slices.Equal(got, []string{"PYSEC-2024-1 WITHDRAWN"}) {
			t.Errorf("withdrawn: %v", got)
		}
		if got := affects(t, conn); len(got) != 0 {
			t.Errorf("a withdrawn record affects %q", got)
		}
		// A version arriving later is not matched either.
		if out := solve(t, store, "solver-rhel-8-py38-3", [3]string{"foo-bar", "1.2", indexA}); out.Counts["affects"] != 0 {
			t.Errorf("a withdrawn record matched a new version: %v", out.Counts)
		}
	})
}

// TestImportVulnerabilitiesKeepsFields: every field of a record is kept.
func TestImportVulnerabilitiesKeepsFields(t *testing.T) {
	t.Parallel()
	store, _, dbURL := testenv.Store(t)
	conn := testenv.Conn(t, dbURL)
	rec := persistence.VulnerabilityRecord{ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2024-2", "PYSEC-2024-2"},
		Summary: "sum", Details: "det", Severity: []byte(`[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N"}]`),
		References: []byte(`[{"type":"WEB","url":"https://example.org"}]`),
		Published:  at("2024-01-01T00:00:00Z"), Modified: at("2024-01-02T00:00:00Z"), Raw: []byte(`{"id":"GHSA-aaaa-bbbb-cccc"}`),
		Affected: []python.Affected{{Name: "pkg", Ranges: []python.Range{ecosystem(python.Event{Introduced: "0"}, python.Event{LastAffected: "1.0"})}}}}
	if _, err := store.ImportVulnerabilities(t.Context(), "", []persistence.VulnerabilityRecord{rec}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := conn.QueryRow(t.Context(), `
		SELECT concat_ws('|', summary, details, array_to_string(aliases, ','), severity::text, refs::text,
			affected::text, published, modified, raw::text, (SELECT string_agg(package_name, ',') FROM vulnerability_package))
		FROM vulnerability`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := `sum|det|CVE-2024-2,PYSEC-2024-2|[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}]|[{"url": "https://example.org", "type": "WEB"}]|` +
		`[{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.0"}]}], "package": {"name": "pkg", "ecosystem": "PyPI"}}]|` +
		`2024-01-01 00:00:00+00|2024-01-02 00:00:00+00|{"id": "GHSA-aaaa-bbbb-cccc"}|pkg`
	if got != want {
		t.Errorf("stored:\n got %s\nwant %s", got, want)
	}
}
