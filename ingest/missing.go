package ingest

import (
	"encoding/json"
	"strings"

	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/python"
)

// indexLacks reports whether a solver error shows that its index does not
// serve the version: the solver says so (is_provided_package or
// is_provided_package_version false), or pip's answer lists the versions
// the index has ("Could not find a version that satisfies the requirement
// x==1.0 (from versions: 0.9, 1.1)") and the version is not among them. An
// empty list ("from versions: none") is not taken as proof: a network
// failure answers the same. Errors without an index say nothing.
func indexLacks(f solver.Failure) bool {
	if f.IndexURL == "" || f.Version == "" {
		return false
	}
	if (f.IsProvidedPackage != nil && !*f.IsProvidedPackage) || (f.IsProvidedPackageVersion != nil && !*f.IsProvidedPackageVersion) {
		return true
	}
	var details struct {
		Message string `json:"message"`
		Stderr  string `json:"stderr"`
	}
	if json.Unmarshal(f.Details, &details) != nil {
		return false
	}
	for _, text := range []string{details.Stderr, details.Message} {
		if listed, ok := versionsListed(text); ok {
			return !listsVersion(listed, f.Version)
		}
	}
	return false
}

// versionsListed returns the versions of pip's "(from versions: ...)" in
// text; ok is false when text has no such list or it is empty.
func versionsListed(text string) (versions []string, ok bool) {
	const marker = "(from versions:"
	i := strings.Index(text, marker)
	if i < 0 {
		return nil, false
	}
	rest := text[i+len(marker):]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return nil, false
	}
	for _, v := range strings.Split(rest[:end], ",") {
		if v = strings.TrimSpace(v); v != "" && v != "none" {
			versions = append(versions, v)
		}
	}
	return versions, len(versions) > 0
}

// listsVersion reports whether listed holds version, compared in PEP 440
// (1.0 is 1.0.0) when both parse, as strings otherwise.
func listsVersion(listed []string, version string) bool {
	want, err := python.ParseVersion(version)
	for _, s := range listed {
		if s == version {
			return true
		}
		if err == nil {
			if v, perr := python.ParseVersion(s); perr == nil && v.Compare(want) == 0 {
				return true
			}
		}
	}
	return false
}
