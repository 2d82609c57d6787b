package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// putSecurityTree puts the security-indicator documents of dir into docs
// at Thoth's keys: a folder as security-indicators/<id>/<part> (without
// .json), a file as security-indicators/<file name without .json>. It
// returns the document ids by their file or folder name.
func putSecurityTree(t *testing.T, docs objectstore.Store, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		if !e.IsDir() {
			if filepath.Ext(e.Name()) != ".json" {
				continue
			}
			if err := docs.Put(t.Context(), "security-indicators/"+name, readFile(t, filepath.Join(dir, e.Name()))); err != nil {
				t.Fatal(err)
			}
			ids[e.Name()] = name
			continue
		}
		parts, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			key := "security-indicators/" + name + "/" + strings.TrimSuffix(p.Name(), ".json")
			if err := docs.Put(t.Context(), key, readFile(t, filepath.Join(dir, e.Name(), p.Name()))); err != nil {
				t.Fatal(err)
			}
		}
		ids[e.Name()] = name
	}
	return ids
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// expectedIndicator reads a security-indicator document tree independently
// of the parser: bandit's findings counted in files outside /test paths,
// else si-aggregator's counters taken with its axes swapped back.
type expectedIndicator struct {
	name, version string
	counts        map[string]int // "LOW/HIGH": severity LOW, confidence HIGH
	files         [4]int         // analysed, total, with severities, filtered
	pythonCode    int
	totalLines    int
	tests         map[string]int
}

func expectFrom(t *testing.T, path string) expectedIndicator {
	t.Helper()
	load := func(p string) map[string]any {
		var v map[string]any
		if err := json.Unmarshal(readFile(t, p), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	var bandit, cloc, agg map[string]any
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		for _, part := range []struct {
			name string
			into *map[string]any
		}{{"bandit", &bandit}, {"cloc", &cloc}, {"aggregated", &agg}} {
			if _, err := os.Stat(filepath.Join(path, part.name+".json")); err == nil {
				*part.into = load(filepath.Join(path, part.name+".json"))
			}
		}
	} else {
		doc := load(path)
		switch {
		case doc["package_name"] != nil:
			agg = doc
		case doc["metadata"].(map[string]any)["analyzer"] == "thoth-si-bandit":
			bandit = doc
		}
	}
	e := expectedIndicator{counts: map[string]int{}, tests: map[string]int{}}
	num := func(v any) int { f, _ := v.(float64); return int(f) }
	if agg != nil {
		flat := agg
		if r, ok := agg["result"].(map[string]any); ok {
			flat = r
		}
		e.name, e.version = flat["package_name"].(string), flat["package_version"].(string)
		for k, v := range flat {
			var conf, sev string
			if _, err := fmt.Sscanf(strings.NewReplacer(".", " ", "__", " ").Replace(k), "SEVERITY %s CONFIDENCE %s", &conf, &sev); err == nil && num(v) > 0 {
				e.counts[sev+"/"+conf] = num(v)
			}
		}
		e.files = [4]int{num(flat["number_of_analyzed_files"]), num(flat["number_of_files_total"]),
			num(flat["number_of_files_with_severities"]), num(flat["number_of_filtered_files"])}
		e.pythonCode, e.totalLines = num(flat["Python.code"]), num(flat["SUM.n_lines"])
	}
	if bandit != nil {
		args := bandit["metadata"].(map[string]any)["arguments"].(map[string]any)
		for _, a := range args {
			e.name, e.version = a.(map[string]any)["package_name"].(string), a.(map[string]any)["package_version"].(string)
		}
		res := bandit["result"].(map[string]any)
		kept := map[string]bool{}
		filtered := 0
		for f := range res["metrics"].(map[string]any) {
			if f == "_totals" {
				continue
			}
			if strings.Contains(f, "/test") {
				filtered++
			} else {
				kept[f] = false
			}
		}
		fromBandit := map[string]int{}
		for _, r := range res["results"].([]any) {
			r := r.(map[string]any)
			f := r["filename"].(string)
			if _, ok := kept[f]; !ok {
				continue
			}
			kept[f] = true
			fromBandit[r["issue_severity"].(string)+"/"+r["issue_confidence"].(string)]++
			e.tests[r["test_id"].(string)]++
		}
		if agg != nil && fmt.Sprint(fromBandit) != fmt.Sprint(e.counts) {
			t.Errorf("%s: bandit's findings %v, si-aggregator's (axes swapped back) %v", path, fromBandit, e.counts)
		}
		e.counts = fromBandit
		with := 0
		for _, hit := range kept {
			if hit {
				with++
			}
		}
		e.files = [4]int{len(kept), len(kept) + filtered, with, filtered}
	}
	if cloc != nil {
		res := cloc["result"].(map[string]any)
		e.pythonCode = num(res["Python"].(map[string]any)["code"])
		e.totalLines = num(res["header"].(map[string]any)["n_lines"])
	}
	return e
}

// checkIndicator compares a stored indicator with the expectation.
func checkIndicator(t *testing.T, what string, got persistence.SecurityIndicator, want expectedIndicator) {
	t.Helper()
	counts := map[string]int{}
	for i, sev := range persistence.Severities {
		for j, conf := range persistence.Confidences {
			if n := got.Counts[i][j]; n > 0 {
				counts[sev+"/"+conf] = n
			}
		}
	}
	if fmt.Sprint(counts) != fmt.Sprint(want.counts) {
		t.Errorf("%s: counts %v, want %v", what, counts, want.counts)
	}
	deref := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	files := [4]int{deref(got.FilesAnalyzed), deref(got.FilesTotal), deref(got.FilesWithSeverities), deref(got.FilesFiltered)}
	if files != want.files {
		t.Errorf("%s: files (analysed, total, with severities, filtered) %v, want %v", what, files, want.files)
	}
	if want.pythonCode > 0 && (got.Python == nil || got.Python.Code != want.pythonCode) {
		t.Errorf("%s: Python code %+v, want %d", what, got.Python, want.pythonCode)
	}
	if want.totalLines > 0 && (got.Total == nil || got.Total.Lines == nil || *got.Total.Lines != want.totalLines) {
		t.Errorf("%s: total %+v, want %d lines", what, got.Total, want.totalLines)
	}
	tests := map[string]int{}
	for _, f := range got.Findings {
		tests[f.TestID] = f.Findings
	}
	if len(want.tests) > 0 && fmt.Sprint(tests) != fmt.Sprint(want.tests) {
		t.Errorf("%s: findings per test %v, want %v", what, tests, want.tests)
	}
}

// indicatorsOf returns the stored indicators of name==version.
func indicatorsOf(t *testing.T, b *bundle, name, version string) []persistence.SecurityIndicator {
	t.Helper()
	var id int64
	if err := b.db.QueryRow(t.Context(), `SELECT pv.id FROM package_version pv JOIN package p ON p.id = pv.package_id
		WHERE p.name = $1 AND pv.version = $2`, name, version).Scan(&id); err != nil {
		t.Fatalf("%s==%s: %v", name, version, err)
	}
	got, err := b.store.SecurityIndicatorsOfVersions(t.Context(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	return got[id]
}

// TestSecurityIndicators: the project's security-indicator documents (a
// folder of bandit, cloc and aggregated results, a standalone si-bandit
// result, a flattened aggregate) sync INGESTED, each stored indicator equals
// an independent reading of its JSON, a re-sync writes no row, and a
// malformed copy is refused INVALID with its path and leaves no row.
func TestSecurityIndicators(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	dir := testenv.Testdata(t, "security")
	ids := putSecurityTree(t, b.docs, dir)
	rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "security-indicators"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Synced != len(ids) || rep.Failed != 0 {
		t.Fatalf("sync: %+v; want %d documents ingested", rep, len(ids))
	}
	for file, id := range ids {
		want := expectFrom(t, filepath.Join(dir, file))
		got := indicatorsOf(t, b, want.name, want.version)
		if len(got) != 1 || got[0].DocumentID != id {
			t.Fatalf("%s: %d indicators %+v, want one of %s", file, len(got), got, id)
		}
		checkIndicator(t, file, got[0], want)
	}

	before := tableCounts(t, b.db)
	if rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "security-indicators", Force: true}); err != nil || rep.Failed != 0 {
		t.Fatalf("forced re-sync: %+v, %v", rep, err)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("re-sync changed the row counts: %v, was %v", after, before)
	}

	// A copy whose bandit report has a severity bandit never writes.
	bad := strings.Replace(string(readFile(t, filepath.Join(dir, "si-bandit-5eca1ab1.json"))), `"issue_severity": "MEDIUM"`, `"issue_severity": 42`, 1)
	bad = strings.Replace(bad, `"si-bandit-5eca1ab1"`, `"si-bandit-5eca1ab2"`, 1)
	if err := b.docs.Put(ctx, "security-indicators/si-bandit-5eca1ab2", []byte(bad)); err != nil {
		t.Fatal(err)
	}
	before = tableCounts(t, b.db)
	rep, err = b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "security-indicators/si-bandit-5eca1ab2"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || len(rep.Failures) != 1 || rep.Failures[0].Code != persistence.CodeInvalid ||
		!strings.Contains(rep.Failures[0].Message, "bandit.result.results[0].issue_severity") {
		t.Fatalf("malformed copy: %+v", rep)
	}
	after := tableCounts(t, b.db)
	for _, table := range []string{"security_indicator", "security_finding", "package_version"} {
		if after[table] != before[table] {
			t.Errorf("the malformed copy changed %s: %d rows, was %d", table, after[table], before[table])
		}
	}
}
