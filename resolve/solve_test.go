package resolve_test

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolve"
)

// conflictBudget bounds the search of a conflicting generated problem:
// a few of the large ones need more, and are counted, not waited for.
const conflictBudget = 5_000

// solve runs the engine and fails the test on an error, printing the
// problem.
func solve(t *testing.T, p resolve.Problem) resolve.Solution {
	t.Helper()
	sol, err := resolve.Solve(p)
	if err != nil {
		t.Fatalf("Solve: %v\n%s", err, dump(p))
	}
	return sol
}

// check fails the test with every way sol breaks the semantics of p.
func check(t *testing.T, p resolve.Problem, sol resolve.Solution) {
	t.Helper()
	if bad := checkSolution(p, sol); len(bad) > 0 {
		t.Fatalf("%s\nanswer: resolved %v: %s\nexplanation: %s\nproblem:\n%s", strings.Join(bad, "\n"), sol.Resolved, describe(assignment(sol)), sol.Explanation, dump(p))
	}
	if budget := orDefault(p.Budget, resolve.DefaultBudget); sol.Steps > budget {
		t.Fatalf("%d steps over a budget of %d", sol.Steps, budget)
	}
}

func orDefault(budget, fallback int) int {
	if budget == 0 {
		return fallback
	}
	return budget
}

// mentions reports whether text names package name as a word.
func mentions(text, name string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(name) + `($|[^A-Za-z0-9_-])`).MatchString(text)
}

var strategies = []struct {
	name string
	s    resolve.Strategy
}{{"latest", resolve.Latest}, {"oldest", resolve.Oldest}}

// TestSolveGenerated solves seeded random problems of every size. A
// conflict-free problem is built so that the best candidate of every
// package (highest under Latest, lowest under Oldest) forms a resolution:
// the answer must be exactly the assignment an independent walk from the
// roots finds. A conflicting problem's answer, whatever it is, must pass
// the checker, and an unresolved one must name a package the roots reach.
// Every answer is the same when solved again with the candidates in
// another order.
func TestSolveGenerated(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		for _, st := range strategies {
			t.Run(size.Name+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				var resolved, unresolved, limited int
				for seed := range uint64(size.Count) {
					g := newGen(seed*7919+uint64(size.Packages), size)

					free := g.problem(true, st.s)
					p := free.Problem
					want, err := greedy(p)
					if err != nil {
						t.Fatalf("seed %d: the generator's conflict-free problem has no walk: %v\n%s", seed, err, dump(p))
					}
					if err := valid(p, want); err != nil {
						t.Fatalf("seed %d: the walk's assignment %s is no resolution: %v\n%s", seed, describe(want), err, dump(p))
					}
					for name, c := range want {
						if !sameCandidate(c, free.Target[name]) {
							t.Fatalf("seed %d: the walk picks %s %s, the generator built around %s\n%s", seed, name, c.Version, free.Target[name].Version, dump(p))
						}
					}
					sol := solve(t, p)
					check(t, p, sol)
					if got := assignment(sol); !sol.Resolved || !maps.EqualFunc(got, want, sameCandidate) {
						t.Fatalf("seed %d: conflict-free: resolved %v: %s\nwant %s\nexplanation: %s\n%s", seed, sol.Resolved, describe(got), describe(want), sol.Explanation, dump(p))
					}
					same(t, p, sol, seed)

					p = g.problem(false, st.s).Problem
					p.Budget = conflictBudget
					sol, err = resolve.Solve(p)
					if code := persistence.ErrorCode(err); code == persistence.CodeComplexityLimit {
						limited++
						continue
					} else if err != nil {
						t.Fatalf("seed %d: Solve: %v (%s)\n%s", seed, err, code, dump(p))
					}
					check(t, p, sol)
					if sol.Resolved {
						resolved++
					} else {
						unresolved++
						if names := reachable(p); !slices.ContainsFunc(names, func(n string) bool { return mentions(sol.Explanation, n) }) {
							t.Fatalf("seed %d: explanation %q names none of %v\n%s", seed, sol.Explanation, names, dump(p))
						}
					}
					same(t, p, sol, seed)
				}
				t.Logf("%d conflict-free resolved as built; conflicting: %d resolved, %d not, %d over the budget of %d", size.Count, resolved, unresolved, limited, conflictBudget)
				if limited > size.Count/2 {
					t.Errorf("%d of %d conflicting problems over a budget of %d: the rest is too few to test", limited, size.Count, conflictBudget)
				}
			})
		}
	}
}

// same solves p again, and again with every package's candidates in
// reverse order: whether it resolves and the picks must not change, nor
// the explanation when solved again as it was.
func same(t *testing.T, p resolve.Problem, sol resolve.Solution, seed uint64) {
	t.Helper()
	again := solve(t, p)
	if again.Resolved != sol.Resolved || !maps.EqualFunc(assignment(again), assignment(sol), sameCandidate) || again.Explanation != sol.Explanation {
		t.Fatalf("seed %d: solved twice: resolved %v %s, explanation %q\nthen resolved %v %s, explanation %q\n%s",
			seed, sol.Resolved, describe(assignment(sol)), sol.Explanation, again.Resolved, describe(assignment(again)), again.Explanation, dump(p))
	}
	q := p
	q.Candidates = map[string][]resolve.Candidate{}
	for name, cs := range p.Candidates {
		q.Candidates[name] = slices.Clone(cs)
		slices.Reverse(q.Candidates[name])
	}
	rev := solve(t, q)
	if rev.Resolved != sol.Resolved || !maps.EqualFunc(assignment(rev), assignment(sol), sameCandidate) {
		t.Fatalf("seed %d: candidates reversed: resolved %v %s, was %v %s\n%s", seed, rev.Resolved, describe(assignment(rev)), sol.Resolved, describe(assignment(sol)), dump(p))
	}
}

// TestSolveExhaustive compares the engine with an enumeration of every
// assignment of the reachable packages (each not picked or one of its
// candidates) on hundreds of small random problems: resolved exactly when
// some assignment is a resolution.
func TestSolveExhaustive(t *testing.T) {
	t.Parallel()
	for _, size := range exhaustiveSizes {
		for _, st := range strategies {
			t.Run(size.Name+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				var sat, unsat, skipped, assignments int
				for seed := range uint64(size.Count) {
					g := newGen(seed*104729+uint64(size.Packages)+uint64(st.s), size)
					p := g.problem(false, st.s).Problem
					found, tried, ok := exhaustive(p, 50_000)
					if !ok {
						skipped++
						continue
					}
					assignments += tried
					sol := solve(t, p)
					check(t, p, sol)
					if sol.Resolved != (found != nil) {
						t.Fatalf("seed %d: engine resolved %v (%s; %s), enumeration of %d assignments found %v\n%s",
							seed, sol.Resolved, describe(assignment(sol)), sol.Explanation, tried, describe(found), dump(p))
					}
					if found != nil {
						sat++
					} else {
						unsat++
					}
				}
				t.Logf("%d satisfiable, %d not (%d assignments enumerated), %d too many to enumerate", sat, unsat, assignments, skipped)
				if sat == 0 || unsat == 0 || skipped > 15 {
					t.Errorf("the shape draws %d satisfiable, %d unsatisfiable, %d skipped problems: tune it", sat, unsat, skipped)
				}
			})
		}
	}
}

// TestSolvePlanted hides an unsatisfiable core (two packages the roots
// require, each of whose versions requires a third on either side of one
// release) in conflict-free problems: never resolved, and the explanation
// names a package of the core.
func TestSolvePlanted(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		for _, st := range strategies {
			t.Run(size.Name+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				for seed := range uint64(size.Count / 2) {
					p, core := newGen(seed+1000, size).planted(st.s)
					sol := solve(t, p)
					check(t, p, sol)
					if sol.Resolved {
						t.Fatalf("seed %d: resolved %s with the core %v\n%s", seed, describe(assignment(sol)), core, dump(p))
					}
					if !slices.ContainsFunc(core, func(n string) bool { return mentions(sol.Explanation, n) }) {
						t.Fatalf("seed %d: explanation %q names none of the core %v\n%s", seed, sol.Explanation, core, dump(p))
					}
				}
			})
		}
	}
}

// TestSolveBudget: problems that need more steps than their budget answer
// COMPLEXITY_LIMIT rather than an answer or a long search.
func TestSolveBudget(t *testing.T) {
	t.Parallel()
	// A chain of 60 packages: any resolution picks all 60.
	var chain problemBuilder
	chain.root("c00")
	for i := range 60 {
		name := fmt.Sprintf("c%02d", i)
		if i < 59 {
			chain.version(name, "1.0", fmt.Sprintf("c%02d", i+1))
			chain.version(name, "2.0", fmt.Sprintf("c%02d", i+1))
		} else {
			chain.version(name, "1.0")
		}
	}
	// Pigeonhole: ten pigeons each in one of nine holes, a hole holding one
	// pigeon (pigeon i in hole h requires hole h's version i). No
	// resolution, and none is proved without a long search.
	var holes problemBuilder
	for i := range 10 {
		pigeon := fmt.Sprintf("pigeon%d", i)
		holes.root(pigeon)
		for h := range 9 {
			holes.version(pigeon, fmt.Sprintf("%d.0", h+1), fmt.Sprintf("hole%d ==%d.0", h, i+1))
		}
	}
	for h := range 9 {
		for i := range 10 {
			holes.version(fmt.Sprintf("hole%d", h), fmt.Sprintf("%d.0", i+1))
		}
	}
	for _, tc := range []struct {
		name   string
		p      resolve.Problem
		budget int
	}{
		{"chain", chain.p, 10},
		{"pigeonhole", holes.p, 2_000},
		{"pigeonhole-oldest", withStrategy(holes.p, resolve.Oldest), 2_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.p
			p.Budget = tc.budget
			sol, err := resolve.Solve(p)
			var perr *persistence.Error
			if !errors.As(err, &perr) || perr.Code != persistence.CodeComplexityLimit {
				t.Fatalf("Solve with budget %d = resolved %v (%d steps), %v; want a COMPLEXITY_LIMIT *persistence.Error", tc.budget, sol.Resolved, sol.Steps, err)
			}
			if perr.Message == "" {
				t.Errorf("COMPLEXITY_LIMIT without a message")
			}
		})
	}
	// The same chain within the default budget resolves.
	sol := solve(t, chain.p)
	check(t, chain.p, sol)
	if !sol.Resolved || len(sol.Picks) != 60 || sol.Picks[59].Depth != 60 {
		t.Fatalf("chain: resolved %v, %d picks", sol.Resolved, len(sol.Picks))
	}
}

func withStrategy(p resolve.Problem, s resolve.Strategy) resolve.Problem {
	p.Strategy = s
	return p
}
