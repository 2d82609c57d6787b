package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/seshat-graph/seshat/python"
)

// release is one version of a package, on PyPI and possibly on the second index.
type release struct {
	version string
	pre     bool // a pre-release (a, b, rc, dev): never a resolved target, as with pip
	second  bool // also published on the second index
}

// requirement is one Requires-Dist entry of a package, shared by its releases
// from since on.
type requirement struct {
	target  int    // package index
	written string // the name as the requirement writes it
	since   int    // first release index that declares it
	// lo[h] is the lowest release allowed for dependents in half h (0: older
	// releases, 1: newer ones); -1 means no lower bound. hi is an exclusive
	// upper bound and not a release excluded with !=; -1 when absent.
	lo     [2]int
	hi     int
	not    int
	marker int    // index into markerKinds; 0 is no marker
	extra  string // the dependent's extra that gates it; "" when always required
	extras []string
}

// broad reports whether r resolves to every final release of its target,
// from every release of its dependent.
func (w *world) broad(r requirement) bool {
	first := finalIndexes(w.pkgs[r.target])[0]
	return r.since == 0 && r.lo[0] <= first && r.lo[1] <= first && r.hi == -1 && r.not == -1
}

// pkg is one package of the generated ecosystem.
type pkg struct {
	name     string // as published
	norm     string
	releases []release
	extras   []string // extras it provides
	reqs     []requirement
	// parented: some package requires every final release of it (a broad
	// requirement), so a final release may go unsolved and still be in the
	// graph as a resolved target.
	parented bool
	summary  string
	license  string
	pyreq    string // Requires-Python
	classes  []string
	part     int // 0: base, 1: the unreachable part of tf10x and tf100x
}

// markerKinds are the environment markers requirements carry, with their
// evaluation in each environment of Environments.
var markerKinds = []struct {
	key, text string
	result    [2]bool
}{
	{"", "", [2]bool{true, true}},
	{"py>=3.6", `python_version >= "3.6"`, [2]bool{true, true}},
	{"py<3.9", `python_version < "3.9"`, [2]bool{true, false}},
	{"py<3.8", `python_version < "3.8"`, [2]bool{false, false}},
	{"win32", `sys_platform == "win32"`, [2]bool{false, false}},
	{"x86_64", `platform_machine == "x86_64"`, [2]bool{true, true}},
	{"py>=3.9", `python_version >= "3.9"`, [2]bool{false, true}},
}

func markerKind(key string) int {
	for i, m := range markerKinds {
		if m.key == key {
			return i
		}
	}
	panic("dataset: unknown marker kind " + key)
}

// trueInFirst lists the marker kinds that evaluate true in the first environment.
var trueInFirst = []int{0, 0, 0, 1, 2, 5}

// plan shapes one size.
type plan struct {
	scale    float64 // release counts of known packages, relative to their real ones
	tailMax  int     // most releases of a generated package
	closure  int     // final releases the root must reach, at least
	total    int     // releases (with their second-index copies) of the base part, at least
	multiple int     // the versions of the whole graph as a multiple of the base part's (0: the base alone); the rest is an unreachable part
	problems int     // unresolved and unparsed requests per environment and part, per 1,000 packages
}

var plans = map[Size]plan{
	Small:  {scale: 0.05, tailMax: 5, closure: 100, total: 350, problems: 20},
	Sample: {scale: 0.25, tailMax: 12, closure: 900, total: 2000, problems: 10},
	TF:     {scale: 1, tailMax: 40, closure: 5000, total: 6500, problems: 5},
	TF10x:  {scale: 1, tailMax: 40, closure: 5000, total: 6500, multiple: 10, problems: 5},
	TF100x: {scale: 1, tailMax: 40, closure: 5000, total: 6500, multiple: 100, problems: 5},
}

// world is a generated ecosystem: packages in popularity order within each part.
type world struct {
	seed   uint64
	pkgs   []*pkg
	byNorm map[string]int
	// core are the base packages the root reaches (all their final releases),
	// in the order they were added.
	core   []int
	inCore []bool
}

func newWorld(p plan, seed uint64) *world {
	w := &world{seed: seed, byNorm: map[string]int{}}
	rng := rand.New(rand.NewPCG(seed, 0x5e5a7_0001))
	w.known(rng, p)
	w.grow(rng, p)
	w.finish(0)
	if p.multiple > 1 {
		w.unreachable(rand.New(rand.NewPCG(seed, 0x5e5a7_0002)), p)
		w.finish(1)
	}
	return w
}

func (w *world) add(p *pkg) int {
	p.norm = python.NormalizeName(p.name)
	if _, dup := w.byNorm[p.norm]; dup {
		panic("dataset: duplicate package " + p.norm)
	}
	w.byNorm[p.norm] = len(w.pkgs)
	w.pkgs = append(w.pkgs, p)
	w.inCore = append(w.inCore, false)
	return len(w.pkgs) - 1
}

// known adds the fixed head of the ecosystem and its hand-written requirements.
func (w *world) known(rng *rand.Rand, p plan) {
	for _, k := range knownPackages {
		pk := &pkg{name: k.name, summary: k.summary, license: k.license, pyreq: ">=3.6"}
		if fixed, ok := fixedReleases[python.NormalizeName(k.name)]; ok {
			second := secondIndexReleases[python.NormalizeName(k.name)]
			for _, v := range fixed {
				pk.releases = append(pk.releases, release{version: v, pre: isPre(v), second: second[v]})
			}
		} else {
			pk.releases = makeReleases(rng, max(1, int(math.Round(float64(k.releases)*p.scale))))
		}
		pk.classes = pickClassifiers(rng)
		w.add(pk)
	}
	for i, k := range knownPackages {
		pk := w.pkgs[i]
		for _, spec := range k.requires {
			name, rest, _ := strings.Cut(spec, ";")
			r := requirement{lo: [2]int{-1, -1}, hi: -1, not: -1}
			rest = strings.TrimSpace(rest)
			switch {
			case strings.HasPrefix(rest, "extra="):
				r.extra = strings.TrimPrefix(rest, "extra=")
				if !contains(pk.extras, r.extra) {
					pk.extras = append(pk.extras, r.extra)
				}
			case rest != "":
				r.marker = markerKind(rest)
			}
			name, extras, _ := strings.Cut(strings.TrimSpace(name), "[")
			if extras != "" {
				r.extras = []string{strings.TrimSuffix(extras, "]")}
			}
			t, ok := w.byNorm[python.NormalizeName(name)]
			if !ok {
				panic("dataset: known requirement names an unknown package " + name)
			}
			r.target, r.written = t, name
			if rng.IntN(2) == 0 {
				r.lo = [2]int{0, 0} // ">=" the first final release: still every final release
			}
			pk.reqs = append(pk.reqs, r)
		}
	}
}

// followable reports whether r is followed from every release of its
// dependent in the first environment with no extras requested.
func followable(r requirement) bool {
	return r.extra == "" && markerKinds[r.marker].result[0]
}

// grow builds the base part: the root's reach (the core) up to p.closure
// final releases, then the rest of the ecosystem up to p.total releases.
func (w *world) grow(rng *rand.Rand, p plan) {
	root := w.byNorm["tensorflow"]
	finals := 0
	addCore := func(i int) {
		w.inCore[i] = true
		w.core = append(w.core, i)
		finals += finalCount(w.pkgs[i])
	}
	// The root's reach through the hand-written requirements.
	addCore(root)
	for q := 0; q < len(w.core); q++ {
		for _, r := range w.pkgs[w.core[q]].reqs {
			if followable(r) && !w.inCore[r.target] {
				addCore(r.target)
			}
		}
	}
	// Parents for new core packages: core packages that have requirements
	// of their own (the leaf hubs such as six or certifi stay leaves).
	var parents []int
	for _, i := range w.core {
		if len(w.pkgs[i].reqs) > 0 {
			parents = append(parents, i)
		}
	}
	adopt := func(child int, among []int) {
		// Biased to early parents: shallow trees, as in real dependency graphs.
		parent := among[int(float64(len(among))*math.Pow(rng.Float64(), 1.6))]
		r := requirement{target: child, written: w.pkgs[child].name, lo: [2]int{-1, -1}, hi: -1, not: -1,
			marker: trueInFirst[rng.IntN(len(trueInFirst))]}
		if rng.IntN(2) == 0 {
			r.lo = [2]int{0, 0}
		}
		w.pkgs[parent].reqs = append(w.pkgs[parent].reqs, r)
	}
	// The popular head joins the core, each with a parent that reaches it.
	for i := range 22 {
		if !w.inCore[i] {
			addCore(i)
			adopt(i, parents)
		}
	}
	// Generated packages join the core until the root reaches p.closure final releases.
	for finals < p.closure {
		i := w.add(w.generated(rng, p, 0))
		addCore(i)
		adopt(i, parents)
		parents = append(parents, i)
	}
	// The rest of the ecosystem: known packages outside the core and
	// generated ones, each generated one required by an earlier one.
	var others []int
	total := 0
	for i, pk := range w.pkgs {
		total += variants(pk)
		if !w.inCore[i] {
			others = append(others, i)
		}
	}
	for total < p.total {
		i := w.add(w.generated(rng, p, 0))
		total += variants(w.pkgs[i])
		adopt(i, others)
		others = append(others, i)
	}
	// Requirements of the generated packages: followable ones of core
	// packages stay in the core, so the root reaches no generated package
	// outside it; the others go anywhere in the base part.
	coreRank := newZipf(sorted(w.core))
	all := make([]int, len(w.pkgs))
	for i := range all {
		all[i] = i
	}
	baseRank := newZipf(all)
	for i := range w.pkgs {
		if i < len(knownPackages) {
			continue
		}
		ranks := baseRank
		if w.inCore[i] {
			ranks = coreRank
		}
		w.requirements(rng, i, ranks, baseRank)
	}
}

// unreachable adds a part of p.multiple-1 times the base part's releases
// that nothing in the base part requires: the root's reach stays the same.
func (w *world) unreachable(rng *rand.Rand, p plan) {
	base := len(w.pkgs)
	total := 0
	for _, pk := range w.pkgs {
		total += variants(pk)
	}
	want, have := (p.multiple-1)*total, 0
	var others []int
	for have < want {
		i := w.add(w.generated(rng, p, 1))
		have += variants(w.pkgs[i])
		if len(others) > 0 {
			parent := others[int(float64(len(others))*math.Pow(rng.Float64(), 1.6))]
			r := requirement{target: i, written: w.pkgs[i].name, lo: [2]int{-1, -1}, hi: -1, not: -1}
			w.pkgs[parent].reqs = append(w.pkgs[parent].reqs, r)
		}
		others = append(others, i)
	}
	all := make([]int, len(w.pkgs))
	for i := range all {
		all[i] = i
	}
	ranks := newZipf(all)
	for i := base; i < len(w.pkgs); i++ {
		w.requirements(rng, i, ranks, ranks)
	}
}

// finish marks the packages of a part that a broad requirement of the same
// part reaches.
func (w *world) finish(part int) {
	for _, pk := range w.pkgs {
		if pk.part != part {
			continue
		}
		for _, r := range pk.reqs {
			if w.broad(r) && w.pkgs[r.target].part == part {
				w.pkgs[r.target].parented = true
			}
		}
	}
}

// generated makes the next generated package.
func (w *world) generated(rng *rand.Rand, p plan, part int) *pkg {
	n := len(w.pkgs) - len(knownPackages)
	// Pareto-distributed release counts: most packages have a few, some many.
	count := min(p.tailMax, int(1.5/math.Pow(1-rng.Float64(), 1/1.3)))
	pk := &pkg{name: generatedName(n), part: part, releases: makeReleases(rng, max(1, count))}
	if rng.Float64() < 0.03 { // a few packages also build their newest releases on the second index
		for j := len(pk.releases) / 2; j < len(pk.releases); j++ {
			pk.releases[j].second = !pk.releases[j].pre
		}
	}
	for _, x := range extraNames {
		if rng.Float64() < 0.08 {
			pk.extras = append(pk.extras, x)
		}
	}
	pk.summary = fmt.Sprintf("%s %s for %s", strings.ToUpper(pk.name[:1])+pk.name[1:], []string{"toolkit", "library", "helpers", "bindings", "framework"}[rng.IntN(5)], topics[rng.IntN(len(topics))])
	pk.license = licenses[rng.IntN(len(licenses))]
	pk.pyreq = []string{">=3.6", ">=3.7", ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", ">=3.5"}[rng.IntN(4)]
	pk.classes = pickClassifiers(rng)
	return pk
}

// requirements draws the requirements of generated package i: followable
// targets from ranks, requirements gated by an extra from gated.
func (w *world) requirements(rng *rand.Rand, i int, ranks, gated *zipf) {
	pk := w.pkgs[i]
	counts := []int{0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8}
	k := counts[rng.IntN(len(counts))]
	seen := map[int]bool{i: true}
	for _, r := range pk.reqs {
		seen[r.target] = true
	}
	for range k {
		r := requirement{lo: [2]int{-1, -1}, hi: -1, not: -1}
		switch x := rng.Float64(); {
		case len(pk.extras) > 0 && x < 0.2:
			r.extra = pk.extras[rng.IntN(len(pk.extras))]
			r.target = gated.draw(rng)
		case x > 0.93 && ranks != gated:
			// A backport or a platform dependency the first environment
			// does not install: the marker evaluates to false there.
			r.target = gated.draw(rng)
			r.marker = []int{3, 4}[rng.IntN(2)]
		default:
			r.target = ranks.draw(rng)
		}
		if seen[r.target] {
			continue
		}
		seen[r.target] = true
		t := w.pkgs[r.target]
		r.written = t.name
		if rng.Float64() < 0.05 { // as written by hand in setup.py: lowercase
			r.written = strings.ToLower(t.name)
		}
		if rng.Float64() < 0.4 {
			r.since = rng.IntN(len(pk.releases))
		}
		if r.marker == 0 && rng.Float64() < 0.3 {
			r.marker = 1 + rng.IntN(len(markerKinds)-1)
		}
		finals := finalIndexes(t)
		if len(finals) > 1 {
			switch x := rng.Float64(); {
			case x < 0.25:
			case x < 0.75:
				r.lo[0] = finals[rng.IntN(len(finals))]
				r.lo[1] = r.lo[0]
				if rng.IntN(2) == 0 {
					r.lo[1] = max(r.lo[0], finals[rng.IntN(len(finals))])
				}
			case x < 0.95:
				a := rng.IntN(len(finals) - 1)
				r.lo = [2]int{finals[a], finals[a]}
				r.hi = finals[a+1+rng.IntN(len(finals)-a-1)]
			default:
				r.lo = [2]int{finals[0], finals[0]}
				r.not = finals[1+rng.IntN(len(finals)-1)]
			}
		}
		if r.extra == "" && len(t.extras) > 0 && rng.Float64() < 0.15 {
			r.extras = []string{t.extras[rng.IntN(len(t.extras))]}
		}
		pk.reqs = append(pk.reqs, r)
	}
}

// resolved lists the releases of r's target that r admits from release i of
// its dependent: final releases only, as pip's finder does by default.
func (w *world) resolved(r requirement, dependent *pkg, i int) []int {
	half := 0
	if 2*i >= len(dependent.releases) {
		half = 1
	}
	lo := r.lo[half]
	var out []int
	for j, rel := range w.pkgs[r.target].releases {
		if rel.pre || (lo >= 0 && j < lo) || (r.hi >= 0 && j >= r.hi) || j == r.not {
			continue
		}
		out = append(out, j)
	}
	return out
}

// specifier renders r's version specifier for dependent release i as
// packaging does (clauses sorted); nil when any version is allowed.
func (w *world) specifier(r requirement, dependent *pkg, i int) *string {
	half := 0
	if 2*i >= len(dependent.releases) {
		half = 1
	}
	t := w.pkgs[r.target].releases
	var parts []string
	if r.lo[half] >= 0 {
		parts = append(parts, ">="+t[r.lo[half]].version)
	}
	if r.hi >= 0 {
		parts = append(parts, "<"+t[r.hi].version)
	}
	if r.not >= 0 {
		parts = append(parts, "!="+t[r.not].version)
	}
	if len(parts) == 0 {
		return nil
	}
	sort.Strings(parts)
	s := strings.Join(parts, ",")
	return &s
}

// makeReleases returns n releases in PEP 440 order: patch, minor and major
// bumps (so 1.9 is followed by 1.10), pre-releases before some new series,
// a few post-releases; the newest is always a final release.
func makeReleases(rng *rand.Rand, n int) []release {
	twoPart := rng.IntN(3) == 0
	major, minor, patch := rng.IntN(2), rng.IntN(3), 0
	format := func(suffix string) string {
		if twoPart && patch == 0 {
			return fmt.Sprintf("%d.%d%s", major, minor, suffix)
		}
		return fmt.Sprintf("%d.%d.%d%s", major, minor, patch, suffix)
	}
	var out []release
	newSeries := false
	for len(out) < n {
		if newSeries && len(out)+2 <= n && rng.Float64() < 0.2 {
			out = append(out, release{version: format([]string{"rc1", "b1", "a1", "rc0", ".dev0"}[rng.IntN(5)]), pre: true})
		}
		out = append(out, release{version: format("")})
		if len(out) < n && rng.Float64() < 0.03 {
			out = append(out, release{version: format(".post1")})
		}
		newSeries = true
		switch x := rng.Float64(); {
		case x < 0.05:
			major, minor, patch = major+1, 0, 0
		case x < 0.45:
			minor, patch = minor+1, 0
		default:
			patch++
			newSeries = false
		}
	}
	return out
}

func isPre(v string) bool {
	return strings.ContainsAny(v, "abc") || strings.Contains(v, "dev")
}

func finalIndexes(p *pkg) []int {
	var out []int
	for j, r := range p.releases {
		if !r.pre {
			out = append(out, j)
		}
	}
	return out
}

// finalCount is the number of final releases with their second-index copies.
func finalCount(p *pkg) int {
	n := 0
	for _, r := range p.releases {
		if !r.pre {
			n++
			if r.second {
				n++
			}
		}
	}
	return n
}

// variants is the number of version nodes of p: releases and their second-index copies.
func variants(p *pkg) int {
	n := len(p.releases)
	for _, r := range p.releases {
		if r.second {
			n++
		}
	}
	return n
}

func pickClassifiers(rng *rand.Rand) []string {
	var out []string
	for _, c := range classifiers {
		if rng.Float64() < 0.3 {
			out = append(out, c)
		}
	}
	return out
}

func sorted(s []int) []int {
	out := append([]int(nil), s...)
	sort.Ints(out)
	return out
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// zipf draws package indexes with probability proportional to 1/(rank+1):
// a heavy-tailed fan-in, the first packages required by most.
type zipf struct {
	items []int
	cum   []float64
}

func newZipf(items []int) *zipf {
	z := &zipf{items: items, cum: make([]float64, len(items))}
	sum := 0.0
	for r := range items {
		sum += 1 / float64(r+1)
		z.cum[r] = sum
	}
	return z
}

func (z *zipf) draw(rng *rand.Rand) int {
	x := rng.Float64() * z.cum[len(z.cum)-1]
	return z.items[sort.SearchFloat64s(z.cum, x)]
}
