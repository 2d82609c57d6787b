package resolve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// Input is a resolution request as the query and the CLI take it.
type Input struct {
	// Requirements and Constraints are PEP 508 strings; a requirement
	// whose marker does not hold in the environment is left out.
	Requirements []string
	Constraints  []string
	Environment  python.Environment
	// IndexURLs are the allowed indexes in priority order; none means
	// every enabled index.
	IndexURLs         []string
	AllowPrereleases  bool
	ExcludeVulnerable bool
	Strategy          Strategy
	// Budget bounds the search's steps; 0 means DefaultBudget.
	Budget int
}

// Lock is the answer to an Input.
type Lock struct {
	Resolved bool `json:"resolved"`
	// Packages are sorted by name; empty when not resolved.
	Packages    []LockedPackage `json:"packages"`
	Explanation *string         `json:"explanation"`
	// Unsolved are the versions of reached packages not solved in the
	// environment, which a refresh hands to solvers.
	Unsolved    []persistence.PackageVersion `json:"-"`
	Environment *persistence.Environment     `json:"-"`
	Steps       int                          `json:"steps"`
	Statements  int                          `json:"statements"`
	// RequirementsTxt and PipfileLock are nil when not resolved.
	RequirementsTxt *string        `json:"requirementsTxt"`
	PipfileLock     map[string]any `json:"pipfileLock"`
}

// LockedPackage is one pinned package with the provenance of its pick.
type LockedPackage struct {
	Name           string                     `json:"name"`
	Version        string                     `json:"version"`
	IndexURL       *string                    `json:"indexUrl"`
	PackageVersion persistence.PackageVersion `json:"-"`
	// Hashes are "sha256:<hex>" of the version's present artifacts, sorted.
	Hashes     []string   `json:"hashes"`
	RequiredBy []Requirer `json:"requiredBy"`
	Extras     []string   `json:"extras"`
	Depth      int        `json:"depth"`
	Candidates int        `json:"candidates"`
	Reason     string     `json:"reason"`
}

// Requirer is a requirement on a locked package: by the input (Name
// "root", Version nil) or by another locked package.
type Requirer struct {
	Name         string  `json:"name"`
	Version      *string `json:"version"`
	VersionRange string  `json:"versionRange"`
	Marker       *string `json:"marker"`
	Extra        *string `json:"extra"`
	Constraint   bool    `json:"constraint"`
}

// Store is what a resolution reads.
type Store interface {
	CandidateGraph(ctx context.Context, q persistence.CandidateQuery) (*persistence.CandidateGraph, error)
	ArtifactsOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]persistence.Artifact, error)
}

// MaxLevels bounds the levels of the candidate graph a resolution reads;
// MaxInputs the requirements and constraints of one input.
const (
	MaxLevels = 100
	MaxInputs = 2000
)

// Resolve parses in, reads its candidate graph (store.CandidateGraph: one
// statement per level), resolves it in memory (Solve) and reads the picks'
// hashes in one more statement. Returns INVALID for a requirement or
// constraint that does not parse (with its index and the position), no
// requirements, or an invalid environment; COMPLEXITY_LIMIT when the search
// exceeds its budget.
func Resolve(ctx context.Context, store Store, in Input) (*Lock, error) {
	env := in.Environment.Normalized()
	if err := persistence.ValidateEnvironment(env); err != nil {
		return nil, err
	}
	if len(in.Requirements) == 0 {
		return nil, persistence.Errorf(persistence.CodeInvalid, "requirements: give at least one PEP 508 requirement")
	}
	if n := len(in.Requirements) + len(in.Constraints); n > MaxInputs {
		return nil, persistence.Errorf(persistence.CodeInvalid, "%d requirements and constraints: at most %d", n, MaxInputs)
	}
	values := python.MarkerValuesOf(env)
	roots, err := parseAll("requirements", in.Requirements, values)
	if err != nil {
		return nil, err
	}
	constraints, err := parseAll("constraints", in.Constraints, values)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(roots))
	for _, r := range roots {
		names = append(names, r.Name)
	}
	g, err := store.CandidateGraph(ctx, persistence.CandidateQuery{
		Roots: names, Environment: env, IndexURLs: in.IndexURLs,
		ExcludeVulnerable: in.ExcludeVulnerable, MaxLevels: MaxLevels,
	})
	if err != nil {
		return nil, err
	}
	lock := &Lock{Packages: []LockedPackage{}, Unsolved: []persistence.PackageVersion{}, Environment: g.Environment, Statements: g.Statements}
	if g.Environment == nil {
		lock.Explanation = ptr(fmt.Sprintf("the graph knows no environment %s %s / Python %s: nothing is solved there",
			env.OSName, env.OSVersion, env.PythonVersion))
		return lock, nil
	}
	p := Problem{Roots: roots, Constraints: constraints, Candidates: candidates(g),
		Strategy: in.Strategy, AllowPrereleases: in.AllowPrereleases, Budget: in.Budget}
	sol, err := Solve(p)
	if err != nil {
		return nil, err
	}
	lock.Steps = sol.Steps
	// The unsolved versions of the packages the search needed, not of
	// every package the candidate graph reached (other extras' too).
	for _, v := range g.Unsolved {
		if _, found := slices.BinarySearch(sol.Required, v.Name); found {
			lock.Unsolved = append(lock.Unsolved, v)
		}
	}
	if !sol.Resolved {
		lock.Explanation = ptr(sol.Explanation + excludedNote(g, sol.Conflict))
		return lock, nil
	}
	ids := make([]int64, len(sol.Picks))
	for i, pk := range sol.Picks {
		ids[i] = pk.Candidate.ID
	}
	artifacts, err := store.ArtifactsOfVersions(ctx, ids)
	if err != nil {
		return nil, err
	}
	lock.Statements++
	versions := map[int64]persistence.PackageVersion{}
	for _, list := range g.Candidates {
		for _, c := range list {
			versions[c.Version.ID] = c.Version
		}
	}
	lock.Resolved = true
	for _, pk := range sol.Picks {
		pv := versions[pk.Candidate.ID]
		hashes := []string{}
		for _, h := range persistence.Hashes(artifacts[pv.ID]) {
			hashes = append(hashes, "sha256:"+h)
		}
		lock.Packages = append(lock.Packages, LockedPackage{
			Name: pk.Name, Version: pv.Version, IndexURL: pv.IndexURL, PackageVersion: pv,
			Hashes: hashes, RequiredBy: requirers(pk.RequiredBy), Extras: pk.Extras,
			Depth: pk.Depth, Candidates: pk.Admissible, Reason: reason(pk, p),
		})
	}
	txt := requirementsTxt(lock, in)
	lock.RequirementsTxt = &txt
	lock.PipfileLock = pipfileLock(lock, in)
	return lock, nil
}

// parseAll parses PEP 508 strings, leaving out those whose marker does not
// hold; field names the argument in errors ("requirements[2]: ...").
func parseAll(field string, in []string, values python.MarkerValues) ([]Requirement, error) {
	var out []Requirement
	for i, s := range in {
		r, err := python.ParseRequirement(s)
		if err != nil {
			return nil, persistence.Errorf(persistence.CodeInvalid, "%s[%d]: %v", field, i, err)
		}
		if r.Marker != nil && !r.Marker.Evaluate(values) {
			continue
		}
		q := Requirement{Name: r.Name, Specifier: r.Specifier, Range: rangeText(r.Specifier), Extras: r.Extras}
		if r.MarkerText != "" {
			q.Marker = &r.MarkerText
		}
		out = append(out, q)
	}
	return out, nil
}

func rangeText(s python.Specifier) string {
	if t := s.String(); t != "" {
		return t
	}
	return "*"
}

// candidates turns the store's candidate graph into the problem's, leaving
// out versions PEP 440 cannot parse and those with a requirement whose
// range does not parse (which no resolution could check).
func candidates(g *persistence.CandidateGraph) map[string][]Candidate {
	out := make(map[string][]Candidate, len(g.Candidates))
	// Ranges repeat across a graph's edges: parse each text once.
	type parsed struct {
		spec python.Specifier
		err  error
	}
	specs := map[string]parsed{}
	for name, list := range g.Candidates {
	versions:
		for _, c := range list {
			v, err := python.ParseVersion(c.Version.Version)
			if err != nil {
				continue
			}
			cand := Candidate{ID: c.Version.ID, Version: v, IndexURL: deref(c.Version.IndexURL)}
			for _, r := range c.Requirements {
				ps, seen := specs[r.VersionRange]
				if !seen {
					ps.spec, ps.err = python.ParseSpecifier(r.VersionRange)
					specs[r.VersionRange] = ps
				}
				spec, err := ps.spec, ps.err
				if err != nil {
					continue versions
				}
				q := Requirement{Name: r.Name, Specifier: spec, Range: r.VersionRange, Marker: r.Marker}
				if r.Extra != nil {
					q.Extra = python.NormalizeName(*r.Extra)
				}
				for _, x := range r.Extras {
					if x = python.NormalizeName(x); x != "" {
						q.Extras = append(q.Extras, x)
					}
				}
				slices.Sort(q.Extras)
				q.Extras = slices.Compact(q.Extras)
				cand.Requirements = append(cand.Requirements, q)
			}
			out[name] = append(out[name], cand)
		}
	}
	return out
}

// excludedNote says why the conflicting package has fewer versions than
// the graph knows.
func excludedNote(g *persistence.CandidateGraph, name string) string {
	counts := g.Excluded[name]
	if len(counts) == 0 {
		return ""
	}
	words := map[string]string{
		"unsolved": "not solved in the environment (listed in unsolved)", "solver error": "failed to solve there",
		"index": "on an index not allowed", "missing": "no longer served by their index",
		"rule": "excluded by a solver rule", "vulnerable": "vulnerable (excludeVulnerable)",
	}
	var parts []string
	for _, k := range []string{"unsolved", "solver error", "index", "missing", "rule", "vulnerable"} {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, words[k]))
		}
	}
	return fmt.Sprintf("\n  versions of %s left out: %s", name, strings.Join(parts, "; "))
}

func requirers(ps []Parent) []Requirer {
	out := make([]Requirer, len(ps))
	for i, p := range ps {
		r := Requirer{Name: p.Name, VersionRange: p.Requirement.Range, Marker: p.Requirement.Marker, Constraint: p.Constraint}
		if r.VersionRange == "" {
			r.VersionRange = "*"
		}
		if p.Version != nil {
			r.Version = ptr(p.Version.String())
		}
		if p.Requirement.Extra != "" {
			r.Extra = ptr(p.Requirement.Extra)
		}
		out[i] = r
	}
	return out
}

// reason says in words why the pick is the version it is.
func reason(pk Pick, p Problem) string {
	word, other := "highest", "higher"
	if p.Strategy == Oldest {
		word, other = "lowest", "lower"
	}
	var bounds []string
	for _, r := range pk.RequiredBy {
		if r.Requirement.Range == "" || r.Requirement.Range == "*" {
			continue
		}
		who := r.Name
		if r.Version != nil {
			who += " " + r.Version.String()
		}
		if r.Constraint {
			who += ", constraint"
		}
		bounds = append(bounds, fmt.Sprintf("%s (%s)", r.Requirement.Range, who))
	}
	out := fmt.Sprintf("the %s of %d admissible versions", word, pk.Admissible)
	if rank := admissibleRank(pk, p); rank > 0 {
		out = fmt.Sprintf("%d %s admissible versions conflicted further down: the next of %d", rank, other, pk.Admissible)
	}
	if len(bounds) > 0 {
		out += "; bounded by " + strings.Join(bounds, ", ")
	}
	return out
}

// admissibleRank counts the admissible versions preferred to the pick.
func admissibleRank(pk Pick, p Problem) int {
	n := 0
	for _, c := range p.Candidates[pk.Name] {
		if c.ID == pk.Candidate.ID || (!p.AllowPrereleases && c.Version.IsPreRelease() && !pk.Candidate.Version.IsPreRelease()) {
			continue
		}
		better := c.Version.Compare(pk.Candidate.Version) > 0
		if p.Strategy == Oldest {
			better = c.Version.Compare(pk.Candidate.Version) < 0
		}
		if !better {
			continue
		}
		ok := true
		for _, r := range pk.RequiredBy {
			if !r.Requirement.Specifier.Matches(c.Version) {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// indexes lists the lock's indexes in the input's priority order (then
// first use) with a Pipfile source name for each.
func indexes(lock *Lock, in Input) (urls []string, names map[string]string) {
	seen := map[string]bool{}
	for _, u := range in.IndexURLs {
		for _, pk := range lock.Packages {
			if pk.IndexURL != nil && python.NormalizeIndexURL(*pk.IndexURL) == python.NormalizeIndexURL(u) && !seen[*pk.IndexURL] {
				seen[*pk.IndexURL] = true
				urls = append(urls, *pk.IndexURL)
			}
		}
	}
	for _, pk := range lock.Packages {
		if pk.IndexURL != nil && !seen[*pk.IndexURL] {
			seen[*pk.IndexURL] = true
			urls = append(urls, *pk.IndexURL)
		}
	}
	names = map[string]string{}
	used := map[string]bool{}
	for _, u := range urls {
		name := "pypi"
		if parsed, err := url.Parse(u); err == nil && parsed.Host != "pypi.org" && parsed.Host != "" {
			name = strings.ReplaceAll(parsed.Host, ".", "-")
		}
		for base, i := name, 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		used[name] = true
		names[u] = name
	}
	return urls, names
}

// requirementsTxt writes the lock as pip reads it: index options, then one
// pinned line per package with its hashes and where it comes from.
func requirementsTxt(lock *Lock, in Input) string {
	var b strings.Builder
	env := lock.Environment
	s := "LATEST"
	if in.Strategy == Oldest {
		s = "OLDEST"
	}
	fmt.Fprintf(&b, "# Resolved by seshat for %s %s / Python %s (strategy %s).\n",
		env.OSName, env.OSVersion, env.PythonVersion, s)
	urls, _ := indexes(lock, in)
	for i, u := range urls {
		if i == 0 {
			fmt.Fprintf(&b, "--index-url %s\n", u)
		} else {
			fmt.Fprintf(&b, "--extra-index-url %s\n", u)
		}
	}
	for _, pk := range lock.Packages {
		b.WriteString(pk.Name)
		if len(pk.Extras) > 0 {
			b.WriteString("[" + strings.Join(pk.Extras, ",") + "]")
		}
		b.WriteString("==" + pk.Version)
		for _, h := range pk.Hashes {
			b.WriteString(" \\\n    --hash=" + h)
		}
		var via []string
		for _, r := range pk.RequiredBy {
			if !r.Constraint && !slices.Contains(via, r.Name) {
				via = append(via, r.Name)
			}
		}
		fmt.Fprintf(&b, "\n    # via %s\n", strings.Join(via, ", "))
	}
	return b.String()
}

// pipfileLock writes the lock in the Pipfile.lock shape (pipfile-spec 6):
// _meta with the input's hash, Python version and sources, default with a
// pinned entry per package, develop empty.
func pipfileLock(lock *Lock, in Input) map[string]any {
	urls, names := indexes(lock, in)
	sources := make([]any, 0, len(urls))
	for _, u := range urls {
		sources = append(sources, map[string]any{"name": names[u], "url": u, "verify_ssl": true})
	}
	sum := sha256.New()
	for _, r := range in.Requirements {
		fmt.Fprintln(sum, r)
	}
	for _, c := range in.Constraints {
		fmt.Fprintln(sum, "-c", c)
	}
	def := map[string]any{}
	for _, pk := range lock.Packages {
		hashes := make([]any, len(pk.Hashes))
		for i, h := range pk.Hashes {
			hashes[i] = h
		}
		entry := map[string]any{"version": "==" + pk.Version, "hashes": hashes}
		if pk.IndexURL != nil {
			entry["index"] = names[*pk.IndexURL]
		}
		if len(pk.Extras) > 0 {
			extras := make([]any, len(pk.Extras))
			for i, x := range pk.Extras {
				extras[i] = x
			}
			entry["extras"] = extras
		}
		def[pk.Name] = entry
	}
	return map[string]any{
		"_meta": map[string]any{
			"hash":         map[string]any{"sha256": hex.EncodeToString(sum.Sum(nil))},
			"pipfile-spec": 6,
			"requires":     map[string]any{"python_version": lock.Environment.PythonVersion},
			"sources":      sources,
		},
		"default": def,
		"develop": map[string]any{},
	}
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
