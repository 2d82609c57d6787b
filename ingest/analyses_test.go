package ingest_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/analysis"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// analysisTables are the tables image analyses write.
var analysisTables = []string{"software_environment", "image_analysis", "image_python_package", "rpm_package_version",
	"rpm_requirement", "rpm_requires", "image_rpm", "deb_package_version", "deb_requirement", "image_deb",
	"versioned_symbol", "image_symbol", "image_python_interpreter", "image_python_file"}

// analysisFixtures are the project's image analyses, testdata/analysis,
// kept under analysis/<document id>.
func analysisFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.Testdata(t, "analysis"), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no analyses: %v", err)
	}
	var out []fixture
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		id := doc["metadata"].(map[string]any)["document_id"].(string)
		out = append(out, fixture{file: f, id: id, key: "analysis/" + id, raw: raw, doc: doc})
	}
	return out
}

// TestAnalysesSync: a sync ingests every analysis of testdata from the
// analysis/ folder; syncing again adds no row (SKIPPED), and force
// replaces each document's facts with as many rows in every table and the
// same counts.
func TestAnalysesSync(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	fx := analysisFixtures(t)
	b.putAll(t, fx)
	rep := sync(t, b.svc, ingest.SyncOptions{Prefix: "analysis"})
	if rep.Processed != len(fx) || rep.Synced != len(fx) || rep.Failed != 0 {
		t.Fatalf("report %+v, want %d synced", rep, len(fx))
	}
	before := tableCounts(t, b.db)
	for _, tbl := range analysisTables {
		if before[tbl] == 0 {
			t.Errorf("%s is empty after the sync", tbl)
		}
	}
	counts := map[string]persistence.Counts{}
	for _, f := range fx {
		d, err := b.store.Document(t.Context(), f.id)
		if err != nil || d == nil || d.Status != persistence.StatusIngested || d.Kind != "package-extract" || d.Counts["analyses"] != 1 {
			t.Fatalf("document %s: %+v, %v", f.id, d, err)
		}
		if n := countRows(t, b.db, "image_analysis", f.id); n != 1 {
			t.Errorf("%s: %d image_analysis rows", f.id, n)
		}
		counts[f.id] = d.Counts
	}
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "analysis"})
	if rep.Skipped != len(fx) || rep.Synced != 0 {
		t.Errorf("second sync %+v, want every document skipped", rep)
	}
	if after := tableCounts(t, b.db); !equalCounts(before, after) {
		t.Errorf("second sync changed row counts:\n%v\n%v", before, after)
	}
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "analysis", Force: true})
	if rep.Synced != len(fx) || rep.Failed != 0 {
		t.Errorf("forced sync %+v", rep)
	}
	if after := tableCounts(t, b.db); !equalCounts(before, after) {
		t.Errorf("forced sync changed row counts:\n%v\n%v", before, after)
	}
	for _, f := range fx {
		d, _ := b.store.Document(t.Context(), f.id)
		if !equalCounts(d.Counts, counts[f.id]) {
			t.Errorf("%s: counts %v after force, %v before", f.id, d.Counts, counts[f.id])
		}
	}
}

func equalCounts[M ~map[string]int64](a, b M) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAnalysisInvalid: a malformed copy of an analysis is refused INVALID
// with the JSON path of the problem, recorded FAILED, and leaves no row in
// any table of image analyses.
func TestAnalysisInvalid(t *testing.T) {
	t.Parallel()
	byID := map[string]fixture{}
	for _, f := range analysisFixtures(t) {
		byID[f.id] = f
	}
	const current, deb, legacy = "package-extract-210601080910-5eed1e55", "package-extract-210704010203-0deb0deb", "package-extract-1e6ac75e"
	type m = map[string]any
	obj := func(d m, keys ...string) m {
		for _, k := range keys {
			d = d[k].(m)
		}
		return d
	}
	elem := func(d m, key string, i int) m { return d[key].([]any)[i].(m) }
	cases := []struct {
		doc, path string
		edit      func(d m)
	}{
		{current, "result.rpm-dependencies[1].name", func(d m) { elem(obj(d, "result"), "rpm-dependencies", 1)["name"] = 7 }},
		{current, "result.rpm-dependencies[0].dependencies[2]", func(d m) {
			elem(obj(d, "result"), "rpm-dependencies", 0)["dependencies"].([]any)[2] = nil
		}},
		{current, "result.python-files[0].sha256", func(d m) { elem(obj(d, "result"), "python-files", 0)["sha256"] = "xyz" }},
		{current, "result.system-symbols./usr/lib64/libc.so.6", func(d m) { obj(d, "result", "system-symbols")["/usr/lib64/libc.so.6"] = "GLIBC_2.28" }},
		{current, "metadata.arguments.thoth-package-extract.metadata.environment_type", func(d m) {
			obj(d, "metadata", "arguments", "thoth-package-extract", "metadata")["environment_type"] = "sometimes"
		}},
		{current, "result.cuda-version", func(d m) {
			obj(d, "result")["cuda-version"] = m{"nvcc_version": "11.2", "/usr/local/cuda/version.txt": "10.1"}
		}},
		{current, "metadata.arguments.extract-image", func(d m) { delete(obj(d, "metadata", "arguments"), "extract-image") }},
		{current, "result.image_size", func(d m) { obj(d, "result")["image_size"] = -1 }},
		{current, "result.python-packages[2].package_version", func(d m) { elem(obj(d, "result"), "python-packages", 2)["package_version"] = nil }},
		{current, "result.python-interpreters[1].path", func(d m) { elem(obj(d, "result"), "python-interpreters", 1)["path"] = "" }},
		{current, "result.skopeo-inspect", func(d m) { obj(d, "result")["skopeo-inspect"] = "sha256:00" }},
		{current, "result", func(d m) { d["result"] = []any{} }},
		{deb, "result.deb-dependencies[0].depends[1]", func(d m) { elem(obj(d, "result"), "deb-dependencies", 0)["depends"].([]any)[1] = "libcrypt1" }},
		{deb, "result.deb[2].version", func(d m) { elem(obj(d, "result"), "deb", 2)["version"] = 1 }},
		{deb, "metadata.arguments.thoth-package-extract.metadata", func(d m) {
			obj(d, "metadata", "arguments", "thoth-package-extract")["metadata"] = "{not json"
		}},
		{legacy, "result.mercator[1].result.version", func(d m) { delete(obj(elem(obj(d, "result"), "mercator", 1), "result"), "version") }},
		{legacy, "metadata.datetime", func(d m) { obj(d, "metadata")["datetime"] = "yesterday" }},
		{legacy, "result.layers[1]", func(d m) { obj(d, "result")["layers"].([]any)[1] = 7 }},
	}
	b := newBundle(t)
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			var d m
			if err := json.Unmarshal(byID[c.doc].raw, &d); err != nil {
				t.Fatal(err)
			}
			c.edit(d)
			raw, _ := json.Marshal(d)
			r, err := b.svc.Ingest(t.Context(), c.doc, raw, false)
			if err != nil {
				t.Fatal(err)
			}
			msg := persistence.ErrorMessage(r.Err)
			if r.Status != persistence.StatusFailed || persistence.ErrorCode(r.Err) != persistence.CodeInvalid || !strings.Contains(msg, c.path+": ") {
				t.Errorf("got %s %s %q, want FAILED INVALID naming %s", r.Status, persistence.ErrorCode(r.Err), msg, c.path)
			}
			row, err := b.store.Document(t.Context(), c.doc)
			if err != nil || row == nil || row.Status != persistence.StatusFailed || row.Error == nil || !strings.Contains(*row.Error, c.path) {
				t.Errorf("document row %+v, %v", row, err)
			}
		})
	}
	counts := tableCounts(t, b.db)
	for _, tbl := range analysisTables {
		if counts[tbl] != 0 {
			t.Errorf("%s has %d rows after refused documents", tbl, counts[tbl])
		}
	}
}

// TestAnalysisLongestValues: a document whose every value that is part of
// an index key is as long as the parser allows, under the longest document
// id, is ingested (the keys fit PostgreSQL's index rows).
func TestAnalysisLongestValues(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int) string {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		out := make([]byte, n)
		for i := range out {
			out[i] = letters[r.IntN(len(letters))]
		}
		return string(out)
	}
	name := func() string { return random(analysis.MaxNameBytes) }
	path := func() string { return "/" + random(analysis.MaxPathBytes-1) }
	id := "package-extract-" + random(1024-len("package-extract-"))
	doc := map[string]any{
		"metadata": map[string]any{"document_id": id, "arguments": map[string]any{"extract-image": map[string]any{"image": path()}}},
		"result": map[string]any{
			"skopeo-inspect":      map[string]any{"Digest": name()},
			"python-packages":     []any{map[string]any{"package_name": name(), "package_version": name(), "location": path()}},
			"rpm-dependencies":    []any{map[string]any{"name": name(), "version": name(), "release": name(), "epoch": name(), "arch": name(), "dependencies": []any{path()}}},
			"deb-dependencies":    []any{map[string]any{"name": name(), "version": name(), "epoch": name(), "arch": name(), "depends": []any{map[string]any{"name": name(), "version": name()}}}},
			"system-symbols":      map[string]any{path(): []any{name()}},
			"python-interpreters": []any{map[string]any{"path": path(), "link": path()}},
			"python-files":        []any{map[string]any{"filepath": path(), "sha256": strings.Repeat("0", 64)}},
		},
	}
	raw, _ := json.Marshal(doc)
	res, err := b.svc.Ingest(t.Context(), id, raw, false)
	if err != nil || res.Status != persistence.StatusIngested {
		t.Fatalf("%s %v, %v", res.Status, res.Err, err)
	}
	if n := countRows(t, b.db, "image_symbol", id) + countRows(t, b.db, "image_rpm", id) + countRows(t, b.db, "image_python_package", id); n != 3 {
		t.Errorf("%d rows", n)
	}
}
