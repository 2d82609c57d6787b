package resolve

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// Solve resolves p in memory: a depth-first search that picks, package by
// package (nearest the roots first, then by name), the most preferred
// candidate every requirement on it admits, checks at once that the pick's
// requirements still admit the versions already picked and leave every other
// required package a candidate, and on a dead end backjumps to the most
// recent pick the conflict depends on (conflict-directed backjumping), so
// independent packages are not retried. When the first choice of every
// package is consistent, that is the answer, found in as many steps as
// there are packages.
//
// A problem with no resolution answers Resolved false with an Explanation
// naming the requirements of the package that failed most often. Solve
// returns a COMPLEXITY_LIMIT *persistence.Error when the search tried
// p.Budget candidates (DefaultBudget when 0) without an answer.
func Solve(p Problem) (Solution, error) {
	s := newSolver(&p)
	for i := range p.Constraints {
		s.addCriterion(&criterion{req: &p.Constraints[i], constraint: true})
	}
	for i := range p.Roots {
		if conflict := s.addCriterion(&criterion{req: &p.Roots[i]}); conflict != nil {
			return s.unresolved(), nil
		}
	}
	ok, _ := s.search()
	if s.over {
		return Solution{Steps: s.steps}, persistence.Errorf(persistence.CodeComplexityLimit,
			"resolution stopped after %d steps without an answer: bound the requirements more tightly or add constraints", s.budget)
	}
	if !ok {
		return s.unresolved(), nil
	}
	return s.solution(), nil
}

// criterion is one requirement on a package within the search.
type criterion struct {
	req        *Requirement
	parent     string // "" for the input
	constraint bool
	// reasons are the picks whose undoing may remove the criterion: its
	// parent and, for a requirement under an extra, the picks that asked
	// for that extra. Sorted, without duplicates.
	reasons []string
	// admits[i] says whether the requirement admits the package's i-th
	// candidate.
	admits []bool
}

// pick is a package's chosen candidate and the extras whose requirements
// were applied.
type pick struct {
	cand   *Candidate
	extras []string
}

type undoKind int

const (
	undoCriterion undoKind = iota
	undoPick
	undoExtra
)

type undo struct {
	kind  undoKind
	name  string
	extra string // undoExtra: the extra applied
}

type solver struct {
	p      *Problem
	budget int
	steps  int
	over   bool
	cands  map[string][]*Candidate // in order of preference
	crits  map[string][]*criterion
	picks  map[string]*pick
	trail  []undo
	// failures counts the dead ends per package; explain keeps the
	// description of each package's latest one.
	failures map[string]int
	explain  map[string]string
}

func newSolver(p *Problem) *solver {
	s := &solver{
		p: p, budget: p.Budget,
		cands:    make(map[string][]*Candidate, len(p.Candidates)),
		crits:    map[string][]*criterion{},
		picks:    map[string]*pick{},
		failures: map[string]int{},
		explain:  map[string]string{},
	}
	if s.budget <= 0 {
		s.budget = DefaultBudget
	}
	for name, list := range p.Candidates {
		ordered := make([]*Candidate, len(list))
		for i := range list {
			ordered[i] = &list[i]
		}
		slices.SortStableFunc(ordered, func(a, b *Candidate) int {
			if p.Strategy == Oldest {
				return a.Version.Compare(b.Version)
			}
			return b.Version.Compare(a.Version)
		})
		s.cands[name] = ordered
	}
	return s
}

// search picks the next required package and returns whether the rest of
// the problem resolves; on failure, the picks the failure depends on.
func (s *solver) search() (bool, map[string]bool) {
	name := s.next()
	if name == "" {
		return true, nil
	}
	base := s.reasonsOn(name)
	list := s.admissible(name)
	if len(list) == 0 {
		s.noteFailure(name, "")
		return false, base
	}
	acc := base
	for _, c := range list {
		if s.steps++; s.steps > s.budget {
			s.over = true
			return false, nil
		}
		mark := len(s.trail)
		conflict := s.pick(name, c)
		if conflict == nil {
			ok, sub := s.search()
			if ok {
				return true, nil
			}
			if s.over {
				return false, nil
			}
			conflict = sub
		}
		s.undoTo(mark)
		if !conflict[name] {
			return false, conflict // this pick plays no part: jump over it
		}
		for r := range conflict {
			if r != name {
				acc[r] = true
			}
		}
	}
	return false, acc
}

// next is the unpicked package some non-constraint criterion requires,
// nearest the roots, then first by name; "" when none is left.
func (s *solver) next() string {
	best, bestDepth := "", 0
	for name, list := range s.crits {
		if s.picks[name] != nil {
			continue
		}
		d := s.depthOf(list)
		if d == 0 {
			continue
		}
		if best == "" || d < bestDepth || (d == bestDepth && name < best) {
			best, bestDepth = name, d
		}
	}
	return best
}

// depthOf is the distance from the roots a package's criteria give it
// through the picks so far (roots 1), 0 when only constraints name it.
func (s *solver) depthOf(list []*criterion) int {
	depth := 0
	for _, c := range list {
		if c.constraint {
			continue
		}
		d := 1
		if c.parent != "" {
			d = len(s.ancestry(c.parent)) + 1
		}
		if depth == 0 || d < depth {
			depth = d
		}
	}
	return depth
}

// ancestry is the chain of first non-constraint criteria from a picked
// package back to the input (the package's own first, the root's last).
func (s *solver) ancestry(name string) []*criterion {
	var chain []*criterion
	seen := map[string]bool{}
	for name != "" && !seen[name] && len(chain) < 64 {
		seen[name] = true
		var first *criterion
		for _, c := range s.crits[name] {
			if !c.constraint {
				first = c
				break
			}
		}
		if first == nil {
			break
		}
		chain = append(chain, first)
		name = first.parent
	}
	return chain
}

// admissible lists the candidates of name every criterion on it admits, in
// order of preference; pre-releases only when allowed.
func (s *solver) admissible(name string) []*Candidate {
	var out []*Candidate
	list := s.cands[name]
	pre := s.prereleasesAllowed(name)
	for i, c := range list {
		if s.admitted(name, i, pre) {
			out = append(out, c)
		}
	}
	return out
}

func (s *solver) admitted(name string, i int, pre bool) bool {
	if !pre && s.cands[name][i].Version.IsPreRelease() {
		return false
	}
	for _, c := range s.crits[name] {
		if !c.admits[i] {
			return false
		}
	}
	return true
}

func (s *solver) hasAdmissible(name string) bool {
	pre := s.prereleasesAllowed(name)
	for i := range s.cands[name] {
		if s.admitted(name, i, pre) {
			return true
		}
	}
	return false
}

// prereleasesAllowed: the problem allows them, or a requirement on the
// package names a pre-release (PEP 440).
func (s *solver) prereleasesAllowed(name string) bool {
	if s.p.AllowPrereleases {
		return true
	}
	for _, c := range s.crits[name] {
		if c.req.Specifier.NamesPreRelease() {
			return true
		}
	}
	return false
}

// reasonsOn is the union of the reasons of the criteria on name.
func (s *solver) reasonsOn(name string) map[string]bool {
	out := map[string]bool{}
	for _, c := range s.crits[name] {
		for _, r := range c.reasons {
			out[r] = true
		}
	}
	return out
}

// pick chooses c for name and applies its requirements; it returns the
// picks a conflict depends on, nil when consistent.
func (s *solver) pick(name string, c *Candidate) map[string]bool {
	p := &pick{cand: c}
	s.picks[name] = p
	s.trail = append(s.trail, undo{kind: undoPick, name: name})
	for _, x := range s.extrasAsked(name) {
		if conflict := s.applyExtra(name, x); conflict != nil {
			return conflict
		}
	}
	return s.applyRequirements(name, "", []string{name})
}

// extrasAsked is the union of the extras the criteria on name ask, sorted.
func (s *solver) extrasAsked(name string) []string {
	var out []string
	for _, c := range s.crits[name] {
		if !c.constraint {
			out = append(out, c.req.Extras...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// applyExtra activates extra x on the picked package name and applies the
// requirements it gates, their reasons joined with those of the first
// criterion asking for it.
func (s *solver) applyExtra(name, x string) map[string]bool {
	p := s.picks[name]
	if _, found := slices.BinarySearch(p.extras, x); found {
		return nil
	}
	i, _ := slices.BinarySearch(p.extras, x)
	p.extras = slices.Insert(p.extras, i, x)
	s.trail = append(s.trail, undo{kind: undoExtra, name: name, extra: x})
	reasons := []string{name}
	for _, c := range s.crits[name] {
		if !c.constraint && slices.Contains(c.req.Extras, x) {
			reasons = union(reasons, c.reasons)
			break
		}
	}
	return s.applyRequirements(name, x, reasons)
}

// applyRequirements adds, as criteria, the requirements of name's pick
// under extra ("" for those without one).
func (s *solver) applyRequirements(name, extra string, reasons []string) map[string]bool {
	c := s.picks[name].cand
	for i := range c.Requirements {
		r := &c.Requirements[i]
		if r.Extra != extra {
			continue
		}
		if conflict := s.addCriterion(&criterion{req: r, parent: name, reasons: reasons}); conflict != nil {
			return conflict
		}
	}
	return nil
}

// addCriterion adds c on its package and checks it: a picked package must
// still be admitted (its newly asked extras applied), an unpicked one it
// requires must keep a candidate. It returns the picks a conflict depends
// on, nil when consistent.
func (s *solver) addCriterion(c *criterion) map[string]bool {
	name := c.req.Name
	list := s.cands[name]
	c.admits = make([]bool, len(list))
	for i, cand := range list {
		c.admits[i] = c.req.Specifier.Matches(cand.Version)
	}
	s.crits[name] = append(s.crits[name], c)
	s.trail = append(s.trail, undo{kind: undoCriterion, name: name})
	if p := s.picks[name]; p != nil {
		if !c.req.Specifier.Matches(p.cand.Version) {
			s.noteFailure(name, p.cand.Version.String())
			return setOf(append([]string{name}, c.reasons...))
		}
		if c.constraint {
			return nil
		}
		for _, x := range c.req.Extras {
			if conflict := s.applyExtra(name, x); conflict != nil {
				return conflict
			}
		}
		return nil
	}
	if !c.constraint && !s.hasAdmissible(name) {
		s.noteFailure(name, "")
		return s.reasonsOn(name)
	}
	return nil
}

func (s *solver) undoTo(mark int) {
	for len(s.trail) > mark {
		u := s.trail[len(s.trail)-1]
		s.trail = s.trail[:len(s.trail)-1]
		switch u.kind {
		case undoCriterion:
			list := s.crits[u.name]
			if len(list) == 1 {
				delete(s.crits, u.name)
			} else {
				s.crits[u.name] = list[:len(list)-1]
			}
		case undoPick:
			delete(s.picks, u.name)
		case undoExtra:
			p := s.picks[u.name]
			if i, found := slices.BinarySearch(p.extras, u.extra); found {
				p.extras = slices.Delete(p.extras, i, i+1)
			}
		}
	}
}

// noteFailure records a dead end at name; picked is the version a new
// requirement refused, "" when no candidate was left.
func (s *solver) noteFailure(name, picked string) {
	s.failures[name]++
	var b strings.Builder
	if picked != "" {
		fmt.Fprintf(&b, "%s %s was picked, but not every requirement on %s admits it:", name, picked, name)
	} else if len(s.cands[name]) == 0 {
		fmt.Fprintf(&b, "%s has no candidate in the environment:", name)
	} else {
		fmt.Fprintf(&b, "no version of %s satisfies every requirement on it:", name)
	}
	for _, c := range s.crits[name] {
		b.WriteString("\n  ")
		b.WriteString(s.describe(c))
	}
	if n := len(s.cands[name]); n > 0 {
		vs := make([]string, 0, min(n, 10))
		for _, c := range s.cands[name][:min(n, 10)] {
			vs = append(vs, c.Version.String())
		}
		more := ""
		if n > 10 {
			more = fmt.Sprintf(" and %d more", n-10)
		}
		fmt.Fprintf(&b, "\n  candidates of %s: %s%s", name, strings.Join(vs, ", "), more)
		if !s.prereleasesAllowed(name) && slices.ContainsFunc(s.cands[name], func(c *Candidate) bool { return c.Version.IsPreRelease() }) {
			fmt.Fprintf(&b, "\n  pre-releases of %s are left out: allow them, or name one in a specifier", name)
		}
	}
	s.explain[name] = b.String()
}

// describe writes a criterion as a chain from the input: "root requires
// flask>=2 -> flask 2.3.3 requires werkzeug>=2.3.7".
func (s *solver) describe(c *criterion) string {
	link := func(c *criterion) string {
		who := "root"
		if c.parent != "" {
			who = c.parent
			if p := s.picks[c.parent]; p != nil {
				who += " " + p.cand.Version.String()
			}
			if c.req.Extra != "" {
				who += "[" + c.req.Extra + "]"
			}
		}
		verb := "requires"
		if c.constraint {
			verb = "constrains"
		}
		return who + " " + verb + " " + requirementText(c.req)
	}
	parts := []string{link(c)}
	if c.parent != "" {
		for _, a := range s.ancestry(c.parent) {
			parts = append(parts, link(a))
		}
	}
	slices.Reverse(parts)
	return strings.Join(parts, " -> ")
}

func requirementText(r *Requirement) string {
	out := r.Name
	if len(r.Extras) > 0 {
		out += "[" + strings.Join(r.Extras, ",") + "]"
	}
	if r.Range != "" && r.Range != "*" {
		out += r.Range
	}
	return out
}

func (s *solver) unresolved() Solution {
	worst := ""
	for name, n := range s.failures {
		if worst == "" || n > s.failures[worst] || (n == s.failures[worst] && name < worst) {
			worst = name
		}
	}
	out := Solution{Steps: s.steps, Explanation: s.explain[worst], Conflict: worst}
	if out.Explanation == "" {
		out.Explanation = "the requirements have no resolution"
	}
	return out
}

// solution turns the picks into Picks: depths by a walk from the roots,
// parents from the final criteria.
func (s *solver) solution() Solution {
	depth := map[string]int{}
	queue := []string{}
	for i := range s.p.Roots {
		n := s.p.Roots[i].Name
		if _, seen := depth[n]; !seen {
			depth[n] = 1
			queue = append(queue, n)
		}
	}
	children := map[string][]string{}
	for name, list := range s.crits {
		for _, c := range list {
			if c.parent != "" && !c.constraint {
				children[c.parent] = append(children[c.parent], name)
			}
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range children[n] {
			if _, seen := depth[m]; !seen {
				depth[m] = depth[n] + 1
				queue = append(queue, m)
			}
		}
	}
	out := Solution{Resolved: true, Steps: s.steps}
	for name, p := range s.picks {
		pk := Pick{Name: name, Candidate: *p.cand, Extras: slices.Clone(p.extras), Depth: depth[name]}
		if pk.Extras == nil {
			pk.Extras = []string{}
		}
		for _, c := range s.crits[name] {
			par := Parent{Name: "root", Requirement: *c.req, Constraint: c.constraint}
			if c.parent != "" {
				v := s.picks[c.parent].cand.Version
				par.Name, par.Version = c.parent, &v
			}
			pk.RequiredBy = append(pk.RequiredBy, par)
		}
		slices.SortStableFunc(pk.RequiredBy, func(a, b Parent) int {
			return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Name, b.Name))
		})
		pre := s.prereleasesAllowed(name)
		for i := range s.cands[name] {
			if s.admitted(name, i, pre) {
				pk.Admissible++
			}
		}
		out.Picks = append(out.Picks, pk)
	}
	slices.SortFunc(out.Picks, func(a, b Pick) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// rank orders parents: root requirements, then packages, then constraints.
func rank(p Parent) int {
	switch {
	case p.Constraint:
		return 2
	case p.Version == nil:
		return 0
	}
	return 1
}

func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func setOf(names []string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}
