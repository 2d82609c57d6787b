// Package runs parses and validates the documents Thoth's adviser writes
// about runs over a software stack: adviser runs (adviser/<id>) and
// provenance checks (provenance-checker/<id>). Parsing is typed: a value of
// the wrong type is a *ValidationError naming its JSON path; keys it does not
// know are ignored (the raw document stays in the document store).
package runs

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/python"
)

const (
	// MaxDocumentBytes is the largest document a parser accepts.
	MaxDocumentBytes = 64 << 20
	// MaxListItems bounds every array.
	MaxListItems = 1_000_000
	// MaxStringBytes bounds every string but the JSON values kept whole.
	MaxStringBytes = 1 << 20
	// MaxProducts bounds an adviser report's products (each is a stack
	// number of its run, a smallint).
	MaxProducts = 10_000
)

// ValidationError says what is wrong with a document and where: Path is the
// JSON path of the problem ("result.report.products[0].score"), "" for the
// document as a whole.
type ValidationError struct {
	Path    string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Stack is a Pipfile's requirements and the packages its lock pins.
type Stack struct {
	Requirements []Requirement
	Packages     []Locked
}

// Requirement is one entry of a Pipfile's [packages] (Develop false) or
// [dev-packages] (Develop true).
type Requirement struct {
	Name      string // PEP 503 normalised
	Specifier string // "*" when none is given
	IndexURL  string // the source it names, normalised; "" for none
	Markers   string
	Develop   bool
}

// Locked is one package of a Pipfile.lock's default (Develop false) or
// develop (Develop true) section.
type Locked struct {
	Name string // PEP 503 normalised
	// Version is in PEP 440 normal form and VersionText as the lock wrote
	// it, without "=="; both "" for a package locked without a version.
	Version, VersionText string
	IndexURL             string // the source its index names, normalised; "" for none
	Hashes               []string
	Markers              string
	Develop              bool
}

// parseStack reads a Pipfile (requirements, at reqAt) and its lock (lock,
// at lockAt); either may be nil.
func parseStack(req map[string]any, reqAt string, lock map[string]any, lockAt string) (Stack, error) {
	var s Stack
	if req != nil {
		sources, err := parseSources(req, reqAt, "source")
		if err != nil {
			return s, err
		}
		for _, section := range []struct {
			key     string
			develop bool
		}{{"packages", false}, {"dev-packages", true}} {
			pkgs, err := optObject(req, reqAt, section.key)
			if err != nil {
				return s, err
			}
			at := join(reqAt, section.key)
			for _, name := range sortedKeys(pkgs) {
				r, err := parseRequirement(name, pkgs[name], join(at, name), sources)
				if err != nil {
					return s, err
				}
				r.Develop = section.develop
				s.Requirements = append(s.Requirements, r)
			}
		}
	}
	if lock != nil {
		var sources map[string]string
		meta, err := optObject(lock, lockAt, "_meta")
		if err != nil {
			return s, err
		}
		if meta != nil {
			if sources, err = parseSources(meta, join(lockAt, "_meta"), "sources"); err != nil {
				return s, err
			}
		}
		for _, section := range []struct {
			key     string
			develop bool
		}{{"default", false}, {"develop", true}} {
			pkgs, err := optObject(lock, lockAt, section.key)
			if err != nil {
				return s, err
			}
			at := join(lockAt, section.key)
			for _, name := range sortedKeys(pkgs) {
				l, err := parseLocked(name, pkgs[name], join(at, name), sources)
				if err != nil {
					return s, err
				}
				l.Develop = section.develop
				s.Packages = append(s.Packages, l)
			}
		}
	}
	s.Requirements = dedupe(s.Requirements, func(r Requirement) string { return r.Name }, func(r Requirement) bool { return r.Develop })
	s.Packages = dedupe(s.Packages, func(l Locked) string { return l.Name }, func(l Locked) bool { return l.Develop })
	return s, nil
}

// parseSources maps the names of a Pipfile's (or a lock's) sources to their
// normalised URLs.
func parseSources(m map[string]any, at, key string) (map[string]string, error) {
	out := map[string]string{}
	err := eachObject(m, at, key, func(src map[string]any, p string) error {
		url, err := reqString(src, p, "url")
		if err != nil {
			return err
		}
		name, err := optString(src, p, "name")
		if err != nil {
			return err
		}
		out[name] = python.NormalizeIndexURL(url)
		return nil
	})
	return out, err
}

// sourceURL returns the URL of the source called name ("" for no name).
func sourceURL(sources map[string]string, name, at string) (string, error) {
	if name == "" {
		return "", nil
	}
	url, ok := sources[name]
	if !ok {
		return "", invalid(at, "index %q is none of the sources listed", name)
	}
	return url, nil
}

func parseRequirement(name string, v any, at string, sources map[string]string) (Requirement, error) {
	r := Requirement{Name: python.NormalizeName(name), Specifier: "*"}
	if r.Name == "" {
		return r, invalid(at, "package name is empty")
	}
	switch v := v.(type) {
	case string:
		if strings.TrimSpace(v) != "" {
			r.Specifier = strings.TrimSpace(v)
		}
		return r, nil
	case map[string]any:
		spec, err := optString(v, at, "version")
		if err != nil {
			return r, err
		}
		if strings.TrimSpace(spec) != "" {
			r.Specifier = strings.TrimSpace(spec)
		}
		if r.Markers, err = optString(v, at, "markers"); err != nil {
			return r, err
		}
		idx, err := optString(v, at, "index")
		if err != nil {
			return r, err
		}
		r.IndexURL, err = sourceURL(sources, idx, join(at, "index"))
		return r, err
	}
	return r, invalid(at, "want a version specifier or an object, got %s", describe(v))
}

func parseLocked(name string, v any, at string, sources map[string]string) (Locked, error) {
	l := Locked{Name: python.NormalizeName(name)}
	if l.Name == "" {
		return l, invalid(at, "package name is empty")
	}
	m, err := object(v, at)
	if err != nil {
		return l, err
	}
	version, err := optString(m, at, "version")
	if err != nil {
		return l, err
	}
	if l.VersionText, l.Version = pinned(version); version != "" && l.Version == "" {
		return l, invalid(join(at, "version"), "want a pinned version (==V), got %q", version)
	}
	if l.Markers, err = optString(m, at, "markers"); err != nil {
		return l, err
	}
	idx, err := optString(m, at, "index")
	if err != nil {
		return l, err
	}
	if l.IndexURL, err = sourceURL(sources, idx, join(at, "index")); err != nil {
		return l, err
	}
	hashes, err := list(m, at, "hashes")
	if err != nil {
		return l, err
	}
	for i, h := range hashes {
		s, err := str(h, index(join(at, "hashes"), i))
		if err != nil {
			return l, err
		}
		l.Hashes = append(l.Hashes, strings.TrimSpace(s))
	}
	return l, nil
}

// pinned returns the version a pin ("==1.0", "===1.0", "1.0") names as
// written and in PEP 440 normal form (as written when PEP 440 does not
// describe it); "" for a pin that names none.
func pinned(pin string) (text, normal string) {
	text = strings.TrimSpace(pin)
	text = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, "==="), "=="))
	if text == "" || text == "*" || strings.ContainsAny(text, "<>=!~,") {
		return "", ""
	}
	if n, ok := python.NormalizeVersion(text); ok {
		return text, n
	}
	return text, text
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// dedupe keeps the first entry of each (develop, name), in that order.
func dedupe[T any](in []T, name func(T) string, develop func(T) bool) []T {
	type key struct {
		develop bool
		name    string
	}
	seen := map[key]bool{}
	out := in[:0]
	for _, x := range in {
		k := key{develop(x), name(x)}
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b T) int {
		if develop(a) != develop(b) {
			if develop(a) {
				return 1
			}
			return -1
		}
		return strings.Compare(name(a), name(b))
	})
	return out
}

// header is what print_command_result (thoth-common) writes in metadata.
type header struct {
	Analyzer, AnalyzerVersion, Deployment string
	ID                                    string
	Duration                              *float64
	Debug                                 bool
	// Meta is metadata.arguments["thoth-adviser"].metadata; nil when absent.
	Meta   map[string]any
	MetaAt string
}

// parseHeader reads metadata; id "" takes metadata.document_id.
func parseHeader(root map[string]any, id string) (header, map[string]any, error) {
	h := header{ID: id}
	meta, err := requiredObject(root, "", "metadata")
	if err != nil {
		return h, nil, err
	}
	const at = "metadata"
	if h.Analyzer, err = optString(meta, at, "analyzer"); err != nil {
		return h, nil, err
	}
	if h.AnalyzerVersion, err = optString(meta, at, "analyzer_version"); err != nil {
		return h, nil, err
	}
	if h.Deployment, err = optString(meta, at, "thoth_deployment_name"); err != nil {
		return h, nil, err
	}
	if h.Duration, err = optFloat(meta, at, "duration"); err != nil {
		return h, nil, err
	}
	docID, err := optString(meta, at, "document_id")
	if err != nil {
		return h, nil, err
	}
	if h.ID == "" {
		h.ID = docID
	}
	if h.ID == "" {
		return h, nil, invalid(join(at, "document_id"), "no document id: neither given nor in metadata.document_id")
	}
	args, err := optObject(meta, at, "arguments")
	if err != nil || args == nil {
		return h, meta, err
	}
	argsAt := join(at, "arguments")
	cli, err := optObject(args, argsAt, "thoth-adviser")
	if err != nil || cli == nil {
		return h, meta, err
	}
	cliAt := join(argsAt, "thoth-adviser")
	verbose, err := optBool(cli, cliAt, "verbose")
	if err != nil {
		return h, meta, err
	}
	h.Debug = verbose != nil && *verbose
	h.MetaAt = join(cliAt, "metadata")
	h.Meta, err = optObject(cli, cliAt, "metadata")
	return h, meta, err
}

// marshal encodes a value built by a parser (strings, numbers, maps,
// slices): it cannot fail.
func marshal(v any) json.RawMessage {
	raw, _ := json.Marshal(v)
	return raw
}
