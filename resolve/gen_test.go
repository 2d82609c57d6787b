package resolve_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/python"
	"github.com/seshat-graph/seshat/resolve"
)

// shape is the size and texture of the problems gen draws.
type shape struct {
	Name string
	// Count is how many problems of the shape a test draws per mode and
	// strategy.
	Count int
	// Packages in the universe, Versions at most per package, Requirements
	// at most per version.
	Packages, Versions, Requirements int
	// Extras is the chance a package declares extras (and a requirement of
	// it applies under one, or asks one of its target); Pre the chance a
	// release comes with a pre-release; Constraint the chance a package is
	// bounded by a constraint; Cycle the chance a requirement points back
	// to a package earlier in the order.
	Extras, Pre, Constraint, Cycle float64
	// Empty is the chance a package has no candidate (conflicting problems
	// only).
	Empty float64
	// EdgePre lets candidates' requirements name pre-releases in
	// conflicting problems.
	EdgePre bool
}

// sizes are the shapes of the generated problems, smallest first.
var sizes = []shape{
	{Name: "tiny", Count: 60, Packages: 3, Versions: 3, Requirements: 2, Extras: 0.3, Pre: 0.3, Constraint: 0.2, Cycle: 0.2, Empty: 0.1, EdgePre: true},
	{Name: "small", Count: 60, Packages: 6, Versions: 4, Requirements: 3, Extras: 0.3, Pre: 0.2, Constraint: 0.2, Cycle: 0.1, Empty: 0.05, EdgePre: true},
	{Name: "medium", Count: 60, Packages: 20, Versions: 6, Requirements: 4, Extras: 0.3, Pre: 0.2, Constraint: 0.1, Cycle: 0.05, Empty: 0.02, EdgePre: true},
	{Name: "large", Count: 30, Packages: 60, Versions: 10, Requirements: 5, Extras: 0.2, Pre: 0.15, Constraint: 0.05, Cycle: 0.02, Empty: 0.01, EdgePre: true},
}

// exhaustiveSizes are shapes small enough to enumerate every assignment.
var exhaustiveSizes = []shape{
	{Name: "pairs", Count: 150, Packages: 3, Versions: 3, Requirements: 2, Extras: 0.4, Pre: 0.3, Constraint: 0.3, Cycle: 0.3, Empty: 0.1, EdgePre: true},
	{Name: "fives", Count: 150, Packages: 5, Versions: 3, Requirements: 3, Extras: 0.3, Pre: 0.3, Constraint: 0.2, Cycle: 0.2, Empty: 0.05, EdgePre: true},
	{Name: "deep", Count: 150, Packages: 6, Versions: 2, Requirements: 2, Extras: 0.3, Pre: 0.2, Constraint: 0.2, Cycle: 0.1, Empty: 0.05, EdgePre: true},
}

// generated is a drawn problem and, when it was built conflict-free, the
// candidate every package was built around (every requirement that can be
// in the intended resolution admits it).
type generated struct {
	Problem resolve.Problem
	Target  map[string]resolve.Candidate
}

// gen draws problems from one seed: the same seed, shape and mode give the
// same problem.
type gen struct {
	rng   *rand.Rand
	shape shape
	ids   int64
}

func newGen(seed uint64, s shape) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x5e5a7)), shape: s}
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// pkgName is the i-th package's name: fixed width, so that no name is
// part of another and an explanation's mention of one is unambiguous.
func pkgName(i int) string { return fmt.Sprintf("pk%03d", i) }

// universe is the packages of a problem being drawn.
type universe struct {
	names    []string
	versions map[string][]python.Version // ascending
	extras   map[string][]string
	pre      map[string]bool // conflict-free: pre-releases admitted
}

// versions draws a package's ascending versions: releases X.Y (now and
// then X.Y.post1), some preceded by a pre-release of them; at least one
// final release when final is set.
func (g *gen) versions(final bool) []python.Version {
	n := 1 + g.rng.IntN(g.shape.Versions)
	major, minor := g.rng.IntN(3), g.rng.IntN(2)
	var out []python.Version
	for len(out) < n {
		base := fmt.Sprintf("%d.%d", major, minor)
		if g.chance(g.shape.Pre) {
			suffix := []string{"a1", "b2", "rc1", ".dev0"}[g.rng.IntN(4)]
			out = append(out, mustVersion(base+suffix))
		}
		if len(out) < n && (!g.chance(g.shape.Pre/2) || len(out) == n-1) {
			s := base
			if g.chance(0.05) {
				s += ".post1"
			}
			out = append(out, mustVersion(s))
		}
		if g.chance(0.4) {
			major, minor = major+1, 0
		} else {
			minor++
		}
	}
	out = out[:n]
	if final && !slices.ContainsFunc(out, func(v python.Version) bool { return !v.IsPreRelease() }) {
		out[len(out)-1] = mustVersion(fmt.Sprintf("%d.%d", major+1, 0))
	}
	return out
}

// clause draws one specifier clause around vs (a version of them, or one
// just beside them).
func (g *gen) clause(vs []python.Version) string {
	pivot := "1.0"
	if len(vs) > 0 {
		pivot = vs[g.rng.IntN(len(vs))].String()
	}
	if g.chance(0.2) {
		pivot = fmt.Sprintf("%d.%d", g.rng.IntN(5), g.rng.IntN(3))
	}
	// release is the pivot's leading release numbers ("2.0" of "2.0rc1").
	release := strings.TrimRight(pivot[:strings.IndexFunc(pivot+"x", func(r rune) bool { return r != '.' && (r < '0' || r > '9') })], ".")
	switch g.rng.IntN(9) {
	case 0:
		return ">=" + pivot
	case 1:
		return ">" + pivot
	case 2:
		return "<=" + pivot
	case 3:
		return "<" + pivot
	case 4:
		return "==" + pivot
	case 5:
		return "!=" + pivot
	case 6:
		if strings.Contains(release, ".") {
			return "~=" + pivot
		}
		return ">=" + pivot
	case 7:
		major, _, _ := strings.Cut(release, ".")
		return "==" + major + ".*"
	default:
		return "!=" + release + ".*"
	}
}

// spec draws a specifier of one or two clauses, or none.
func (g *gen) spec(vs []python.Version) string {
	if g.chance(0.25) {
		return ""
	}
	s := g.clause(vs)
	if g.chance(0.35) {
		s += "," + g.clause(vs)
	}
	return s
}

// fitting draws a specifier that admits want and names a pre-release
// only when pre allows: a few draws, then none.
func (g *gen) fitting(vs []python.Version, want python.Version, pre bool) string {
	for range 12 {
		s := g.spec(vs)
		sp := mustSpec(s)
		if sp.Matches(want) && (pre || !namesPrerelease(sp)) {
			return s
		}
	}
	return ""
}

// preSpec is a specifier that names a pre-release and admits every version
// from low on: >= a pre-release at or below low, or < one above every
// candidate.
func (g *gen) preSpec(vs []python.Version, low python.Version) string {
	for _, v := range vs {
		if v.IsPreRelease() && v.Compare(low) <= 0 && g.chance(0.6) {
			return ">=" + v.String()
		}
	}
	if g.chance(0.5) {
		return ">=0.0.dev0"
	}
	return "<99.0rc9"
}

// loose draws a specifier for a conflicting problem: half the time one
// that admits some version of vs, so that not every problem is
// unsatisfiable.
func (g *gen) loose(vs []python.Version) string {
	if len(vs) > 0 && g.chance(0.5) {
		return g.fitting(vs, vs[g.rng.IntN(len(vs))], true)
	}
	return g.spec(vs)
}

// requirement builds a requirement on name from a specifier's text.
func requirement(name, spec, extra string, extras []string) resolve.Requirement {
	r := resolve.Requirement{Name: name, Specifier: mustSpec(spec), Range: spec, Extra: extra, Extras: extras}
	if spec == "" {
		r.Range = "*"
	}
	slices.Sort(r.Extras)
	return r
}

// extraOf draws an extra of name under which a requirement applies (""
// mostly), and asked draws extras a requirement asks of name.
func (g *gen) extraOf(u *universe, name string) string {
	if len(u.extras[name]) == 0 || !g.chance(0.35) {
		return ""
	}
	return u.extras[name][g.rng.IntN(len(u.extras[name]))]
}

func (g *gen) asked(u *universe, name string) []string {
	if len(u.extras[name]) == 0 || !g.chance(0.35) {
		return nil
	}
	var out []string
	for _, x := range u.extras[name] {
		if g.chance(0.6) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		out = append(out, u.extras[name][0])
	}
	return out
}

// problem draws a problem. A conflict-free one is built around the best
// admissible candidate of every package under strategy (the highest for
// Latest, the lowest for Oldest): every root, every constraint and every
// requirement of those candidates admits the best candidate of its target,
// and only roots and constraints name pre-releases, so the assignment of
// the best candidates is a resolution. A conflicting one draws every
// specifier freely, some packages with no candidate.
func (g *gen) problem(conflictFree bool, strategy resolve.Strategy) generated {
	s := g.shape
	u := &universe{versions: map[string][]python.Version{}, extras: map[string][]string{}, pre: map[string]bool{}}
	for i := range s.Packages {
		name := pkgName(i)
		u.names = append(u.names, name)
		if !conflictFree && g.chance(s.Empty) {
			u.versions[name] = nil
		} else {
			u.versions[name] = g.versions(conflictFree)
		}
		if g.chance(s.Extras) {
			u.extras[name] = []string{"x", "y"}[:1+g.rng.IntN(2)]
		}
	}
	p := resolve.Problem{Candidates: map[string][]resolve.Candidate{}, Strategy: strategy, AllowPrereleases: g.chance(0.15)}

	// Roots on packages of the first half, so the graph below them is deep.
	roots := []string{}
	for range 1 + g.rng.IntN(min(3, s.Packages)) {
		roots = append(roots, u.names[g.rng.IntN(max(1, s.Packages/2))])
	}
	constrained := []string{}
	for _, name := range u.names {
		if g.chance(s.Constraint) {
			constrained = append(constrained, name)
		}
	}

	// Which packages get a pre-release-naming root or constraint, and the
	// best admissible candidate of each (conflict-free).
	preBy := map[string]string{} // name -> "root" or "constraint"
	target := map[string]python.Version{}
	if conflictFree {
		for _, name := range u.names {
			hasPre := slices.ContainsFunc(u.versions[name], python.Version.IsPreRelease)
			switch {
			case p.AllowPrereleases:
				u.pre[name] = true
			case hasPre && slices.Contains(roots, name) && g.chance(0.5):
				u.pre[name], preBy[name] = true, "root"
			case hasPre && g.chance(0.25):
				u.pre[name], preBy[name] = true, "constraint"
				if !slices.Contains(constrained, name) {
					constrained = append(constrained, name)
				}
			}
			var admissible []python.Version
			for _, v := range u.versions[name] {
				if u.pre[name] || !v.IsPreRelease() {
					admissible = append(admissible, v)
				}
			}
			if strategy == resolve.Latest {
				target[name] = admissible[len(admissible)-1]
			} else {
				target[name] = admissible[0]
			}
		}
	}

	// Candidates and their requirements.
	for i, name := range u.names {
		if u.versions[name] == nil {
			if g.chance(0.5) {
				p.Candidates[name] = []resolve.Candidate{}
			}
			continue
		}
		var cands []resolve.Candidate
		for _, v := range u.versions[name] {
			g.ids++
			c := resolve.Candidate{ID: g.ids, Version: v}
			if g.chance(0.3) {
				c.IndexURL = "https://pypi.org/simple"
			}
			best := conflictFree && v.Compare(target[name]) == 0
			seen := map[string]bool{}
			for range g.rng.IntN(s.Requirements + 1) {
				j := i + 1 + g.rng.IntN(max(1, s.Packages-i-1))
				if j >= s.Packages || g.chance(s.Cycle) {
					j = g.rng.IntN(s.Packages)
				}
				dep := u.names[j]
				extra := g.extraOf(u, name)
				if dep == name || seen[dep+";"+extra] {
					continue
				}
				seen[dep+";"+extra] = true
				var spec string
				switch {
				case best:
					spec = g.fitting(u.versions[dep], target[dep], u.pre[dep])
				case conflictFree:
					// Never in the intended resolution: anything goes but a
					// pre-release, which would change admissibility under a
					// problem-wide reading of the rule.
					spec = g.spec(u.versions[dep])
					if namesPrerelease(mustSpec(spec)) && !u.pre[dep] {
						spec = ""
					}
				default:
					spec = g.loose(u.versions[dep])
					if namesPrerelease(mustSpec(spec)) && !s.EdgePre {
						spec = ""
					}
				}
				c.Requirements = append(c.Requirements, requirement(dep, spec, extra, g.asked(u, dep)))
			}
			cands = append(cands, c)
		}
		g.rng.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
		p.Candidates[name] = cands
	}

	bound := func(name string, named bool) string {
		switch {
		case !conflictFree:
			return g.loose(u.versions[name])
		case named:
			s := g.preSpec(u.versions[name], lowest(u.versions[name]))
			if extra := g.fitting(u.versions[name], target[name], true); extra != "" {
				s += "," + extra
			}
			return s
		}
		return g.fitting(u.versions[name], target[name], u.pre[name])
	}
	named := map[string]bool{}
	for _, name := range roots {
		pre := preBy[name] == "root" && !named[name]
		named[name] = named[name] || pre
		p.Roots = append(p.Roots, requirement(name, bound(name, pre), "", g.asked(u, name)))
	}
	for _, name := range constrained {
		pre := preBy[name] == "constraint"
		p.Constraints = append(p.Constraints, requirement(name, bound(name, pre), "", nil))
	}

	out := generated{Problem: p}
	if conflictFree {
		out.Target = map[string]resolve.Candidate{}
		for name, cs := range p.Candidates {
			for _, c := range cs {
				if c.Version.Compare(target[name]) == 0 {
					out.Target[name] = c
				}
			}
		}
	}
	return out
}

// planted draws a conflict-free problem and adds an unsatisfiable core to
// it: the roots also require two fresh packages, every version of the
// first requires a third below its middle release and every version of
// the second requires it at or above that. It returns the problem and the
// three packages' names.
func (g *gen) planted(strategy resolve.Strategy) (resolve.Problem, []string) {
	p := g.problem(true, strategy).Problem
	n := g.shape.Packages
	a, b, c := pkgName(n), pkgName(n+1), pkgName(n+2)
	mid := 2 + g.rng.IntN(3)
	var cs []resolve.Candidate
	for k := range 5 {
		g.ids++
		cs = append(cs, resolve.Candidate{ID: g.ids, Version: mustVersion(fmt.Sprintf("%d.0", k))})
	}
	p.Candidates[c] = cs
	low, high := fmt.Sprintf("<%d.0", mid), fmt.Sprintf(">=%d.0", mid)
	for _, side := range []struct{ name, spec string }{{a, low}, {b, high}} {
		var vs []resolve.Candidate
		for k := range 1 + g.rng.IntN(3) {
			g.ids++
			vs = append(vs, resolve.Candidate{ID: g.ids, Version: mustVersion(fmt.Sprintf("1.%d", k)),
				Requirements: []resolve.Requirement{requirement(c, side.spec, "", nil)}})
		}
		p.Candidates[side.name] = vs
	}
	p.Roots = append(p.Roots, requirement(a, "", "", nil), requirement(b, "", "", nil))
	g.rng.Shuffle(len(p.Roots), func(i, j int) { p.Roots[i], p.Roots[j] = p.Roots[j], p.Roots[i] })
	return p, []string{a, b, c}
}

func lowest(vs []python.Version) python.Version { return vs[0] }

func mustVersion(s string) python.Version {
	v, err := python.ParseVersion(s)
	if err != nil {
		panic(fmt.Sprintf("version %q: %v", s, err))
	}
	return v
}

func mustSpec(s string) python.Specifier {
	sp, err := python.ParseSpecifier(s)
	if err != nil {
		panic(fmt.Sprintf("specifier %q: %v", s, err))
	}
	return sp
}
