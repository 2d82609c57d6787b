package solver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// Parse decodes and validates one solver document. It returns the typed
// document, or a *ValidationError naming the JSON path of the first problem;
// a document is never accepted in part. Unknown keys are ignored.
//
// The document id is id, or metadata.document_id when id is empty; when both
// are given they must be equal. The environment comes from the id (see
// ParseID) and must agree with metadata.os_release (id, version_id) and
// metadata.python (major, minor) when those are present, after the same
// normalisation. metadata.analyzer, when present, must be "thoth-solver"
// (or "thoth_solver", as thoth_solver 1.0.0 named itself).
//
// A legacy id or a solver-<uuid> one (see ParseID, ErrLegacyID and
// ErrUUIDID) is accepted: Document.Legacy is set, the operating system is
// taken from metadata.distribution (id, version) — what thoth-solver 1.0.x
// recorded — falling back to metadata.os_release, and Python from
// metadata.python; nothing is cross-checked, since the id encodes nothing to
// check against. (In the one known legacy document the os_release block says
// Fedora 30, a release that did not exist on the document's date, while
// distribution and the id itself say Fedora 26.) SolverName is then the
// canonical name of that environment.
func Parse(id string, raw []byte) (*Document, error) {
	return parse(id, raw, false)
}

// ParseNamed is Parse for a document known to be a solver document by other
// means than its id (the folder it is kept in, a kind its sender declared):
// an id without the "solver-" prefix only names it (thamos-scoring-resolved,
// the file name of a document without metadata.document_id) and, as a legacy
// id, takes the environment from metadata. Ids with the prefix are parsed
// as by Parse.
func ParseNamed(id string, raw []byte) (*Document, error) {
	return parse(id, raw, true)
}

func parse(id string, raw []byte, named bool) (*Document, error) {
	if len(raw) > MaxDocumentBytes {
		return nil, &ValidationError{Message: fmt.Sprintf("document is %d bytes, more than the limit of %d", len(raw), MaxDocumentBytes)}
	}
	if !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v)
		return nil, &ValidationError{Message: fmt.Sprintf("invalid JSON: %v", err)}
	}
	if k := kind(raw); k != "object" {
		return nil, &ValidationError{Message: fmt.Sprintf("expected a JSON object, got %s", k)}
	}
	top, err := object(at{}, raw)
	if err != nil {
		return nil, err
	}
	p := &parser{doc: &Document{}, named: named}
	if err := p.metadata(id, top["metadata"]); err != nil {
		return nil, err
	}
	if err := p.result(top["result"]); err != nil {
		return nil, err
	}
	return p.doc, nil
}

type parser struct {
	doc      *Document
	named    bool // see ParseNamed
	resolved int  // resolved versions seen so far, against MaxResolvedVersions
}

func (p *parser) metadata(id string, r json.RawMessage) error {
	meta, err := object(field("", "metadata"), r)
	if err != nil {
		return err
	}
	analyzer, err := optStrValue(field("metadata", "analyzer"), meta["analyzer"])
	if err != nil {
		return err
	}
	if analyzer != "" && analyzer != "thoth-solver" && analyzer != "thoth_solver" {
		return invalid(field("metadata", "analyzer"), "%q is not thoth-solver", analyzer)
	}
	if p.doc.SolverVersion, err = optStrValue(field("metadata", "analyzer_version"), meta["analyzer_version"]); err != nil {
		return err
	}

	idAt := field("metadata", "document_id")
	metaID, err := optStr(idAt, meta["document_id"])
	if err != nil {
		return err
	}
	switch {
	case id == "" && metaID == nil:
		return invalid(idAt, "required string is missing (and no document id was given)")
	case id == "":
		id = *metaID
	case metaID == nil:
		idAt = field("", "id")
	case *metaID != id:
		return invalid(idAt, "%q does not match the document id %q", *metaID, id)
	}
	p.doc.ID = id

	name, env, err := ParseID(id)
	switch {
	case errors.Is(err, ErrLegacyID), errors.Is(err, ErrUUIDID),
		err != nil && p.named && !strings.HasPrefix(id, "solver-") && len(id) <= maxIDBytes:
		if err := p.legacyEnvironment(id, meta); err != nil {
			return err
		}
	case err != nil:
		return invalid(idAt, "%v", err)
	default:
		if err := checkEnvironment(meta, env); err != nil {
			return err
		}
		p.doc.SolverName, p.doc.Environment = name, env
	}

	if p.doc.Datetime, err = datetime(meta); err != nil {
		return err
	}
	d, _, err := optNumber(field("metadata", "duration"), meta["duration"])
	if err != nil {
		return err
	}
	if d < 0 {
		return invalid(field("metadata", "duration"), "negative duration %v", d)
	}
	p.doc.Duration = d
	return nil
}

// checkEnvironment cross-checks the environment of a document id against
// metadata.os_release and metadata.python.
func checkEnvironment(meta map[string]json.RawMessage, env python.Environment) error {
	osr, err := optObject(field("metadata", "os_release"), meta["os_release"])
	if err != nil {
		return err
	}
	if osr != nil {
		a := field("metadata.os_release", "id")
		s, err := optStr(a, osr["id"])
		if err != nil {
			return err
		}
		if s != nil {
			if n := (python.Environment{OSName: *s}).Normalized().OSName; n != env.OSName {
				return invalid(a, "operating system %q does not match %q of the document id", *s, env.OSName)
			}
		}
		a = field("metadata.os_release", "version_id")
		if s, err = optStr(a, osr["version_id"]); err != nil {
			return err
		}
		if s != nil {
			if v := (python.Environment{OSName: env.OSName, OSVersion: *s}).Normalized().OSVersion; v != env.OSVersion {
				return invalid(a, "operating system version %q does not match %q of the document id", *s, env.OSVersion)
			}
		}
	}
	major, minor, err := pythonMeta(meta)
	if err != nil {
		return err
	}
	wantMajor, wantMinor, _ := strings.Cut(env.PythonVersion, ".")
	if major != nil && strconv.Itoa(*major) != wantMajor {
		return invalid(field("metadata.python", "major"), "Python %d.x does not match Python %s of the document id", *major, env.PythonVersion)
	}
	if minor != nil && strconv.Itoa(*minor) != wantMinor {
		return invalid(field("metadata.python", "minor"), "Python %s.%d does not match Python %s of the document id", wantMajor, *minor, env.PythonVersion)
	}
	return nil
}

// pythonMeta reads metadata.python's major and minor (nil when absent).
func pythonMeta(meta map[string]json.RawMessage) (major, minor *int, err error) {
	py, err := optObject(field("metadata", "python"), meta["python"])
	if err != nil || py == nil {
		return nil, nil, err
	}
	if v, ok, err := optInt(field("metadata.python", "major"), py["major"]); err != nil {
		return nil, nil, err
	} else if ok {
		major = &v
	}
	if v, ok, err := optInt(field("metadata.python", "minor"), py["minor"]); err != nil {
		return nil, nil, err
	} else if ok {
		minor = &v
	}
	return major, minor, nil
}

// legacyEnvironment derives the environment of a legacy document from its
// metadata; see Parse.
func (p *parser) legacyEnvironment(id string, meta map[string]json.RawMessage) error {
	var osName, osVersion string
	osAt := field("metadata", "distribution")
	for _, src := range []struct{ key, nameKey, versionKey string }{
		{"distribution", "id", "version"},
		{"os_release", "id", "version_id"},
	} {
		o, err := optObject(field("metadata", src.key), meta[src.key])
		if err != nil {
			return err
		}
		if o == nil {
			continue
		}
		base := "metadata." + src.key
		n, err := optStrValue(field(base, src.nameKey), o[src.nameKey])
		if err != nil {
			return err
		}
		v, err := optStrValue(field(base, src.versionKey), o[src.versionKey])
		if err != nil {
			return err
		}
		if n != "" && v != "" {
			osName, osVersion, osAt = n, v, field(base, src.nameKey)
			break
		}
	}
	if osName == "" {
		return invalid(osAt, "the document id %q encodes no environment: metadata.distribution (id, version) or metadata.os_release (id, version_id) must say it", id)
	}
	major, minor, err := pythonMeta(meta)
	if err != nil {
		return err
	}
	if major == nil || minor == nil {
		return invalid(field("metadata", "python"), "the document id %q encodes no environment: metadata.python (major, minor) must say it", id)
	}
	env := python.Environment{OSName: osName, OSVersion: osVersion, PythonVersion: fmt.Sprintf("%d.%d", *major, *minor)}.Normalized()
	if !osNameRe(env.OSName) || !dottedDigits(env.OSVersion) {
		return invalid(osAt, "bad operating system %q %q", osName, osVersion)
	}
	p.doc.Legacy = true
	p.doc.Environment = env
	p.doc.SolverName = solverNameFor(env)
	return nil
}

var datetimeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// datetime reads metadata.datetime (ISO 8601; naive means UTC), else
// metadata.timestamp (Unix seconds).
func datetime(meta map[string]json.RawMessage) (time.Time, error) {
	a := field("metadata", "datetime")
	s, err := optStr(a, meta["datetime"])
	if err != nil {
		return time.Time{}, err
	}
	if s != nil {
		for _, layout := range datetimeLayouts {
			if t, err := time.Parse(layout, *s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, invalid(a, "%q is not an ISO 8601 date and time", *s)
	}
	a = field("metadata", "timestamp")
	ts, ok, err := optNumber(a, meta["timestamp"])
	if err != nil || !ok {
		return time.Time{}, err
	}
	if ts < 0 || ts > 1e11 {
		return time.Time{}, invalid(a, "timestamp %v out of range", ts)
	}
	sec, frac := math.Modf(ts)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func (p *parser) result(r json.RawMessage) error {
	res, err := object(field("", "result"), r)
	if err != nil {
		return err
	}
	if p.doc.Platform, err = optStrValue(field("result", "platform"), res["platform"]); err != nil {
		return err
	}
	if err := p.environment(res); err != nil {
		return err
	}

	tree, err := array(field("result", "tree"), res["tree"], MaxTreeEntries)
	if err != nil {
		return err
	}
	p.doc.Entries = make([]Entry, len(tree))
	for i := range tree {
		if err := p.entry(&p.doc.Entries[i], i, tree[i]); err != nil {
			return err
		}
		tree[i] = nil // let the collector take the raw entry
	}

	errs, err := optArray(field("result", "errors"), res["errors"], MaxListItems)
	if err != nil {
		return err
	}
	p.doc.Errors = make([]Failure, len(errs))
	for i, e := range errs {
		if err := failure(&p.doc.Errors[i], i, e); err != nil {
			return err
		}
	}

	unparsed, err := optArray(field("result", "unparsed"), res["unparsed"], MaxListItems)
	if err != nil {
		return err
	}
	p.doc.Unparsed = make([]Unparsed, len(unparsed))
	for i, u := range unparsed {
		m, err := object(elem("result.unparsed", i), u)
		if err != nil {
			return err
		}
		base := "result.unparsed[" + strconv.Itoa(i) + "]"
		if p.doc.Unparsed[i].Requirement, err = str(field(base, "requirement"), m["requirement"]); err != nil {
			return err
		}
		p.doc.Unparsed[i].Details = raw(m["details"])
	}

	unresolved, err := optArray(field("result", "unresolved"), res["unresolved"], MaxListItems)
	if err != nil {
		return err
	}
	p.doc.Unresolved = make([]Unresolved, len(unresolved))
	for i, u := range unresolved {
		if err := unresolvedEntry(&p.doc.Unresolved[i], i, u); err != nil {
			return err
		}
	}
	return nil
}

// environment reads result.environment (the marker environment, or the
// legacy list of installed packages) and result.environment_packages.
func (p *parser) environment(res map[string]json.RawMessage) error {
	a := field("result", "environment")
	switch r := res["environment"]; kind(r) {
	case "absent", "null":
	case "object":
		m, err := object(a, r)
		if err != nil {
			return err
		}
		p.doc.MarkerEnvironment = make(map[string]string, len(m))
		for k, v := range m {
			if p.doc.MarkerEnvironment[k], err = str(field("result.environment", k), v); err != nil {
				return err
			}
		}
	case "array":
		pkgs, err := environmentPackages(a, r)
		if err != nil {
			return err
		}
		p.doc.EnvironmentPackages = pkgs
	default:
		return invalid(a, "expected object or array, got %s", kind(r))
	}
	if r := res["environment_packages"]; !missing(r) {
		pkgs, err := environmentPackages(field("result", "environment_packages"), r)
		if err != nil {
			return err
		}
		p.doc.EnvironmentPackages = pkgs
	}
	return nil
}

func environmentPackages(a at, r json.RawMessage) ([]EnvironmentPackage, error) {
	items, err := array(a, r, MaxListItems)
	if err != nil {
		return nil, err
	}
	base := a.String()
	out := make([]EnvironmentPackage, len(items))
	for i, it := range items {
		m, err := object(elem(base, i), it)
		if err != nil {
			return nil, err
		}
		eb := base + "[" + strconv.Itoa(i) + "]"
		if out[i].Name, err = name(field(eb, "package_name"), m["package_name"]); err != nil {
			return nil, err
		}
		if out[i].Version, err = version(field(eb, "package_version"), m["package_version"]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *parser) entry(e *Entry, i int, r json.RawMessage) error {
	m, err := object(elem("result.tree", i), r)
	if err != nil {
		return err
	}
	base := "result.tree[" + strconv.Itoa(i) + "]"
	if e.Name, err = name(field(base, "package_name"), m["package_name"]); err != nil {
		return err
	}
	if e.Version, err = version(field(base, "package_version"), m["package_version"]); err != nil {
		return err
	}
	a := field(base, "package_version_requested")
	if s, err := optStr(a, m["package_version_requested"]); err != nil {
		return err
	} else if s != nil {
		if e.VersionRequested, err = checkVersion(a, *s); err != nil {
			return err
		}
	}
	if e.IndexURL, err = indexURL(field(base, "index_url"), m["index_url"]); err != nil {
		return err
	}
	if e.Artifacts, err = artifacts(field(base, "sha256"), m["sha256"]); err != nil {
		return err
	}
	if e.Metadata, err = coreMetadata(base, m["importlib_metadata"]); err != nil {
		return err
	}
	if e.ImportNames, err = importNames(base, m["packages"], m["importlib_metadata"]); err != nil {
		return err
	}
	if e.License, err = packageLicense(field(base, "package_license"), m["package_license"]); err != nil {
		return err
	}

	deps, err := array(field(base, "dependencies"), m["dependencies"], MaxListItems)
	if err != nil {
		return err
	}
	e.Dependencies = make([]Dependency, len(deps))
	depsBase := base + ".dependencies"
	for j, d := range deps {
		if err := p.dependency(&e.Dependencies[j], depsBase, j, d); err != nil {
			return err
		}
	}
	return nil
}

func artifacts(a at, r json.RawMessage) ([]Artifact, error) {
	items, err := optArray(a, r, MaxListItems)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	base := a.String()
	out := make([]Artifact, len(items))
	for i, it := range items {
		ea := elem(base, i)
		s, err := str(ea, it)
		if err != nil {
			return nil, err
		}
		s = strings.ToLower(s)
		if len(s) != 64 || !lowerHex(s) {
			return nil, invalid(ea, "%q is not a sha256 hex digest", s)
		}
		out[i].SHA256 = s
	}
	return out, nil
}

// coreMetadata reads importlib_metadata.metadata of a tree entry.
func coreMetadata(base string, r json.RawMessage) (*Metadata, error) {
	im, err := optObject(field(base, "importlib_metadata"), r)
	if err != nil || im == nil {
		return nil, err
	}
	base += ".importlib_metadata"
	md, err := optObject(field(base, "metadata"), im["metadata"])
	if err != nil || md == nil {
		return nil, err
	}
	base += ".metadata"
	out := &Metadata{}
	if out.Summary, err = optStr(field(base, "Summary"), md["Summary"]); err != nil {
		return nil, err
	}
	if out.License, err = optStr(field(base, "License"), md["License"]); err != nil {
		return nil, err
	}
	if out.RequiresPython, err = optStr(field(base, "Requires-Python"), md["Requires-Python"]); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		key string
		to  **string
	}{{"Author", &out.Author}, {"Author-email", &out.AuthorEmail}, {"Home-page", &out.HomePage}} {
		if *f.to, err = optStr(field(base, f.key), md[f.key]); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		key string
		to  *[]string
	}{{"Classifier", &out.Classifiers}, {"Requires-Dist", &out.RequiresDist}, {"Provides-Extra", &out.ProvidesExtra}, {"Platform", &out.Platforms}} {
		if *f.to, err = multipleUse(field(base, f.key), md[f.key]); err != nil {
			return nil, err
		}
	}
	urls, err := multipleUse(field(base, "Project-URL"), md["Project-URL"])
	if err != nil {
		return nil, err
	}
	for _, u := range urls {
		label, url, ok := strings.Cut(u, ",")
		if !ok {
			label, url = "", u
		}
		out.ProjectURLs = append(out.ProjectURLs, ProjectURL{Label: strings.TrimSpace(label), URL: strings.TrimSpace(url)})
	}
	return out, nil
}

// multipleUse reads a multiple-use core metadata field: a list of
// strings, or a lone value as a plain string; nil when absent.
func multipleUse(a at, r json.RawMessage) ([]string, error) {
	if kind(r) == "string" {
		s, err := str(a, r)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	return strList(a, r)
}

// importNames reads an entry's packages list, or derives it from
// importlib_metadata.files when the entry has none (see Entry.ImportNames).
func importNames(base string, packages, importlib json.RawMessage) ([]string, error) {
	if !missing(packages) {
		a := field(base, "packages")
		names, err := strList(a, packages)
		if err != nil {
			return nil, err
		}
		for i, n := range names {
			if strings.TrimSpace(n) == "" {
				return nil, invalid(elem(a.String(), i), "empty import name")
			}
		}
		if names == nil {
			names = []string{}
		}
		return names, nil
	}
	im, err := optObject(field(base, "importlib_metadata"), importlib)
	if err != nil || im == nil {
		return nil, err
	}
	a := field(base+".importlib_metadata", "files")
	files, err := optArray(a, im["files"], MaxListItems)
	if err != nil || files == nil {
		return nil, err
	}
	seen := map[string]bool{}
	names := []string{}
	for i, f := range files {
		fo, err := object(elem(a.String(), i), f)
		if err != nil {
			return nil, err
		}
		path, err := str(field(elem(a.String(), i).String(), "path"), fo["path"])
		if err != nil {
			return nil, err
		}
		parts := strings.Split(path, "/")
		if len(parts) < 2 || parts[len(parts)-1] != "__init__.py" {
			continue
		}
		dirs := parts[:len(parts)-1]
		if slices.ContainsFunc(dirs, func(d string) bool { return d == "" || d == "." || d == ".." }) {
			continue // outside site-packages, or not a package path
		}
		if n := strings.Join(dirs, "."); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		di, dj := strings.Count(names[i], "."), strings.Count(names[j], ".")
		if di != dj {
			return di < dj
		}
		return names[i] < names[j]
	})
	return names, nil
}

// packageLicense reads the license solver's package_license.
func packageLicense(a at, r json.RawMessage) (*License, error) {
	m, err := optObject(a, r)
	if err != nil || m == nil {
		return nil, err
	}
	base := a.String()
	out := &License{}
	la := field(base, "license")
	switch kind(m["license"]) {
	case "absent", "null":
	case "string":
		s, err := str(la, m["license"])
		if err != nil {
			return nil, err
		}
		out.Name = &s
	default:
		lic, err := object(la, m["license"])
		if err != nil {
			return nil, err
		}
		if out.Name, err = optStr(field(la.String(), "full_name"), lic["full_name"]); err != nil {
			return nil, err
		}
		if out.Identifier, err = optStr(field(la.String(), "identifier_spdx"), lic["identifier_spdx"]); err != nil {
			return nil, err
		}
	}
	if out.Version, err = optStr(field(base, "license_version"), m["license_version"]); err != nil {
		return nil, err
	}
	if out.Warning, err = optBool(field(base, "warning"), m["warning"]); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *parser) dependency(d *Dependency, depsBase string, j int, r json.RawMessage) error {
	m, err := object(elem(depsBase, j), r)
	if err != nil {
		return err
	}
	base := depsBase + "[" + strconv.Itoa(j) + "]"
	if d.Name, err = name(field(base, "package_name"), m["package_name"]); err != nil {
		return err
	}
	a := field(base, "normalized_package_name")
	if s, err := optStr(a, m["normalized_package_name"]); err != nil {
		return err
	} else if s != nil && python.NormalizeName(*s) != d.Name {
		return invalid(a, "%q is not the normalised name of %q", *s, d.Name)
	}

	// The 2019+ solver writes specifier (null for any version); 1.0.x wrote required_version.
	spec, err := optStr(field(base, "specifier"), m["specifier"])
	if err != nil {
		return err
	}
	if spec == nil {
		if spec, err = optStr(field(base, "required_version"), m["required_version"]); err != nil {
			return err
		}
	}
	d.VersionRange = "*"
	if spec != nil {
		if s := strings.TrimSpace(*spec); s != "" {
			d.VersionRange = s
		}
	}

	if d.Marker, err = optStr(field(base, "marker"), m["marker"]); err != nil {
		return err
	}
	if d.MarkerEvaluationResult, err = optBool(field(base, "marker_evaluation_result"), m["marker_evaluation_result"]); err != nil {
		return err
	}
	if d.Extra, err = extraList(field(base, "extra"), m["extra"]); err != nil {
		return err
	}
	if d.Extras, err = extraList(field(base, "extras"), m["extras"]); err != nil {
		return err
	}
	d.Resolved, err = p.resolvedVersions(field(base, "resolved_versions"), m["resolved_versions"])
	return err
}

// resolvedVersions reads resolved_versions: a list of {index, versions}
// groups (2019+), or a flat list of version strings (legacy), which becomes
// one group with no index. The two forms cannot be mixed.
func (p *parser) resolvedVersions(a at, r json.RawMessage) ([]Resolved, error) {
	items, err := optArray(a, r, MaxListItems)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	base := a.String()
	if kind(items[0]) == "string" {
		vs := make([]string, len(items))
		for k, it := range items {
			if vs[k], err = version(elem(base, k), it); err != nil {
				return nil, err
			}
		}
		if err := p.count(a, len(vs)); err != nil {
			return nil, err
		}
		return []Resolved{{Versions: vs}}, nil
	}
	out := make([]Resolved, len(items))
	for k, it := range items {
		g, err := object(elem(base, k), it)
		if err != nil {
			if k == 0 {
				return nil, invalid(elem(base, k), "expected object or string, got %s", kind(it))
			}
			return nil, err
		}
		gb := base + "[" + strconv.Itoa(k) + "]"
		ia := field(gb, "index")
		s, err := str(ia, g["index"])
		if err != nil {
			return nil, err
		}
		if out[k].IndexURL, err = checkURL(ia, s); err != nil {
			return nil, err
		}
		va := field(gb, "versions")
		vs, err := array(va, g["versions"], MaxListItems)
		if err != nil {
			return nil, err
		}
		if err := p.count(va, len(vs)); err != nil {
			return nil, err
		}
		vb := gb + ".versions"
		out[k].Versions = make([]string, len(vs))
		for v, it := range vs {
			if out[k].Versions[v], err = version(elem(vb, v), it); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (p *parser) count(a at, n int) error {
	p.resolved += n
	if p.resolved > MaxResolvedVersions {
		return invalid(a, "more than %d resolved versions in the document", MaxResolvedVersions)
	}
	return nil
}

func failure(f *Failure, i int, r json.RawMessage) error {
	m, err := object(elem("result.errors", i), r)
	if err != nil {
		return err
	}
	base := "result.errors[" + strconv.Itoa(i) + "]"
	if f.Name, err = name(field(base, "package_name"), m["package_name"]); err != nil {
		return err
	}
	// package_version since 2019; legacy documents say version.
	key := "package_version"
	if missing(m[key]) && !missing(m["version"]) {
		key = "version"
	}
	if !missing(m[key]) {
		if f.Version, err = version(field(base, key), m[key]); err != nil {
			return err
		}
	}
	// index_url since 2020; thoth-solver 1.1.0 (2019) says index.
	key = "index_url"
	if missing(m[key]) && !missing(m["index"]) {
		key = "index"
	}
	if f.IndexURL, err = indexURL(field(base, key), m[key]); err != nil {
		return err
	}
	if f.Type, err = optStrValue(field(base, "type"), m["type"]); err != nil {
		return err
	}
	if f.IsProvidedPackage, err = optBool(field(base, "is_provided_package"), m["is_provided_package"]); err != nil {
		return err
	}
	if f.IsProvidedPackageVersion, err = optBool(field(base, "is_provided_package_version"), m["is_provided_package_version"]); err != nil {
		return err
	}
	f.Details = raw(m["details"])
	return nil
}

func unresolvedEntry(u *Unresolved, i int, r json.RawMessage) error {
	m, err := object(elem("result.unresolved", i), r)
	if err != nil {
		return err
	}
	base := "result.unresolved[" + strconv.Itoa(i) + "]"
	if u.Name, err = name(field(base, "package_name"), m["package_name"]); err != nil {
		return err
	}
	if u.VersionSpec, err = optStrValue(field(base, "version_spec"), m["version_spec"]); err != nil {
		return err
	}
	if u.IndexURL, err = indexURL(field(base, "index_url"), m["index_url"]); err != nil {
		return err
	}
	if u.IsProvidedPackage, err = optBool(field(base, "is_provided_package"), m["is_provided_package"]); err != nil {
		return err
	}
	u.IsProvidedPackageVersion, err = optBool(field(base, "is_provided_package_version"), m["is_provided_package_version"])
	return err
}
