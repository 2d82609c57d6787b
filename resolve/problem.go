// Package resolve turns requirements and an environment into a lock: it
// reads the candidate graph from the store level by level and resolves it in
// memory by backtracking within a step budget.
package resolve

import (
	"github.com/seshat-graph/seshat/python"
)

// Strategy says which admissible version a resolution prefers.
type Strategy int

const (
	// Latest prefers the highest admissible version of every package.
	Latest Strategy = iota
	// Oldest prefers the lowest admissible version of every package.
	Oldest
)

// Requirement is one requirement on a package: a root or constraint of the
// input (Parent nil) or a DEPENDS_ON edge of a candidate.
type Requirement struct {
	// Name is the required package, PEP 503 normalised.
	Name string
	// Specifier bounds the versions; Range is its text ("*" when none).
	Specifier python.Specifier
	Range     string
	// Marker is the requirement's marker as written, nil when none; the
	// problem holds only requirements whose marker held in the environment.
	Marker *string
	// Extra is the requiring package's extra under which the requirement
	// applies, "" when it always applies.
	Extra string
	// Extras are the extras the requirement asks of its target, normalised
	// and sorted.
	Extras []string
}

// Candidate is one admissible version of a package: solved in the
// environment without error, on an allowed index, not missing, with no rule
// (and not vulnerable when the input excludes vulnerable versions).
type Candidate struct {
	// ID is the PackageVersion's id.
	ID      int64
	Version python.Version
	// IndexURL is the version's index, "" when unknown.
	IndexURL string
	// Requirements are the version's requirements whose marker held in the
	// environment, with and without extras.
	Requirements []Requirement
}

// Problem is a resolution problem over a loaded candidate graph.
type Problem struct {
	// Roots are the input's requirements; Constraints bound versions of a
	// package without requiring it.
	Roots       []Requirement
	Constraints []Requirement
	// Candidates are every package's admissible versions by name, in any
	// order; a package without an entry has none.
	Candidates map[string][]Candidate
	Strategy   Strategy
	// AllowPrereleases admits pre-releases everywhere; otherwise a package's
	// pre-releases are admissible only when a requirement on it names one.
	AllowPrereleases bool
	// Budget bounds the steps (candidates tried); 0 means DefaultBudget.
	Budget int
}

// DefaultBudget is the step budget of a Problem that sets none.
const DefaultBudget = 200_000

// Parent is a requirement on a picked package made by the input (Name
// "root", Version nil) or by another pick.
type Parent struct {
	Name        string
	Version     *python.Version
	Requirement Requirement
	Constraint  bool
}

// Pick is one package of a resolution.
type Pick struct {
	Name      string
	Candidate Candidate
	// Extras active on the package (the union its requirers ask), sorted.
	Extras []string
	// RequiredBy lists each requirement on the package, roots first, then
	// by parent name.
	RequiredBy []Parent
	// Depth is the shortest distance from the roots (roots are 1).
	Depth int
	// Admissible counts the package's candidates every requirement on it
	// in the resolution admits.
	Admissible int
}

// Solution is the answer to a Problem.
type Solution struct {
	Resolved bool
	// Picks are sorted by name; empty when not resolved.
	Picks []Pick
	// Explanation names the conflicting requirements when not resolved;
	// Conflict is the package it is about.
	Explanation string
	Conflict    string
	// Steps counts the candidates tried.
	Steps int
	// Required lists, sorted, every package a requirement named during
	// the search (what the resolution depended on).
	Required []string
}
