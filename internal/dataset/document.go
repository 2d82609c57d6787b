package dataset

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// The JSON shape of a thoth-solver 1.x document (2020 and later), field for
// field; keys are in the order the solver writes them (sorted).

type document struct {
	Metadata metadata `json:"metadata"`
	Result   result   `json:"result"`
}

type metadata struct {
	Analyzer            string       `json:"analyzer"`
	AnalyzerVersion     string       `json:"analyzer_version"`
	Arguments           arguments    `json:"arguments"`
	Datetime            string       `json:"datetime"`
	Distribution        distribution `json:"distribution"`
	DocumentID          string       `json:"document_id"`
	Duration            int          `json:"duration"`
	Hostname            string       `json:"hostname"`
	OSRelease           osRelease    `json:"os_release"`
	Python              pythonMeta   `json:"python"`
	ThothDeploymentName string       `json:"thoth_deployment_name"`
	Timestamp           int64        `json:"timestamp"`
}

type arguments struct {
	Python struct {
		ExcludePackages *string `json:"exclude_packages"`
		Index           string  `json:"index"`
		NoPretty        bool    `json:"no_pretty"`
		NoTransitive    bool    `json:"no_transitive"`
		Output          string  `json:"output"`
		Requirements    string  `json:"requirements"`
		Virtualenv      string  `json:"virtualenv"`
	} `json:"python"`
	ThothSolver struct {
		Verbose bool `json:"verbose"`
	} `json:"thoth-solver"`
}

type distribution struct {
	Codename     string `json:"codename"`
	ID           string `json:"id"`
	Like         string `json:"like"`
	Version      string `json:"version"`
	VersionParts struct {
		BuildNumber string `json:"build_number"`
		Major       string `json:"major"`
		Minor       string `json:"minor"`
	} `json:"version_parts"`
}

// osRelease has the keys of /etc/os-release the solver recorded: no
// pretty_name, home_url or bug_report_url, the redhat_* ones kept.
type osRelease struct {
	ID                           string `json:"id"`
	Name                         string `json:"name"`
	PlatformID                   string `json:"platform_id"`
	RedhatBugzillaProduct        string `json:"redhat_bugzilla_product"`
	RedhatBugzillaProductVersion string `json:"redhat_bugzilla_product_version"`
	RedhatSupportProduct         string `json:"redhat_support_product"`
	RedhatSupportProductVersion  string `json:"redhat_support_product_version"`
	VariantID                    string `json:"variant_id,omitempty"`
	Version                      string `json:"version"`
	VersionID                    string `json:"version_id"`
}

// pythonMeta is metadata.python: the interpreter the solver ran.
type pythonMeta struct {
	APIVersion         int    `json:"api_version"`
	ImplementationName string `json:"implementation_name"`
	Major              int    `json:"major"`
	Micro              int    `json:"micro"`
	Minor              int    `json:"minor"`
	ReleaseLevel       string `json:"releaselevel"`
	Serial             int    `json:"serial"`
}

type result struct {
	Environment         map[string]string `json:"environment"`
	EnvironmentPackages []envPackage      `json:"environment_packages"`
	Errors              []solverError     `json:"errors"`
	Platform            string            `json:"platform"`
	Tree                []entry           `json:"tree"`
	Unparsed            []unparsed        `json:"unparsed"`
	Unresolved          []unresolved      `json:"unresolved"`
}

type envPackage struct {
	PackageName    string `json:"package_name"`
	PackageVersion string `json:"package_version"`
}

type entry struct {
	Dependencies            []dependency      `json:"dependencies"`
	ImportlibMetadata       importlibMetadata `json:"importlib_metadata"`
	IndexURL                string            `json:"index_url"`
	PackageName             string            `json:"package_name"`
	PackageVersion          string            `json:"package_version"`
	PackageVersionRequested string            `json:"package_version_requested"`
	SHA256                  []string          `json:"sha256"`
	// Packages are the import names of the packages the release installs
	// (thoth-solver's packages, from the files holding __init__.py).
	Packages       []string       `json:"packages"`
	PackageLicense packageLicense `json:"package_license"`
}

// packageLicense is the license solver's verdict (package_license).
type packageLicense struct {
	License struct {
		FullName       string  `json:"full_name"`
		IdentifierSPDX *string `json:"identifier_spdx"`
	} `json:"license"`
	LicenseVersion string `json:"license_version"`
	Warning        bool   `json:"warning"`
}

// importNames are the packages a package's releases install, by import name.
var importNames = map[string][]string{
	"pyyaml": {"_yaml", "yaml"}, "python-dateutil": {"dateutil"}, "pillow": {"PIL"}, "beautifulsoup4": {"bs4"},
	"scikit-learn": {"sklearn"}, "protobuf": {"google.protobuf"}, "attrs": {"attr", "attrs"},
}

// spdx are the SPDX identifiers of the sample's license names; the license
// solver warns on the others.
var spdx = map[string]string{"MIT": "MIT", "MIT License": "MIT", "MIT license": "MIT", "BSD": "BSD-3-Clause",
	"BSD-3-Clause": "BSD-3-Clause", "BSD License": "BSD-3-Clause", "Apache 2.0": "Apache-2.0",
	"Apache License 2.0": "Apache-2.0", "Apache Software License": "Apache-2.0", "PSF": "PSF-2.0",
	"MPL-2.0": "MPL-2.0", "LGPL": "LGPL-3.0-or-later", "GPLv3": "GPL-3.0-only", "ISC": "ISC", "HPND": "HPND"}

type importlibMetadata struct {
	EntryPoints []struct{}   `json:"entry_points"`
	Files       []file       `json:"files"`
	Metadata    coreMetadata `json:"metadata"`
	Requires    []string     `json:"requires"` // null when the version requires nothing
	Version     string       `json:"version"`
}

type file struct {
	Hash *fileHash `json:"hash"`
	Path string    `json:"path"`
	Size *int      `json:"size"`
}

type fileHash struct {
	Mode  string `json:"mode"`
	Value string `json:"value"`
}

type coreMetadata struct {
	Classifier      []string `json:"Classifier,omitempty"`
	HomePage        string   `json:"Home-page"`
	License         string   `json:"License"`
	MetadataVersion string   `json:"Metadata-Version"`
	Name            string   `json:"Name"`
	Platform        []string `json:"Platform"`
	ProvidesExtra   []string `json:"Provides-Extra,omitempty"`
	RequiresDist    []string `json:"Requires-Dist,omitempty"`
	RequiresPython  string   `json:"Requires-Python"`
	Summary         string   `json:"Summary"`
	Version         string   `json:"Version"`
}

type dependency struct {
	Extra                  []string        `json:"extra"`
	Extras                 []string        `json:"extras"`
	Marker                 *string         `json:"marker"`
	MarkerEvaluated        *string         `json:"marker_evaluated"`
	MarkerEvaluationError  *string         `json:"marker_evaluation_error"`
	MarkerEvaluationResult bool            `json:"marker_evaluation_result"`
	NormalizedPackageName  string          `json:"normalized_package_name"`
	PackageName            string          `json:"package_name"`
	ResolvedVersions       []resolvedGroup `json:"resolved_versions"`
	Specifier              *string         `json:"specifier"`
}

type resolvedGroup struct {
	Index    string   `json:"index"`
	Versions []string `json:"versions"`
}

type solverError struct {
	Details                  errorDetails `json:"details"`
	IndexURL                 string       `json:"index_url"`
	IsProvidedPackage        bool         `json:"is_provided_package"`
	IsProvidedPackageVersion bool         `json:"is_provided_package_version"`
	PackageName              string       `json:"package_name"`
	PackageVersion           string       `json:"package_version"`
	Type                     string       `json:"type"`
}

type errorDetails struct {
	Command    string `json:"command"`
	Message    string `json:"message"`
	ReturnCode int    `json:"return_code"` // a number, as the solver wrote it
	Stderr     string `json:"stderr"`
	Stdout     string `json:"stdout"`
	Timeout    int    `json:"timeout"` // seconds
}

type unparsed struct {
	Details     string `json:"details"`
	Requirement string `json:"requirement"`
}

type unresolved struct {
	IndexURL                 string `json:"index_url"`
	IsProvidedPackage        bool   `json:"is_provided_package"`
	IsProvidedPackageVersion bool   `json:"is_provided_package_version"`
	PackageName              string `json:"package_name"`
	VersionSpec              string `json:"version_spec"`
}

// solverEnv is what a solver image contributes to its documents.
type solverEnv struct {
	python.Environment
	tag          string // "rhel-8-py38"
	distribution distribution
	osRelease    osRelease
	python       pythonMeta
	markers      map[string]string
}

func newSolverEnv(e python.Environment, osVersionID, prettyName, platformID string, micro int) solverEnv {
	s := solverEnv{Environment: e}
	s.tag = e.OSName + "-" + e.OSVersion + "-py" + strings.ReplaceAll(e.PythonVersion, ".", "")
	major, minor, _ := strings.Cut(osVersionID, ".")
	s.distribution.ID, s.distribution.Version = e.OSName, osVersionID
	s.distribution.VersionParts.Major, s.distribution.VersionParts.Minor = major, minor
	s.osRelease = osRelease{ID: e.OSName, Name: strings.Fields(prettyName)[0], PlatformID: platformID, VersionID: osVersionID}
	if e.OSName == "rhel" {
		s.distribution.Like = "fedora"
		s.osRelease.Name = "Red Hat Enterprise Linux"
		s.osRelease.Version = osVersionID + " (Ootpa)"
		s.osRelease.RedhatBugzillaProduct = "Red Hat Enterprise Linux " + major
		s.osRelease.RedhatSupportProduct = "Red Hat Enterprise Linux"
	} else {
		s.osRelease.VariantID = "container"
		s.osRelease.Version = osVersionID + " (Container Image)"
		s.osRelease.RedhatBugzillaProduct, s.osRelease.RedhatSupportProduct = s.osRelease.Name, s.osRelease.Name
	}
	s.osRelease.RedhatBugzillaProductVersion, s.osRelease.RedhatSupportProductVersion = osVersionID, osVersionID
	pyMajor, pyMinor := 0, 0
	fmt.Sscanf(e.PythonVersion, "%d.%d", &pyMajor, &pyMinor)
	s.python = pythonMeta{APIVersion: 1013, ImplementationName: "cpython", Major: pyMajor, Minor: pyMinor, Micro: micro, ReleaseLevel: "final"}
	full := fmt.Sprintf("%s.%d", e.PythonVersion, micro)
	s.markers = map[string]string{
		"implementation_name": "cpython", "implementation_version": full, "os_name": "posix",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython",
		"platform_release": "4.18.0-305.el8.x86_64", "platform_system": "Linux",
		"platform_version": "#1 SMP Thu Apr 29 08:54:30 EDT 2021", "python_full_version": full,
		"python_version": e.PythonVersion, "sys_platform": "linux",
	}
	return s
}

var solverEnvs = []solverEnv{
	newSolverEnv(Environments[0], "8.4", "Red Hat Enterprise Linux 8.4 (Ootpa)", "platform:el8", 6),
	newSolverEnv(Environments[1], "34", "Fedora 34 (Container Image)", "platform:f34", 5),
}

// state is what the solver did with a version in an environment.
type state int

const (
	unsolved state = iota // no document: the version is at most a resolved target
	solved
	failed // a document with an error and no tree
)

// hash is a stable 64-bit digest of the seed and parts: per-document choices
// come from it, so a document does not depend on the ones generated before it.
func (w *world) hash(parts ...string) uint64 {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w.seed)
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return binary.LittleEndian.Uint64(h.Sum(nil))
}

func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// state decides whether release j of package i on index x was solved in
// environment e. The newest release is always solved in the first
// environment (it is how the graph reaches a package's requirements); a
// release nothing resolves to (a pre-release, or a package no broad
// requirement reaches) is always solved or failed there, so every release is
// in the graph. The second environment solved only newer releases.
func (w *world) state(i, j, x, e int) state {
	pk := w.pkgs[i]
	rel := pk.releases[j]
	if e == 0 && x == 0 && (j == len(pk.releases)-1 || w.pinned(pk, rel)) {
		return solved
	}
	if e == 1 && x == 0 && w.pinned(pk, rel) {
		return solved
	}
	u := unit(w.hash("state", pk.norm, rel.version, indexURLs[x], Environments[e].OSName))
	switch {
	case e == 0 && (rel.pre || !pk.parented):
		if u < 0.93 {
			return solved
		}
		return failed
	case e == 0:
		if u < 0.68 {
			return solved
		} else if u < 0.72 {
			return failed
		}
		return unsolved
	case 2*j < len(pk.releases):
		return unsolved
	case u < 0.55:
		return solved
	case u < 0.6:
		return failed
	}
	return unsolved
}

// pinned: the named roots are solved in both environments.
func (w *world) pinned(pk *pkg, rel release) bool {
	return pk.norm == "tensorflow" && rel.version == "2.6.0" || pk.norm == "flask" && rel.version == "2.0.1"
}

// docID returns a thoth-solver document id for a request: the solver name,
// a yymmddHHMMSS timestamp and 16 hex digits, all stable for the request.
func (w *world) docID(e int, parts ...string) (string, time.Time) {
	h := w.hash(append([]string{"id", solverEnvs[e].tag}, parts...)...)
	at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h%(180*24*3600)) * time.Second).
		Add(time.Duration(h>>40%1_000_000) * time.Microsecond)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], w.hash(append([]string{"hex", solverEnvs[e].tag}, parts...)...))
	return "solver-" + solverEnvs[e].tag + "-" + at.Format("060102150405") + "-" + hex.EncodeToString(b[:]), at
}

func (w *world) header(e int, id string, at time.Time, index, requirement string, h uint64) metadata {
	s := solverEnvs[e]
	m := metadata{Analyzer: "thoth-solver", AnalyzerVersion: "1.10.0", Datetime: at.Format("2006-01-02T15:04:05.000000"),
		Distribution: s.distribution, DocumentID: id, Duration: 3 + int(h%57), Hostname: fmt.Sprintf("%s-%d", id, h%9_000_000_000+1_000_000_000),
		OSRelease: s.osRelease, Python: s.python, ThothDeploymentName: "seshat-generated", Timestamp: at.Unix()}
	m.Arguments.Python.Index = index
	m.Arguments.Python.NoPretty = true
	m.Arguments.Python.NoTransitive = true
	m.Arguments.Python.Output = "/mnt/workdir/" + id
	m.Arguments.Python.Requirements = requirement
	m.Arguments.Python.Virtualenv = "/home/solver/venv"
	return m
}

func (w *world) emptyResult(e int) result {
	return result{
		Environment: solverEnvs[e].markers,
		EnvironmentPackages: []envPackage{{"pip", "21.1.2"}, {"pipdeptree", "2.0.0"}, {"setuptools", "57.0.0"},
			{"wheel", "0.36.2"}},
		Errors: []solverError{}, Platform: "linux-x86_64", Tree: []entry{}, Unparsed: []unparsed{}, Unresolved: []unresolved{},
	}
}

// solverDocument is the document of release j of package i on index x, in
// environment e, solved or failed.
func (w *world) solverDocument(i, j, x, e int, st state) document {
	pk := w.pkgs[i]
	rel := pk.releases[j]
	id, at := w.docID(e, pk.norm, rel.version, indexURLs[x])
	h := w.hash("doc", id)
	doc := document{Metadata: w.header(e, id, at, indexURLs[x], pk.name+"==="+rel.version, h), Result: w.emptyResult(e)}
	if st == failed {
		cmd := fmt.Sprintf("/home/solver/venv/bin/python3 -m pip install --force-reinstall --no-cache-dir --no-deps %s==%s --index-url %q", pk.name, rel.version, indexURLs[x])
		doc.Result.Errors = []solverError{{
			Details: errorDetails{Command: cmd, Message: "Command exited with non-zero status code (1): ERROR: Command errored out with exit status 1: python setup.py egg_info",
				ReturnCode: 1, Stderr: "ERROR: Command errored out with exit status 1: python setup.py egg_info Check the logs for full command output.",
				Stdout: fmt.Sprintf("Collecting %s==%s\n", pk.name, rel.version), Timeout: 60},
			IndexURL: indexURLs[x], IsProvidedPackage: true, IsProvidedPackageVersion: true,
			PackageName: pk.name, PackageVersion: rel.version, Type: "command_error",
		}}
		return doc
	}
	ent := entry{Dependencies: []dependency{}, IndexURL: indexURLs[x], PackageName: pk.name, PackageVersion: rel.version,
		PackageVersionRequested: rel.version}
	for k := range 1 + int(h%3) {
		d := sha256.Sum256([]byte(fmt.Sprintf("%s-%s-%d", pk.norm, rel.version, k)))
		ent.SHA256 = append(ent.SHA256, hex.EncodeToString(d[:]))
	}
	var requiresDist []string
	for _, r := range pk.reqs {
		if j < r.since {
			continue
		}
		ent.Dependencies = append(ent.Dependencies, w.dependency(r, pk, j, e))
		requiresDist = append(requiresDist, w.requiresDist(r, pk, j))
	}
	dist := strings.ReplaceAll(pk.name, "-", "_") + "-" + rel.version + ".dist-info/"
	size := func(n int) *int { return &n }
	digest := func(s string) *fileHash {
		d := sha256.Sum256([]byte(s))
		return &fileHash{Mode: "sha256", Value: base64.RawURLEncoding.EncodeToString(d[:])}
	}
	ent.Packages = importNames[pk.norm]
	if ent.Packages == nil {
		ent.Packages = []string{strings.ReplaceAll(pk.norm, "-", "_")}
	}
	var files []file
	for _, p := range ent.Packages {
		files = append(files, file{Hash: digest(id + p), Path: strings.ReplaceAll(p, ".", "/") + "/__init__.py", Size: size(100 + int(h%900))})
	}
	ent.PackageLicense.License.FullName = pk.license
	if ident, ok := spdx[pk.license]; ok {
		ent.PackageLicense.License.IdentifierSPDX = &ident
	}
	ent.PackageLicense.LicenseVersion = "LICENSE-WITHOUT-VERSION"
	ent.PackageLicense.Warning = ent.PackageLicense.License.IdentifierSPDX == nil
	ent.ImportlibMetadata = importlibMetadata{
		EntryPoints: []struct{}{},
		Files: append(files, []file{
			{Hash: digest("pip\n"), Path: dist + "INSTALLER", Size: size(4)},
			{Hash: digest(id + "METADATA"), Path: dist + "METADATA", Size: size(900 + int(h%4000))},
			{Path: dist + "RECORD"},
			{Hash: digest(id + "WHEEL"), Path: dist + "WHEEL", Size: size(92)},
			{Hash: digest(pk.norm), Path: dist + "top_level.txt", Size: size(len(pk.norm) + 1)},
		}...),
		Metadata: coreMetadata{Classifier: pk.classes, HomePage: "https://example.org/" + pk.norm, License: pk.license,
			MetadataVersion: "2.1", Name: pk.name, Platform: []string{"UNKNOWN"}, ProvidesExtra: pk.extras,
			RequiresDist: requiresDist, RequiresPython: pk.pyreq, Summary: pk.summary, Version: rel.version},
		Requires: requiresDist,
		Version:  rel.version,
	}
	doc.Result.Tree = []entry{ent}
	return doc
}

// dependency renders requirement r of release j of pk as solved in environment e.
func (w *world) dependency(r requirement, pk *pkg, j, e int) dependency {
	t := w.pkgs[r.target]
	mk := markerKinds[r.marker]
	d := dependency{Extra: []string{}, Extras: []string{}, MarkerEvaluationResult: mk.result[e],
		NormalizedPackageName: t.norm, PackageName: r.written, Specifier: w.specifier(r, pk, j)}
	if r.extras != nil {
		d.Extras = r.extras
	}
	var marker, evaluated string
	switch {
	case r.extra != "" && mk.text != "":
		marker = mk.text + ` and extra == "` + r.extra + `"`
		evaluated = mk.text + ` and python_version >= "0.0"`
	case r.extra != "":
		marker = `extra == "` + r.extra + `"`
		evaluated = `python_version >= "0.0"`
	case mk.text != "":
		marker, evaluated = mk.text, mk.text
	}
	if r.extra != "" {
		d.Extra = []string{r.extra}
	}
	if marker != "" {
		d.Marker, d.MarkerEvaluated = &marker, &evaluated
	}
	// The versions each index offers that the specifier admits, in the
	// string order the solver lists them.
	groups := [2][]string{}
	for _, k := range w.resolved(r, pk, j) {
		rel := t.releases[k]
		groups[0] = append(groups[0], rel.version)
		if rel.second {
			groups[1] = append(groups[1], rel.version)
		}
	}
	d.ResolvedVersions = []resolvedGroup{}
	for x, vs := range groups {
		if len(vs) > 0 || x == 0 {
			if vs == nil {
				vs = []string{}
			}
			sort.Strings(vs)
			d.ResolvedVersions = append(d.ResolvedVersions, resolvedGroup{Index: indexURLs[x], Versions: vs})
		}
	}
	return d
}

// requiresDist renders r as a Requires-Dist line: "numpy (>=1.13.0) ; extra == 'array'".
func (w *world) requiresDist(r requirement, pk *pkg, j int) string {
	s := r.written
	if len(r.extras) > 0 {
		s += "[" + strings.Join(r.extras, ",") + "]"
	}
	if spec := w.specifier(r, pk, j); spec != nil {
		s += " (" + *spec + ")"
	}
	var markers []string
	if m := markerKinds[r.marker].text; m != "" {
		markers = append(markers, strings.ReplaceAll(m, `"`, "'"))
	}
	if r.extra != "" {
		markers = append(markers, "extra == '"+r.extra+"'")
	}
	if len(markers) > 0 {
		s += " ; " + strings.Join(markers, " and ")
	}
	return s
}

// unresolvedDocument asks for a version the index does not have.
func (w *world) unresolvedDocument(i, e, k int) document {
	pk := w.pkgs[i]
	spec := "===" + bumpMajor(pk.releases[len(pk.releases)-1].version)
	id, at := w.docID(e, "unresolved", pk.norm, fmt.Sprint(k))
	doc := document{Metadata: w.header(e, id, at, indexURLs[0], pk.name+spec, w.hash("doc", id)), Result: w.emptyResult(e)}
	doc.Result.Unresolved = []unresolved{{IndexURL: indexURLs[0], IsProvidedPackage: true, IsProvidedPackageVersion: false,
		PackageName: pk.name, VersionSpec: spec}}
	return doc
}

// unparsedDocument asks for a requirement the solver cannot parse.
func (w *world) unparsedDocument(i, e, k int) document {
	pk := w.pkgs[i]
	req := pk.name + " (>=" + pk.releases[0].version
	id, at := w.docID(e, "unparsed", pk.norm, fmt.Sprint(k))
	doc := document{Metadata: w.header(e, id, at, indexURLs[0], req, w.hash("doc", id)), Result: w.emptyResult(e)}
	doc.Result.Unparsed = []unparsed{{Requirement: req,
		Details: fmt.Sprintf("Invalid requirement: '%s'\nExpected closing RIGHT_PARENTHESIS", req)}}
	return doc
}

func bumpMajor(v string) string {
	major := 0
	fmt.Sscanf(v, "%d", &major)
	return fmt.Sprintf("%d.0.0", major+90)
}
