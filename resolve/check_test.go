package resolve_test

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/python"
	"github.com/seshat-graph/seshat/resolve"
)

// The checker: the semantics of a resolution written out again, from the
// Problem and an assignment alone, without the engine.

// edge is one requirement on a package within a resolution: a root or a
// constraint of the input (parent "root", version nil) or an applicable
// requirement of a picked version.
type edge struct {
	parent     string
	version    *python.Version
	req        resolve.Requirement
	constraint bool
}

// closure is the requirement graph an assignment induces: the least set
// that holds the roots and, for every picked package, each requirement of
// its candidate that applies (no extra, or an extra active on it), the
// active extras being the union of the extras the requirements on a
// package ask.
type closure struct {
	required map[string]bool
	on       map[string][]edge // roots, applicable requirements, and the constraints on required packages
	extras   map[string]map[string]bool
	depth    map[string]int
}

func closureOf(p resolve.Problem, assign map[string]resolve.Candidate) closure {
	c := closure{required: map[string]bool{}, on: map[string][]edge{}, extras: map[string]map[string]bool{}, depth: map[string]int{}}
	add := func(e edge) {
		name := e.req.Name
		c.required[name] = true
		c.on[name] = append(c.on[name], e)
		if c.extras[name] == nil {
			c.extras[name] = map[string]bool{}
		}
		for _, x := range e.req.Extras {
			c.extras[name][x] = true
		}
	}
	for _, r := range p.Roots {
		add(edge{parent: "root", req: r})
	}
	// Expand to the fixpoint: an extra activated late makes more of a
	// candidate's requirements apply.
	done := map[string]map[int]bool{}
	for changed := true; changed; {
		changed = false
		for _, name := range slices.Sorted(maps.Keys(c.required)) {
			cand, ok := assign[name]
			if !ok {
				continue
			}
			if done[name] == nil {
				done[name] = map[int]bool{}
			}
			for i, r := range cand.Requirements {
				if done[name][i] || (r.Extra != "" && !c.extras[name][r.Extra]) {
					continue
				}
				done[name][i] = true
				v := cand.Version
				add(edge{parent: name, version: &v, req: r})
				changed = true
			}
		}
	}
	for _, r := range p.Constraints {
		if c.required[r.Name] {
			c.on[r.Name] = append(c.on[r.Name], edge{parent: "root", req: r, constraint: true})
		}
	}
	// Depth: breadth first over the applicable requirements, roots at 1.
	var queue []string
	for _, r := range p.Roots {
		if _, ok := c.depth[r.Name]; !ok {
			c.depth[r.Name] = 1
			queue = append(queue, r.Name)
		}
	}
	children := map[string][]string{}
	for name, es := range c.on {
		for _, e := range es {
			if e.version != nil {
				children[e.parent] = append(children[e.parent], name)
			}
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, child := range slices.Sorted(slices.Values(children[name])) {
			if _, ok := c.depth[child]; !ok {
				c.depth[child] = c.depth[name] + 1
				queue = append(queue, child)
			}
		}
	}
	return c
}

// namesPrerelease reports whether a specifier has a clause whose version
// is a pre-release (or development release), read from its text; as in
// packaging's Specifier.prereleases, an exclusion (!=) names none and an
// arbitrary equality (===) is not read.
func namesPrerelease(s python.Specifier) bool {
	for _, part := range strings.Split(s.String(), ",") {
		if part == "" || strings.HasPrefix(part, "===") || strings.HasPrefix(part, "!=") {
			continue
		}
		text := strings.TrimLeft(part, "<>=!~")
		text = strings.TrimSuffix(text, ".*")
		if v, err := python.ParseVersion(text); err == nil && v.IsPreRelease() {
			return true
		}
	}
	return false
}

// admits reports whether version v of a package is admissible under the
// requirements on it: pre-releases only when the problem allows them or
// one of those requirements names one, and every specifier matching.
func admits(p resolve.Problem, es []edge, v python.Version) error {
	if v.IsPreRelease() && !p.AllowPrereleases && !slices.ContainsFunc(es, func(e edge) bool { return namesPrerelease(e.req.Specifier) }) {
		return fmt.Errorf("pre-release %s and no requirement on it names one", v)
	}
	for _, e := range es {
		if !e.req.Specifier.Matches(v) {
			return fmt.Errorf("%s %s does not admit %s", e, e.req.Range, v)
		}
	}
	return nil
}

func (e edge) String() string {
	switch {
	case e.constraint:
		return "constraint"
	case e.version == nil:
		return "root"
	}
	return e.parent + " " + e.version.String()
}

// valid reports why an assignment (package -> picked candidate) is not a
// resolution of p, nil when it is one.
func valid(p resolve.Problem, assign map[string]resolve.Candidate) error {
	c := closureOf(p, assign)
	for _, name := range slices.Sorted(maps.Keys(assign)) {
		cand := assign[name]
		if !c.required[name] {
			return fmt.Errorf("%s %s is picked but nothing requires it", name, cand.Version)
		}
		if !slices.ContainsFunc(p.Candidates[name], func(k resolve.Candidate) bool { return sameCandidate(k, cand) }) {
			return fmt.Errorf("%s %s (id %d) is not a candidate of %s", name, cand.Version, cand.ID, name)
		}
		if err := admits(p, c.on[name], cand.Version); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.required)) {
		if _, ok := assign[name]; !ok {
			return fmt.Errorf("%s is required (by %v) but not picked", name, c.on[name])
		}
	}
	return nil
}

func sameCandidate(a, b resolve.Candidate) bool {
	return a.ID == b.ID && a.Version.Compare(b.Version) == 0 && a.Version.String() == b.Version.String() && a.IndexURL == b.IndexURL
}

// checkSolution returns every way sol breaks the semantics of p: a
// resolved answer must be a valid resolution whose picks are sorted by
// name and carry the extras, parents, depth and admissible count the
// checker computes; an unresolved one has no picks and an explanation.
func checkSolution(p resolve.Problem, sol resolve.Solution) []string {
	var bad []string
	if !sol.Resolved {
		if len(sol.Picks) != 0 {
			bad = append(bad, fmt.Sprintf("not resolved but %d picks", len(sol.Picks)))
		}
		if strings.TrimSpace(sol.Explanation) == "" {
			bad = append(bad, "not resolved and no explanation")
		}
		return bad
	}
	assign := map[string]resolve.Candidate{}
	for i, pk := range sol.Picks {
		if i > 0 && sol.Picks[i-1].Name >= pk.Name {
			bad = append(bad, fmt.Sprintf("picks not sorted by name: %s before %s", sol.Picks[i-1].Name, pk.Name))
		}
		assign[pk.Name] = pk.Candidate
	}
	if err := valid(p, assign); err != nil {
		return append(bad, "not a resolution: "+err.Error())
	}
	if sol.Steps < len(sol.Picks) {
		bad = append(bad, fmt.Sprintf("%d steps for %d picks", sol.Steps, len(sol.Picks)))
	}
	c := closureOf(p, assign)
	for _, pk := range sol.Picks {
		if d := c.depth[pk.Name]; pk.Depth != d {
			bad = append(bad, fmt.Sprintf("%s: depth %d, want %d", pk.Name, pk.Depth, d))
		}
		if x := slices.Sorted(maps.Keys(c.extras[pk.Name])); !slices.Equal(pk.Extras, x) {
			bad = append(bad, fmt.Sprintf("%s: extras %v, want %v", pk.Name, pk.Extras, x))
		}
		got := make([]string, len(pk.RequiredBy))
		for i, par := range pk.RequiredBy {
			got[i] = parentKey(par.Name, par.Version, par.Requirement, par.Constraint)
			if i > 0 {
				prev := pk.RequiredBy[i-1]
				if rank(prev) > rank(par) || (rank(prev) == rank(par) && prev.Name > par.Name) {
					bad = append(bad, fmt.Sprintf("%s: requiredBy not roots, then parents by name, then constraints: %s before %s", pk.Name, got[i-1], got[i]))
				}
			}
		}
		want := make([]string, 0, len(c.on[pk.Name]))
		for _, e := range c.on[pk.Name] {
			want = append(want, parentKey(e.parent, e.version, e.req, e.constraint))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			bad = append(bad, fmt.Sprintf("%s: requiredBy\n\t%s\nwant\n\t%s", pk.Name, strings.Join(got, "\n\t"), strings.Join(want, "\n\t")))
		}
		n := 0
		for _, k := range p.Candidates[pk.Name] {
			if admits(p, c.on[pk.Name], k.Version) == nil {
				n++
			}
		}
		if pk.Admissible != n {
			bad = append(bad, fmt.Sprintf("%s: admissible %d, want %d", pk.Name, pk.Admissible, n))
		}
	}
	return bad
}

// rank orders parents: the input's requirements, then the picks', then
// the input's constraints.
func rank(p resolve.Parent) int {
	switch {
	case p.Constraint:
		return 2
	case p.Version == nil:
		return 0
	}
	return 1
}

func parentKey(name string, v *python.Version, r resolve.Requirement, constraint bool) string {
	ver := "-"
	if v != nil {
		ver = v.String()
	}
	return fmt.Sprintf("%s %s -> %s [%s] %q extra=%q constraint=%v", name, ver, r.Name, strings.Join(r.Extras, ","), r.Specifier.String(), r.Extra, constraint)
}

// reachable is every package a root leads to through any requirement of
// any candidate, extras or not: the only packages a resolution can pick.
func reachable(p resolve.Problem) []string {
	seen := map[string]bool{}
	var queue []string
	for _, r := range p.Roots {
		if !seen[r.Name] {
			seen[r.Name] = true
			queue = append(queue, r.Name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, c := range p.Candidates[name] {
			for _, r := range c.Requirements {
				if !seen[r.Name] {
					seen[r.Name] = true
					queue = append(queue, r.Name)
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// exhaustive enumerates every assignment of the reachable packages (each
// one not picked or one of its candidates) and returns a valid one, if
// any, and how many it tried; ok is false when there are more than limit.
func exhaustive(p resolve.Problem, limit int) (found map[string]resolve.Candidate, tried int, ok bool) {
	names := reachable(p)
	total := 1
	for _, n := range names {
		total *= len(p.Candidates[n]) + 1
		if total > limit {
			return nil, 0, false
		}
	}
	choice := make([]int, len(names)) // 0 not picked, k the (k-1)-th candidate
	for {
		tried++
		assign := map[string]resolve.Candidate{}
		for i, n := range names {
			if choice[i] > 0 {
				assign[n] = p.Candidates[n][choice[i]-1]
			}
		}
		if valid(p, assign) == nil {
			return assign, tried, true
		}
		i := 0
		for ; i < len(names); i++ {
			choice[i]++
			if choice[i] <= len(p.Candidates[names[i]]) {
				break
			}
			choice[i] = 0
		}
		if i == len(names) {
			return nil, tried, true
		}
	}
}

// greedy walks from the roots taking, for every required package, its
// best admissible candidate (highest under Latest, lowest under Oldest)
// that every requirement on it so far admits, and walks again until the
// assignment no longer changes. It fails when some package has no such
// candidate; on a conflict-free problem it is the highest-candidate (or
// lowest-candidate) assignment.
func greedy(p resolve.Problem) (map[string]resolve.Candidate, error) {
	assign := map[string]resolve.Candidate{}
	for range 1000 {
		c := closureOf(p, assign)
		next := map[string]resolve.Candidate{}
		for _, name := range slices.Sorted(maps.Keys(c.required)) {
			var fits []resolve.Candidate
			for _, k := range p.Candidates[name] {
				if admits(p, c.on[name], k.Version) == nil {
					fits = append(fits, k)
				}
			}
			if len(fits) == 0 {
				return nil, fmt.Errorf("%s: no candidate fits %v", name, c.on[name])
			}
			best := slices.MaxFunc(fits, func(a, b resolve.Candidate) int { return a.Version.Compare(b.Version) })
			if p.Strategy == resolve.Oldest {
				best = slices.MinFunc(fits, func(a, b resolve.Candidate) int { return a.Version.Compare(b.Version) })
			}
			next[name] = best
		}
		if maps.EqualFunc(next, assign, sameCandidate) {
			return assign, nil
		}
		assign = next
	}
	return nil, fmt.Errorf("the walk does not settle")
}

// assignment is a solution's picks by name.
func assignment(sol resolve.Solution) map[string]resolve.Candidate {
	out := map[string]resolve.Candidate{}
	for _, pk := range sol.Picks {
		out[pk.Name] = pk.Candidate
	}
	return out
}

// describe renders an assignment for failure messages.
func describe(assign map[string]resolve.Candidate) string {
	var parts []string
	for _, name := range slices.SortedFunc(maps.Keys(assign), cmp.Compare[string]) {
		parts = append(parts, name+"=="+assign[name].Version.String())
	}
	return strings.Join(parts, " ")
}

// dump renders a problem as text: the roots, constraints and every
// candidate with its requirements, for a failure message that lets the
// problem be written again by hand.
func dump(p resolve.Problem) string {
	var b strings.Builder
	req := func(r resolve.Requirement) string {
		s := r.Name
		if len(r.Extras) > 0 {
			s += "[" + strings.Join(r.Extras, ",") + "]"
		}
		if r.Range != "*" && r.Range != "" {
			s += " " + r.Range
		}
		if r.Extra != "" {
			s += " ; extra == " + r.Extra
		}
		return s
	}
	strategy := "Latest"
	if p.Strategy == resolve.Oldest {
		strategy = "Oldest"
	}
	fmt.Fprintf(&b, "strategy %s, allowPrereleases %v, budget %d\n", strategy, p.AllowPrereleases, p.Budget)
	for _, r := range p.Roots {
		fmt.Fprintf(&b, "root %s\n", req(r))
	}
	for _, r := range p.Constraints {
		fmt.Fprintf(&b, "constraint %s\n", req(r))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Candidates)) {
		cs := slices.SortedFunc(slices.Values(p.Candidates[name]), func(a, b resolve.Candidate) int { return a.Version.Compare(b.Version) })
		if len(cs) == 0 {
			fmt.Fprintf(&b, "%s: no candidate\n", name)
		}
		for _, c := range cs {
			var rs []string
			for _, r := range c.Requirements {
				rs = append(rs, req(r))
			}
			fmt.Fprintf(&b, "%s %s: %s\n", name, c.Version, strings.Join(rs, "; "))
		}
	}
	return b.String()
}
