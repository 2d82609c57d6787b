package resolve_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/resolve"
)

// problemBuilder writes a problem by hand, requirements in a short form
// of PEP 508: "name[extra,...] specifier ; extra == x".
type problemBuilder struct {
	p   resolve.Problem
	ids int64
}

func (b *problemBuilder) root(reqs ...string) *problemBuilder {
	for _, r := range reqs {
		b.p.Roots = append(b.p.Roots, req(r))
	}
	return b
}

func (b *problemBuilder) constraint(reqs ...string) *problemBuilder {
	for _, r := range reqs {
		b.p.Constraints = append(b.p.Constraints, req(r))
	}
	return b
}

// version adds a candidate of name with its requirements.
func (b *problemBuilder) version(name, version string, reqs ...string) *problemBuilder {
	if b.p.Candidates == nil {
		b.p.Candidates = map[string][]resolve.Candidate{}
	}
	b.ids++
	c := resolve.Candidate{ID: b.ids, Version: mustVersion(version)}
	for _, r := range reqs {
		c.Requirements = append(c.Requirements, req(r))
	}
	b.p.Candidates[name] = append(b.p.Candidates[name], c)
	return b
}

// none gives name an entry with no candidate.
func (b *problemBuilder) none(name string) *problemBuilder {
	if b.p.Candidates == nil {
		b.p.Candidates = map[string][]resolve.Candidate{}
	}
	b.p.Candidates[name] = []resolve.Candidate{}
	return b
}

func req(s string) resolve.Requirement {
	s, marker, _ := strings.Cut(s, ";")
	extra := ""
	if marker != "" {
		_, e, ok := strings.Cut(marker, "==")
		if !ok {
			panic("marker " + marker)
		}
		extra = strings.TrimSpace(e)
	}
	s = strings.TrimSpace(s)
	end := strings.IndexAny(s, "[ <>=!~")
	if end < 0 {
		end = len(s)
	}
	name, rest := s[:end], strings.TrimSpace(s[end:])
	var extras []string
	if strings.HasPrefix(rest, "[") {
		inside, after, _ := strings.Cut(rest[1:], "]")
		extras = strings.Split(inside, ",")
		rest = strings.TrimSpace(after)
	}
	return requirement(name, rest, extra, extras)
}

// TestSolveCases are hand-written problems with their one right answer.
func TestSolveCases(t *testing.T) {
	t.Parallel()
	// diamond: left 1.0 and right 1.0 disagree on common; left 0.9 does not.
	diamond := func(compatible bool) *problemBuilder {
		b := new(problemBuilder).root("left", "right").
			version("left", "1.0", "common <2").
			version("right", "1.0", "common >=2").
			version("common", "1.0").version("common", "2.0").version("common", "3.0")
		if compatible {
			b.version("left", "0.9", "common >=1")
		}
		return b
	}
	requests := func(root string) *problemBuilder {
		return new(problemBuilder).root(root).
			version("app", "1.0", "requests[socks] >=2.25").
			version("requests", "2.24", "urllib3").
			version("requests", "2.25", "urllib3 <2", "pysocks >=1.5.6,!=1.5.7 ; extra == socks", "win-inet-pton ; extra == windows").
			version("urllib3", "1.26", "pysocks ; extra == socks").version("urllib3", "2.0").
			version("pysocks", "1.5.7").version("pysocks", "1.7.1")
	}
	beta := func() *problemBuilder {
		return new(problemBuilder).version("beta", "1.0").version("beta", "1.5").version("beta", "2.0rc1")
	}

	type pick struct {
		version string
		depth   int
		extras  []string
		parents []string // "root", "constraint" or "name version"
	}
	for _, tc := range []struct {
		name     string
		b        *problemBuilder
		strategy resolve.Strategy
		pre      bool
		want     map[string]pick // nil: not resolved
		mentions []string        // every one in the explanation (not resolved)
	}{
		{name: "diamond", b: diamond(true), want: map[string]pick{
			"left":   {version: "0.9", depth: 1, parents: []string{"root"}},
			"right":  {version: "1.0", depth: 1, parents: []string{"root"}},
			"common": {version: "3.0", depth: 2, parents: []string{"left 0.9", "right 1.0"}},
		}},
		{name: "diamond-oldest", b: diamond(true), strategy: resolve.Oldest, want: map[string]pick{
			"left": {version: "0.9", depth: 1}, "right": {version: "1.0", depth: 1}, "common": {version: "2.0", depth: 2},
		}},
		{name: "diamond-conflict", b: diamond(false), mentions: []string{"common", "<2", ">=2"}},
		{name: "extras-root", b: requests("requests[socks]"), want: map[string]pick{
			"requests": {version: "2.25", depth: 1, extras: []string{"socks"}, parents: []string{"root"}},
			"urllib3":  {version: "1.26", depth: 2, parents: []string{"requests 2.25"}},
			"pysocks":  {version: "1.7.1", depth: 2, parents: []string{"requests 2.25"}},
		}},
		// Without the extra, pysocks is not picked and urllib3 2.0 is out
		// of requests' bound; its own socks requirement never applies.
		{name: "extras-absent", b: requests("requests"), want: map[string]pick{
			"requests": {version: "2.25", depth: 1, parents: []string{"root"}},
			"urllib3":  {version: "1.26", depth: 2},
		}},
		{name: "extras-from-parent", b: requests("app"), want: map[string]pick{
			"app":      {version: "1.0", depth: 1},
			"requests": {version: "2.25", depth: 2, extras: []string{"socks"}, parents: []string{"app 1.0"}},
			"urllib3":  {version: "1.26", depth: 3},
			"pysocks":  {version: "1.7.1", depth: 3},
		}},
		// An extra asked of urllib3 makes its own extra requirement apply.
		{name: "extras-chain", b: requests("requests[socks]").root("urllib3[socks]"), want: map[string]pick{
			"requests": {version: "2.25", depth: 1, extras: []string{"socks"}},
			"urllib3":  {version: "1.26", depth: 1, extras: []string{"socks"}, parents: []string{"root", "requests 2.25"}},
			"pysocks":  {version: "1.7.1", depth: 2, parents: []string{"requests 2.25", "urllib3 1.26"}},
		}},
		// The windows extra needs win-inet-pton, which has no candidate:
		// asked, it rules requests 2.25 out.
		{name: "extras-missing-target", b: requests("requests[windows]"), want: map[string]pick{
			"requests": {version: "2.24", extras: []string{"windows"}}, "urllib3": {version: "2.0", depth: 2},
		}},
		{name: "extras-missing-target-pinned", b: requests("requests[windows] ==2.25"), mentions: []string{"win-inet-pton"}},
		{name: "prerelease-excluded", b: beta().root("beta"), want: map[string]pick{"beta": {version: "1.5"}}},
		{name: "prerelease-allowed", b: beta().root("beta"), pre: true, want: map[string]pick{"beta": {version: "2.0rc1"}}},
		{name: "prerelease-named-by-root", b: beta().root("beta >=1.1rc1"), want: map[string]pick{"beta": {version: "2.0rc1"}}},
		{name: "prerelease-named-by-constraint", b: beta().root("beta").constraint("beta <3.0b1"), want: map[string]pick{
			"beta": {version: "2.0rc1", parents: []string{"root", "constraint"}},
		}},
		{name: "prerelease-named-by-parent", b: beta().root("app").version("app", "1.0", "beta >=2.0b1"), want: map[string]pick{
			"app": {version: "1.0"}, "beta": {version: "2.0rc1", depth: 2},
		}},
		// ~= with a pre-release names it (packaging's Specifier.prereleases).
		{name: "prerelease-named-by-compatible", b: beta().root("beta ~=2.0rc1"), want: map[string]pick{"beta": {version: "2.0rc1"}}},
		// The requirement naming the pre-release comes after one that
		// alone admits no final release: together they admit 2.0rc1.
		{name: "prerelease-named-by-later-root", b: beta().root("beta >1.5", "beta ==2.0rc1"), want: map[string]pick{"beta": {version: "2.0rc1"}}},
		// beta is nearer the roots than the requirement of zed 1.0 that
		// names its pre-release; zed has no other version.
		{name: "prerelease-named-by-later-parent", b: beta().root("beta", "zed").version("zed", "1.0", "beta >=2.0rc1"), want: map[string]pick{
			"beta": {version: "2.0rc1", parents: []string{"root", "zed 1.0"}}, "zed": {version: "1.0"},
		}},
		{name: "prerelease-only-match", b: beta().root("beta >1.5"), mentions: []string{"beta"}},
		{name: "prerelease-only-candidate", b: new(problemBuilder).root("edge").version("edge", "1.0b1").version("edge", "1.0.dev3"), mentions: []string{"edge"}},
		{name: "prerelease-oldest", b: beta().version("beta", "1.2rc1").root("beta >=1.1rc1"), strategy: resolve.Oldest, want: map[string]pick{"beta": {version: "1.2rc1"}}},
		// != names no pre-release it admits (packaging's reading).
		{name: "prerelease-not-named-by-exclusion", b: beta().root("beta !=2.0b1"), want: map[string]pick{"beta": {version: "1.5"}}},
		// A requirement that does not apply (its extra is not active) names
		// a pre-release in vain.
		{name: "prerelease-named-by-inactive-extra", b: beta().root("beta", "app").version("app", "1.0", "beta >=2.0b1 ; extra == next"), want: map[string]pick{
			"app": {version: "1.0"}, "beta": {version: "1.5", parents: []string{"root"}},
		}},
		{name: "constraint-restricts", b: new(problemBuilder).root("app").constraint("lib <2", "ghost >=1", "phantom ==9").
			version("app", "1.0", "lib").version("lib", "1.0").version("lib", "1.9").version("lib", "2.0").version("ghost", "1.0"),
			want: map[string]pick{"app": {version: "1.0"}, "lib": {version: "1.9", depth: 2, parents: []string{"app 1.0", "constraint"}}}},
		{name: "constraint-conflict", b: new(problemBuilder).root("lib >=2").constraint("lib <2").version("lib", "1.0").version("lib", "2.0"),
			mentions: []string{"lib"}},
		{name: "cycle", b: new(problemBuilder).root("a").version("a", "1.0", "b").version("b", "1.0", "a >=1"), want: map[string]pick{
			"a": {version: "1.0", depth: 1, parents: []string{"root", "b 1.0"}},
			"b": {version: "1.0", depth: 2, parents: []string{"a 1.0"}},
		}},
		// a 2.0 leads to b, which refuses a 2.0: back to a 1.0.
		{name: "cycle-backtrack", b: new(problemBuilder).root("a").version("a", "2.0", "b").version("a", "1.0", "b").
			version("b", "1.0", "a <2"), want: map[string]pick{"a": {version: "1.0"}, "b": {version: "1.0", depth: 2}}},
		{name: "cycle-conflict", b: new(problemBuilder).root("a").version("a", "2.0", "b").version("b", "1.0", "a <2"),
			mentions: []string{"a"}},
		{name: "two-roots-one-package", b: new(problemBuilder).root("lib >=1.0", "lib <2").version("lib", "1.0").version("lib", "1.5").version("lib", "2.0"),
			want: map[string]pick{"lib": {version: "1.5", parents: []string{"root", "root"}}}},
		{name: "no-candidates-missing", b: new(problemBuilder).root("app").version("app", "1.0", "missing >=1"), mentions: []string{"missing"}},
		{name: "no-candidates-empty", b: new(problemBuilder).root("app").version("app", "1.0", "missing").none("missing"), mentions: []string{"missing"}},
		{name: "no-candidates-root", b: new(problemBuilder).root("nothing"), mentions: []string{"nothing"}},
		// The dependency without candidates hides under app 2.0 only.
		{name: "no-candidates-avoided", b: new(problemBuilder).root("app").version("app", "2.0", "missing").version("app", "1.0"),
			want: map[string]pick{"app": {version: "1.0"}}},
		{name: "oldest-lower-bound", b: new(problemBuilder).root("lib >=1.1").version("lib", "1.0").version("lib", "1.1").version("lib", "2.0"),
			strategy: resolve.Oldest, want: map[string]pick{"lib": {version: "1.1"}}},
		{name: "latest-no-roots", b: new(problemBuilder).version("lib", "1.0"), want: map[string]pick{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.b.p
			p.Strategy, p.AllowPrereleases = tc.strategy, tc.pre
			sol := solve(t, p)
			check(t, p, sol)
			if tc.want == nil {
				if sol.Resolved {
					t.Fatalf("resolved %s, want no resolution", describe(assignment(sol)))
				}
				for _, m := range tc.mentions {
					if !strings.Contains(sol.Explanation, m) {
						t.Errorf("explanation %q does not mention %q", sol.Explanation, m)
					}
				}
				t.Logf("explanation: %s", sol.Explanation)
				return
			}
			if !sol.Resolved {
				t.Fatalf("not resolved: %s", sol.Explanation)
			}
			if got := slices.Sorted(maps.Keys(assignment(sol))); !slices.Equal(got, slices.Sorted(maps.Keys(tc.want))) {
				t.Fatalf("picked %s, want %v", describe(assignment(sol)), tc.want)
			}
			for _, pk := range sol.Picks {
				w := tc.want[pk.Name]
				if pk.Candidate.Version.String() != w.version {
					t.Errorf("%s %s, want %s", pk.Name, pk.Candidate.Version, w.version)
				}
				if w.depth != 0 && pk.Depth != w.depth {
					t.Errorf("%s depth %d, want %d", pk.Name, pk.Depth, w.depth)
				}
				if !slices.Equal(pk.Extras, w.extras) && len(pk.Extras)+len(w.extras) > 0 {
					t.Errorf("%s extras %v, want %v", pk.Name, pk.Extras, w.extras)
				}
				if w.parents != nil {
					var got []string
					for _, par := range pk.RequiredBy {
						switch {
						case par.Constraint:
							got = append(got, "constraint")
						case par.Version == nil:
							got = append(got, par.Name)
						default:
							got = append(got, par.Name+" "+par.Version.String())
						}
					}
					if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(w.parents))) {
						t.Errorf("%s required by %v, want %v", pk.Name, got, w.parents)
					}
				}
			}
		})
	}
}
