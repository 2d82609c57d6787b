package ingest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// inspections are the project's own inspection documents,
// testdata/inspection/inspections: a folder with a specification and two
// results, a folder of one result without a specification, and a
// 2019-2020 single document.
func inspections(t *testing.T) []testenv.InspectionDocument {
	t.Helper()
	return testenv.InspectionDocuments(t, testenv.Testdata(t, "inspection", "inspections"))
}

// checkInspection compares what the graph holds for d with d's plain
// reading of the JSON: per result the exit code, the indicator's name,
// component, parameters, results, elapsed and rate, the hardware's CPU and
// flag count, the environment; the locked stack and the requirements; the
// counts on the document row.
func checkInspection(t *testing.T, b *bundle, d testenv.InspectionDocument) {
	t.Helper()
	rows, err := b.db.Query(t.Context(), `
		SELECT r.number, r.exit_code, coalesce(pi.name, ''), coalesce(pi.component, ''), pi.parameters, pi.result,
			pi.elapsed, pi.rate, coalesce(h.cpu_brand, ''), coalesce(h.cpu_cores, 0), coalesce(cardinality(h.cpu_flags), 0),
			coalesce(e.os_name, ''), coalesce(e.python_version, '')
		FROM inspection_result r
		LEFT JOIN performance_indicator pi USING (document_id, number)
		LEFT JOIN hardware h ON h.id = r.hardware_id
		LEFT JOIN environment e ON e.id = r.environment_id
		WHERE r.document_id = $1 ORDER BY r.number`, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []testenv.InspectionExpectation
	for rows.Next() {
		var e testenv.InspectionExpectation
		var cores int64
		if err := rows.Scan(&e.Number, &e.ExitCode, &e.Indicator, &e.Component, &e.Parameters, &e.Result,
			&e.Elapsed, &e.Rate, &e.CPUBrand, &cores, &e.Flags, &e.OSName, &e.Python); err != nil {
			t.Fatal(err)
		}
		e.CPUCores = float64(cores)
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := make([]testenv.InspectionExpectation, len(d.Results))
	for i, e := range d.Results {
		e.OSName = strings.ToLower(e.OSName)
		if e.Indicator == "" {
			e.Parameters, e.Result = nil, nil
		}
		want[i] = e
	}
	if a, b := dump(want), dump(got); a != b {
		t.Errorf("%s results:\nwant %s\ngot  %s", d.ID, a, b)
	}

	var locked, reqs []string
	if err := b.db.QueryRow(t.Context(), `
		SELECT coalesce(array_agg(p.name || '==' || pv.version ORDER BY p.name), '{}')
		FROM inspection_lock l JOIN package_version pv ON pv.id = l.version_id JOIN package p ON p.id = pv.package_id
		WHERE l.document_id = $1`, d.ID).Scan(&locked); err != nil {
		t.Fatal(err)
	}
	if err := b.db.QueryRow(t.Context(), `
		SELECT coalesce(array_agg(package_name || ' ' || specifier ORDER BY package_name), '{}')
		FROM inspection_requirement WHERE document_id = $1`, d.ID).Scan(&reqs); err != nil {
		t.Fatal(err)
	}
	wantLocked := normalised(d.Locked, "==")
	wantReqs := normalised(d.Requirements, " ")
	sort.Strings(locked)
	sort.Strings(reqs)
	diff(t, d.ID+" locked", wantLocked, locked)
	diff(t, d.ID+" requirements", wantReqs, reqs)

	doc, err := b.store.Document(t.Context(), d.ID)
	if err != nil || doc == nil || doc.Status != persistence.StatusIngested {
		t.Fatalf("%s document row: %+v, %v", d.ID, doc, err)
	}
	if doc.Counts["results"] != int64(len(d.Results)) || doc.Counts["locked"] != int64(len(d.Locked)) {
		t.Errorf("%s counts %v, want %d results and %d locked", d.ID, doc.Counts, len(d.Results), len(d.Locked))
	}
}

// normalised rewrites "Name<sep>rest" entries with the name PEP 503
// normalised, sorted.
func normalised(in []string, sep string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		name, rest, _ := strings.Cut(s, sep)
		out = append(out, norm(name)+sep+rest)
	}
	sort.Strings(out)
	return out
}

func dump(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// TestInspectionSync syncs the project's inspections with no prefix: one
// document per inspection folder (its N results included) and one per
// single document, each compared with a plain reading of its JSON;
// results that ran on one machine share one hardware node. A second sync
// adds no row, a forced one replaces the facts with as many, and a new
// result re-ingests its inspection alone.
func TestInspectionSync(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	docs := inspections(t)
	for _, d := range docs {
		d.Put(t, b.docs)
	}
	rep := sync(t, b.svc, ingest.SyncOptions{})
	if rep.Processed != len(docs) || rep.Synced != len(docs) || rep.Failed != 0 {
		t.Fatalf("sync %+v, want %d inspections ingested", rep, len(docs))
	}
	for _, d := range docs {
		checkInspection(t, b, d)
	}
	var machines, hardware int
	if err := b.db.QueryRow(t.Context(), `SELECT count(DISTINCT hardware_id) FROM inspection_result WHERE document_id = 'inspection-seshat-matmul-0a1b2c3d'`).Scan(&machines); err != nil || machines != 1 {
		t.Errorf("the matmul results ran on %d hardware nodes (%v), want 1", machines, err)
	}
	if err := b.db.QueryRow(t.Context(), `SELECT count(*) FROM hardware`).Scan(&hardware); err != nil || hardware != 3 {
		t.Errorf("%d hardware nodes (%v), want 3", hardware, err)
	}
	var gpu string
	if err := b.db.QueryRow(t.Context(), `SELECT gpu->>'model_name' || ' ' || ram_size FROM hardware WHERE gpu IS NOT NULL`).Scan(&gpu); err != nil || gpu != "Seshat Test GPU 68719476736" {
		t.Errorf("GPU machine %q (%v)", gpu, err)
	}

	before := tableCounts(t, b.db)
	rep = sync(t, b.svc, ingest.SyncOptions{})
	if rep.Skipped != len(docs) || rep.Synced != 0 {
		t.Errorf("second sync %+v, want every inspection skipped", rep)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "inspections", Force: true})
	if rep.Synced != len(docs) {
		t.Errorf("forced sync %+v", rep)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("forced sync changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	for _, d := range docs {
		checkInspection(t, b, d)
	}

	// A third result of the matmul inspection changes its content.
	var matmul testenv.InspectionDocument
	for _, d := range docs {
		if d.ID == "inspection-seshat-matmul-0a1b2c3d" {
			matmul = d
		}
	}
	third := map[string]any{}
	if err := json.Unmarshal(matmul.Objects["inspections/"+matmul.ID+"/results/0/result"], &third); err != nil {
		t.Fatal(err)
	}
	third["stdout"].(map[string]any)["@result"] = map[string]any{"elapsed": 0.5, "rate": 512.0}
	raw, _ := json.Marshal(third)
	put(t, b.docs, "inspections/"+matmul.ID+"/results/2/result", raw)
	rep = sync(t, b.svc, ingest.SyncOptions{Prefix: "inspections"})
	if rep.Synced != 1 || rep.Skipped != len(docs)-1 {
		t.Errorf("sync after a new result %+v, want the matmul inspection alone re-ingested", rep)
	}
	if n := countRows(t, b.db, "inspection_result", matmul.ID); n != 3 {
		t.Errorf("%d results after the new one, want 3", n)
	}
	var rate float64
	if err := b.db.QueryRow(t.Context(), `SELECT rate FROM performance_indicator WHERE document_id = $1 AND number = 2`, matmul.ID).Scan(&rate); err != nil || rate != 512 {
		t.Errorf("result 2 rate %v (%v)", rate, err)
	}

	// By id, the folder is read whole too; a dry run writes nothing.
	before = tableCounts(t, b.db)
	rep = sync(t, b.svc, ingest.SyncOptions{IDs: []string{matmul.ID, "inspection-seshat-pybench-2019-5eed1e55"}, Force: true, DryRun: true})
	if rep.Synced != 2 || rep.Failed != 0 {
		t.Errorf("dry run by id %+v", rep)
	}
	rep = sync(t, b.svc, ingest.SyncOptions{IDs: []string{matmul.ID, "inspection-seshat-pybench-2019-5eed1e55"}, Force: true})
	if rep.Synced != 2 || rep.Failed != 0 {
		t.Errorf("forced sync by id %+v", rep)
	}
	if after := tableCounts(t, b.db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("forced sync by id changed row counts:\nbefore %v\nafter  %v", before, after)
	}
	if n := countRows(t, b.db, "inspection_result", matmul.ID); n != 3 {
		t.Errorf("%d results after the sync by id, want 3", n)
	}
}

// TestInspectionMalformed: a malformed copy of each inspection is refused
// whole, FAILED INVALID with the JSON path (the file first), and leaves no
// rows; the sync goes on with the others.
func TestInspectionMalformed(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	docs := inspections(t)
	byID := map[string]testenv.InspectionDocument{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	cases := []struct {
		from, file, path string
		v                any
		want             string
	}{
		{"inspection-seshat-matmul-0a1b2c3d", "results/1/result", "exit_code", "zero", "results/1/result.exit_code: want an integer"},
		{"inspection-seshat-matmul-0a1b2c3d", "results/0/result", "stdout.@result.rate", "fast", "results/0/result.stdout.@result.rate: want a number"},
		{"inspection-seshat-matmul-0a1b2c3d", "build/specification", "python.requirements_locked.default.numpy.version", ">=1.19", "build/specification.python.requirements_locked.default.numpy.version"},
		{"inspection-seshat-matmul-0a1b2c3d", "results/1/hwinfo", "cpu_info.count", "many", "results/1/hwinfo.cpu_info.count: want an integer"},
		{"inspection-seshat-conv2d-9f8e7d6c", "results/0/result", "start_datetime", "yesterday", "results/0/result.start_datetime"},
		{"inspection-seshat-pybench-2019-5eed1e55", "", "job_log", nil, "job_log: required object is missing"},
		{"inspection-seshat-pybench-2019-5eed1e55", "", "job_log.usage", []any{1}, "job_log.usage: want an object"},
	}
	var ids []string
	for i, c := range cases {
		src := byID[c.from]
		id := fmt.Sprintf("inspection-malformed-%d-0000000%d", i, i)
		for key, raw := range src.Objects {
			rel := strings.TrimPrefix(key, "inspections/"+c.from)
			rel = strings.TrimPrefix(rel, "/")
			if rel == c.file {
				var doc map[string]any
				if err := json.Unmarshal(raw, &doc); err != nil {
					t.Fatal(err)
				}
				setPath(t, doc, c.path, c.v)
				raw, _ = json.Marshal(doc)
			}
			k := "inspections/" + id
			if rel != "" {
				k += "/" + rel
			}
			put(t, b.docs, k, raw)
		}
		ids = append(ids, id)
	}
	for _, d := range docs {
		d.Put(t, b.docs)
	}
	rep, err := b.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "inspections"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != len(cases) || rep.Synced != len(docs) {
		t.Fatalf("sync %+v, want %d refused and %d ingested", rep, len(cases), len(docs))
	}
	for i, c := range cases {
		d, err := b.store.Document(t.Context(), ids[i])
		if err != nil || d == nil || d.Status != persistence.StatusFailed || d.ErrorCode == nil || *d.ErrorCode != "INVALID" ||
			d.Error == nil || !strings.Contains(*d.Error, c.want) {
			t.Errorf("%s (%s %s): row %+v, %v; want FAILED INVALID %q", ids[i], c.file, c.path, d, err, c.want)
			continue
		}
		for _, table := range []string{"inspection", "inspection_result", "inspection_lock", "performance_indicator"} {
			if n := countRows(t, b.db, table, ids[i]); n != 0 {
				t.Errorf("%d rows in %s from refused %s", n, table, ids[i])
			}
		}
	}
	if !reflect.DeepEqual(len(ids), len(cases)) {
		t.Fatal("cases")
	}
}

// TestInspectionSingleLegacyKey: Thoth's 2019-2020 adapter kept the single
// inspection documents at inspection/<id> (its result type as folder);
// their id's prefix names the kind, and a sync ingests them there too.
func TestInspectionSingleLegacyKey(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	raw := testenv.ReadTestdata(t, "inspection", "inspections", "inspection-seshat-pybench-2019-5eed1e55.json")
	put(t, b.docs, "inspection/inspection-seshat-pybench-2019-5eed1e55", raw)
	rep := sync(t, b.svc, ingest.SyncOptions{})
	if rep.Synced != 1 {
		t.Fatalf("sync %+v", rep)
	}
	d, err := b.store.Document(t.Context(), "inspection-seshat-pybench-2019-5eed1e55")
	if err != nil || d == nil || d.Kind != "inspection" || d.ObjectKey == nil || *d.ObjectKey != "inspection/inspection-seshat-pybench-2019-5eed1e55" ||
		d.Counts["results"] != 1 || d.Counts["performance_indicators"] != 1 {
		t.Errorf("document row %+v, %v", d, err)
	}
}
