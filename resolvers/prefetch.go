package resolvers

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
)

// Prefetch plans: a root resolver walks the query below it level by level
// (see loaders: Prefetching), so each level costs one statement whatever its
// breadth and however gqlgen schedules the element resolvers. Only selected
// fields are planned, with their arguments, so a plan never costs a
// statement the query would not; errors are left for the resolvers.

// plan is one walk over the selection below a root field.
type plan struct {
	r   *Resolver
	ctx context.Context
	op  *graphql.OperationContext
	l   *loaders.Loaders
}

func (r *Resolver) plan(ctx context.Context) *plan {
	return &plan{r: r, ctx: ctx, op: graphql.GetOperationContext(ctx), l: loaders.For(ctx)}
}

// below returns the fields selected at path under the current root field.
func (p *plan) below(typ string, path ...string) []graphql.CollectedField {
	fc := graphql.GetFieldContext(p.ctx)
	if fc == nil || fc.Field.Field == nil {
		return nil
	}
	return p.under(fc.Field.Selections, typ, path...)
}

// children returns the fields selected at path under field f.
func (p *plan) children(f graphql.CollectedField, typ string, path ...string) []graphql.CollectedField {
	return p.under(f.Selections, typ, path...)
}

func (p *plan) under(sel ast.SelectionSet, typ string, path ...string) []graphql.CollectedField {
	for _, name := range path {
		var next ast.SelectionSet
		for _, f := range graphql.CollectFields(p.op, sel, nil) {
			if f.Name == name {
				next = append(next, f.Selections...)
			}
		}
		if next == nil {
			return nil
		}
		sel = next
	}
	return graphql.CollectFields(p.op, sel, []string{typ, "Node"})
}

func (p *plan) args(f graphql.CollectedField) map[string]any { return f.ArgumentMap(p.op.Variables) }

// envArg reads an optional environment argument; ok is false when it is invalid.
func envArg(args map[string]any) (env *persistence.EnvironmentKey, ok bool) {
	v, present := args["environment"]
	if !present || v == nil {
		return nil, true
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, false
	}
	k := persistence.EnvironmentKey{}
	k.OSName, _ = m["osName"].(string)
	k.OSVersion, _ = m["osVersion"].(string)
	k.PythonVersion, _ = m["pythonVersion"].(string)
	if validEnv(k) != nil {
		return nil, false
	}
	return &k, true
}

func intArg(args map[string]any, name string) (*int, bool) {
	switch v := args[name].(type) {
	case nil:
		return nil, true
	case int:
		return &v, true
	case int64:
		n := int(v)
		return &n, true
	case float64:
		n := int(v)
		return &n, true
	case json.Number:
		i, err := v.Int64()
		n := int(i)
		return &n, err == nil
	}
	return nil, false
}

func strArg(args map[string]any, name string) (*string, bool) {
	switch v := args[name].(type) {
	case nil:
		return nil, true
	case string:
		return &v, true
	}
	return nil, false
}

func (p *plan) pageArg(args map[string]any) (persistence.Page, bool) {
	first, ok1 := intArg(args, "first")
	after, ok2 := strArg(args, "after")
	if !ok1 || !ok2 {
		return persistence.Page{}, false
	}
	pg, err := p.r.page(first, after)
	return pg, err == nil
}

// packages plans the selected Package fields of pkgs.
func (p *plan) packages(fields []graphql.CollectedField, pkgs []persistence.Package) {
	if len(fields) == 0 || len(pkgs) == 0 {
		return
	}
	ids := make([]int64, len(pkgs))
	for i, pk := range pkgs {
		ids[i] = pk.ID
	}
	for _, f := range fields {
		args := p.args(f)
		switch f.Name {
		case "versions":
			indexURL, ok := strArg(args, "indexUrl")
			pg, ok2 := p.pageArg(args)
			lists := p.l.PrefetchVersionsOfPackages(p.ctx, ids)
			if !ok || !ok2 {
				continue
			}
			var vs []persistence.PackageVersion
			for _, list := range lists {
				if c, err := persistence.PageVersions(list, indexURL, pg); err == nil {
					vs = append(vs, c.Items...)
				}
			}
			p.versions(p.children(f, "PackageVersion", "edges", "node"), vs)
		case "latestVersion":
			indexURL, ok := strArg(args, "indexUrl")
			lists := p.l.PrefetchVersionsOfPackages(p.ctx, ids)
			if !ok {
				continue
			}
			var vs []persistence.PackageVersion
			for _, list := range lists {
				if v := persistence.LatestVersion(list, indexURL); v != nil {
					vs = append(vs, *v)
				}
			}
			p.versions(p.children(f, "PackageVersion"), vs)
		case "dependents":
			if env, ok := envArg(args); ok {
				p.dependents(f, p.l.PrefetchPackageDependents(p.ctx, ids, env), args)
			}
		}
	}
}

// versions plans the selected PackageVersion fields of vs.
func (p *plan) versions(fields []graphql.CollectedField, vs []persistence.PackageVersion) {
	if len(fields) == 0 || len(vs) == 0 {
		return
	}
	ids := make([]int64, len(vs))
	pkgs := make([]int64, len(vs))
	var indexes []int64
	for i, v := range vs {
		ids[i], pkgs[i] = v.ID, v.PackageID
		if v.IndexID != nil {
			indexes = append(indexes, *v.IndexID)
		}
	}
	for _, f := range fields {
		args := p.args(f)
		switch f.Name {
		case "package":
			p.packages(p.children(f, "Package"), deref(p.l.PrefetchPackages(p.ctx, pkgs)))
		case "index":
			p.l.PrefetchIndexes(p.ctx, indexes)
		case "environments":
			p.l.PrefetchEnvironmentsOfVersions(p.ctx, ids)
		case "metadata":
			p.l.PrefetchMetadata(p.ctx, ids)
		case "vulnerabilities":
			p.l.PrefetchVulnerabilities(p.ctx, ids)
		case "solved", "solverErrors":
			records := p.l.PrefetchSolved(p.ctx, ids)
			if sub := p.children(f, "SolvedRecord"); hasField(sub, "environment") {
				var envIDs []int64
				for _, list := range records {
					for _, s := range list {
						envIDs = append(envIDs, s.EnvironmentID)
					}
				}
				p.l.PrefetchEnvironments(p.ctx, envIDs)
			}
		case "dependencies":
			env, ok := envArg(args)
			if !ok || env == nil {
				continue
			}
			extras, _ := args["extras"].([]any)
			var xs []string
			if args["extras"] != nil {
				xs = []string{}
				for _, x := range extras {
					if s, ok := x.(string); ok {
						xs = append(xs, s)
					}
				}
			}
			markerTrueOnly := true
			if b, ok := args["markerTrueOnly"].(bool); ok {
				markerTrueOnly = b
			}
			var deps []persistence.Dependency
			for _, list := range p.l.PrefetchDependencies(p.ctx, ids, *env) {
				deps = append(deps, persistence.FilterDependencies(list, xs, markerTrueOnly)...)
			}
			p.dependencies(p.children(f, "Dependency"), deps)
		case "dependents":
			if env, ok := envArg(args); ok {
				p.dependents(f, p.l.PrefetchVersionDependents(p.ctx, ids, env), args)
			}
		}
	}
}

// dependents plans the nodes of one page of each dependents list.
func (p *plan) dependents(f graphql.CollectedField, lists [][]persistence.Dependent, args map[string]any) {
	pg, ok := p.pageArg(args)
	if !ok {
		return
	}
	var vs []persistence.PackageVersion
	for _, list := range lists {
		if c, err := persistence.PageDependents(list, pg); err == nil {
			for _, d := range c.Items {
				vs = append(vs, d.Version)
			}
		}
	}
	p.versions(p.children(f, "PackageVersion", "edges", "node"), vs)
}

// dependencies plans the selected Dependency fields of deps.
func (p *plan) dependencies(fields []graphql.CollectedField, deps []persistence.Dependency) {
	if len(fields) == 0 || len(deps) == 0 {
		return
	}
	edges := make([]int64, len(deps))
	pkgs := make([]int64, len(deps))
	for i, d := range deps {
		edges[i], pkgs[i] = d.ID, d.PackageID
	}
	for _, f := range fields {
		switch f.Name {
		case "package":
			p.packages(p.children(f, "Package"), deref(p.l.PrefetchPackages(p.ctx, pkgs)))
		case "resolvedVersions":
			var vs []persistence.PackageVersion
			for _, list := range p.l.PrefetchResolved(p.ctx, edges) {
				vs = append(vs, list...)
			}
			p.versions(p.children(f, "PackageVersion"), vs)
		}
	}
}

func hasField(fields []graphql.CollectedField, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// dependentVersions returns the versions of dependents.
func dependentVersions(ds []persistence.Dependent) []persistence.PackageVersion {
	vs := make([]persistence.PackageVersion, len(ds))
	for i := range ds {
		vs[i] = ds[i].Version
	}
	return vs
}

func deref[T any](ps []*T) []T {
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
