//go:build thoth

package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/osv"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// osvFixtures is the directory of the real PyPA advisories: SESHAT_OSV_FIXTURES,
// else ../shared/fixtures/osv from the module root. A missing one fails.
func osvFixtures(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SESHAT_OSV_FIXTURES")
	if dir == "" {
		dir = filepath.Join(testenv.Root(t), "..", "shared", "fixtures", "osv")
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("no OSV fixtures at %s (set SESHAT_OSV_FIXTURES): %v", dir, err)
	}
	return dir
}

// refEntry is an affected entry read from a record's JSON with plain maps,
// for the test's own evaluation.
type refEntry struct {
	name     string
	versions []string
	ranges   [][][2]string // ECOSYSTEM ranges: events as (kind, version)
}

type refRecord struct {
	id        string
	withdrawn bool
	entries   []refEntry
}

// refRead reads the PyPI entries of a record's canonical JSON.
func refRead(t *testing.T, raw []byte) refRecord {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	r := refRecord{id: str(doc["id"]), withdrawn: doc["withdrawn"] != nil}
	list := func(v any) []any { l, _ := v.([]any); return l }
	for _, a := range list(doc["affected"]) {
		a, _ := a.(map[string]any)
		pkg, _ := a["package"].(map[string]any)
		if str(pkg["ecosystem"]) != "PyPI" {
			continue
		}
		e := refEntry{name: norm(str(pkg["name"]))}
		for _, v := range list(a["versions"]) {
			e.versions = append(e.versions, str(v))
		}
		for _, rg := range list(a["ranges"]) {
			rg, _ := rg.(map[string]any)
			if str(rg["type"]) != "ECOSYSTEM" {
				continue
			}
			var events [][2]string
			for _, ev := range list(rg["events"]) {
				ev, _ := ev.(map[string]any)
				for _, k := range []string{"introduced", "fixed", "last_affected", "limit"} {
					if v, ok := ev[k]; ok {
						events = append(events, [2]string{k, str(v)})
					}
				}
			}
			e.ranges = append(e.ranges, events)
		}
		r.entries = append(r.entries, e)
	}
	return r
}

// parsedVersions caches pep440's parses: the evaluation below compares
// thousands of versions with hundreds of explicit ones.
var parsedVersions = map[string]python.Version{}

func pep440(t *testing.T, s string) python.Version {
	t.Helper()
	if v, ok := parsedVersions[s]; ok {
		return v
	}
	v, err := python.ParseVersion(s)
	if err != nil {
		t.Fatalf("version %q: %v", s, err)
	}
	parsedVersions[s] = v
	return v
}

// refAffected is the test's own evaluation of one ECOSYSTEM range for v:
// walking the events whose version is at most v in PEP 440 order
// (introduced "0" lowest), an introduced opens, a fixed at or below v
// closes, a last_affected below v closes; with limit events, v must be
// below one of them.
func refAffected(t *testing.T, events [][2]string, v python.Version) bool {
	affected := false
	var limits []python.Version
	type ev struct {
		kind string
		v    *python.Version // nil: "0"
	}
	var evs []ev
	for _, e := range events {
		switch {
		case e[0] == "limit":
			if !strings.Contains(e[1], "*") {
				limits = append(limits, pep440(t, e[1]))
			}
			continue
		case e[0] == "introduced" && e[1] == "0":
			evs = append(evs, ev{kind: e[0]})
		default:
			w := pep440(t, e[1])
			evs = append(evs, ev{kind: e[0], v: &w})
		}
	}
	slices.SortStableFunc(evs, func(a, b ev) int {
		switch {
		case a.v == nil && b.v == nil:
			return 0
		case a.v == nil:
			return -1
		case b.v == nil:
			return 1
		}
		return a.v.Compare(*b.v)
	})
	for _, e := range evs {
		if e.v != nil && e.v.Compare(v) > 0 {
			break
		}
		switch e.kind {
		case "introduced":
			affected = true
		case "fixed":
			affected = false
		case "last_affected":
			if e.v.Compare(v) < 0 {
				affected = false
			}
		}
	}
	if affected && len(limits) > 0 {
		return slices.ContainsFunc(limits, func(l python.Version) bool { return v.Compare(l) < 0 })
	}
	return affected
}

// TestThothOSVImport imports every shared advisory into a graph holding, for
// each affected package, every version any record names and versions around
// them (half written before the import, half after, so both the import's
// matching and a solver document's re-matching are checked), then compares
// vulnerability_affects with the test's own evaluation for every version of
// every affected package, and re-imports: no row changes.
func TestThothOSVImport(t *testing.T) {
	b := newBundle(t)
	ctx := t.Context()
	dir := osvFixtures(t)

	var refs []refRecord
	versions := map[string]map[string]bool{} // package -> versions for the graph
	add := func(name, v string) {
		if _, err := python.ParseVersion(v); err != nil {
			return
		}
		if versions[name] == nil {
			versions[name] = map[string]bool{}
		}
		versions[name][v] = true
	}
	files := 0
	if err := osv.Walk(dir, func(name string, raw []byte) error {
		files++
		rec, err := osv.Parse(name, raw)
		if err != nil {
			return nil // counted by the import below
		}
		r := refRead(t, rec.Raw)
		refs = append(refs, r)
		for _, e := range r.entries {
			add(e.name, "0.0.1")
			var named []string
			named = append(named, e.versions...)
			for _, rg := range e.ranges {
				for _, ev := range rg {
					if ev[1] != "0" && !strings.Contains(ev[1], "*") {
						named = append(named, ev[1])
					}
				}
			}
			for _, v := range named {
				// The version, and versions just around it: a pre-release
				// and a post-release of it, and its next micro release.
				add(e.name, v)
				add(e.name, v+"rc1")
				add(e.name, v+".post1")
				add(e.name, v+".1")
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no records in %s", dir)
	}
	var names []string
	for n := range versions {
		names = append(names, n)
	}
	slices.Sort(names)
	// Even versions before the import, odd ones after it.
	var before, after []persistence.SolvedEntry
	total := 0
	for _, n := range names {
		vs := slices.Sorted(func(yield func(string) bool) {
			for v := range versions[n] {
				if !yield(v) {
					return
				}
			}
		})
		for i, v := range vs {
			e := persistence.SolvedEntry{Name: n, Version: v, IndexURL: "https://pypi.org/simple"}
			if i%2 == 0 {
				before = append(before, e)
			} else {
				after = append(after, e)
			}
			total++
		}
	}
	write := func(id string, entries []persistence.SolvedEntry) persistence.IngestOutcome {
		res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0",
			Environment: persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
			SolvedAt:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Entries: entries}
		out, err := b.store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, res, false)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	write("solver-rhel-8-py38-0ff1ce01", before)

	rep, err := ingest.ImportVulnerabilities(ctx, b.store, "testdata", walkOf(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("conformance: %d files, %d new, %d withdrawn, %d invalid, %d affects rows on import", files, rep.New, rep.Withdrawn, rep.Invalid, rep.Affects)
	for _, f := range rep.Failures {
		t.Errorf("refused %s: %s", f.Path, f.Message)
	}
	late := write("solver-rhel-8-py38-0ff1ce02", after)
	t.Logf("conformance: %d packages, %d versions (%d before the import, %d after: %d affects rows on arrival)",
		len(names), total, len(before), len(after), late.Counts["affects"])

	// The test's own evaluation of every version of every affected package.
	sortedVersions := map[string][]string{}
	for n, vs := range versions {
		for v := range vs {
			sortedVersions[n] = append(sortedVersions[n], v)
		}
		slices.SortFunc(sortedVersions[n], func(a, b string) int { return pep440(t, a).Compare(pep440(t, b)) })
	}
	var want []string
	for _, r := range refs {
		if r.withdrawn {
			continue
		}
		seen := map[string]bool{}
		for _, e := range r.entries {
			// The graph's versions PEP 440-equal to one the entry lists.
			listed := map[string]bool{}
			sorted := sortedVersions[e.name]
			for _, s := range e.versions {
				w, err := python.ParseVersion(s)
				if err != nil {
					continue
				}
				i, _ := slices.BinarySearchFunc(sorted, w, func(a string, w python.Version) int { return pep440(t, a).Compare(w) })
				for ; i < len(sorted) && pep440(t, sorted[i]).Compare(w) == 0; i++ {
					listed[sorted[i]] = true
				}
			}
			for v := range versions[e.name] {
				pv := pep440(t, v)
				hit := listed[v]
				for _, rg := range e.ranges {
					hit = hit || refAffected(t, rg, pv)
				}
				// Stored in its PEP 440 normal form (0.6c1 is 0.6rc1).
				key := fmt.Sprintf("%s %s %s", r.id, e.name, normVersion(v))
				if hit && !seen[key] {
					seen[key] = true
					want = append(want, key)
				}
			}
		}
	}
	slices.Sort(want)
	var got []string
	for _, s := range storedAffects(t, b.db) {
		f := strings.Fields(s) // id name version fixed
		got = append(got, strings.Join(f[:3], " "))
	}
	missing, extra := 0, 0
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			if missing++; missing <= 20 {
				t.Errorf("not affected in the graph: %s", w)
			}
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			if extra++; extra <= 20 {
				t.Errorf("affected in the graph only: %s", g)
			}
		}
	}
	withdrawn := 0
	for _, r := range refs {
		if r.withdrawn {
			withdrawn++
		}
	}
	t.Logf("conformance: %d records (%d withdrawn), %d affected versions expected, %d stored, %d missing, %d extra",
		len(refs), withdrawn, len(want), len(got), missing, extra)

	countsBefore := tableCounts(t, b.db)
	rep, err = ingest.ImportVulnerabilities(ctx, b.store, "testdata", walkOf(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != len(refs) || rep.New+rep.Updated+rep.Withdrawn != 0 {
		t.Errorf("re-import: %+v; want %d unchanged", rep, len(refs))
	}
	if countsAfter := tableCounts(t, b.db); fmt.Sprint(countsAfter) != fmt.Sprint(countsBefore) {
		t.Errorf("re-import changed counts: %v, was %v", countsAfter, countsBefore)
	}
	t.Logf("conformance: re-import: %d unchanged, row counts unchanged", rep.Unchanged)
}
