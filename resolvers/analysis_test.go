package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// analysisDoc is a package-extract document and the id it is ingested under.
type analysisDoc struct {
	id  string
	raw []byte
}

// testdataAnalyses are the project's image analyses, testdata/analysis,
// each named by its document id.
func testdataAnalyses(t *testing.T) []analysisDoc {
	t.Helper()
	return analysisFiles(t, testenv.Testdata(t, "analysis"))
}

func analysisFiles(t *testing.T, dir string) []analysisDoc {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no analyses in %s: %v", dir, err)
	}
	var out []analysisDoc
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Metadata struct {
				DocumentID string `json:"document_id"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		id := doc.Metadata.DocumentID
		if id == "" {
			id = strings.TrimSuffix(filepath.Base(f), ".json")
		}
		out = append(out, analysisDoc{id: id, raw: raw})
	}
	return out
}

// submitAnalyses ingests docs as package-extract documents (whatever their
// ids' prefixes) and fails unless each is INGESTED.
func submitAnalyses(t *testing.T, store *persistence.Store, docs []analysisDoc) {
	t.Helper()
	dir, err := objectstore.Open(t.Context(), objectstore.Config{URL: "dir://" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	svc := &ingest.Service{Store: store, Docs: dir, Logger: testenv.Logger(t)}
	for _, d := range docs {
		r, err := svc.Submit(t.Context(), ingest.Submission{ID: d.id, Kind: "package-extract", Raw: d.raw})
		if err != nil || r.Status != persistence.StatusIngested {
			t.Fatalf("%s: %+v, %v", d.id, r, err)
		}
	}
}

// imageVersions are solved versions some of the analyses found installed:
// six 1.15.0 on two indexes, so that a found package links to both.
var imageVersions = []struct{ name, version, index string }{
	{"six", "1.11.0", indexA}, {"six", "1.15.0", indexA}, {"six", "1.15.0", indexB},
	{"flask-login", "0.4.1", indexA}, {"pyyaml", "5.4.1", indexA}, {"chardet", "2.2.1", indexA},
}

// analysisHarness is a gateway over a database holding imageVersions and the given analyses.
func analysisHarness(t *testing.T, docs []analysisDoc) *harness {
	t.Helper()
	ctx := context.Background()
	store, tracer, _ := testenv.Store(t)
	res := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: envs[0],
		SolvedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Duration: 1}
	for _, v := range imageVersions {
		res.Entries = append(res.Entries, persistence.SolvedEntry{Name: v.name, Version: v.version, IndexURL: v.index})
	}
	if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "solver-image-versions", Kind: "solver", SHA256: "x"}, res, false); err != nil {
		t.Fatal(err)
	}
	submitAnalyses(t, store, docs)
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	srv := httptest.NewServer(server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute}))
	t.Cleanup(srv.Close)
	return &harness{url: srv.URL, store: store, tracer: tracer}
}

// imageWant is an independent reading of an analysis document: every list
// as sorted strings, read straight from the JSON.
type imageWant struct {
	image, name, tag, envType, osName, osVersion, python, cuda string
	size                                                       *int64
	layers                                                     []string
	packages, rpms, debs, symbols, interpreters, files         []string
}

var pep503 = regexp.MustCompile(`[-_.]+`)

func getMap(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

func getList(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	l, _ := m[key].([]any)
	for _, x := range l {
		out = append(out, x.(map[string]any))
	}
	return out
}

func s(v any) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprint(v)
}

func sortedSet(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return slices.Compact(out)
}

// readImage reads an analysis document the simplest way, independently of
// package analysis.
func readImage(t *testing.T, raw []byte) imageWant {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var w imageWant
	w.image = getMap(doc, "metadata", "arguments", "extract-image")["image"].(string)
	w.name, w.tag = w.image, "latest"
	w.name, _, _ = strings.Cut(w.name, "@")
	if i := strings.LastIndex(w.name, ":"); i > strings.LastIndex(w.name, "/") {
		w.name, w.tag = w.name[:i], w.name[i+1:]
	}
	w.envType = "RUNTIME"
	runMeta := getMap(doc, "metadata", "arguments", "thoth-package-extract")["metadata"]
	if str, ok := runMeta.(string); ok {
		_ = json.Unmarshal([]byte(str), &runMeta)
	}
	if et, ok := getMap(runMeta)["environment_type"].(string); ok {
		w.envType = strings.ToUpper(et)
	}
	res := getMap(doc, "result")
	if osr := getMap(res, "operating-system"); osr != nil {
		w.osName, w.osVersion = s(osr["id"]), s(osr["version_id"])
		if w.osName == "rhel" {
			w.osVersion, _, _ = strings.Cut(w.osVersion, ".")
		}
	}
	if m := regexp.MustCompile(`-py(\d)(\d+)$`).FindStringSubmatch(w.name); m != nil {
		w.python = m[1] + "." + m[2]
	}
	if c := getMap(res, "cuda-version"); c != nil {
		if v, ok := c["nvcc_version"].(string); ok {
			w.cuda = v
		}
	}
	if n, ok := res["image_size"].(float64); ok {
		size := int64(n)
		w.size = &size
	}
	for _, l := range res["layers"].([]any) {
		w.layers = append(w.layers, l.(string))
	}
	for _, p := range getList(res, "python-packages") {
		w.packages = append(w.packages, pep503.ReplaceAllString(strings.ToLower(s(p["package_name"])), "-")+"=="+s(p["package_version"])+"@"+s(p["location"]))
	}
	for _, m := range getList(res, "mercator") {
		if m["ecosystem"] != "Python-Dist" {
			continue
		}
		loc := path.Dir(s(m["path"]))
		if strings.HasSuffix(loc, ".egg-info") || strings.HasSuffix(loc, ".dist-info") {
			loc = path.Dir(loc)
		}
		r := getMap(m, "result")
		w.packages = append(w.packages, pep503.ReplaceAllString(strings.ToLower(s(r["name"])), "-")+"=="+s(r["version"])+"@"+loc)
	}
	for _, r := range getList(res, "rpm-dependencies") {
		var reqs []string
		for _, q := range r["dependencies"].([]any) {
			reqs = append(reqs, q.(string))
		}
		w.rpms = append(w.rpms, strings.Join([]string{s(r["name"]), s(r["version"]), s(r["release"]), s(r["epoch"]), s(r["arch"]),
			s(r["src"]), s(r["package_identifier"]), strings.Join(sortedSet(reqs), ",")}, "|"))
	}
	rels := func(d map[string]any, key string) string {
		var out []string
		for _, r := range getList(d, key) {
			out = append(out, s(r["name"])+" "+s(r["version"]))
		}
		return strings.Join(sortedSet(out), ",")
	}
	listed := map[string]bool{}
	for _, d := range getList(res, "deb-dependencies") {
		listed[s(d["name"])+" "+s(d["version"])+" "+s(d["arch"])] = true
		w.debs = append(w.debs, strings.Join([]string{s(d["name"]), s(d["version"]), s(d["epoch"]), s(d["arch"]),
			rels(d, "depends"), rels(d, "pre-depends"), rels(d, "replaces")}, "|"))
	}
	for _, d := range getList(res, "deb") {
		epoch, version := "<nil>", s(d["version"])
		if e, v, ok := strings.Cut(version, ":"); ok {
			epoch, version = e, v
		}
		if !listed[s(d["name"])+" "+version+" "+s(d["arch"])] {
			w.debs = append(w.debs, strings.Join([]string{s(d["name"]), version, epoch, s(d["arch"]), "", "", ""}, "|"))
		}
	}
	for lib, syms := range getMap(res, "system-symbols") {
		for _, sym := range syms.([]any) {
			w.symbols = append(w.symbols, lib+"|"+sym.(string))
		}
	}
	for _, in := range getList(res, "python-interpreters") {
		w.interpreters = append(w.interpreters, s(in["path"])+"|"+s(in["link"])+"|"+s(in["version"]))
	}
	for _, f := range getList(res, "python-files") {
		w.files = append(w.files, s(f["filepath"])+"|"+s(f["sha256"]))
	}
	for _, l := range []*[]string{&w.packages, &w.rpms, &w.debs, &w.symbols, &w.interpreters, &w.files} {
		*l = sortedSet(*l)
	}
	return w
}

// imageFields selects every field of an analysis and of its software environment.
const imageFields = `id image imageTag imageSize analyzer analyzerVersion analyzedAt duration origin layers
	softwareEnvironment { id environmentType imageName imageDigest osName osVersion pythonVersion cudaVersion
		analyses { id }
		pythonPackages { name version location packageVersions { name version indexUrl } }
		rpmPackages { name version release epoch arch src packageIdentifier requirements }
		debPackages { name version epoch arch depends { name versionRange } preDepends { name versionRange } replaces { name versionRange } }
		symbols { library symbol }
		interpreters { path link version }
		pythonFiles { path sha256 } }`

type relationResult struct{ Name, VersionRange string }

type imageResult struct {
	ID, Image, ImageTag string
	ImageSize           *int64
	Analyzer            *string
	AnalyzedAt          *string
	Duration            *float64
	Layers              []string
	SoftwareEnvironment struct {
		ID, EnvironmentType, ImageName                      string
		ImageDigest, OSName, OSVersion, PythonVersion, CUDA *string
		CudaVersion                                         *string
		Analyses                                            []struct{ ID string }
		PythonPackages                                      []struct {
			Name, Version, Location string
			PackageVersions         []struct{ Name, Version, IndexURL string }
		}
		RpmPackages []struct {
			Name, Version        string
			Release, Epoch, Arch *string
			Src                  bool
			PackageIdentifier    string
			Requirements         []string
		}
		DebPackages []struct {
			Name, Version                 string
			Epoch, Arch                   *string
			Depends, PreDepends, Replaces []relationResult
		}
		Symbols      []struct{ Library, Symbol string }
		Interpreters []struct {
			Path          string
			Link, Version *string
		}
		PythonFiles []struct{ Path, SHA256 string }
	}
}

func p(v *string) string {
	if v == nil {
		return "<nil>"
	}
	return *v
}

func relStrings(rs []relationResult) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name+" "+r.VersionRange)
	}
	return strings.Join(out, ",")
}

// checkImage compares what GraphQL answers for an analysis with the
// independent reading of its document: the image, the environment, every
// list (as sets: each once, in the order the schema states), the links to
// the graph's versions (known: name==version -> index URLs) and the counts
// on the document row.
func checkImage(t *testing.T, h *harness, id string, raw []byte, known map[string][]string) {
	t.Helper()
	want := readImage(t, raw)
	var got struct{ ImageAnalysis *imageResult }
	h.query(t, `query($id: String!) { imageAnalysis(id: $id) { `+imageFields+` } }`, map[string]any{"id": id}, &got)
	a := got.ImageAnalysis
	if a == nil {
		t.Fatalf("imageAnalysis(%q) is null", id)
	}
	e := a.SoftwareEnvironment
	if a.ID != id || a.Image != want.image || a.ImageTag != want.tag || e.ImageName != want.name || e.EnvironmentType != want.envType {
		t.Errorf("image %q %q %q %q %q, want %q %q %q %q %q", a.ID, a.Image, a.ImageTag, e.ImageName, e.EnvironmentType,
			id, want.image, want.tag, want.name, want.envType)
	}
	if p(e.OSName) != or(want.osName) || p(e.OSVersion) != or(want.osVersion) || p(e.PythonVersion) != or(want.python) || p(e.CudaVersion) != or(want.cuda) {
		t.Errorf("environment os %s %s python %s cuda %s, want %q %q %q %q", p(e.OSName), p(e.OSVersion), p(e.PythonVersion), p(e.CudaVersion),
			want.osName, want.osVersion, want.python, want.cuda)
	}
	if fmt.Sprint(a.ImageSize) != fmt.Sprint(want.size) && (a.ImageSize == nil || want.size == nil || *a.ImageSize != *want.size) {
		t.Errorf("imageSize %v, want %v", a.ImageSize, want.size)
	}
	if !slices.Equal(a.Layers, want.layers) {
		t.Errorf("layers %v, want %v", a.Layers, want.layers)
	}
	if len(e.Analyses) != 1 || e.Analyses[0].ID != id {
		t.Errorf("analyses of the environment %v, want [%s]", e.Analyses, id)
	}
	var pkgs, rpms, debs, syms, ins, files []string
	for _, pk := range e.PythonPackages {
		pkgs = append(pkgs, pk.Name+"=="+pk.Version+"@"+pk.Location)
		var idx []string
		for _, v := range pk.PackageVersions {
			if v.Name != pk.Name || v.Version != pk.Version {
				t.Errorf("%s %s links to %s %s", pk.Name, pk.Version, v.Name, v.Version)
			}
			idx = append(idx, v.IndexURL)
		}
		if w := known[pk.Name+"=="+pk.Version]; !slices.Equal(idx, w) && len(idx)+len(w) > 0 {
			t.Errorf("%s %s: packageVersions on %v, want %v", pk.Name, pk.Version, idx, w)
		}
	}
	for _, r := range e.RpmPackages {
		rpms = append(rpms, strings.Join([]string{r.Name, r.Version, p(r.Release), p(r.Epoch), p(r.Arch), fmt.Sprint(r.Src), r.PackageIdentifier,
			strings.Join(r.Requirements, ",")}, "|"))
		if !slices.IsSorted(r.Requirements) {
			t.Errorf("%s requirements not sorted: %v", r.Name, r.Requirements)
		}
	}
	for _, d := range e.DebPackages {
		debs = append(debs, strings.Join([]string{d.Name, d.Version, p(d.Epoch), p(d.Arch), relStrings(d.Depends), relStrings(d.PreDepends), relStrings(d.Replaces)}, "|"))
	}
	for _, x := range e.Symbols {
		syms = append(syms, x.Library+"|"+x.Symbol)
	}
	for _, in := range e.Interpreters {
		ins = append(ins, in.Path+"|"+p(in.Link)+"|"+p(in.Version))
	}
	for _, f := range e.PythonFiles {
		files = append(files, f.Path+"|"+f.SHA256)
	}
	t.Logf("%s: %d python packages, %d rpms, %d debs, %d symbols, %d interpreters, %d files", id,
		len(pkgs), len(rpms), len(debs), len(syms), len(ins), len(files))
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"pythonPackages", pkgs, want.packages}, {"rpmPackages", rpms, want.rpms}, {"debPackages", debs, want.debs},
		{"symbols", syms, want.symbols}, {"interpreters", ins, want.interpreters}, {"pythonFiles", files, want.files}} {
		if !slices.Equal(sortedSet(c.got), c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.what, sortedSet(c.got), c.want)
		}
		if len(sortedSet(c.got)) != len(c.got) {
			t.Errorf("%s lists an item twice: %q", c.what, c.got)
		}
	}
	d, err := h.store.Document(t.Context(), id)
	if err != nil || d == nil {
		t.Fatalf("document %s: %v, %v", id, d, err)
	}
	reqs := 0
	for _, r := range e.RpmPackages {
		reqs += len(r.Requirements)
	}
	counts := persistence.Counts{"analyses": 1, "python_packages": int64(len(want.packages)), "rpms": int64(len(want.rpms)),
		"rpm_requirements": int64(reqs), "debs": int64(len(want.debs)), "symbols": int64(len(want.symbols)),
		"interpreters": int64(len(want.interpreters)), "python_files": int64(len(want.files))}
	for k, n := range counts {
		if d.Counts[k] != n {
			t.Errorf("document counts[%s] = %d, want %d (%v)", k, d.Counts[k], n, d.Counts)
		}
	}
	if d.Status != persistence.StatusIngested || d.Kind != "package-extract" {
		t.Errorf("document %s %s, want INGESTED package-extract", d.Status, d.Kind)
	}
}

func or(s string) string {
	if s == "" {
		return "<nil>"
	}
	return s
}

// knownVersions are imageVersions as checkImage takes them.
func knownVersions() map[string][]string {
	out := map[string][]string{}
	for _, v := range imageVersions {
		out[v.name+"=="+v.version] = append(out[v.name+"=="+v.version], v.index)
	}
	for _, idx := range out {
		sort.Strings(idx)
	}
	return out
}

// TestImageAnalyses: every analysis of testdata/analysis read through
// GraphQL equals an independent reading of its document (the image, its
// environment, the Python, RPM and Debian packages with their
// requirements, symbols, interpreters, files, the links to the graph's
// versions and the document's counts).
func TestImageAnalyses(t *testing.T) {
	t.Parallel()
	docs := testdataAnalyses(t)
	h := analysisHarness(t, docs)
	for _, d := range docs {
		t.Run(d.id, func(t *testing.T) { checkImage(t, h, d.id, d.raw, knownVersions()) })
	}
}

// TestImageAnalysesBatched: every list under an analysis is read for all
// analyses of a page in one statement per field and level, however many
// analyses the page holds: the page, the environments, their seven lists,
// then the found packages' versions, the RPMs' requirements and the Debian
// relations (three fields, one read).
func TestImageAnalysesBatched(t *testing.T) {
	t.Parallel()
	h := analysisHarness(t, testdataAnalyses(t))
	q := `query($first: Int) { imageAnalyses(first: $first) { totalCount edges { node { ` + imageFields + ` } } } }`
	var all struct {
		ImageAnalyses struct {
			TotalCount int
			Edges      []struct{ Node imageResult }
		}
	}
	if n := h.query(t, q, map[string]any{"first": 10}, &all); n != 12 {
		t.Errorf("imageAnalyses with every field: %d statements, want 12", n)
	}
	if all.ImageAnalyses.TotalCount != 3 || len(all.ImageAnalyses.Edges) != 3 {
		t.Fatalf("imageAnalyses: %d of %d", len(all.ImageAnalyses.Edges), all.ImageAnalyses.TotalCount)
	}
	var rpms, debs, pkgs int
	for _, e := range all.ImageAnalyses.Edges {
		rpms += len(e.Node.SoftwareEnvironment.RpmPackages)
		debs += len(e.Node.SoftwareEnvironment.DebPackages)
		pkgs += len(e.Node.SoftwareEnvironment.PythonPackages)
	}
	if rpms < 2 || debs < 2 || pkgs < 2 {
		t.Errorf("the page has %d RPMs, %d Debian packages, %d Python packages: too few to show batching", rpms, debs, pkgs)
	}
	// The same levels for one analysis cost no fewer statements than for
	// three: none is per object.
	if n := h.query(t, q, map[string]any{"first": 1}, nil); n > 12 {
		t.Errorf("one analysis: %d statements", n)
	}
	envQ := `{ softwareEnvironments { edges { node { analyses { id } pythonPackages { name packageVersions { id } }
		rpmPackages { name requirements } debPackages { depends { name } preDepends { name } replaces { name } }
		symbols(library: "/usr/lib64/libc.so.6") { symbol } interpreters { path } pythonFiles { path } } } } }`
	if n := h.query(t, envQ, nil, nil); n != 11 {
		t.Errorf("softwareEnvironments with every list: %d statements, want 11", n)
	}
	// foundInImages: one statement for every version of the page, and one
	// for the environments of the analyses found.
	base := `{ package(name: "six") { versions { edges { node { version %s } } } } }`
	without := h.query(t, fmt.Sprintf(base, ""), nil, nil)
	var got struct {
		Package struct {
			Versions struct {
				Edges []struct {
					Node struct {
						Version       string
						FoundInImages []struct {
							ID                  string
							SoftwareEnvironment struct{ ImageName string }
						}
					}
				}
			}
		}
	}
	with := h.query(t, fmt.Sprintf(base, "foundInImages { id softwareEnvironment { imageName } }"), nil, &got)
	if with-without != 2 {
		t.Errorf("foundInImages with its environments: %d more statements, want 2", with-without)
	}
	found := map[string][]string{}
	for _, e := range got.Package.Versions.Edges {
		for _, a := range e.Node.FoundInImages {
			found[e.Node.Version] = append(found[e.Node.Version], a.ID+" "+a.SoftwareEnvironment.ImageName)
		}
	}
	want := map[string][]string{
		"1.11.0": {"package-extract-1e6ac75e registry.example.com/seshat/s2i-legacy-py36"},
		// six 1.15.0 is solved on two indexes: each version was found.
		"1.15.0": {"package-extract-210601080910-5eed1e55 quay.io/seshat/s2i-example-ubi8-py38",
			"package-extract-210601080910-5eed1e55 quay.io/seshat/s2i-example-ubi8-py38"},
	}
	if fmt.Sprint(found) != fmt.Sprint(want) {
		t.Errorf("foundInImages %v, want %v", found, want)
	}
}

// TestImageAnalysisQueries: the filters and pages of imageAnalyses and
// softwareEnvironments, and the arguments of symbols and pythonFiles.
func TestImageAnalysisQueries(t *testing.T) {
	t.Parallel()
	h := analysisHarness(t, testdataAnalyses(t))
	type page struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Node struct {
				ID, ImageName, EnvironmentType string
				PythonVersion, OSName          *string
			}
		}
	}
	ids := func(p page) []string {
		var out []string
		for _, e := range p.Edges {
			out = append(out, e.Node.ID+e.Node.ImageName)
		}
		return out
	}
	var first, second struct{ ImageAnalyses page }
	h.query(t, `{ imageAnalyses(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, nil, &first)
	h.query(t, `query($after: String) { imageAnalyses(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
		map[string]any{"after": first.ImageAnalyses.PageInfo.EndCursor}, &second)
	got := append(ids(first.ImageAnalyses), ids(second.ImageAnalyses)...)
	want := []string{"package-extract-1e6ac75e", "package-extract-210601080910-5eed1e55", "package-extract-210704010203-0deb0deb"}
	if !slices.Equal(got, want) || !first.ImageAnalyses.PageInfo.HasNextPage || second.ImageAnalyses.PageInfo.HasNextPage ||
		first.ImageAnalyses.TotalCount != 3 {
		t.Errorf("pages %v (%+v, %+v), want %v", got, first.ImageAnalyses.PageInfo, second.ImageAnalyses.PageInfo, want)
	}
	var byName struct{ ImageAnalyses page }
	h.query(t, `{ imageAnalyses(imageName: "docker.io/seshat/cuda-build") { totalCount edges { node { id } } } }`, nil, &byName)
	if ids(byName.ImageAnalyses)[0] != want[2] || byName.ImageAnalyses.TotalCount != 1 {
		t.Errorf("imageAnalyses(imageName) %v", ids(byName.ImageAnalyses))
	}

	envs := func(args string) []string {
		var out struct{ SoftwareEnvironments page }
		h.query(t, `{ softwareEnvironments`+args+` { totalCount edges { node { imageName environmentType pythonVersion osName } } } }`, nil, &out)
		if out.SoftwareEnvironments.TotalCount != len(out.SoftwareEnvironments.Edges) {
			t.Errorf("%s: totalCount %d, %d edges", args, out.SoftwareEnvironments.TotalCount, len(out.SoftwareEnvironments.Edges))
		}
		return ids(out.SoftwareEnvironments)
	}
	for args, want := range map[string][]string{
		"":                                       {"registry.example.com/seshat/s2i-legacy-py36", "quay.io/seshat/s2i-example-ubi8-py38", "docker.io/seshat/cuda-build"},
		`(environmentType: BUILDTIME)`:           {"docker.io/seshat/cuda-build"},
		`(environmentType: RUNTIME)`:             {"registry.example.com/seshat/s2i-legacy-py36", "quay.io/seshat/s2i-example-ubi8-py38"},
		`(osName: "ubi", osVersion: "8.3")`:      {"quay.io/seshat/s2i-example-ubi8-py38"},
		`(pythonVersion: "36")`:                  {"registry.example.com/seshat/s2i-legacy-py36"},
		`(osName: "ubuntu", osVersion: "20.04")`: {"docker.io/seshat/cuda-build"},
		`(imageName: "quay.io/seshat/s2i-example-ubi8-py38", environmentType: BUILDTIME)`: nil,
		`(symbol: "GLIBC_2.2.5")`:                            {"quay.io/seshat/s2i-example-ubi8-py38", "docker.io/seshat/cuda-build"},
		`(symbol: "GLIBC_2.31", environmentType: BUILDTIME)`: {"docker.io/seshat/cuda-build"},
		`(symbol: "GLIBC_9.99")`:                             nil,
		`(pythonFileSha256: "F1210676BC966206A8582AF61676229CF9EB7A5DF5ACB4C0A87663B08C7FDA4D")`: {"quay.io/seshat/s2i-example-ubi8-py38"},
		`(pythonFileSha256: "0000000000000000000000000000000000000000000000000000000000000000")`: nil,
	} {
		if got := envs(args); !slices.Equal(got, want) {
			t.Errorf("softwareEnvironments%s = %v, want %v", args, got, want)
		}
	}

	// A software environment's id is a global id: node(id) reads it back.
	var one struct {
		SoftwareEnvironments struct {
			Edges []struct {
				Node struct{ ID, ImageName string }
			}
		}
	}
	h.query(t, `{ softwareEnvironments(environmentType: BUILDTIME) { edges { node { id imageName } } } }`, nil, &one)
	var byID struct {
		Node *struct {
			Typename  string `json:"__typename"`
			ImageName string
		}
	}
	h.query(t, `query($id: ID!) { node(id: $id) { __typename ... on SoftwareEnvironment { imageName } } }`,
		map[string]any{"id": one.SoftwareEnvironments.Edges[0].Node.ID}, &byID)
	if byID.Node == nil || byID.Node.Typename != "SoftwareEnvironment" || byID.Node.ImageName != one.SoftwareEnvironments.Edges[0].Node.ImageName {
		t.Errorf("node(%s) = %+v", one.SoftwareEnvironments.Edges[0].Node.ID, byID.Node)
	}

	var lists struct {
		SoftwareEnvironments struct {
			Edges []struct {
				Node struct {
					ImageName string
					Libc      []struct{ Library, Symbol string }
					None      []struct{ Symbol string }
					Six       []struct{ Path string }
					Upper     []struct{ Path string }
				}
			}
		}
	}
	six := strings.Repeat("0", 64)
	for _, e := range readImage(t, testdataAnalyses(t)[1].raw).files {
		if strings.HasSuffix(strings.Split(e, "|")[0], "/six.py") {
			six = strings.Split(e, "|")[1]
		}
	}
	h.query(t, `query($six: String, $upper: String) { softwareEnvironments(osName: "rhel") { edges { node { imageName
		libc: symbols(library: "/usr/lib64/libc.so.6") { library symbol } none: symbols(library: "/no/such.so") { symbol }
		six: pythonFiles(sha256: $six) { path } upper: pythonFiles(sha256: $upper) { path } } } } }`,
		map[string]any{"six": six, "upper": strings.ToUpper(six)}, &lists)
	n := lists.SoftwareEnvironments.Edges[0].Node
	if len(lists.SoftwareEnvironments.Edges) != 1 || len(n.Libc) != 3 || n.Libc[0].Symbol != "GLIBC_2.2.5" || len(n.None) != 0 {
		t.Errorf("symbols(library) %+v", lists)
	}
	if len(n.Six) != 2 || n.Six[0].Path != "/opt/app-root/lib/python3.8/site-packages/six.py" || len(n.Upper) != 2 {
		t.Errorf("pythonFiles(sha256) %+v", n)
	}
}
