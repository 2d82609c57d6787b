//go:build thoth

package solver

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// The conformance suite over real Thoth solver documents (`make test-thoth`):
// the directory testenv.ThothFixtures names, GPL-3.0 data read in place and
// never copied into this repository. It grows; tests over every document
// take whatever it holds, tests about one document name it.

func thothFiles(t *testing.T) []string {
	t.Helper()
	dir := testenv.ThothFixtures(t, "solver")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no solver documents in %s", dir)
	}
	return files
}

// parseThoth parses one real document as ingestion does a document of the
// solver/ folder (see parseFile); a refusal fails t.
func parseThoth(t *testing.T, path string) (*Document, []byte) {
	t.Helper()
	raw := readFile(t, path)
	d, err := parseFile(t, path, raw)
	if err != nil {
		t.Fatalf("conformance: %s: REFUSED: %v", filepath.Base(path), err)
	}
	return d, raw
}

// TestThothFixtures parses every real solver document and checks, value by
// value, that Parse kept what the JSON says.
func TestThothFixtures(t *testing.T) {
	for _, path := range thothFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			d, raw := parseThoth(t, path)
			compareWithJSON(t, raw, d)
			deps := 0
			for _, e := range d.Entries {
				deps += len(e.Dependencies)
			}
			t.Logf("conformance: %s: parsed as %s (%s/%s/py%s, thoth-solver %s, legacy=%v): %d entries, %d dependencies, %d errors, %d unparsed, %d unresolved",
				name, d.ID, d.Environment.OSName, d.Environment.OSVersion, d.Environment.PythonVersion, d.SolverVersion, d.Legacy,
				len(d.Entries), deps, len(d.Errors), len(d.Unparsed), len(d.Unresolved))
		})
	}
}

// TestThothKnownDocuments checks what Parse makes of particular real
// documents, each named.
func TestThothKnownDocuments(t *testing.T) {
	tests := []fixture{
		{
			file: "result_ok_solver_1.json", wantID: "fridex-thoth-solver-fc26-thoth-solver-fc26",
			solverName: "solver-fedora-26-py36", legacy: true, env: newEnv("fedora", "26", "3.6"),
			solverVersion: "1.0.2", datetime: time.Date(2018, 4, 29, 7, 40, 47, 888111000, time.UTC), duration: 12,
			entries: 332, errors: 527, unparsed: 1, unresolved: 18, envPackages: 4,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "prometheus-client-model" || e.Version != "0.0.1" || e.IndexURL != "" || e.Metadata != nil || e.Artifacts != nil || len(e.Dependencies) != 0 {
					t.Errorf("tree[0] = %+v", e)
				}
				if d.Entries[1].Name != "pysocks" {
					t.Errorf("tree[1].Name = %q, want pysocks (PySocks normalised)", d.Entries[1].Name)
				}
				dep := d.Entries[3].Dependencies
				if d.Entries[3].Name != "jupyter-console" || len(dep) == 0 || dep[0].Resolved == nil || dep[0].Resolved[0].IndexURL != "" {
					t.Errorf("tree[3] = %+v", d.Entries[3])
				}
				if f := d.Errors[0]; f.Name != "ruamel-yaml" || f.Version != "0.15.35" || f.Type != "not_site_package" {
					t.Errorf("errors[0] = %+v", f)
				}
				if u := d.Unresolved[17]; u.Name != "complex-dist" || u.VersionSpec != "==0.1" {
					t.Errorf("unresolved[17] = %+v", u)
				}
				if u := d.Unparsed[0]; u.Requirement != "ipython doctest plugin==0.1" {
					t.Errorf("unparsed[0] = %+v", u)
				}
				if d.MarkerEnvironment != nil || d.EnvironmentPackages[2] != (EnvironmentPackage{"pipdeptree", "0.12.1"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-012b745d.json", wantID: "solver-fedora-31-py37-012b745d",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.5.1", datetime: time.Date(2020, 6, 9, 3, 47, 20, 82100000, time.UTC), duration: 8,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "dask" || e.Version != "2.17.2" || e.VersionRequested != "2.17.2" || e.IndexURL != "https://pypi.org/simple" || len(e.Dependencies) != 24 {
					t.Errorf("tree[0] = %+v", e)
				}
				if len(e.Artifacts) != 2 || e.Artifacts[0].SHA256 != "c8809a016ce72b01e0d7a39aa9b553f796c14c21c1899fad4e8bbe51eca87536" {
					t.Errorf("artifacts = %v", e.Artifacts)
				}
				if m := e.Metadata; m == nil || *m.Summary != "Parallel PyData with Task Scheduling" || *m.License != "BSD" || *m.RequiresPython != ">=3.6" || len(m.Classifiers) != 4 {
					t.Errorf("metadata = %+v", e.Metadata)
				}
				d0, d1 := e.Dependencies[0], e.Dependencies[1]
				if d0.Name != "pyyaml" || d0.VersionRange != "*" || d0.Marker != nil || len(d0.Extra) != 0 || !*d0.MarkerEvaluationResult || len(d0.Resolved[0].Versions) != 19 {
					t.Errorf("dependencies[0] = %+v", d0)
				}
				if d1.Name != "numpy" || d1.VersionRange != ">=1.13.0" || *d1.Marker != `extra == "array"` || !reflect.DeepEqual(d1.Extra, []string{"array"}) ||
					d1.Resolved[0].IndexURL != "https://pypi.org/simple" || d1.Resolved[0].Versions[33] != "1.18.5" {
					t.Errorf("dependencies[1] = %+v", d1)
				}
				if d.MarkerEnvironment["python_version"] != "3.7" || d.EnvironmentPackages[0] != (EnvironmentPackage{"pipdeptree", "0.13.2"}) {
					t.Errorf("environment = %v / %v", d.MarkerEnvironment, d.EnvironmentPackages)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0a0a46ec.json", wantID: "solver-fedora-31-py37-0a0a46ec",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2020, 4, 8, 3, 34, 43, 17997000, time.UTC), duration: 6,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "oslotest" || e.Version != "4.2.0" || len(e.Dependencies) != 5 || *e.Metadata.License != "UNKNOWN" {
					t.Errorf("tree[0] = %+v", e)
				}
				if d1 := e.Dependencies[1]; d1.Name != "python-subunit" || d1.VersionRange != ">=1.0.0" || len(d1.Resolved) != 1 || len(d1.Resolved[0].Versions) != 5 {
					t.Errorf("dependencies[1] = %+v", d1)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0a0c95f7.json", wantID: "solver-fedora-31-py37-0a0c95f7",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2019, 12, 24, 17, 44, 8, 250883000, time.UTC), duration: 2,
			errors: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				f := d.Errors[0]
				if f.Name != "pymongo" || f.Version != "1.4" || f.Type != "command_error" || f.IndexURL != "https://pypi.org/simple" ||
					f.IsProvidedPackage == nil || !*f.IsProvidedPackage || !bytes.Contains(f.Details, []byte(`"return_code": 1`)) && !bytes.Contains(f.Details, []byte(`"return_code":1`)) {
					t.Errorf("errors[0] = %+v", f)
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0a0f9e67.json", wantID: "solver-fedora-31-py37-0a0f9e67",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.5.1", datetime: time.Date(2020, 5, 12, 12, 54, 40, 306692000, time.UTC), duration: 11,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "great-expectations" || e.Version != "0.11.0b0" || e.VersionRequested != "0.11.0b0" || len(e.Dependencies) != 23 || len(e.Artifacts) != 2 {
					t.Errorf("tree[0] = %+v", e)
				}
				if m := e.Metadata; m == nil || *m.License != "Apache-2.0" || m.RequiresPython != nil || len(m.Classifiers) != 11 {
					t.Errorf("metadata = %+v", e.Metadata)
				}
				if c := e.Dependencies[11]; c.Name != "click" || c.VersionRange != ">=7.0" || c.Marker != nil {
					t.Errorf("dependencies[11] = %+v (Click normalised)", c)
				}
				if a := e.Dependencies[19]; a.Name != "apache-airflow" || !reflect.DeepEqual(a.Extra, []string{"airflow"}) || !reflect.DeepEqual(a.Extras, []string{"s3"}) ||
					*a.Marker != `extra == "airflow"` || !*a.MarkerEvaluationResult {
					t.Errorf("dependencies[19] = %+v", a)
				}
				if b := e.Dependencies[20]; b.Name != "boto3" || len(b.Resolved) != 1 || len(b.Resolved[0].Versions) != 473 {
					t.Errorf("dependencies[20]: %s with %d resolved groups", b.Name, len(b.Resolved))
				}
			},
		},
		{
			file: "solver-fedora-31-py37-0a0fdf21.json", wantID: "solver-fedora-31-py37-0a0fdf21",
			solverName: "solver-fedora-31-py37", env: newEnv("fedora", "31", "3.7"),
			solverVersion: "1.4.1", datetime: time.Date(2019, 12, 26, 16, 55, 2, 90932000, time.UTC), duration: 4,
			entries: 1, envPackages: 1,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "path-py" || e.Version != "2.6.1" || len(e.Dependencies) != 0 || len(e.Artifacts) != 1 {
					t.Errorf("tree[0] = %+v", e)
				}
				if m := e.Metadata; *m.Summary != "A module wrapper for os.path" || *m.License != "MIT License" || m.RequiresPython != nil ||
					len(m.Classifiers) != 12 || m.Classifiers[11] != "Topic :: Software Development :: Libraries :: Python Modules" {
					t.Errorf("metadata = %+v", m)
				}
			},
		},
		{
			// thoth_solver 1.0.0 (2018): no metadata.document_id, the id is the file name.
			file: "solver-84e44698-3490-405f-964d-d0237586d7c9.json", wantID: "solver-84e44698-3490-405f-964d-d0237586d7c9",
			solverName: "solver-fedora-27-py36", legacy: true, env: newEnv("fedora", "27", "3.6"),
			solverVersion: "1.0.0", datetime: time.Date(2018, 2, 23, 10, 47, 22, 310411000, time.UTC),
			entries: 22, errors: 6, envPackages: 24,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "tensorflow" || e.Version != "1.6.0rc1" || e.IndexURL != "" || len(e.Dependencies) != 10 ||
					e.Dependencies[0].Name != "numpy" || e.Dependencies[0].VersionRange != ">=1.13.3" {
					t.Errorf("tree[0] = %+v", e)
				}
				if f := d.Errors[0]; f.Name != "tensorflow" || f.Version != "1.6.0rc0" || f.Type != "command_error" {
					t.Errorf("errors[0] = %+v", f)
				}
			},
		},
		{
			// thoth-solver 1.1.0 (2019): no metadata.document_id, the id is the file name.
			file: "thamos-scoring-resolved.json", wantID: "thamos-scoring-resolved",
			solverName: "solver-fedora-29-py36", legacy: true, env: newEnv("fedora", "29", "3.6"),
			solverVersion: "1.1.0", datetime: time.Date(2019, 3, 12, 11, 42, 4, 389519000, time.UTC),
			entries: 165, errors: 20, envPackages: 6,
			check: func(t *testing.T, d *Document) {
				e := d.Entries[0]
				if e.Name != "pyyaml" || e.Version != "5.1b5" || e.IndexURL != "https://pypi.org/simple" || len(e.Artifacts) != 11 {
					t.Errorf("tree[0] = %+v", e)
				}
				if f := d.Errors[0]; f.Name != "pyyaml" || f.Version != "3.09" || f.Type != "command_error" {
					t.Errorf("errors[0] = %+v", f)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkFixture(t, testenv.ThothFixtures(t, "solver", tt.file), tt)
		})
	}
}

// BenchmarkThothParseLegacy parses the largest real document, the 2018
// legacy one (1.4 MB).
func BenchmarkThothParseLegacy(b *testing.B) {
	raw := readFile(b, filepath.Join(testenv.ThothFixtures(b, "solver"), "result_ok_solver_1.json"))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse("", raw); err != nil {
			b.Fatal(err)
		}
	}
}
