package solver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/python"
)

// newEnv is the environment (osName, osVersion, py), as the parser returns it.
func newEnv(osName, osVersion, py string) python.Environment {
	return python.Environment{OSName: osName, OSVersion: osVersion, PythonVersion: py}
}

// readFile reads one document file.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// parseFile parses one document file as ingestion does a document of the
// solver/ folder: by its metadata.document_id when it has one, else named
// by its file name without .json (see ParseNamed), as `seshat put` stores it.
func parseFile(t testing.TB, path string, raw []byte) (*Document, error) {
	t.Helper()
	var doc struct {
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, ok := doc.Metadata["document_id"]; ok {
		return Parse("", raw)
	}
	return ParseNamed(strings.TrimSuffix(filepath.Base(path), ".json"), raw)
}

// refNormalize is PEP 503 spelled as in the PEP, independent of
// python.NormalizeName, which also drops surrounding space as the graph does.
var refSep = regexp.MustCompile(`[-_.]+`)

func refNormalize(s string) string {
	return strings.ToLower(refSep.ReplaceAllString(strings.TrimSpace(s), "-"))
}

// fixture is what Parse must make of one solver document.
type fixture struct {
	file          string
	wantID        string
	solverName    string
	legacy        bool
	env           python.Environment
	solverVersion string
	datetime      time.Time
	duration      float64
	entries       int
	errors        int
	unparsed      int
	unresolved    int
	envPackages   int
	check         func(t *testing.T, d *Document)
}

// checkFixture parses the document at path and checks it against tt and,
// value by value, against a plain reading of its JSON.
func checkFixture(t *testing.T, path string, tt fixture) {
	t.Helper()
	raw := readFile(t, path)
	d, err := parseFile(t, path, raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if d.ID != tt.wantID || d.SolverName != tt.solverName || d.Legacy != tt.legacy || d.Environment != tt.env ||
		d.SolverVersion != tt.solverVersion || !d.Datetime.Equal(tt.datetime) || d.Duration != tt.duration {
		t.Errorf("document = %q %q legacy=%v %+v %q %v %v", d.ID, d.SolverName, d.Legacy, d.Environment, d.SolverVersion, d.Datetime, d.Duration)
	}
	if len(d.Entries) != tt.entries || len(d.Errors) != tt.errors || len(d.Unparsed) != tt.unparsed ||
		len(d.Unresolved) != tt.unresolved || len(d.EnvironmentPackages) != tt.envPackages {
		t.Errorf("counts: tree %d errors %d unparsed %d unresolved %d env %d", len(d.Entries), len(d.Errors), len(d.Unparsed), len(d.Unresolved), len(d.EnvironmentPackages))
	}
	compareWithJSON(t, raw, d)
	tt.check(t, d)
}

func strp(s string) *string { return &s }

// TestFixtures parses each document of testdata/solver (the project's own,
// in every format Thoth wrote) and checks what Parse made of it.
func TestFixtures(t *testing.T) {
	pypi := "https://pypi.org/simple"
	tests := []fixture{
		{
			file: "seshat-thoth-solver-fc26.json", wantID: "seshat-thoth-solver-fc26",
			solverName: "solver-fedora-26-py36", legacy: true, env: newEnv("fedora", "26", "3.6"),
			solverVersion: "1.0.2", datetime: time.Date(2018, 5, 14, 9, 12, 33, 101010000, time.UTC), duration: 9,
			entries: 6, errors: 3, unparsed: 1, unresolved: 2, envPackages: 4,
			check: func(t *testing.T, d *Document) {
				// metadata.distribution (Fedora 26) wins over os_release (30): see Parse.
				e := d.Entries[0]
				if e.Name != "typed-ast" || e.Version != "1.1.0" || e.IndexURL != "" || e.Metadata != nil || e.Artifacts != nil || len(e.Dependencies) != 0 {
					t.Errorf("tree[0] = %+v", e)
				}
				if d.Entries[1].Name != "sqlalchemy" {
					t.Errorf("tree[1].Name = %q, want sqlalchemy (SQLAlchemy normalised)", d.Entries[1].Name)
				}
				deps := d.Entries[2].Dependencies
				if d.Entries[2].Name != "planisphere" || len(deps) != 4 ||
					deps[0].Name != "ipython" || deps[0].VersionRange != "*" || deps[0].Marker != nil || deps[0].MarkerEvaluationResult != nil ||
					!reflect.DeepEqual(deps[0].Resolved, []Resolved{{Versions: []string{"5.5.0", "6.2.1", "6.3.1"}}}) ||
					deps[2].Name != "pygments" || deps[3].Name != "prompt-toolkit" || deps[3].VersionRange != "<2.0.0,>=1.0.0" {
					t.Errorf("tree[2] = %+v", d.Entries[2])
				}
				if !reflect.DeepEqual(d.Entries[3], d.Entries[4]) || d.Entries[3].Name != "sundial" || len(d.Entries[3].Dependencies) != 2 {
					t.Errorf("the duplicated Sundial entry: %+v / %+v", d.Entries[3], d.Entries[4])
				}
				if f := d.Errors[0]; f.Name != "backports-abc" || f.Version != "0.5" || f.Type != "not_site_package" || f.IndexURL != "" || f.IsProvidedPackage != nil {
					t.Errorf("errors[0] = %+v", f)
				}
				if f := d.Errors[1]; f.Name != "docutils" || f.Version != "0.3" || f.Type != "command_error" {
					t.Errorf("errors[1] = %+v", f)
				}
				if f := d.Errors[2]; f.Name != "decorator" || f.Version != "4.1.2" || d.Entries[5].Name != "decorator" || d.Entries[5].Version != "4.1.2" {
					t.Errorf("errors[2] = %+v for tree[5] = %+v", f, d.Entries[5])
				}
				if u := d.Unresolved[1]; u.Name != "almanac-dist" || u.VersionSpec != "==0.1" || u.IndexURL != "" {
					t.Errorf("unresolved[1] = %+v", u)
				}
				if u := d.Unparsed[0]; u.Requirement != "pretty printer plugin==0.3" || !bytes.HasPrefix(u.Details, []byte(`"Invalid requirement`)) {
					t.Errorf("unparsed[0] = %+v", u)
				}
				if d.MarkerEnvironment != nil || d.EnvironmentPackages[2] != (EnvironmentPackage{"pipdeptree", "0.11.0"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-fedora-29-py36-5ca1ab1e.json", wantID: "solver-fedora-29-py36-5ca1ab1e",
			solverName: "solver-fedora-29-py36", env: newEnv("fedora", "29", "3.6"),
			solverVersion: "1.1.0", datetime: time.Date(2019, 3, 20, 14, 5, 11, 123456000, time.UTC),
			entries: 4, errors: 2, envPackages: 3,
			check: func(t *testing.T, d *Document) {
				// No metadata.document_id: the id comes from the file name alone,
				// a solver- id that Parse takes as well as ParseNamed.
				raw := readFile(t, testenv.Testdata(t, "solver", "solver-fedora-29-py36-5ca1ab1e.json"))
				var ve *ValidationError
				if _, err := Parse("", raw); !errors.As(err, &ve) || ve.Path != "metadata.document_id" {
					t.Errorf("Parse without an id = %v, want a metadata.document_id error", err)
				}
				if p, err := Parse(d.ID, raw); err != nil || !reflect.DeepEqual(p, d) {
					t.Errorf("Parse(%q) = %+v, %v; want what ParseNamed gives", d.ID, p, err)
				}
				e := d.Entries[0]
				if e.Name != "pyyaml" || e.Version != "5.1" || e.VersionRequested != "" || e.IndexURL != pypi || len(e.Artifacts) != 2 || e.Metadata != nil {
					t.Errorf("tree[0] = %+v", e)
				}
				if !reflect.DeepEqual(d.Entries[0], d.Entries[3]) {
					t.Errorf("the duplicated PyYAML entry: %+v / %+v", d.Entries[0], d.Entries[3])
				}
				deps := d.Entries[1].Dependencies
				if d.Entries[1].Name != "orrery" || len(deps) != 2 || deps[0].Name != "six" || deps[0].VersionRange != ">=1.10" ||
					deps[0].Marker != nil || deps[0].MarkerEvaluationResult != nil || deps[0].Extra != nil ||
					!reflect.DeepEqual(deps[0].Resolved, []Resolved{{IndexURL: pypi, Versions: []string{"1.11.0", "1.12.0"}}}) ||
					deps[1].Name != "pyyaml" || deps[1].VersionRange != "*" {
					t.Errorf("tree[1] = %+v", d.Entries[1])
				}
				// thoth-solver 1.1.0 named an error's index "index".
				if f := d.Errors[0]; f.Name != "orrery" || f.Version != "0.2.0" || f.Type != "command_error" || f.IndexURL != pypi ||
					!reflect.DeepEqual(d.Errors[0], d.Errors[1]) {
					t.Errorf("errors = %+v", d.Errors)
				}
				if d.MarkerEnvironment != nil || d.EnvironmentPackages[2] != (EnvironmentPackage{"six", "1.11.0"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-01dea5ed.json", wantID: "solver-fedora-31-py37-01dea5ed",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.5.1", datetime: time.Date(2020, 6, 15, 10, 20, 30, 405060000, time.UTC), duration: 7,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "sextant" || e.Version != "3.2.0" || e.VersionRequested != "3.2.0" || e.IndexURL != pypi || len(e.Dependencies) != 10 {
					t.Errorf("tree[0] = %+v", e)
				}
				if len(e.Artifacts) != 2 || e.Artifacts[0].SHA256 != "78ff49750674ce5f49efe64d3273f6a6f0546f400c9c3cac83375defde328567" {
					t.Errorf("artifacts = %v", e.Artifacts)
				}
				if m := e.Metadata; m == nil || *m.Summary != "Angles between stars, measured by hand" || *m.License != "BSD" || *m.RequiresPython != ">=3.6" || len(m.Classifiers) != 3 {
					t.Errorf("metadata = %+v", e.Metadata)
				}
				deps := e.Dependencies
				want := []Dependency{
					{Name: "pyyaml", VersionRange: "*", MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"5.1", "5.3", "5.3.1"}}}},
					{Name: "numpy", VersionRange: ">=1.18", Extra: []string{"plot"}, Marker: strp(`extra == "plot"`), MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"1.18.0", "1.18.5", "1.19.0"}}}},
					{Name: "numpy", VersionRange: ">=1.18", Extra: []string{"cloud"}, Marker: strp(`extra == "cloud"`), MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"1.18.0", "1.18.5", "1.19.0"}}}},
					{Name: "boto3", VersionRange: ">=1.14", Extra: []string{"cloud"}, Extras: []string{"crt"}, Marker: strp(`extra == "cloud"`), MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"1.14.0", "1.14.3"}}}},
					{Name: "tqdm", VersionRange: ">=4.40", Extra: []string{"cloud", "plot"}, Marker: strp(`extra == "cloud" or extra == "plot"`), MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"4.40.0", "4.46.1"}}}},
					{Name: "importlib-metadata", VersionRange: ">=1.0", Marker: strp(`python_version < "3.8"`), MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"1.0", "1.6.1"}}}},
					{Name: "futures", VersionRange: "==3.3.0", Marker: strp(`python_version < "3"`), MarkerEvaluationResult: new(false),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"3.3.0"}}}},
					{Name: "ruamel-yaml", VersionRange: ">=0.16", MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"0.16.0", "0.16.10"}}, {IndexURL: "https://mirror.example.com/simple", Versions: []string{"0.16.10"}}}},
					{Name: "click", VersionRange: "===7.1.2", MarkerEvaluationResult: new(true),
						Resolved: []Resolved{{IndexURL: pypi, Versions: []string{"7.1.2"}}}},
					{Name: "typing-extensions", VersionRange: ">=3.7", MarkerEvaluationResult: new(true)},
				}
				for i := range want {
					if i >= len(deps) {
						break
					}
					// Empty extra lists are empty, not nil: compare them as such.
					if len(deps[i].Extra) == 0 {
						deps[i].Extra = nil
					}
					if len(deps[i].Extras) == 0 {
						deps[i].Extras = nil
					}
					if !reflect.DeepEqual(deps[i], want[i]) {
						t.Errorf("dependencies[%d] = %s\nwant %s", i, show(deps[i]), show(want[i]))
					}
				}
				if d.MarkerEnvironment["python_version"] != "3.7" || d.MarkerEnvironment["sys_platform"] != "linux" || d.EnvironmentPackages[0] != (EnvironmentPackage{"pipdeptree", "0.13.2"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0a11ce55.json", wantID: "solver-fedora-31-py37-0a11ce55",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2020, 4, 20, 8, 0, 1, 1000, time.UTC), duration: 5,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "astrolabe" || e.Version != "0.9.1" || len(e.Dependencies) != 3 || *e.Metadata.License != "UNKNOWN" {
					t.Errorf("tree[0] = %+v", e)
				}
				if d1 := e.Dependencies[1]; d1.Name != "attrs" || d1.VersionRange != ">=19.1.0" || d1.Marker != nil ||
					!reflect.DeepEqual(d1.Resolved, []Resolved{{IndexURL: pypi, Versions: []string{"19.1.0", "19.3.0"}}}) {
					t.Errorf("dependencies[1] = %+v", d1)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0c0ffee0.json", wantID: "solver-fedora-31-py37-0c0ffee0",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2019, 12, 10, 12, 0, 0, 500000000, time.UTC), duration: 3,
			errors: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				f := d.Errors[0]
				var details struct {
					ReturnCode int    `json:"return_code"`
					Stderr     string `json:"stderr"`
				}
				_ = json.Unmarshal(f.Details, &details)
				if f.Name != "orrery" || f.Version != "0.1" || f.Type != "command_error" || f.IndexURL != pypi ||
					f.IsProvidedPackage == nil || !*f.IsProvidedPackage || f.IsProvidedPackageVersion == nil || !*f.IsProvidedPackageVersion ||
					details.ReturnCode != 1 || !strings.Contains(details.Stderr, "SyntaxError") {
					t.Errorf("errors[0] = %+v (details %s)", f, f.Details)
				}
				if d.Entries == nil {
					t.Error("an empty tree parsed as nil")
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0d15ea5e.json", wantID: "solver-fedora-31-py37-0d15ea5e",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2019, 12, 11, 13, 14, 15, 161718000, time.UTC), duration: 5,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "gnomon" || e.Version != "1.0.0" || len(e.Dependencies) != 0 || e.Dependencies == nil || len(e.Artifacts) != 1 {
					t.Errorf("tree[0] = %+v", e)
				}
				if m := e.Metadata; *m.Summary != "Tells the time from a shadow" || *m.License != "MIT License" || m.RequiresPython != nil ||
					len(m.Classifiers) != 4 || m.Classifiers[3] != "Topic :: Software Development :: Libraries :: Python Modules" {
					t.Errorf("metadata = %+v", m)
				}
			},
		},
		{
			file: "solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1.json", wantID: "solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1",
			solverName: "solver-rhel-8-py38", env: newEnv("rhel", "8", "3.8"),
			solverVersion: "1.10.0", datetime: time.Date(2021, 6, 11, 9, 30, 15, 250000000, time.UTC), duration: 21.5,
			entries: 5, errors: 1, unparsed: 1, unresolved: 1, envPackages: 3,
			check: func(t *testing.T, d *Document) {
				if d.Platform != "linux-x86_64" {
					t.Errorf("platform = %q", d.Platform)
				}
				var names []string
				for _, e := range d.Entries {
					names = append(names, e.Name+"=="+e.Version)
				}
				if got := strings.Join(names, " "); got != "armillary==2.0.0 click==7.1.2 jinja2==2.11.3 markupsafe==1.1.1 requests==2.25.1" {
					t.Errorf("tree = %s", got)
				}
				a := d.Entries[0]
				if m := a.Metadata; m == nil || !reflect.DeepEqual(m.Classifiers, []string{"Programming Language :: Python :: 3 :: Only"}) || *m.License != "Apache-2.0" {
					t.Errorf("tree[0].metadata = %+v (a lone Classifier string is one classifier)", a.Metadata)
				}
				if r := a.Dependencies[2]; r.Name != "requests" || !reflect.DeepEqual(r.Extras, []string{"socks"}) || len(r.Extra) != 0 {
					t.Errorf("tree[0].dependencies[2] = %+v", r)
				}
				if c := a.Dependencies[3]; c.Name != "colorama" || c.VersionRange != "*" || *c.Marker != `sys_platform == "win32"` || *c.MarkerEvaluationResult {
					t.Errorf("tree[0].dependencies[3] = %+v", c)
				}
				if b := d.Entries[2].Dependencies[1]; b.Name != "babel" || !reflect.DeepEqual(b.Extra, []string{"i18n"}) {
					t.Errorf("tree[2].dependencies[1] = %+v", b)
				}
				if p := d.Entries[4].Dependencies[2]; p.Name != "pysocks" || p.VersionRange != "!=1.5.7,>=1.5.6" || p.Resolved != nil {
					t.Errorf("tree[4].dependencies[2] = %+v", p)
				}
				if f := d.Errors[0]; f.Name != "armillary" || f.Version != "1.9.0" || f.IndexURL != pypi {
					t.Errorf("errors[0] = %+v", f)
				}
				if u := d.Unresolved[0]; u.Name != "pysocks" || u.VersionSpec != "!=1.5.7,>=1.5.6" || u.IndexURL != pypi ||
					u.IsProvidedPackage == nil || !*u.IsProvidedPackage || u.IsProvidedPackageVersion == nil || *u.IsProvidedPackageVersion {
					t.Errorf("unresolved[0] = %+v", u)
				}
				if u := d.Unparsed[0]; u.Requirement != "armillary[docs]]" {
					t.Errorf("unparsed[0] = %+v", u)
				}
				if d.MarkerEnvironment["python_version"] != "3.8" || d.EnvironmentPackages[1] != (EnvironmentPackage{"pipdeptree", "2.0.0"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-rhel-8-py38-211201120000-5eedcafe0ddba115.json", wantID: "solver-rhel-8-py38-211201120000-5eedcafe0ddba115",
			solverName: "solver-rhel-8-py38", env: newEnv("rhel", "8", "3.8"),
			solverVersion: "1.12.0", datetime: time.Date(2021, 12, 1, 12, 0, 0, 500000000, time.UTC), duration: 12.25,
			entries: 3, envPackages: 2,
			check: func(t *testing.T, d *Document) {
				if d.Platform != "linux-x86_64" {
					t.Errorf("platform = %q", d.Platform)
				}
				y := d.Entries[0]
				m := y.Metadata
				if y.Name != "pyyaml" || y.IndexURL != "https://pypi.python.org/simple/" || m == nil ||
					*m.Author != "Ada Sample" || *m.AuthorEmail != "ada@example.org" || *m.HomePage != "https://example.org/pyyaml-sample" ||
					!reflect.DeepEqual(m.Platforms, []string{"Any"}) || m.RequiresDist != nil || m.ProvidesExtra != nil ||
					!reflect.DeepEqual(m.ProjectURLs, []ProjectURL{{"Bug Tracker", "https://example.org/pyyaml-sample/issues"},
						{"Source", "https://example.org/pyyaml-sample/src"}, {"", "https://example.org/no-label"}}) {
					t.Errorf("tree[0] = %+v, metadata %+v (a lone Platform string is one platform; a Project-URL without a comma has no label)", y, m)
				}
				if !reflect.DeepEqual(y.ImportNames, []string{"yaml", "_yaml"}) {
					t.Errorf("tree[0] import names = %q, want the packages list as written", y.ImportNames)
				}
				if l := y.License; l == nil || *l.Name != "MIT License" || *l.Identifier != "MIT" || *l.Version != "LICENSE-WITHOUT-VERSION" || *l.Warning {
					t.Errorf("tree[0] license = %+v", l)
				}
				q := d.Entries[1]
				m = q.Metadata
				if q.Name != "quarto-tide" || q.Version != "2.0.0-RC1" || m.Author != nil || m.HomePage != nil ||
					!reflect.DeepEqual(m.RequiresDist, []string{"PyYAML (>=5.1)", "tomli ; extra == 'toml'"}) ||
					!reflect.DeepEqual(m.ProvidesExtra, []string{"toml"}) || !reflect.DeepEqual(m.Platforms, []string{"linux", "darwin"}) || m.ProjectURLs != nil {
					t.Errorf("tree[1] = %+v, metadata %+v", q, m)
				}
				// No packages list: derived from the files (directories with
				// __init__.py inside site-packages), shallowest first.
				if !reflect.DeepEqual(q.ImportNames, []string{"quarto_tide", "quarto_tide.tables"}) {
					t.Errorf("tree[1] import names = %q", q.ImportNames)
				}
				if l := q.License; l == nil || *l.Name != "UNDETECTED" || l.Identifier != nil || *l.Version != "UNDETECTED" || !*l.Warning {
					t.Errorf("tree[1] license = %+v (a lone license string is its name)", l)
				}
				h := d.Entries[2]
				if h.Name != "harbour-charts" || h.Metadata != nil || h.ImportNames != nil || h.License != nil {
					t.Errorf("tree[2] = %+v", h)
				}
			},
		},
	}
	// Every document of testdata/solver has its case here.
	files, err := filepath.Glob(filepath.Join(testenv.Testdata(t, "solver"), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{}
	for _, tt := range tests {
		cases[tt.file] = true
	}
	for _, f := range files {
		if !cases[filepath.Base(f)] {
			t.Errorf("testdata/solver/%s has no case in TestFixtures", filepath.Base(f))
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkFixture(t, testenv.Testdata(t, "solver", tt.file), tt)
		})
	}
}

func show(d Dependency) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// compareWithJSON reads the document again as plain maps and checks that
// Parse kept every entry, dependency, resolved version and failure as written.
func compareWithJSON(t *testing.T, raw []byte, d *Document) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	res := doc["result"].(map[string]any)

	tree := list(res["tree"])
	if len(tree) != len(d.Entries) {
		t.Fatalf("tree: %d entries, parsed %d", len(tree), len(d.Entries))
	}
	deps, versions := 0, 0
	for i, x := range tree {
		je, e := x.(map[string]any), d.Entries[i]
		at := fmt.Sprintf("tree[%d]", i)
		eq(t, at+".name", e.Name, refNormalize(str0(je["package_name"])))
		eq(t, at+".version", e.Version, strings.TrimSpace(str0(je["package_version"])))
		eq(t, at+".version_requested", e.VersionRequested, str0(je["package_version_requested"]))
		eq(t, at+".index_url", e.IndexURL, str0(je["index_url"]))
		var sums []string
		for _, a := range e.Artifacts {
			sums = append(sums, a.SHA256)
		}
		eq(t, at+".sha256", strings.Join(sums, ","), strings.Join(strs(je["sha256"]), ","))
		if im, _ := je["importlib_metadata"].(map[string]any); im != nil && im["metadata"] != nil {
			md := im["metadata"].(map[string]any)
			if e.Metadata == nil {
				t.Fatalf("%s: metadata dropped", at)
			}
			eq(t, at+".summary", ptr(e.Metadata.Summary), optS(md["Summary"]))
			eq(t, at+".license", ptr(e.Metadata.License), optS(md["License"]))
			eq(t, at+".requires_python", ptr(e.Metadata.RequiresPython), optS(md["Requires-Python"]))
			eq(t, at+".classifiers", strings.Join(e.Metadata.Classifiers, "\n"), strings.Join(strs(md["Classifier"]), "\n"))
		} else if e.Metadata != nil {
			t.Errorf("%s: metadata invented: %+v", at, e.Metadata)
		}

		jdeps := list(je["dependencies"])
		if len(jdeps) != len(e.Dependencies) {
			t.Fatalf("%s: %d dependencies, parsed %d", at, len(jdeps), len(e.Dependencies))
		}
		for j, y := range jdeps {
			jd, dd := y.(map[string]any), e.Dependencies[j]
			da := fmt.Sprintf("%s.dependencies[%d]", at, j)
			eq(t, da+".name", dd.Name, refNormalize(str0(jd["package_name"])))
			spec := str0(jd["specifier"])
			if jd["specifier"] == nil {
				spec = str0(jd["required_version"])
			}
			if spec == "" {
				spec = "*"
			}
			eq(t, da+".version_range", dd.VersionRange, spec)
			eq(t, da+".marker", ptr(dd.Marker), optS(jd["marker"]))
			eq(t, da+".extra", strings.Join(dd.Extra, ","), normAll(strs(jd["extra"])))
			eq(t, da+".extras", strings.Join(dd.Extras, ","), normAll(strs(jd["extras"])))
			wantEval := "<nil>"
			if b, ok := jd["marker_evaluation_result"].(bool); ok {
				wantEval = strconv.FormatBool(b)
			}
			gotEval := "<nil>"
			if dd.MarkerEvaluationResult != nil {
				gotEval = strconv.FormatBool(*dd.MarkerEvaluationResult)
			}
			eq(t, da+".marker_evaluation_result", gotEval, wantEval)

			var want, got []string
			rv := list(jd["resolved_versions"])
			if len(rv) > 0 {
				if _, legacy := rv[0].(string); legacy {
					want = append(want, "|"+strings.Join(strs(rv), ","))
					versions += len(rv)
				} else {
					for _, g := range rv {
						gm := g.(map[string]any)
						want = append(want, str0(gm["index"])+"|"+strings.Join(strs(gm["versions"]), ","))
						versions += len(list(gm["versions"]))
					}
				}
			}
			for _, r := range dd.Resolved {
				got = append(got, r.IndexURL+"|"+strings.Join(r.Versions, ","))
			}
			eq(t, da+".resolved", strings.Join(got, "\n"), strings.Join(want, "\n"))
			deps++
		}
	}
	t.Logf("compared %d entries, %d dependencies, %d resolved versions", len(tree), deps, versions)

	jerrs := list(res["errors"])
	if len(jerrs) != len(d.Errors) {
		t.Fatalf("errors: %d, parsed %d", len(jerrs), len(d.Errors))
	}
	for i, x := range jerrs {
		je, f := x.(map[string]any), d.Errors[i]
		at := fmt.Sprintf("errors[%d]", i)
		eq(t, at+".name", f.Name, refNormalize(str0(je["package_name"])))
		v := str0(je["package_version"])
		if v == "" {
			v = str0(je["version"])
		}
		eq(t, at+".version", f.Version, v)
		eq(t, at+".type", f.Type, str0(je["type"]))
		idx := str0(je["index_url"])
		if idx == "" {
			idx = str0(je["index"]) // thoth-solver 1.1.0
		}
		eq(t, at+".index_url", f.IndexURL, idx)
		sameJSON(t, at+".details", f.Details, je["details"])
	}
	jun := list(res["unparsed"])
	if len(jun) != len(d.Unparsed) {
		t.Fatalf("unparsed: %d, parsed %d", len(jun), len(d.Unparsed))
	}
	for i, x := range jun {
		ju := x.(map[string]any)
		eq(t, fmt.Sprintf("unparsed[%d].requirement", i), d.Unparsed[i].Requirement, str0(ju["requirement"]))
		sameJSON(t, fmt.Sprintf("unparsed[%d].details", i), d.Unparsed[i].Details, ju["details"])
	}
	jur := list(res["unresolved"])
	if len(jur) != len(d.Unresolved) {
		t.Fatalf("unresolved: %d, parsed %d", len(jur), len(d.Unresolved))
	}
	for i, x := range jur {
		ju := x.(map[string]any)
		eq(t, fmt.Sprintf("unresolved[%d].name", i), d.Unresolved[i].Name, refNormalize(str0(ju["package_name"])))
		eq(t, fmt.Sprintf("unresolved[%d].version_spec", i), d.Unresolved[i].VersionSpec, str0(ju["version_spec"]))
	}
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func sameJSON(t *testing.T, what string, got json.RawMessage, want any) {
	t.Helper()
	var g any
	if got != nil {
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("%s = %s, want %v", what, got, want)
	}
}

func list(v any) []any { l, _ := v.([]any); return l }

func str0(v any) string { s, _ := v.(string); return s }

func optS(v any) string {
	if s, ok := v.(string); ok {
		return "=" + s
	}
	return "<nil>"
}

func ptr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return "=" + *s
}

// strs reads a string or a list of strings.
func strs(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range list(v) {
		out = append(out, x.(string))
	}
	return out
}

func normAll(ss []string) string {
	for i, s := range ss {
		ss[i] = refNormalize(s)
	}
	return strings.Join(ss, ",")
}

func TestParseID(t *testing.T) {
	good := []struct {
		id   string
		name string
		env  python.Environment
	}{
		{"solver-fedora-31-py37-01dea5ed", "solver-fedora-31-py37", newEnv("fedora", "31", "3.7")},
		{"solver-rhel-8-py38-210525123456-0123456789abcdef", "solver-rhel-8-py38", newEnv("rhel", "8", "3.8")},
		{"solver-ubi-8-py36-0123abcd", "solver-ubi-8-py36", newEnv("rhel", "8", "3.6")},
		{"solver-rhel-8.2-py38-0123abcd", "solver-rhel-8.2-py38", newEnv("rhel", "8", "3.8")},
		{"solver-ubi-8.1-py38-210101000000-0123456789abcdef", "solver-ubi-8.1-py38", newEnv("rhel", "8", "3.8")},
		{"solver-fedora-35-py310-211231235959-0123456789abcdef", "solver-fedora-35-py310", newEnv("fedora", "35", "3.10")},
		{"solver-fedora-32.1-py27-deadbeef", "solver-fedora-32.1-py27", newEnv("fedora", "32.1", "2.7")},
	}
	for _, tt := range good {
		name, env, err := ParseID(tt.id)
		if err != nil || name != tt.name || env != tt.env {
			t.Errorf("ParseID(%q) = %q, %+v, %v; want %q, %+v", tt.id, name, env, err, tt.name, tt.env)
		}
	}
	bad := []string{
		"",
		"solver-",
		"adviser-210525123456-0123456789abcdef",
		"solver-fedora-31-py37",
		"solver-fedora-31-37-0123abcd",
		"solver-fedora-31-py3-0123abcd",
		"solver-fedora-31-py3100-0123abcd",
		"solver-fedora-31-py301-0123abcd",
		"solver-fedora-x-py37-0123abcd",
		"solver-fedora-8..1-py37-0123abcd",
		"solver-Fedora-31-py37-0123abcd",
		"solver-fedora-31-py37-0123abcg",
		"solver-fedora-31-py37-0123ABCD",
		"solver-fedora-31-py37-0123abc",
		"solver-fedora-31-py37-219999999999-0123456789abcdef",
		"solver-fedora-31-py37-2105251234-0123456789abcdef",
		"solver-fedora-31-py37-extra-parts-0123abcd",
		"solver--31-py37-0123abcd",
		"solver-fedora-31-py37-0123abcd-",
		"solver-fedora-31-py37-" + strings.Repeat("a", 300),
	}
	for _, id := range bad {
		if name, env, err := ParseID(id); err == nil || errors.Is(err, ErrLegacyID) {
			t.Errorf("ParseID(%q) = %q, %+v, %v; want a non-legacy error", id, name, env, err)
		}
	}
	if _, _, err := ParseID("fridex-thoth-solver-fc26-thoth-solver-fc26"); !errors.Is(err, ErrLegacyID) {
		t.Errorf("legacy id: err = %v, want ErrLegacyID", err)
	}
}

// TestValidName checks PEP 508 name validation; python's tests cover
// normalisation.
func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		in    string
		valid bool
	}{
		{"PySocks", true},
		{"path.py", true},
		{"ruamel_yaml", true},
		{"a-._b", true},
		{"A", true},
		{"zope.interface", true},
		{"-abc", false},
		{"abc_", false},
		{"", false},
		{"ipython doctest plugin", false},
		{"café", false},
		{"a+b", false},
	} {
		if got := ValidName(tt.in); got != tt.valid {
			t.Errorf("ValidName(%q) = %v, want %v", tt.in, got, tt.valid)
		}
	}
}

// validDoc is a small valid 2020-shape document; tests poison copies of it.
func validDoc() map[string]any {
	idx := "https://pypi.org/simple"
	dep := func(name string, spec any, extra ...any) map[string]any {
		marker := any(nil)
		if len(extra) > 0 {
			marker = fmt.Sprintf("extra == %q", extra[0])
		}
		return map[string]any{
			"package_name": name, "normalized_package_name": refNormalize(name), "specifier": spec,
			"extra": append([]any{}, extra...), "extras": []any{}, "marker": marker,
			"marker_evaluated": nil, "marker_evaluation_error": nil, "marker_evaluation_result": true,
			"resolved_versions": []any{map[string]any{"index": idx, "versions": []any{"1.0", "1.1", "2.0"}}},
		}
	}
	entry := func(name, version string, deps ...any) map[string]any {
		return map[string]any{
			"package_name": name, "package_version": version, "package_version_requested": version, "index_url": idx,
			"sha256": []any{strings.Repeat("ab", 32)},
			"importlib_metadata": map[string]any{"metadata": map[string]any{
				"Name": name, "Summary": "s", "License": "MIT", "Requires-Python": ">=3.6",
				"Classifier": []any{"Programming Language :: Python", "License :: OSI Approved"},
			}},
			"dependencies": append([]any{}, deps...),
		}
	}
	return map[string]any{
		"metadata": map[string]any{
			"analyzer": "thoth-solver", "analyzer_version": "1.5.1",
			"document_id": "solver-fedora-31-py37-0123abcd",
			"datetime":    "2020-06-09T03:47:20.082100", "duration": 8, "timestamp": 1591674440,
			"os_release":   map[string]any{"id": "fedora", "version_id": "31"},
			"python":       map[string]any{"major": 3, "minor": 7, "micro": 6},
			"distribution": map[string]any{"id": "fedora", "version": "31"},
		},
		"result": map[string]any{
			"environment":          map[string]any{"python_version": "3.7", "sys_platform": "linux"},
			"environment_packages": []any{map[string]any{"package_name": "pipdeptree", "package_version": "0.13.2"}},
			"errors": []any{map[string]any{
				"package_name": "pymongo", "package_version": "1.4", "index_url": idx, "type": "command_error",
				"details": map[string]any{"message": "boom"}, "is_provided_package": true, "is_provided_package_version": true,
			}},
			"unparsed":   []any{map[string]any{"requirement": "ipython doctest plugin==0.1", "details": "parse error"}},
			"unresolved": []any{map[string]any{"package_name": "protobuf", "version_spec": "==39.1.0", "index_url": idx}},
			"tree": []any{
				entry("Dask", "2.17.2", dep("PyYAML", nil), dep("numpy", ">=1.13.0", "array")),
				entry("numpy", "1.18.5"),
				entry("toolz", "0.10.0", dep("six", ">=1.0")),
				entry("six", "1.15.0"),
			},
		},
	}
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// del as a value passed to set removes the key.
var del = &struct{}{}

// set replaces the value at a path like "result.tree[3].package_name".
func set(t testing.TB, doc map[string]any, path string, v any) {
	t.Helper()
	var cur any = doc
	steps := splitPath(path)
	for i, s := range steps {
		last := i == len(steps)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == del {
					delete(c, s.key)
				} else {
					c[s.key] = v
				}
				return
			}
			cur = c[s.key]
		case []any:
			if last {
				c[s.idx] = v
				return
			}
			cur = c[s.idx]
		default:
			t.Fatalf("set %s: step %d lands in %T", path, i, cur)
		}
	}
}

type step struct {
	key string
	idx int
}

func splitPath(p string) []step {
	var out []step
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, step{key: name})
		}
		for rest != "" {
			n, after, _ := strings.Cut(rest, "]")
			i, _ := strconv.Atoi(n)
			out = append(out, step{idx: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

func get(doc map[string]any, path string) any {
	var cur any = doc
	for _, s := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[s.key]
		case []any:
			cur = c[s.idx]
		}
	}
	return cur
}

func TestValidDoc(t *testing.T) {
	d, err := Parse("", encode(t, validDoc()))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "solver-fedora-31-py37-0123abcd" || d.Environment != newEnv("fedora", "31", "3.7") || len(d.Entries) != 4 ||
		d.Entries[0].Name != "dask" || d.Entries[0].Dependencies[0].Name != "pyyaml" || d.Entries[0].Dependencies[0].VersionRange != "*" ||
		!reflect.DeepEqual(d.Entries[0].Dependencies[1].Extra, []string{"array"}) {
		t.Errorf("parsed %+v", d)
	}
	// The same id given explicitly, and an ubi document checked against a rhel os_release.
	if _, err := Parse("solver-fedora-31-py37-0123abcd", encode(t, validDoc())); err != nil {
		t.Errorf("explicit id: %v", err)
	}
	doc := validDoc()
	set(t, doc, "metadata.document_id", "solver-ubi-8-py38-210525123456-0123456789abcdef")
	set(t, doc, "metadata.os_release", map[string]any{"id": "rhel", "version_id": "8.3"})
	set(t, doc, "metadata.python", map[string]any{"major": 3, "minor": 8})
	if d, err := Parse("", encode(t, doc)); err != nil || d.Environment != newEnv("rhel", "8", "3.8") || d.SolverName != "solver-ubi-8-py38" {
		t.Errorf("ubi document: %+v, %v", d, err)
	}
	// Absent optional parts are fine; a missing datetime falls back to the timestamp.
	doc = validDoc()
	for _, p := range []string{"metadata.os_release", "metadata.python", "metadata.datetime", "metadata.duration",
		"result.errors", "result.unparsed", "result.unresolved", "result.environment", "result.tree[0].importlib_metadata",
		"result.tree[0].sha256", "result.tree[0].index_url", "result.tree[0].dependencies[0].resolved_versions"} {
		set(t, doc, p, del)
	}
	d, err = Parse("", encode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Datetime.Equal(time.Unix(1591674440, 0)) || d.Duration != 0 || d.Entries[0].Metadata != nil || d.Entries[0].Artifacts != nil || d.Entries[0].Dependencies[0].Resolved != nil {
		t.Errorf("minimal document: %+v", d)
	}
}

func TestMalformed(t *testing.T) {
	longName := strings.Repeat("a", MaxNameBytes+1)
	tests := []struct {
		name string
		id   string
		raw  []byte // used instead of the mutated valid document when set
		path string // mutation path
		v    any
		want string // JSON path of the error
	}{
		{name: "not JSON", raw: []byte(`{"metadata": `), want: ""},
		{name: "empty input", raw: []byte(``), want: ""},
		{name: "root is an array", raw: []byte(`[{"metadata": {}}]`), want: ""},
		{name: "oversized", raw: make([]byte, MaxDocumentBytes+1), want: ""}, // the size is checked before anything else
		{name: "missing metadata", path: "metadata", v: del, want: "metadata"},
		{name: "metadata not an object", path: "metadata", v: "solver", want: "metadata"},
		{name: "metadata null", path: "metadata", v: nil, want: "metadata"},
		{name: "missing document id", path: "metadata.document_id", v: del, want: "metadata.document_id"},
		{name: "document id a number", path: "metadata.document_id", v: 42, want: "metadata.document_id"},
		{name: "adviser document id", path: "metadata.document_id", v: "adviser-210525123456-0123456789abcdef", want: "metadata.document_id"},
		{name: "document id without hex", path: "metadata.document_id", v: "solver-fedora-31-py37", want: "metadata.document_id"},
		{name: "document id bad python", path: "metadata.document_id", v: "solver-fedora-31-python3-0123abcd", want: "metadata.document_id"},
		{name: "document id bad timestamp", path: "metadata.document_id", v: "solver-fedora-31-py37-211340000000-0123456789abcdef", want: "metadata.document_id"},
		{name: "document id uppercase", path: "metadata.document_id", v: "solver-Fedora-31-py37-0123abcd", want: "metadata.document_id"},
		{name: "id argument differs", id: "solver-fedora-31-py37-ffffffff", want: "metadata.document_id"},
		{name: "bad id argument", id: "solver-fedora-31", path: "metadata.document_id", v: del, want: "id"},
		{name: "analyzer not solver", path: "metadata.analyzer", v: "thoth-adviser", want: "metadata.analyzer"},
		{name: "os_release id mismatch", path: "metadata.os_release.id", v: "rhel", want: "metadata.os_release.id"},
		{name: "os_release version mismatch", path: "metadata.os_release.version_id", v: "32", want: "metadata.os_release.version_id"},
		{name: "os_release not an object", path: "metadata.os_release", v: []any{}, want: "metadata.os_release"},
		{name: "python minor mismatch", path: "metadata.python.minor", v: 8, want: "metadata.python.minor"},
		{name: "python major mismatch", path: "metadata.python.major", v: 2, want: "metadata.python.major"},
		{name: "python major a string", path: "metadata.python.major", v: "3", want: "metadata.python.major"},
		{name: "datetime garbage", path: "metadata.datetime", v: "yesterday", want: "metadata.datetime"},
		{name: "negative duration", path: "metadata.duration", v: -1, want: "metadata.duration"},
		{name: "duration a string", path: "metadata.duration", v: "8", want: "metadata.duration"},
		{name: "missing result", path: "result", v: del, want: "result"},
		{name: "result an array", path: "result", v: []any{}, want: "result"},
		{name: "missing tree", path: "result.tree", v: del, want: "result.tree"},
		{name: "tree not an array", path: "result.tree", v: map[string]any{}, want: "result.tree"},
		{name: "tree entry not an object", path: "result.tree[2]", v: "six", want: "result.tree[2]"},
		{name: "package_name a number at tree[3]", path: "result.tree[3].package_name", v: 3, want: "result.tree[3].package_name"},
		{name: "empty package_name", path: "result.tree[3].package_name", v: "", want: "result.tree[3].package_name"},
		{name: "missing package_version", path: "result.tree[1].package_version", v: del, want: "result.tree[1].package_version"},
		{name: "blank package_version", path: "result.tree[1].package_version", v: "  ", want: "result.tree[1].package_version"},
		{name: "version with a space", path: "result.tree[1].package_version", v: "1 .0", want: "result.tree[1].package_version"},
		{name: "invalid package name", path: "result.tree[0].package_name", v: "dask!", want: "result.tree[0].package_name"},
		{name: "overlong package name", path: "result.tree[0].package_name", v: longName, want: "result.tree[0].package_name"},
		{name: "index_url not a URL", path: "result.tree[0].index_url", v: "pypi", want: "result.tree[0].index_url"},
		{name: "bad sha256", path: "result.tree[0].sha256[0]", v: "abc", want: "result.tree[0].sha256[0]"},
		{name: "sha256 a string", path: "result.tree[0].sha256", v: strings.Repeat("ab", 32), want: "result.tree[0].sha256"},
		{name: "summary a number", path: "result.tree[0].importlib_metadata.metadata.Summary", v: 1, want: "result.tree[0].importlib_metadata.metadata.Summary"},
		{name: "classifier a number", path: "result.tree[0].importlib_metadata.metadata.Classifier[1]", v: 1, want: "result.tree[0].importlib_metadata.metadata.Classifier[1]"},
		{name: "author a list", path: "result.tree[0].importlib_metadata.metadata.Author", v: []any{"a"}, want: "result.tree[0].importlib_metadata.metadata.Author"},
		{name: "requires-dist a number", path: "result.tree[0].importlib_metadata.metadata.Requires-Dist", v: []any{"six", 2}, want: "result.tree[0].importlib_metadata.metadata.Requires-Dist[1]"},
		{name: "project-url an object", path: "result.tree[0].importlib_metadata.metadata.Project-URL", v: map[string]any{}, want: "result.tree[0].importlib_metadata.metadata.Project-URL"},
		{name: "packages a string", path: "result.tree[0].packages", v: "yaml", want: "result.tree[0].packages"},
		{name: "empty import name", path: "result.tree[0].packages", v: []any{"yaml", " "}, want: "result.tree[0].packages[1]"},
		{name: "file without a path", path: "result.tree[0].importlib_metadata.files", v: []any{map[string]any{"size": 1}}, want: "result.tree[0].importlib_metadata.files[0].path"},
		{name: "package_license a string", path: "result.tree[0].package_license", v: "MIT", want: "result.tree[0].package_license"},
		{name: "license warning a string", path: "result.tree[0].package_license", v: map[string]any{"warning": "no"}, want: "result.tree[0].package_license.warning"},
		{name: "license identifier a number", path: "result.tree[0].package_license", v: map[string]any{"license": map[string]any{"identifier_spdx": 1}}, want: "result.tree[0].package_license.license.identifier_spdx"},
		{name: "missing dependencies", path: "result.tree[2].dependencies", v: del, want: "result.tree[2].dependencies"},
		{name: "invalid dependency name", path: "result.tree[2].dependencies[0].package_name", v: "six six", want: "result.tree[2].dependencies[0].package_name"},
		{name: "normalized name mismatch", path: "result.tree[0].dependencies[1].normalized_package_name", v: "scipy", want: "result.tree[0].dependencies[1].normalized_package_name"},
		{name: "specifier a list", path: "result.tree[0].dependencies[1].specifier", v: []any{">=1"}, want: "result.tree[0].dependencies[1].specifier"},
		{name: "marker_evaluation_result a string", path: "result.tree[0].dependencies[1].marker_evaluation_result", v: "true", want: "result.tree[0].dependencies[1].marker_evaluation_result"},
		{name: "extra a number", path: "result.tree[0].dependencies[1].extra[0]", v: 1, want: "result.tree[0].dependencies[1].extra[0]"},
		{name: "invalid extra", path: "result.tree[0].dependencies[1].extras", v: []any{"a b"}, want: "result.tree[0].dependencies[1].extras[0]"},
		{name: "resolved_versions wrong type", path: "result.tree[0].dependencies[0].resolved_versions", v: "1.0", want: "result.tree[0].dependencies[0].resolved_versions"},
		{name: "resolved_versions element a number", path: "result.tree[0].dependencies[0].resolved_versions[0]", v: 1, want: "result.tree[0].dependencies[0].resolved_versions[0]"},
		{name: "resolved versions not an array", path: "result.tree[2].dependencies[0].resolved_versions[0].versions", v: "1.0", want: "result.tree[2].dependencies[0].resolved_versions[0].versions"},
		{name: "resolved version a number", path: "result.tree[2].dependencies[0].resolved_versions[0].versions[2]", v: 2.0, want: "result.tree[2].dependencies[0].resolved_versions[0].versions[2]"},
		{name: "resolved index missing", path: "result.tree[2].dependencies[0].resolved_versions[0].index", v: del, want: "result.tree[2].dependencies[0].resolved_versions[0].index"},
		{name: "legacy and new resolved mixed", path: "result.tree[0].dependencies[0].resolved_versions", v: []any{"1.0", map[string]any{}}, want: "result.tree[0].dependencies[0].resolved_versions[1]"},
		{name: "errors not an array", path: "result.errors", v: map[string]any{}, want: "result.errors"},
		{name: "error without package_name", path: "result.errors[0].package_name", v: del, want: "result.errors[0].package_name"},
		{name: "error type a number", path: "result.errors[0].type", v: 1, want: "result.errors[0].type"},
		{name: "unparsed requirement missing", path: "result.unparsed[0].requirement", v: del, want: "result.unparsed[0].requirement"},
		{name: "unresolved not an array", path: "result.unresolved", v: "protobuf", want: "result.unresolved"},
		{name: "unresolved bad name", path: "result.unresolved[0].package_name", v: "proto buf", want: "result.unresolved[0].package_name"},
		{name: "environment a string", path: "result.environment", v: "linux", want: "result.environment"},
		{name: "marker environment value a number", path: "result.environment.python_version", v: 3.7, want: "result.environment.python_version"},
		{name: "environment package bad version", path: "result.environment_packages[0].package_version", v: "", want: "result.environment_packages[0].package_version"},
		{name: "legacy id without python", path: "metadata", v: map[string]any{"document_id": "someone-thoth-solver-fc26", "distribution": map[string]any{"id": "fedora", "version": "26"}}, want: "metadata.python"},
		{name: "legacy id without os", path: "metadata", v: map[string]any{"document_id": "someone-thoth-solver-fc26", "python": map[string]any{"major": 3, "minor": 6}}, want: "metadata.distribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			if raw == nil {
				doc := validDoc()
				if tt.path != "" {
					set(t, doc, tt.path, tt.v)
				}
				raw = encode(t, doc)
			}
			d, err := Parse(tt.id, raw)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse = %+v, %v; want a *ValidationError at %q", d, err, tt.want)
			}
			if d != nil {
				t.Errorf("Parse returned a document with its error")
			}
			if ve.Path != tt.want {
				t.Errorf("error path = %q, want %q (error: %v)", ve.Path, tt.want, err)
			}
			if ve.Message == "" || (ve.Path != "" && !strings.HasPrefix(err.Error(), ve.Path+": ")) {
				t.Errorf("error text %q", err)
			}
		})
	}
}

// A document whose last tree entry alone is poisoned fails as a whole.
func TestPoisonedLastEntry(t *testing.T) {
	doc := validDoc()
	tree := get(doc, "result.tree").([]any)
	for i := 0; i < 500; i++ {
		tree = append(tree, map[string]any{"package_name": fmt.Sprintf("pkg%d", i), "package_version": "1.0", "dependencies": []any{}})
	}
	tree = append(tree, map[string]any{"package_name": "evil", "package_version": "1.0", "dependencies": []any{
		map[string]any{"package_name": "ok", "resolved_versions": []any{map[string]any{"index": "https://pypi.org/simple", "versions": []any{"1.0", nil}}}},
	}})
	set(t, doc, "result.tree", tree)
	d, err := Parse("", encode(t, doc))
	var ve *ValidationError
	if d != nil || !errors.As(err, &ve) || ve.Path != "result.tree[504].dependencies[0].resolved_versions[0].versions[1]" {
		t.Fatalf("Parse = %v, %v", d, err)
	}
}

func TestTooManyTreeEntries(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"metadata":{"document_id":"solver-fedora-31-py37-0123abcd"},"result":{"tree":[0`)
	b.Write(bytes.Repeat([]byte(",0"), MaxTreeEntries))
	b.WriteString(`]}}`)
	_, err := Parse("", b.Bytes())
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Path != "result.tree" || !strings.Contains(ve.Message, "limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestLegacyDocument(t *testing.T) {
	doc := map[string]any{
		"metadata": map[string]any{
			"analyzer": "thoth-solver", "analyzer_version": "1.0.2", "document_id": "someone-thoth-solver-rhel7",
			"os_release": map[string]any{"id": "rhel", "version_id": "7.5"}, "python": map[string]any{"major": 3, "minor": 6},
		},
		"result": map[string]any{
			"environment": []any{map[string]any{"package_name": "pip", "package_version": "10.0.1", "dependencies": []any{}}},
			"errors":      []any{map[string]any{"package_name": "Pygments", "version": "1.0", "type": "command_error", "details": map[string]any{"message": "x"}}},
			"tree": []any{map[string]any{"package_name": "pipdeptree", "package_version": "0.12.1", "dependencies": []any{
				map[string]any{"package_name": "pip", "required_version": ">=6.0.0", "resolved_versions": []any{"6.0", "10.0.1"}},
				map[string]any{"package_name": "Six", "required_version": nil, "resolved_versions": []any{}},
			}}},
		},
	}
	d, err := Parse("", encode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	deps := d.Entries[0].Dependencies
	if !d.Legacy || d.SolverName != "solver-rhel-7-py36" || d.Environment != newEnv("rhel", "7", "3.6") ||
		deps[0].VersionRange != ">=6.0.0" || !reflect.DeepEqual(deps[0].Resolved, []Resolved{{Versions: []string{"6.0", "10.0.1"}}}) ||
		deps[1].Name != "six" || deps[1].VersionRange != "*" || deps[1].Resolved != nil ||
		d.Errors[0].Name != "pygments" || d.Errors[0].Version != "1.0" || d.EnvironmentPackages[0] != (EnvironmentPackage{"pip", "10.0.1"}) {
		t.Errorf("parsed %+v", d)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("", encode(f, validDoc()))
	f.Add("solver-rhel-8-py38-210525123456-0123456789abcdef", encode(f, validDoc()))
	legacy := validDoc()
	set(f, legacy, "metadata.document_id", "someone-thoth-solver-fc26")
	set(f, legacy, "result.tree[0].dependencies[0].resolved_versions", []any{"1.0", "2.0"})
	f.Add("", encode(f, legacy))
	f.Add("", []byte(`{"metadata":{"document_id":"solver-fedora-31-py37-0123abcd"},"result":{"tree":[]}}`))
	f.Add("", []byte(`{"metadata":{"document_id":"solver-fedora-31-py37-0123abcd"},"result":{"tree":[{"package_name":"a","package_version":"1","dependencies":[{"package_name":"b","extra":"x"}]}]}}`))
	f.Fuzz(func(t *testing.T, id string, raw []byte) {
		d, err := Parse(id, raw)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if d != nil {
				t.Fatal("document returned with an error")
			}
			return
		}
		if d.ID == "" || d.SolverName == "" || d.Environment.OSName == "" || d.Environment.PythonVersion == "" {
			t.Fatalf("accepted document without id or environment: %+v", d)
		}
		checkName := func(what, n string) {
			if !ValidName(n) || python.NormalizeName(n) != n {
				t.Fatalf("%s: accepted name %q is not a valid normalised name", what, n)
			}
		}
		for _, e := range d.Entries {
			checkName("entry", e.Name)
			if e.Version == "" {
				t.Fatalf("entry %s without version", e.Name)
			}
			for _, dep := range e.Dependencies {
				checkName("dependency", dep.Name)
				if dep.VersionRange == "" {
					t.Fatal("empty version range")
				}
				for _, x := range append(append([]string{}, dep.Extra...), dep.Extras...) {
					checkName("extra", x)
				}
				for _, r := range dep.Resolved {
					for _, v := range r.Versions {
						if v == "" || strings.TrimSpace(v) != v {
							t.Fatalf("resolved version %q", v)
						}
					}
				}
			}
		}
		for _, x := range d.Errors {
			checkName("error", x.Name)
		}
		for _, x := range d.Unresolved {
			checkName("unresolved", x.Name)
		}
		for _, x := range d.EnvironmentPackages {
			checkName("environment package", x.Name)
		}
	})
}

// FuzzValidName checks that PEP 508 name validation agrees with PEP 503
// normalisation (python's FuzzNormalizeName checks the normalisation itself).
// Seeds: testdata/fuzz/FuzzValidName.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"PySocks", "path.py", "a-._b", "--", "", "ruamel_yaml", "Ünïcode_Name", "a..B__c--D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := python.NormalizeName(s)
		if ValidName(s) && !ValidName(n) {
			t.Fatalf("valid %q normalised to invalid %q", s, n)
		}
		if ValidName(s) != ValidName(n) && ValidName(n) {
			// Normalising cannot make an invalid name valid, except by
			// dropping surrounding space, or by lowercasing non-ASCII
			// letters into ASCII (e.g. KELVIN SIGN).
			if ValidName(strings.TrimSpace(s)) {
				return
			}
			for _, r := range s {
				if r >= 0x80 {
					return
				}
			}
			t.Fatalf("invalid %q normalised to valid %q", s, n)
		}
	})
}
