package resolvers_test

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// inspectionQuery selects every field of an inspection.
const inspectionFields = `id identifier baseImage script created buildRequests runRequests hardwareRequested specification
  stack {
    requirements { name specifier index develop }
    locked { name version indexUrl hashes develop packageVersion { name version indexUrl } }
  }
  results {
    number exitCode startedAt endedAt hostname scriptSha256 usage runtimeEnvironment
    environment { osName osVersion pythonVersion }
    hardware { id cpuBrand cpuVendor cpuFamily cpuModel cpuCores cpuFlags l1DataCache l1InstructionCache l2Cache l3Cache gpu ramSize }
    performanceIndicator { name component parameters result elapsed rate resultNumber exitCode }
  }`

type gqlHardware struct {
	ID                                       string
	CPUBrand, CPUVendor                      *string
	CPUFamily, CPUModel, CPUCores            *int
	CPUFlags                                 []string
	L1DataCache, L1InstructionCache, L2Cache *float64
	L3Cache, RAMSize                         *float64
	GPU                                      map[string]any
}

type gqlIndicator struct {
	Name, Component string
	Parameters      map[string]any
	Result          map[string]any
	Elapsed, Rate   *float64
	ResultNumber    int
	ExitCode        *int
	Hardware        *gqlHardware
	Environment     *struct{ OSName, OSVersion, PythonVersion string }
	Inspection      *struct{ ID string }
	Stack           *gqlStack
}

type gqlStack struct {
	Requirements []struct {
		Name, Specifier string
		Index           *string
		Develop         bool
	}
	Locked []struct {
		Name, Version  string
		IndexURL       *string
		Hashes         []string
		Develop        bool
		PackageVersion struct {
			Name, Version string
			IndexURL      *string
		}
	}
}

type gqlInspection struct {
	ID, Identifier, BaseImage, Script, Created string
	BuildRequests, RunRequests                 map[string]any
	HardwareRequested                          map[string]any
	Specification                              map[string]any
	Stack                                      gqlStack
	Results                                    []struct {
		Number                 int
		ExitCode               *int
		StartedAt, EndedAt     *string
		Hostname, ScriptSha256 *string
		Usage                  map[string]any
		RuntimeEnvironment     map[string]any
		Environment            *struct{ OSName, OSVersion, PythonVersion string }
		Hardware               *gqlHardware
		PerformanceIndicator   *gqlIndicator
	}
}

var inspectionNameSeparators = regexp.MustCompile(`[-_.]+`)

func normName(s string) string {
	return inspectionNameSeparators.ReplaceAllString(strings.ToLower(s), "-")
}

// inspectionHarness is a server over the project's inspection documents,
// synced through the syncDocuments mutation.
func inspectionHarness(t *testing.T) (*harness, []testenv.InspectionDocument, objectstore.Store) {
	t.Helper()
	h, docs := ingestHarness(t)
	fx := testenv.InspectionDocuments(t, testenv.Testdata(t, "inspection", "inspections"))
	for _, d := range fx {
		d.Put(t, docs)
	}
	var rep struct {
		SyncDocuments struct{ Processed, Synced, Skipped, Failed int }
	}
	if errs := h.do(t, adminSecret, syncMutation, map[string]any{"input": map[string]any{}}, &rep); len(errs) > 0 ||
		rep.SyncDocuments.Synced != len(fx) || rep.SyncDocuments.Failed != 0 {
		t.Fatalf("syncDocuments: %+v %+v", rep, errs)
	}
	return h, fx, docs
}

// checkInspectionAnswer compares what GraphQL answers for an inspection
// with the plain reading of its JSON.
func checkInspectionAnswer(t *testing.T, d testenv.InspectionDocument, got gqlInspection) {
	t.Helper()
	if got.ID != d.ID || len(got.Results) != len(d.Results) {
		t.Fatalf("%s: got id %q with %d results, want %d", d.ID, got.ID, len(got.Results), len(d.Results))
	}
	for i, want := range d.Results {
		r := got.Results[i]
		if r.Number != want.Number || r.ExitCode == nil || float64(*r.ExitCode) != want.ExitCode {
			t.Errorf("%s result %d: number %d exit %v, want %+v", d.ID, i, r.Number, r.ExitCode, want)
		}
		pi := r.PerformanceIndicator
		if want.Indicator == "" {
			if pi != nil {
				t.Errorf("%s result %d: indicator %+v, want none", d.ID, i, pi)
			}
		} else if pi == nil || pi.Name != want.Indicator || pi.Component != want.Component || pi.ResultNumber != want.Number ||
			jsonText(pi.Parameters) != jsonText(want.Parameters) || jsonText(pi.Result) != jsonText(want.Result) ||
			jsonText(pi.Elapsed) != jsonText(want.Elapsed) || jsonText(pi.Rate) != jsonText(want.Rate) {
			t.Errorf("%s result %d: indicator %s, want %+v", d.ID, i, jsonText(pi), want)
		}
		hw := r.Hardware
		if hw == nil || hw.CPUBrand == nil || *hw.CPUBrand != want.CPUBrand || hw.CPUCores == nil ||
			float64(*hw.CPUCores) != want.CPUCores || len(hw.CPUFlags) != want.Flags || !sort.StringsAreSorted(hw.CPUFlags) {
			t.Errorf("%s result %d: hardware %s, want %s with %v cores and %d flags", d.ID, i, jsonText(hw), want.CPUBrand, want.CPUCores, want.Flags)
		}
		if want.OSName != "" && (r.Environment == nil || r.Environment.OSName != strings.ToLower(want.OSName) || r.Environment.PythonVersion != want.Python) {
			t.Errorf("%s result %d: environment %+v, want %s python %s", d.ID, i, r.Environment, want.OSName, want.Python)
		}
		if len(r.Usage) == 0 {
			t.Errorf("%s result %d: no usage", d.ID, i)
		}
	}
	var locked, reqs []string
	for _, l := range got.Stack.Locked {
		if l.PackageVersion.Name != l.Name || l.PackageVersion.Version != l.Version || len(l.Hashes) == 0 {
			t.Errorf("%s: locked %+v", d.ID, l)
		}
		locked = append(locked, l.Name+"=="+l.Version)
	}
	for _, r := range got.Stack.Requirements {
		reqs = append(reqs, r.Name+" "+r.Specifier)
	}
	var wantLocked, wantReqs []string
	for _, s := range d.Locked {
		n, v, _ := strings.Cut(s, "==")
		wantLocked = append(wantLocked, normName(n)+"=="+v)
	}
	for _, s := range d.Requirements {
		n, v, _ := strings.Cut(s, " ")
		wantReqs = append(wantReqs, normName(n)+" "+v)
	}
	sort.Strings(locked)
	sort.Strings(reqs)
	sort.Strings(wantLocked)
	sort.Strings(wantReqs)
	if strings.Join(locked, ",") != strings.Join(wantLocked, ",") || strings.Join(reqs, ",") != strings.Join(wantReqs, ",") {
		t.Errorf("%s stack:\nlocked %v, want %v\nrequirements %v, want %v", d.ID, locked, wantLocked, reqs, wantReqs)
	}
}

func jsonText(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// TestInspectionQueries: inspections, inspection(id), the filters by
// package and environment, each answer compared with the JSON; one
// statement per level of the nested query.
func TestInspectionQueries(t *testing.T) {
	t.Parallel()
	h, fx, _ := inspectionHarness(t)

	var page struct {
		Inspections struct {
			TotalCount int
			Edges      []struct{ Node gqlInspection }
		}
	}
	n := h.query(t, `{ inspections(first: 10) { totalCount edges { node { `+inspectionFields+` } } } }`, nil, &page)
	// The page; results (with indicators and hardware); requirements;
	// locked; their versions; the results' environments.
	if n != 6 {
		t.Errorf("nested inspections query: %d statements, want 6 (one per level)", n)
	}
	if page.Inspections.TotalCount != len(fx) || len(page.Inspections.Edges) != len(fx) {
		t.Fatalf("inspections: %d of %d, want %d", len(page.Inspections.Edges), page.Inspections.TotalCount, len(fx))
	}
	byID := map[string]gqlInspection{}
	for _, e := range page.Inspections.Edges {
		byID[e.Node.ID] = e.Node
	}
	for _, d := range fx {
		checkInspectionAnswer(t, d, byID[d.ID])

		var one struct{ Inspection *gqlInspection }
		h.query(t, `query($id: String!) { inspection(id: $id) { `+inspectionFields+` } }`, map[string]any{"id": d.ID}, &one)
		if one.Inspection == nil {
			t.Fatalf("inspection(%s) is null", d.ID)
		}
		checkInspectionAnswer(t, d, *one.Inspection)
	}

	matmul := byID["inspection-seshat-matmul-0a1b2c3d"]
	if matmul.Identifier != "seshat-matmul" || matmul.BaseImage != "quay.io/seshat/s2i-test-ubi8-py38" ||
		matmul.Script != "https://example.com/seshat/performance/matmul.py" || matmul.Created != "2021-03-04T10:20:30.123456Z" ||
		matmul.BuildRequests["memory"] != "2Gi" || matmul.RunRequests["cpu"] != "2" || matmul.HardwareRequested["cpu_model"] != 94.0 ||
		matmul.Specification["identifier"] != "seshat-matmul" {
		t.Errorf("matmul specification fields: %s", jsonText(matmul))
	}
	r0 := matmul.Results[0]
	if r0.StartedAt == nil || *r0.StartedAt != "2021-03-04T10:30:00.000001Z" || r0.EndedAt == nil || r0.Hostname == nil ||
		r0.ScriptSha256 == nil || *r0.ScriptSha256 != strings.Repeat("5e", 32) || r0.Usage["ru_maxrss"] != 300000.0 ||
		r0.RuntimeEnvironment["python_version"] != "3.8" || r0.Environment.OSVersion != "8" {
		t.Errorf("matmul result 0: %s", jsonText(r0))
	}
	if hw := r0.Hardware; hw.ID != matmul.Results[1].Hardware.ID || *hw.CPUVendor != "GenuineTest" || *hw.CPUFamily != 6 ||
		*hw.CPUModel != 94 || *hw.L1DataCache != 32768 || *hw.L1InstructionCache != 32768 || *hw.L2Cache != 262144 ||
		*hw.L3Cache != 8388608 || hw.GPU != nil || hw.RAMSize != nil {
		t.Errorf("matmul hardware (one node for both results): %s / %s", jsonText(hw), jsonText(matmul.Results[1].Hardware))
	}
	conv := byID["inspection-seshat-conv2d-9f8e7d6c"]
	if hw := conv.Results[0].Hardware; hw.GPU["model_name"] != "Seshat Test GPU" || *hw.RAMSize != 68719476736 {
		t.Errorf("conv2d hardware: %s", jsonText(hw))
	}
	if len(conv.Specification) != 0 || conv.BuildRequests != nil || len(conv.Stack.Locked) != 0 {
		t.Errorf("an inspection without a specification: %s", jsonText(conv))
	}
	for _, l := range matmul.Stack.Locked {
		if l.Name == "six" && (l.IndexURL == nil || *l.IndexURL != "https://mirror.example.com/simple") {
			t.Errorf("six comes from the lock's mirror source: %+v", l)
		}
		if l.Name == "pytest" && !l.Develop {
			t.Errorf("pytest is a develop package: %+v", l)
		}
	}

	var none struct{ Inspection *gqlInspection }
	h.query(t, `{ inspection(id: "inspection-unknown-00000000") { id } }`, nil, &none)
	if none.Inspection != nil {
		t.Errorf("unknown inspection: %+v", none.Inspection)
	}

	for _, c := range []struct {
		args string
		vars map[string]any
		want []string
	}{
		{`package: "TensorFlow"`, nil, []string{"inspection-seshat-matmul-0a1b2c3d"}},
		{`package: "numpy"`, nil, []string{"inspection-seshat-matmul-0a1b2c3d", "inspection-seshat-pybench-2019-5eed1e55"}},
		{`package: "no-such-package"`, nil, nil},
		{`environment: {osName: "ubuntu", osVersion: "20.04", pythonVersion: "3.8"}`, nil, []string{"inspection-seshat-conv2d-9f8e7d6c"}},
		{`environment: {osName: "rhel", osVersion: "8.3", pythonVersion: "3.8"}`, nil, []string{"inspection-seshat-matmul-0a1b2c3d"}},
		{`first: 1`, nil, []string{"inspection-seshat-conv2d-9f8e7d6c"}},
	} {
		var got struct {
			Inspections struct {
				Edges    []struct{ Node struct{ ID string } }
				PageInfo struct{ HasNextPage bool }
			}
		}
		h.query(t, `{ inspections(`+c.args+`) { edges { node { id } } pageInfo { hasNextPage } } }`, c.vars, &got)
		var ids []string
		for _, e := range got.Inspections.Edges {
			ids = append(ids, e.Node.ID)
		}
		if strings.Join(ids, ",") != strings.Join(c.want, ",") {
			t.Errorf("inspections(%s) = %v, want %v", c.args, ids, c.want)
		}
	}
}

// TestPerformanceIndicatorQueries: performanceIndicators ranks by rate with
// each one's stack and hardware, filtered by package and parameters;
// PackageVersion.performanceIndicators lists those of the inspections that
// pin the version, one statement for the whole level.
func TestPerformanceIndicatorQueries(t *testing.T) {
	t.Parallel()
	h, fx, _ := inspectionHarness(t)
	// The expected ranking, from the JSON.
	type ranked struct {
		id   string
		rate float64
	}
	var want []ranked
	for _, d := range fx {
		for _, r := range d.Results {
			if r.Indicator == "PiMatmul" && r.Rate != nil {
				want = append(want, ranked{d.ID, *r.Rate})
			}
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].rate > want[j].rate })
	if len(want) < 2 {
		t.Fatalf("want at least two PiMatmul results in testdata, have %d", len(want))
	}

	var got struct{ PerformanceIndicators []gqlIndicator }
	n := h.query(t, `{ performanceIndicators(name: "PiMatmul", package: "tensorflow") {
		name rate elapsed parameters resultNumber exitCode
		hardware { cpuBrand cpuFlags } environment { osName osVersion pythonVersion }
		inspection { id } stack { locked { name version } } } }`, nil, &got)
	// The indicators with their hardware; the environments; the
	// inspections; the locked packages.
	if n != 4 {
		t.Errorf("performanceIndicators with inspection, environment and stack: %d statements, want 4", n)
	}
	if len(got.PerformanceIndicators) != len(want) {
		t.Fatalf("performanceIndicators = %s, want %v", jsonText(got), want)
	}
	for i, pi := range got.PerformanceIndicators {
		if pi.Rate == nil || *pi.Rate != want[i].rate || pi.Inspection.ID != want[i].id || pi.Hardware == nil || *pi.Hardware.CPUBrand == "" ||
			pi.Environment == nil || pi.Environment.OSName != "rhel" || len(pi.Stack.Locked) == 0 {
			t.Errorf("indicator %d: %s, want %+v", i, jsonText(pi), want[i])
		}
	}
	for _, c := range []struct {
		args string
		want int
	}{
		{`name: "PiMatmul", parameters: {matrix_size: 512, device: "cpu"}`, len(want)},
		{`name: "PiMatmul", parameters: {matrix_size: 1024}`, 0},
		{`name: "PiMatmul", package: "pytorch"`, 0},
		{`name: "PiMatmul", first: 1`, 1},
		{`name: "PiConv2D"`, 1},
		{`name: "PiPyBench", package: "numpy"`, 1},
	} {
		var got struct{ PerformanceIndicators []struct{ Name string } }
		h.query(t, `{ performanceIndicators(`+c.args+`) { name } }`, nil, &got)
		if len(got.PerformanceIndicators) != c.want {
			t.Errorf("performanceIndicators(%s): %d, want %d", c.args, len(got.PerformanceIndicators), c.want)
		}
	}
	for _, args := range []string{`name: "PiMatmul", parameters: "x"`, `name: "PiMatmul", parameters: [1]`, `name: "PiMatmul", first: -1`} {
		errs := h.do(t, "", `{ performanceIndicators(`+args+`) { name } }`, nil, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" {
			t.Errorf("performanceIndicators(%s): %+v, want INVALID", args, errs)
		}
	}

	// PackageVersion.performanceIndicators over the versions of numpy.
	var pkg struct {
		Package struct {
			Versions struct {
				Edges []struct {
					Node struct {
						Version               string
						PerformanceIndicators []struct {
							Name       string
							Rate       float64
							Inspection struct{ ID string }
						}
						Matmul []struct{ Rate float64 } `json:"matmul"`
					}
				}
			}
		}
	}
	n = h.query(t, `{ package(name: "numpy") { versions { edges { node { version
		performanceIndicators { name rate inspection { id } }
		matmul: performanceIndicators(name: "PiMatmul") { rate } } } } } }`, nil, &pkg)
	// The package; its versions; the indicators of every version, one
	// statement per selected field (two aliases); their inspections.
	if n != 5 {
		t.Errorf("versions with performanceIndicators: %d statements, want 5", n)
	}
	byVersion := map[string]string{}
	for _, e := range pkg.Package.Versions.Edges {
		var names []string
		for _, pi := range e.Node.PerformanceIndicators {
			names = append(names, pi.Name+"@"+pi.Inspection.ID)
		}
		byVersion[e.Node.Version] = strings.Join(names, ",") + " matmul:" + jsonText(len(e.Node.Matmul))
	}
	wantByVersion := map[string]string{
		"1.19.5": "PiMatmul@inspection-seshat-matmul-0a1b2c3d,PiMatmul@inspection-seshat-matmul-0a1b2c3d matmul:2",
		"1.17.4": "PiPyBench@inspection-seshat-pybench-2019-5eed1e55 matmul:0",
	}
	if jsonText(byVersion) != jsonText(wantByVersion) {
		t.Errorf("numpy versions' indicators %v, want %v", byVersion, wantByVersion)
	}
}

// TestIngestInspectionMutation: ingestDocument takes an inspection as one
// JSON object of its files by path (and the single 2019-2020 document):
// INGESTED with its counts, SKIPPED when sent again, FAILED INVALID with
// the file and JSON path when malformed, leaving nothing queryable.
func TestIngestInspectionMutation(t *testing.T) {
	t.Parallel()
	h, _ := ingestHarness(t)
	for _, d := range testenv.InspectionDocuments(t, testenv.Testdata(t, "inspection", "inspections")) {
		files := map[string]any{}
		for key, raw := range d.Objects {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				continue // the build log
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(key, "inspections/"+d.ID), "/")
			files[rel] = v
		}
		doc := any(files)
		if single, ok := files[""]; ok {
			doc = single
		}
		for i, want := range []string{"INGESTED", "SKIPPED"} {
			var res ingestResult
			if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": doc, "documentId": d.ID}}, &res); len(errs) > 0 {
				t.Fatalf("ingestDocument(%s): %+v", d.ID, errs)
			}
			r := res.IngestDocument
			if r.Status != want || r.Kind != "inspection" || r.Counts["results"] != int64(len(d.Results)) {
				t.Errorf("ingestDocument(%s) #%d: %+v, want %s with %d results", d.ID, i, r, want, len(d.Results))
			}
		}
		var got struct{ Inspection *gqlInspection }
		h.query(t, `query($id: String!) { inspection(id: $id) { `+inspectionFields+` } }`, map[string]any{"id": d.ID}, &got)
		if got.Inspection == nil {
			t.Fatalf("inspection(%s) is null after ingestDocument", d.ID)
		}
		checkInspectionAnswer(t, d, *got.Inspection)
	}

	bad := map[string]any{"results/0/result": map[string]any{"exit_code": 0, "stdout": map[string]any{"name": "PiMatmul", "@result": map[string]any{"rate": "fast"}}}}
	var res ingestResult
	if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": map[string]any{"document": bad, "documentId": "inspection-bad-0badbad0"}}, &res); len(errs) > 0 {
		t.Fatal(errs)
	}
	if r := res.IngestDocument; r.Status != "FAILED" || r.ErrorCode == nil || *r.ErrorCode != "INVALID" || r.Error == nil ||
		!strings.Contains(*r.Error, "results/0/result.stdout.@result.rate") {
		t.Errorf("malformed inspection: %+v", r)
	}
	var none struct{ Inspection *gqlInspection }
	h.query(t, `{ inspection(id: "inspection-bad-0badbad0") { id } }`, nil, &none)
	if none.Inspection != nil {
		t.Errorf("a refused inspection is queryable: %+v", none.Inspection)
	}
}
