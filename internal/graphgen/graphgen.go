// Package graphgen generates synthetic solver results for tests and
// benchmarks: a random dependency graph with cycles, markers that evaluate to
// false, extras (edges gated by an extra and edges that request extras of
// their target), several indexes and environments, versions left unsolved
// and solver errors. The Graph it returns describes what was generated so
// tests can compute expected answers independently of the store.
package graphgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

// Config shapes a generated graph. Fractions are probabilities in [0, 1].
type Config struct {
	Seed               uint64
	Packages           int
	VersionsPerPackage int // 1..VersionsPerPackage versions each
	DepsPerVersion     int // 0..DepsPerVersion requirements per solved version
	Indexes            []string
	Environments       []persistence.EnvironmentKey
	Unsolved           float64 // a version has no solved record in an environment
	SolverError        float64 // a version's solver run failed in an environment
	FalseMarker        float64 // a requirement's marker evaluated to false
	Extra              float64 // a requirement belongs to an extra of its dependent
	TargetExtras       float64 // a requirement requests extras of its target
	// Layered makes requirements point only to higher-numbered packages
	// (no cycles), except for a few back edges when Cycles is set.
	Layered bool
	Cycles  float64
}

// Extras are the extra names the generator uses.
var Extras = []string{"security", "socks", "dev-tools"}

// Pool is the version strings versions are drawn from (PEP 440 order is not byte order).
var Pool = []string{"0.1", "0.9", "1.0a1", "1.0rc1", "1.0", "1.9", "1.10", "2.0.dev1", "2.0"}

// Version identifies a package version.
type Version struct{ Name, Version, Index string }

// Edge is one generated requirement of a solved version.
type Edge struct {
	Package      string
	VersionRange string
	Marker       *string
	MarkerResult *bool
	Extra        *string
	Extras       []string
	Targets      []Version
}

// State is a version's state in an environment.
type State int

// Version states in an environment.
const (
	Unsolved State = iota
	Solved
	Failed
)

// Graph is a generated graph: its documents and what they say.
type Graph struct {
	Versions []Version
	// ByPackage lists each package's versions.
	ByPackage map[string][]Version
	// States and Edges per environment index (Config.Environments order).
	States []map[Version]State
	Edges  []map[Version][]Edge
	// Results are the solver documents, one per environment.
	Results []persistence.SolverResult
}

// Name is the name of package i.
func Name(i int) string { return fmt.Sprintf("pkg-%04d", i) }

// Generate builds a graph from cfg.
func Generate(cfg Config) *Graph {
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5e5a7))
	g := &Graph{ByPackage: map[string][]Version{}}
	for i := 0; i < cfg.Packages; i++ {
		n := 1 + rng.IntN(cfg.VersionsPerPackage)
		perm := rng.Perm(len(Pool))
		for _, j := range perm[:min(n, len(Pool))] {
			ix := cfg.Indexes[rng.IntN(len(cfg.Indexes))]
			v := Version{Name(i), Pool[j], ix}
			g.Versions = append(g.Versions, v)
			g.ByPackage[v.Name] = append(g.ByPackage[v.Name], v)
			if len(cfg.Indexes) > 1 && rng.Float64() < 0.1 { // the same release on a second index
				other := cfg.Indexes[(indexOf(cfg.Indexes, ix)+1)%len(cfg.Indexes)]
				w := Version{v.Name, v.Version, other}
				g.Versions = append(g.Versions, w)
				g.ByPackage[w.Name] = append(g.ByPackage[w.Name], w)
			}
		}
	}
	for _, env := range cfg.Environments {
		states := map[Version]State{}
		edges := map[Version][]Edge{}
		res := persistence.SolverResult{SolverName: "solver-" + env.OSName + "-" + env.OSVersion, SolverVersion: "1.0",
			Environment: env, SolvedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Duration: 1}
		for _, v := range g.Versions {
			r := rng.Float64()
			switch {
			case r < cfg.Unsolved:
				continue
			case r < cfg.Unsolved+cfg.SolverError:
				states[v] = Failed
				res.Entries = append(res.Entries, persistence.SolvedEntry{Name: v.Name, Version: v.Version, IndexURL: v.Index,
					Error: true, ErrorDetails: []byte(`{"reason":"generated failure"}`)})
				continue
			}
			states[v] = Solved
			entry := persistence.SolvedEntry{Name: v.Name, Version: v.Version, IndexURL: v.Index}
			self := pkgIndex(v.Name)
			used := map[int]bool{self: true}
			for k := rng.IntN(cfg.DepsPerVersion + 1); k > 0; k-- {
				t := rng.IntN(cfg.Packages)
				if cfg.Layered {
					if self+1 >= cfg.Packages || rng.Float64() < cfg.Cycles {
						t = rng.IntN(cfg.Packages)
					} else {
						t = self + 1 + rng.IntN(min(cfg.Packages-self-1, 40))
					}
				}
				if used[t] {
					continue
				}
				used[t] = true
				e := Edge{Package: Name(t), VersionRange: ">=0"}
				m := `python_version >= "3.6"`
				yes, no := true, false
				switch r := rng.Float64(); {
				case r < cfg.FalseMarker:
					e.Marker, e.MarkerResult = &m, &no
				case r < cfg.FalseMarker*2:
					e.Marker, e.MarkerResult = &m, &yes
				}
				if rng.Float64() < cfg.Extra {
					x := Extras[rng.IntN(len(Extras))]
					e.Extra = &x
				}
				if rng.Float64() < cfg.TargetExtras {
					e.Extras = []string{Extras[rng.IntN(len(Extras))]}
				}
				de := persistence.DependencyEntry{Name: e.Package, VersionRange: e.VersionRange, Marker: e.Marker,
					Extra: e.Extra, Extras: e.Extras, MarkerEvaluationResult: e.MarkerResult}
				byIndex := map[string][]string{}
				for _, tv := range g.ByPackage[e.Package] {
					if rng.Float64() < 0.8 || len(e.Targets) == 0 {
						e.Targets = append(e.Targets, tv)
						byIndex[tv.Index] = append(byIndex[tv.Index], tv.Version)
					}
				}
				for _, ix := range cfg.Indexes {
					if vs := byIndex[ix]; len(vs) > 0 {
						de.Resolved = append(de.Resolved, persistence.ResolvedEntry{IndexURL: ix, Versions: vs})
					}
				}
				edges[v] = append(edges[v], e)
				entry.Dependencies = append(entry.Dependencies, de)
			}
			res.Entries = append(res.Entries, entry)
		}
		g.States = append(g.States, states)
		g.Edges = append(g.Edges, edges)
		g.Results = append(g.Results, res)
	}
	return g
}

// Ingest writes every result of g through store.IngestSolverResult.
func (g *Graph) Ingest(ctx context.Context, store *persistence.Store, prefix string) error {
	for i := range g.Results {
		id := fmt.Sprintf("%s-%d", prefix, i)
		if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: id, Kind: "solver", SHA256: id}, &g.Results[i], false); err != nil {
			return fmt.Errorf("ingest %s: %w", id, err)
		}
	}
	return nil
}

func pkgIndex(name string) int {
	var i int
	fmt.Sscanf(name, "pkg-%d", &i)
	return i
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}
