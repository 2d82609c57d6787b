package analysis

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSplitImage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ ref, name, tag, digest string }{
		{"quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.35.1", "quay.io/thoth-station/s2i-thoth-ubi8-py38", "v0.35.1", ""},
		{"radanalyticsio/tensorflow-serving-s2i", "radanalyticsio/tensorflow-serving-s2i", "latest", ""},
		{"registry.example.com:5000/ns/img", "registry.example.com:5000/ns/img", "latest", ""},
		{"registry.example.com:5000/ns/img:1.0", "registry.example.com:5000/ns/img", "1.0", ""},
		{"img@sha256:abc", "img", "latest", "sha256:abc"},
		{"img:v1@sha256:abc", "img", "v1", "sha256:abc"},
		{"img:", "img:", "latest", ""},
	} {
		name, tag, digest := splitImage(c.ref)
		if name != c.name || tag != c.tag || digest != c.digest {
			t.Errorf("splitImage(%q) = %q %q %q, want %q %q %q", c.ref, name, tag, digest, c.name, c.tag, c.digest)
		}
	}
}

func TestPythonOfImage(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"quay.io/thoth-station/s2i-thoth-ubi8-py38": "3.8", "quay.io/x/s2i-py310": "3.10", "x/py36-base": "",
		"radanalyticsio/tensorflow-serving-s2i": "", "x-py3": "",
	} {
		if got := pythonOfImage(name); got != want {
			t.Errorf("pythonOfImage(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDistLocation(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		"/usr/lib/python2.7/site-packages/chardet-2.2.1-py2.7.egg-info/PKG-INFO": "/usr/lib/python2.7/site-packages",
		"/usr/lib/python3.8/site-packages/six-1.15.0.dist-info/METADATA":         "/usr/lib/python3.8/site-packages",
		"/usr/lib/python3.6/site-packages/tool-2.0-py3.6.egg-info":               "/usr/lib/python3.6/site-packages",
		"": "",
	} {
		if got := distLocation(p); got != want {
			t.Errorf("distLocation(%q) = %q, want %q", p, got, want)
		}
	}
}

const minimal = `{"metadata": {"arguments": {"extract-image": {"image": "img:1"}}, "document_id": "package-extract-x"}, "result": {}}`

// TestParseMinimal: a document with nothing found is valid: the image alone,
// RUNTIME, no digest.
func TestParseMinimal(t *testing.T) {
	t.Parallel()
	d, err := Parse("", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "package-extract-x" || d.ImageName != "img" || d.ImageTag != "1" || d.EnvironmentType != Runtime || d.Digest != "" ||
		len(d.RPMs)+len(d.PythonPackages)+len(d.Symbols) != 0 || !d.AnalyzedAt.IsZero() {
		t.Errorf("%+v", d)
	}
	if d, err := Parse("package-extract-given", []byte(minimal)); err != nil || d.ID != "package-extract-given" {
		t.Errorf("the given id: %+v, %v", d, err)
	}
}

// TestParseNormalises: names PEP 503, versions PEP 440 normal form, epochs
// of dpkg versions apart, duplicates once, symbols sorted, datetime without
// a zone as UTC, digests lower case.
func TestParseNormalises(t *testing.T) {
	t.Parallel()
	raw := `{"metadata": {"arguments": {"extract-image": {"image": "img-py39"},
		"thoth-package-extract": {"metadata": {"environment_type": "BuildTime"}}},
		"datetime": "2021-06-01T08:09:10.5", "document_id": "package-extract-y"},
	  "result": {
		"operating-system": {"id": "ubi", "version_id": "8.4"},
		"cuda-version": {"/usr/local/cuda/version.txt": "10.1.243"},
		"python-packages": [{"package_name": "Py_YAML", "package_version": "5.04.01", "location": "/a"},
		                    {"package_name": "py-yaml", "package_version": "5.4.1", "location": "/a"},
		                    {"package_name": "odd", "package_version": " not-pep440 ", "location": "/a"}],
		"deb": [{"name": "libgcc-s1", "version": "1:10.3.0-1", "arch": "amd64"}, {"name": "x", "version": "a:b", "arch": "all"}],
		"system-symbols": {"/lib/b.so": ["B", "A", "A"], "/lib/a.so": ["Z"]},
		"python-files": [{"filepath": "/a.py", "sha256": "` + strings.Repeat("AB", 32) + `"}, {"filepath": "/a.py", "sha256": "` + strings.Repeat("cd", 32) + `"}],
		"rpm-dependencies": [{"name": "a", "version": "1", "dependencies": ["x", "y"]}, {"name": "a", "version": "1", "dependencies": ["y", "z"]}]}}`
	d, err := Parse("", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if d.EnvironmentType != Buildtime || d.OSName != "rhel" || d.OSVersion != "8" || d.PythonVersion != "3.9" || d.CUDAVersion != "10.1.243" {
		t.Errorf("environment %+v", d)
	}
	if !d.AnalyzedAt.Equal(time.Date(2021, 6, 1, 8, 9, 10, 5e8, time.UTC)) {
		t.Errorf("analyzedAt %v", d.AnalyzedAt)
	}
	if len(d.PythonPackages) != 2 || d.PythonPackages[0] != (PythonPackage{"py-yaml", "5.4.1", "/a"}) || d.PythonPackages[1].Version != "not-pep440" {
		t.Errorf("python packages %+v", d.PythonPackages)
	}
	if len(d.Debs) != 2 || deref(d.Debs[0].Epoch) != "1" || d.Debs[0].Version != "10.3.0-1" || d.Debs[1].Epoch != nil || d.Debs[1].Version != "a:b" {
		t.Errorf("debs %+v", d.Debs)
	}
	if len(d.Symbols) != 3 || d.Symbols[0] != (Symbol{"/lib/a.so", "Z"}) || d.Symbols[1] != (Symbol{"/lib/b.so", "A"}) {
		t.Errorf("symbols %+v", d.Symbols)
	}
	if len(d.Files) != 1 || d.Files[0].SHA256 != strings.Repeat("ab", 32) {
		t.Errorf("files %+v", d.Files)
	}
	if len(d.RPMs) != 1 || strings.Join(d.RPMs[0].Requires, ",") != "x,y,z" || d.RPMs[0].Identifier != "a" {
		t.Errorf("rpms %+v", d.RPMs)
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	for raw, path := range map[string]string{
		`[]`:               "",
		`{"metadata": {}}`: "metadata.arguments",
		`{"metadata": 1}`:  "metadata",
		`not json`:         "",
		minimal + `{}`:     "",
		`{"result": {}}`:   "metadata",
		`{"metadata": {"arguments": {"extract-image": {"image": ""}}}, "result": {}}`:                                                                                         "metadata.arguments.extract-image.image",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}}, "result": {}}`:                                                                                        "metadata.document_id",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "duration": "1"}, "result": {}}`:                                                                       "metadata.duration",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": 3}`:                                                                     "result",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": {"system-symbols": {"l": [1]}}}`:                                        "result.system-symbols.l[0]",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": {"rpm-dependencies": [{"name": "a", "version": "1", "src": "no"}]}}`:    "result.rpm-dependencies[0].src",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": {"mercator": [{"ecosystem": "Python-Dist", "result": {"name": "a"}}]}}`: "result.mercator[0].result.version",
		`{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": {"python-interpreters": {}}}`:                                           "result.python-interpreters",
		`{"metadata": {"arguments": {"extract-image": {"image": "a\u0000b"}}, "document_id": "d"}, "result": {}}`:                                                             "metadata.arguments.extract-image.image",
		`{"metadata": {"arguments": {"extract-image": {"image": "@sha256:00"}}, "document_id": "d"}, "result": {}}`:                                                           "metadata.arguments.extract-image.image",
	} {
		_, err := Parse("", []byte(raw))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a ValidationError", raw, err)
			continue
		}
		if path != "" && ve.Path != path {
			t.Errorf("%s: path %q (%v), want %q", raw, ve.Path, ve, path)
		}
	}
}

// TestParseLimits: what identifies a package, a symbol or a file is
// bounded (index keys), with the path of the value that is too long.
func TestParseLimits(t *testing.T) {
	t.Parallel()
	name, path := strings.Repeat("n", MaxNameBytes+1), "/"+strings.Repeat("p", MaxPathBytes)
	doc := func(result string) string {
		return `{"metadata": {"arguments": {"extract-image": {"image": "i"}}, "document_id": "d"}, "result": {` + result + `}}`
	}
	for result, want := range map[string]string{
		`"rpm-dependencies": [{"name": "` + name + `", "version": "1"}]`:                                 "result.rpm-dependencies[0].name",
		`"rpm-dependencies": [{"name": "a", "version": "1", "release": "` + name + `"}]`:                 "result.rpm-dependencies[0].release",
		`"rpm-dependencies": [{"name": "a", "version": "1", "dependencies": ["x", "` + path + `"]}]`:     "result.rpm-dependencies[0].dependencies[1]",
		`"python-packages": [{"package_name": "a", "package_version": "1", "location": "` + path + `"}]`: "result.python-packages[0].location",
		`"python-packages": [{"package_name": "a", "package_version": "` + name + `", "location": "/"}]`: "result.python-packages[0].package_version",
		`"system-symbols": {"/l.so": ["` + name + `"]}`:                                                  "result.system-symbols./l.so[0]",
		`"system-symbols": {"` + path + `": []}`:                                                         "result.system-symbols",
		`"deb-dependencies": [{"name": "a", "version": "1", "depends": [{"name": "` + name + `"}]}]`:     "result.deb-dependencies[0].depends[0].name",
		`"python-files": [{"filepath": "` + path + `", "sha256": "` + strings.Repeat("0", 64) + `"}]`:    "result.python-files[0].filepath",
		`"python-interpreters": [{"path": "` + path + `"}]`:                                              "result.python-interpreters[0].path",
		`"skopeo-inspect": {"Digest": "` + name + `"}`:                                                   "result.skopeo-inspect.Digest",
		`"layers": ["` + name + `"]`:                                                                     "result.layers[0]",
	} {
		_, err := Parse("", []byte(doc(result)))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Path != want {
			t.Errorf("%.80s…: %v, want a ValidationError at %s", result, err, want)
		}
	}
	if _, err := Parse("", []byte(doc(`"rpm-dependencies": [{"name": "`+name[1:]+`", "version": "1"}]`))); err != nil {
		t.Errorf("a name of %d bytes: %v", MaxNameBytes, err)
	}
}

// FuzzParse: Parse never panics, and refuses with a ValidationError only.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"metadata": {"arguments": {"extract-image": {"image": "i@x"}, "thoth-package-extract": {"metadata": "{}"}}, "document_id": "d"},
		"result": {"deb": [{"name": "a", "version": "1:2"}], "rpm-dependencies": [{"name": "a", "version": "1", "epoch": "0"}], "layers": []}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Parse("", raw)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("error %T: %v", err, err)
		}
		if err == nil && (d.ID == "" || d.Image == "" || d.ImageName == "" || d.ImageTag == "") {
			t.Fatalf("accepted without id or image: %+v", d)
		}
	})
}
