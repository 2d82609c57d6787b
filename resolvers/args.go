package resolvers

import (
	"context"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// limits returns r.Limits with DefaultLimits for zero fields.
func (r *Resolver) limits() Limits {
	l := r.Limits
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxPageSize <= 0 {
		l.MaxPageSize = DefaultLimits.MaxPageSize
	}
	if l.DefaultPage <= 0 {
		l.DefaultPage = min(DefaultLimits.DefaultPage, l.MaxPageSize)
	}
	return l
}

// page turns first/after into a persistence.Page: first defaults to
// Limits.DefaultPage and is capped at Limits.MaxPageSize; negative is INVALID.
func (r *Resolver) page(first *int, after *string) (persistence.Page, error) {
	l := r.limits()
	p := persistence.Page{First: l.DefaultPage}
	if first != nil {
		if *first < 0 {
			return p, persistence.Errorf(persistence.CodeInvalid, "first must be >= 0, got %d", *first)
		}
		p.First = min(*first, l.MaxPageSize)
	}
	if after != nil {
		p.After = *after
	}
	return p, nil
}

// maxDepth checks a maxDepth argument: negative or above Limits.MaxDepth is INVALID.
func (r *Resolver) maxDepth(d *int, def int) (int, error) {
	v := def
	if d != nil {
		v = *d
	}
	if v < 0 {
		return 0, persistence.Errorf(persistence.CodeInvalid, "maxDepth must be >= 0, got %d", v)
	}
	if m := r.limits().MaxDepth; v > m {
		return 0, persistence.Errorf(persistence.CodeInvalid, "maxDepth %d exceeds the limit of %d", v, m)
	}
	return v, nil
}

// envKey is the environment an EnvironmentInput names, as given; the store
// and the loaders normalise it.
func envKey(in model.EnvironmentInput) python.Environment {
	return python.Environment{OSName: in.OsName, OSVersion: in.OsVersion, PythonVersion: in.PythonVersion}
}

// optEnvKey validates an optional environment argument: INVALID when it is
// incomplete (persistence.ValidateEnvironment).
func optEnvKey(in *model.EnvironmentInput) (*python.Environment, error) {
	if in == nil {
		return nil, nil
	}
	k := envKey(*in)
	if err := persistence.ValidateEnvironment(k); err != nil {
		return nil, err
	}
	return &k, nil
}

func dependencyGraph(g *persistence.Graph) *model.DependencyGraph {
	out := &model.DependencyGraph{
		Root: g.Root, Environment: g.Environment, Truncated: g.Truncated, DepthReached: g.DepthReached,
		Nodes: make([]model.DependencyGraphNode, len(g.Nodes)),
		Edges: make([]model.DependencyGraphEdge, len(g.Edges)),
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		out.Nodes[i] = model.DependencyGraphNode{
			ID: globalID(typePackageVersion, n.Version.ID), Name: n.Version.Name, Version: n.Version.Version,
			IndexURL: n.Version.IndexURL, Depth: n.Depth, Solved: n.Solved, SolverError: n.SolverError,
			Extras: n.Extras, PackageVersion: &n.Version,
		}
	}
	for i, e := range g.Edges {
		out.Edges[i] = model.DependencyGraphEdge{
			From: globalID(typePackageVersion, e.From), To: globalID(typePackageVersion, e.To),
			VersionRange: e.VersionRange, Marker: e.Marker, Extra: e.Extra, MarkerEvaluationResult: e.MarkerEvaluationResult,
		}
	}
	return out
}

// dependents pages the direct dependents of a package or version (id) that
// load reads through the request's loaders.
func (r *Resolver) dependents(ctx context.Context, id int64, environment *model.EnvironmentInput, first *int, after *string,
	load func(context.Context, int64, *persistence.EnvironmentKey) ([]persistence.Dependent, error)) (*model.DependentConnection, error) {
	p, err := r.page(first, after)
	if err != nil {
		return nil, err
	}
	env, err := optEnvKey(environment)
	if err != nil {
		return nil, err
	}
	ds, err := load(ctx, id, env)
	if err != nil {
		return nil, err
	}
	c, err := persistence.PageDependents(ds, p)
	if err != nil {
		return nil, err
	}
	return (*model.DependentConnection)(pageConnection(c, p, dependentEdge)), nil
}
