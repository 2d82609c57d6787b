package resolve

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
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
		s.addCriterion(&criterion{req: &p.Roots[i]})
	}
	if conflict := s.forwardCheck(); conflict != nil {
		return s.unresolved(), nil
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
	// version is the parent's picked version; via is the parent's first
	// requiring criterion when this one was added (the chain to the
	// input), depth the distance from the input it gives (roots 1).
	version *python.Version
	via     *criterion
	depth   int
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
	cands  map[string][]*Candidate // in order of preference, once asked for (candsOf)
	crits  map[string][]*criterion
	picks  map[string]*pick
	trail  []undo
	// named holds the packages some requirement of the problem names a
	// pre-release of: their pre-releases are tried, after the final
	// releases, and kept only when a requirement in the resolution names
	// one; other packages' pre-releases are never admissible.
	named map[string]bool
	// required holds every package a non-constraint criterion named at
	// some point of the search.
	required map[string]bool
	// touched are the unpicked packages that got a criterion since the
	// last forward check.
	touched []string
	// admits caches each requirement's admission of its target's
	// candidates: a requirement re-added after a backtrack is not matched
	// again.
	admits map[*Requirement][]bool
	// nogoods are the learnt dead ends: sets of picks no resolution
	// holds together, indexed by each of their picks.
	nogoods map[assignment][][]assignment
	learnt  int
	// failures counts the dead ends per package; last keeps each
	// package's latest, described only for the explanation.
	failures map[string]int
	last     map[string]failure
}

// assignment is one pick: a package and its candidate's id.
type assignment struct {
	name string
	id   int64
}

// maxNogood and maxNogoods bound what the search learns: small sets are
// the ones that prune, and checking them costs a map lookup per pick.
const (
	maxNogood  = 16
	maxNogoods = 200_000
)

// failure is a dead end at a package: the criteria on it then and the
// picked version a new one refused (nil when no candidate was left).
type failure struct {
	crits  []*criterion
	picked *python.Version
}

func newSolver(p *Problem) *solver {
	s := &solver{
		p: p, budget: p.Budget,
		cands:    make(map[string][]*Candidate, len(p.Candidates)),
		crits:    map[string][]*criterion{},
		picks:    map[string]*pick{},
		failures: map[string]int{},
		last:     map[string]failure{},
		named:    map[string]bool{},
		required: map[string]bool{},
		admits:   map[*Requirement][]bool{},
		nogoods:  map[assignment][][]assignment{},
	}
	mark := func(rs []Requirement) {
		for i := range rs {
			if rs[i].Specifier.NamesPreRelease() {
				s.named[rs[i].Name] = true
			}
		}
	}
	mark(p.Roots)
	mark(p.Constraints)
	for _, list := range p.Candidates {
		for i := range list {
			mark(list[i].Requirements)
		}
	}
	if s.budget <= 0 {
		s.budget = DefaultBudget
	}
	return s
}

// candsOf returns name's candidates in order of preference, sorting them
// the first time: most packages of a candidate graph are never required.
func (s *solver) candsOf(name string) []*Candidate {
	if list, ok := s.cands[name]; ok {
		return list
	}
	list := s.p.Candidates[name]
	ordered := make([]*Candidate, len(list))
	for i := range list {
		ordered[i] = &list[i]
	}
	slices.SortStableFunc(ordered, func(a, b *Candidate) int {
		if s.p.Strategy == Oldest {
			return a.Version.Compare(b.Version)
		}
		return b.Version.Compare(a.Version)
	})
	s.cands[name] = ordered
	return ordered
}

// search picks the next required package and returns whether the rest of
// the problem resolves; on failure, the picks the failure depends on.
func (s *solver) search() (bool, map[string]bool) {
	name := s.next()
	if name == "" {
		return s.prereleasesNamed()
	}
	list := s.admissible(name)
	if len(list) == 0 {
		s.noteFailure(name, nil)
		conflict := s.excludedReasons(name)
		s.learn(conflict)
		return false, conflict
	}
	acc := s.excludedReasons(name)
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
	s.learn(acc)
	return false, acc
}

// learn records the current picks of the names in conflict as a nogood:
// the search has shown that no resolution holds them together (the
// reasons of a dead end are picks, whatever else is picked).
func (s *solver) learn(conflict map[string]bool) {
	if len(conflict) == 0 || len(conflict) > maxNogood || s.learnt >= maxNogoods {
		return
	}
	ng := make([]assignment, 0, len(conflict))
	for name := range conflict {
		p := s.picks[name]
		if p == nil {
			return
		}
		ng = append(ng, assignment{name, p.cand.ID})
	}
	for _, a := range ng {
		s.nogoods[a] = append(s.nogoods[a], ng)
	}
	s.learnt++
}

// refuted returns the picks of a learnt nogood the pick a completes, nil
// when none.
func (s *solver) refuted(a assignment) map[string]bool {
next:
	for _, ng := range s.nogoods[a] {
		for _, b := range ng {
			if p := s.picks[b.name]; p == nil || p.cand.ID != b.id {
				continue next
			}
		}
		out := make(map[string]bool, len(ng))
		for _, b := range ng {
			out[b.name] = true
		}
		return out
	}
	return nil
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
		if depth == 0 || c.depth < depth {
			depth = c.depth
		}
	}
	return depth
}

// admissible lists the candidates of name every criterion on it admits, in
// order of preference; pre-releases when allowed, else, for a package
// whose pre-releases some requirement of the problem names, after the
// final releases (prereleasesNamed checks them once everything is picked).
func (s *solver) admissible(name string) []*Candidate {
	var out, later []*Candidate
	list := s.candsOf(name)
	pre := s.prereleasesAllowed(name)
	for i, c := range list {
		switch {
		case s.admitted(name, i, pre):
			out = append(out, c)
		case s.named[name] && s.admitted(name, i, true):
			later = append(later, c)
		}
	}
	return append(out, later...)
}

// prereleasesNamed checks a complete assignment: a picked pre-release must
// be admitted by the problem or named by a requirement on its package.
// Otherwise the dead end depends on every pick (any could have named it).
func (s *solver) prereleasesNamed() (bool, map[string]bool) {
	for _, name := range slices.Sorted(maps.Keys(s.picks)) {
		if p := s.picks[name]; p.cand.Version.IsPreRelease() && !s.prereleasesAllowed(name) {
			s.noteFailure(name, &p.cand.Version)
			all := make(map[string]bool, len(s.picks))
			for n := range s.picks {
				all[n] = true
			}
			return false, all
		}
	}
	return true, nil
}

func (s *solver) admitted(name string, i int, pre bool) bool {
	if !pre && s.candsOf(name)[i].Version.IsPreRelease() {
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
	pre := s.prereleasesAllowed(name) || s.named[name]
	for i := range s.candsOf(name) {
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
	if conflict := s.refuted(assignment{name, c.ID}); conflict != nil {
		return conflict
	}
	s.touched = s.touched[:0]
	for _, x := range s.extrasAsked(name) {
		if conflict := s.applyExtra(name, x); conflict != nil {
			return conflict
		}
	}
	if conflict := s.applyRequirements(name, "", []string{name}); conflict != nil {
		return conflict
	}
	return s.forwardCheck()
}

// forwardCheck refuses a state that leaves a required package touched
// since the last check without a candidate; it runs once all of a step's
// criteria are in, as a later one may name a pre-release.
func (s *solver) forwardCheck() map[string]bool {
	touched := s.touched
	s.touched = nil
	for _, name := range touched {
		if s.picks[name] == nil && !s.hasAdmissible(name) {
			s.noteFailure(name, nil)
			return s.excludedReasons(name)
		}
	}
	return nil
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
	var via *criterion
	for _, x := range s.crits[name] {
		if !x.constraint {
			via = x
			break
		}
	}
	depth := 1
	if via != nil {
		depth = via.depth + 1
	}
	for i := range c.Requirements {
		r := &c.Requirements[i]
		if r.Extra != extra {
			continue
		}
		if conflict := s.addCriterion(&criterion{req: r, parent: name, reasons: reasons,
			version: &c.Version, via: via, depth: depth}); conflict != nil {
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
	if c.parent == "" {
		c.depth = 1
	}
	c.admits = s.admits[c.req]
	if c.admits == nil {
		list := s.candsOf(name)
		c.admits = make([]bool, len(list))
		for i, cand := range list {
			c.admits[i] = c.req.Specifier.Matches(cand.Version)
		}
		s.admits[c.req] = c.admits
	}
	s.crits[name] = append(s.crits[name], c)
	s.trail = append(s.trail, undo{kind: undoCriterion, name: name})
	if p := s.picks[name]; p != nil {
		if !c.req.Specifier.Matches(p.cand.Version) {
			s.noteFailure(name, &p.cand.Version)
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
	if !c.constraint {
		s.touched = append(s.touched, name)
		s.required[name] = true
	}
	return nil
}

// excludedReasons are the picks that make name required (the reasons of
// its requiring criterion with the fewest) and those of a few criteria
// that together exclude every candidate no longer admissible (a greedy
// cover, the criteria excluding most first): the smaller the set, the
// further a dead end jumps back. Pre-releases no requirement of the
// problem names are out whatever the picks.
func (s *solver) excludedReasons(name string) map[string]bool {
	crits := s.crits[name]
	out := map[string]bool{}
	var req *criterion
	for _, c := range crits {
		if !c.constraint && (req == nil || len(c.reasons) < len(req.reasons)) {
			req = c
		}
	}
	if req != nil {
		for _, r := range req.reasons {
			out[r] = true
		}
	}
	static := !s.p.AllowPrereleases && !s.named[name]
	var remaining []int
	for i, c := range s.candsOf(name) {
		if !s.admitted(name, i, true) && !(static && c.Version.IsPreRelease()) {
			remaining = append(remaining, i)
		}
	}
	for len(remaining) > 0 {
		var best *criterion
		bestN := 0
		for _, c := range crits {
			n := 0
			for _, i := range remaining {
				if !c.admits[i] {
					n++
				}
			}
			if n > bestN || (n == bestN && n > 0 && len(c.reasons) < len(best.reasons)) {
				best, bestN = c, n
			}
		}
		if best == nil {
			return s.reasonsOn(name)
		}
		for _, r := range best.reasons {
			out[r] = true
		}
		kept := remaining[:0]
		for _, i := range remaining {
			if best.admits[i] {
				kept = append(kept, i)
			}
		}
		remaining = kept
	}
	return out
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
// requirement refused, nil when no candidate was left.
func (s *solver) noteFailure(name string, picked *python.Version) {
	s.failures[name]++
	s.last[name] = failure{crits: slices.Clone(s.crits[name]), picked: picked}
}

// explain describes the latest dead end at name.
func (s *solver) explain(name string) string {
	f := s.last[name]
	var b strings.Builder
	if f.picked != nil {
		fmt.Fprintf(&b, "%s %s was picked, but not every requirement on %s admits it:", name, f.picked, name)
	} else if len(s.candsOf(name)) == 0 {
		fmt.Fprintf(&b, "%s has no candidate in the environment:", name)
	} else {
		fmt.Fprintf(&b, "no version of %s satisfies every requirement on it:", name)
	}
	for _, c := range f.crits {
		b.WriteString("\n  ")
		b.WriteString(describe(c))
	}
	if n := len(s.candsOf(name)); n > 0 {
		vs := make([]string, 0, min(n, 10))
		for _, c := range s.candsOf(name)[:min(n, 10)] {
			vs = append(vs, c.Version.String())
		}
		more := ""
		if n > 10 {
			more = fmt.Sprintf(" and %d more", n-10)
		}
		fmt.Fprintf(&b, "\n  candidates of %s: %s%s", name, strings.Join(vs, ", "), more)
		if !s.p.AllowPrereleases && !slices.ContainsFunc(f.crits, func(c *criterion) bool { return c.req.Specifier.NamesPreRelease() }) &&
			slices.ContainsFunc(s.candsOf(name), func(c *Candidate) bool { return c.Version.IsPreRelease() }) {
			fmt.Fprintf(&b, "\n  pre-releases of %s are left out: allow them, or name one in a specifier", name)
		}
	}
	return b.String()
}

// describe writes a criterion as a chain from the input: "root requires
// flask>=2 -> flask 2.3.3 requires werkzeug>=2.3.7".
func describe(c *criterion) string {
	link := func(c *criterion) string {
		who := "root"
		if c.parent != "" {
			who = c.parent
			if c.version != nil {
				who += " " + c.version.String()
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
	for a := c.via; a != nil && len(parts) < 64; a = a.via {
		parts = append(parts, link(a))
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
	out := Solution{Steps: s.steps, Conflict: worst, Required: slices.Sorted(maps.Keys(s.required))}
	if worst != "" {
		out.Explanation = s.explain(worst)
	}
	var none []string
	for _, name := range out.Required {
		if name != worst && len(s.candsOf(name)) == 0 {
			none = append(none, name)
		}
	}
	if len(none) > 0 {
		out.Explanation += "\n  also required and without any candidate in the environment: " + strings.Join(none, ", ")
	}
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
	out := Solution{Resolved: true, Steps: s.steps, Required: slices.Sorted(maps.Keys(s.required))}
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
		for i := range s.candsOf(name) {
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
