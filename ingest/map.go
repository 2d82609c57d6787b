package ingest

import (
	"encoding/json"

	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/persistence"
)

// SolverResult maps a parsed solver document to the facts persistence
// writes:
//
//   - every tree entry is a solved version with its metadata, artifacts and
//     requirements; a requirement that applies under several extras of its
//     entry (the solver's `extra` list) becomes one edge per extra, and one
//     edge with no extra when the list is empty;
//   - an error for a version the tree does not hold is that version solved
//     with the error flag and the error (type, details, whether the index
//     provides it) as details, marked missing when the error shows the
//     index does not serve it (indexLacks); any other error, every unparsed
//     requirement and every unresolved requirement is a problem of the
//     document.
func SolverResult(doc *solver.Document) *persistence.SolverResult {
	res := &persistence.SolverResult{
		SolverName:    doc.SolverName,
		SolverVersion: doc.SolverVersion,
		Environment:   doc.Environment,
		SolvedAt:      doc.Datetime,
		Duration:      doc.Duration,
		Platform:      doc.Platform,
		Entries:       make([]persistence.SolvedEntry, 0, len(doc.Entries)+len(doc.Errors)),
	}
	type key struct{ name, version, index string }
	inTree := make(map[key]bool, len(doc.Entries))
	for _, e := range doc.Entries {
		inTree[key{e.Name, e.Version, e.IndexURL}] = true
		res.Entries = append(res.Entries, solvedEntry(e))
	}
	for _, f := range doc.Errors {
		details := failureDetails(f)
		if f.Version != "" && !inTree[key{f.Name, f.Version, f.IndexURL}] {
			res.Entries = append(res.Entries, persistence.SolvedEntry{
				Name: f.Name, Version: f.Version, IndexURL: f.IndexURL, Error: true, ErrorDetails: details,
				Missing: indexLacks(f),
			})
			continue
		}
		res.Problems = append(res.Problems, persistence.ProblemEntry{
			Kind: "error", PackageName: f.Name, Version: f.Version, IndexURL: f.IndexURL, Details: details,
		})
	}
	for _, u := range doc.Unparsed {
		d, _ := json.Marshal(struct {
			Requirement string          `json:"requirement"`
			Details     json.RawMessage `json:"details,omitempty"`
		}{u.Requirement, u.Details})
		res.Problems = append(res.Problems, persistence.ProblemEntry{Kind: "unparsed", PackageName: u.Requirement, Details: d})
	}
	for _, u := range doc.Unresolved {
		d, _ := json.Marshal(struct {
			VersionSpec              string `json:"version_spec"`
			IsProvidedPackage        *bool  `json:"is_provided_package,omitempty"`
			IsProvidedPackageVersion *bool  `json:"is_provided_package_version,omitempty"`
		}{u.VersionSpec, u.IsProvidedPackage, u.IsProvidedPackageVersion})
		res.Problems = append(res.Problems, persistence.ProblemEntry{
			Kind: "unresolved", PackageName: u.Name, Version: u.VersionSpec, IndexURL: u.IndexURL, Details: d,
		})
	}
	return res
}

func solvedEntry(e solver.Entry) persistence.SolvedEntry {
	out := persistence.SolvedEntry{Name: e.Name, Version: e.Version, IndexURL: e.IndexURL}
	out.Metadata = metadataEntry(e)
	for _, a := range e.Artifacts {
		out.Artifacts = append(out.Artifacts, persistence.ArtifactEntry{SHA256: a.SHA256})
	}
	out.Dependencies = make([]persistence.DependencyEntry, 0, len(e.Dependencies))
	for _, d := range e.Dependencies {
		edge := persistence.DependencyEntry{
			Name: d.Name, VersionRange: d.VersionRange, Marker: d.Marker, Extras: d.Extras,
			MarkerEvaluationResult: d.MarkerEvaluationResult,
		}
		for _, r := range d.Resolved {
			edge.Resolved = append(edge.Resolved, persistence.ResolvedEntry{IndexURL: r.IndexURL, Versions: r.Versions})
		}
		if len(d.Extra) == 0 {
			out.Dependencies = append(out.Dependencies, edge)
			continue
		}
		for _, x := range d.Extra {
			edge.Extra = &x
			out.Dependencies = append(out.Dependencies, edge)
		}
	}
	return out
}

func failureDetails(f solver.Failure) json.RawMessage {
	d, _ := json.Marshal(struct {
		Type                     string          `json:"type,omitempty"`
		Details                  json.RawMessage `json:"details,omitempty"`
		IsProvidedPackage        *bool           `json:"is_provided_package,omitempty"`
		IsProvidedPackageVersion *bool           `json:"is_provided_package_version,omitempty"`
	}{f.Type, f.Details, f.IsProvidedPackage, f.IsProvidedPackageVersion})
	return d
}

// metadataEntry is an entry's core metadata, license and import names; nil
// when the entry has none of them.
func metadataEntry(e solver.Entry) *persistence.MetadataEntry {
	if e.Metadata == nil && e.License == nil && e.ImportNames == nil {
		return nil
	}
	out := &persistence.MetadataEntry{ImportNames: e.ImportNames}
	if m := e.Metadata; m != nil {
		out.Summary, out.License, out.RequiresPython, out.Classifiers = m.Summary, m.License, m.RequiresPython, m.Classifiers
		out.Author, out.AuthorEmail, out.HomePage = m.Author, m.AuthorEmail, m.HomePage
		out.RequiresDist, out.ProvidesExtra, out.Platforms = m.RequiresDist, m.ProvidesExtra, m.Platforms
		for _, u := range m.ProjectURLs {
			out.ProjectURLs = append(out.ProjectURLs, persistence.ProjectURL{Label: u.Label, URL: u.URL})
		}
	}
	if l := e.License; l != nil {
		out.PackageLicense = &persistence.LicenseEntry{Name: l.Name, Identifier: l.Identifier, Version: l.Version, Warning: l.Warning}
	}
	return out
}
