package graphgen

import (
	"fmt"
	"sort"
)

// Case is one walk to check: a root in an environment with settings.
type Case struct {
	Name           string
	Env            int
	Root           Version
	MaxDepth       int
	Extras         []string
	MarkerTrueOnly bool
}

// Cases picks walks over g: per environment eight solved roots with at least
// three requirements, at depths 0 to 10, with and without extras and marker
// filtering, plus an unsolved and a failed root.
func (g *Graph) Cases() []Case {
	var cases []Case
	depths := []int{0, 1, 2, 3, 5, 10}
	extraSets := [][]string{nil, {"security"}, {"socks", "dev-tools"}}
	n := 0
	for env := range g.States {
		var roots []Version
		for _, v := range g.Versions {
			if g.States[env][v] == Solved && len(g.Edges[env][v]) >= 3 {
				roots = append(roots, v)
			}
		}
		sort.Slice(roots, func(i, j int) bool { return fmt.Sprint(roots[i]) < fmt.Sprint(roots[j]) })
		for i := 0; i < 8 && i < len(roots); i++ {
			r := roots[(i*37)%len(roots)]
			c := Case{Env: env, Root: r, MaxDepth: depths[n%len(depths)], Extras: extraSets[n%len(extraSets)], MarkerTrueOnly: n%4 != 3}
			c.Name = fmt.Sprintf("env%d/%s==%s/depth%d/extras%v/markerTrue%v", env, r.Name, r.Version, c.MaxDepth, c.Extras, c.MarkerTrueOnly)
			cases = append(cases, c)
			n++
		}
		var unsolved, failed *Version
		for i, v := range g.Versions {
			st, ok := g.States[env][v]
			if !ok && unsolved == nil {
				unsolved = &g.Versions[i]
			}
			if ok && st == Failed && failed == nil {
				failed = &g.Versions[i]
			}
		}
		for what, v := range map[string]*Version{"unsolved": unsolved, "failed": failed} {
			if v != nil {
				cases = append(cases, Case{Name: fmt.Sprintf("env%d/%s/%s==%s", env, what, v.Name, v.Version),
					Env: env, Root: *v, MaxDepth: 3, MarkerTrueOnly: true})
			}
		}
	}
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].Env < cases[j].Env })
	return cases
}
