package graphgen

import "sort"

// Node is a node of an expected walk.
type Node struct {
	Depth  int
	State  State
	Extras []string
}

// Arc is an edge of an expected walk.
type Arc struct {
	From, To            Version
	VersionRange, Extra string
	Marker              string
}

// Expected is the answer a walk must give.
type Expected struct {
	Nodes        map[Version]Node
	Arcs         map[Arc]int // multiplicity
	Truncated    bool
	DepthReached int
}

// Walk computes the dependency graph of root in environment env by the
// definition, independently of the store: the followed edges are the least
// fixpoint of "edges of solved nodes within maxDepth-1 hops whose marker is
// not false (markerTrueOnly) and whose extra is active on their source",
// where a node's active extras are the root's extras for the root and the
// union of the requested extras of its followed in-edges, and hops are
// shortest distances over followed edges. It iterates that definition from
// no edges until nothing changes.
func (g *Graph) Walk(env int, root Version, maxDepth int, extras []string, markerTrueOnly bool) Expected {
	states, edges := g.States[env], g.Edges[env]
	type edgeRef struct {
		from Version
		i    int
	}
	allowed := func(u Version, e Edge, active map[Version]map[string]bool) bool {
		if states[u] != Solved {
			return false
		}
		if markerTrueOnly && e.MarkerResult != nil && !*e.MarkerResult {
			return false
		}
		return e.Extra == nil || active[u][*e.Extra]
	}
	included := map[edgeRef]bool{}
	var dist map[Version]int
	var active map[Version]map[string]bool
	for {
		active = map[Version]map[string]bool{root: {}}
		for _, x := range extras {
			active[root][x] = true
		}
		for ref := range included {
			for _, t := range edges[ref.from][ref.i].Targets {
				if active[t] == nil {
					active[t] = map[string]bool{}
				}
				for _, x := range edges[ref.from][ref.i].Extras {
					active[t][x] = true
				}
			}
		}
		// BFS over allowed edges, up to maxDepth hops.
		dist = map[Version]int{root: 0}
		queue := []Version{root}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			if dist[u] >= maxDepth {
				continue
			}
			for _, e := range edges[u] {
				if !allowed(u, e, active) {
					continue
				}
				for _, t := range e.Targets {
					if _, ok := dist[t]; !ok {
						dist[t] = dist[u] + 1
						queue = append(queue, t)
					}
				}
			}
		}
		next := map[edgeRef]bool{}
		for u, d := range dist {
			if d >= maxDepth {
				continue
			}
			for i, e := range edges[u] {
				if allowed(u, e, active) {
					next[edgeRef{u, i}] = true
				}
			}
		}
		if len(next) == len(included) {
			break // monotone: same size means same set
		}
		included = next
	}
	out := Expected{Nodes: map[Version]Node{}, Arcs: map[Arc]int{}}
	for v, d := range dist {
		var xs []string
		for x := range active[v] {
			xs = append(xs, x)
		}
		sort.Strings(xs)
		if xs == nil {
			xs = []string{}
		}
		out.Nodes[v] = Node{Depth: d, State: states[v], Extras: xs}
		out.DepthReached = max(out.DepthReached, d)
		if d == maxDepth {
			for _, e := range edges[v] {
				if allowed(v, e, active) && len(e.Targets) > 0 {
					out.Truncated = true
				}
			}
		}
	}
	for ref := range included {
		e := edges[ref.from][ref.i]
		for _, t := range e.Targets {
			a := Arc{From: ref.from, To: t, VersionRange: e.VersionRange}
			if e.Extra != nil {
				a.Extra = *e.Extra
			}
			if e.Marker != nil {
				a.Marker = *e.Marker
			}
			out.Arcs[a]++
		}
	}
	return out
}
