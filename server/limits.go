package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// Cost model. gqlgen adds one per field plus its children's cost; the
// functions below multiply a list's children by how many elements it can
// have, so the cost approximates the number of values a query can produce.
// The whole cost is checked against the budget (SESHAT_MAX_COMPLEXITY)
// before the first resolver runs, so a rejected query runs no SQL.
const (
	// listSize is the assumed length of lists that are not paged: a
	// version's dependencies, a requirement's resolved versions, environments.
	listSize = 10
	// walkFanOut is the assumed number of new nodes per node and level of a
	// dependencyGraph walk.
	walkFanOut = 2
	// walkNodes caps the nodes a walk is assumed to reach, whatever its depth.
	walkNodes = 5000
	// costCap keeps one field's cost far from integer overflow; any query
	// reaching it is over every sensible budget.
	costCap = 1 << 40
)

// Complexity returns the cost functions for the schema under limits: a
// connection costs first (default DefaultPage, at most MaxPageSize) times
// its child; dependents costs first times its child plus maxDepth levels of
// walking; dependencyGraph costs the nodes a walk of maxDepth levels may
// reach (walkFanOut per level, at most walkNodes) plus maxDepth, plus its
// child once.
//
// The walk's child is not multiplied by its node count, because what a
// walk's selection costs does not grow with it: the walk returns its nodes
// and edges in one piece, and the prefetch plan (resolvers/prefetch.go)
// reads each field selected under nodes.packageVersion for every node in
// one batched statement per field and level, as the loaders do for a list
// of any length. So a field under the nodes or edges costs once, what it
// costs under a single packageVersion; lists and connections below a node
// still multiply their own children by their page sizes, so a page of
// pages under the nodes is refused as anywhere else.
func Complexity(l resolvers.Limits) graph.ComplexityRoot {
	l = withDefaults(l)
	page := func(first *int) int {
		if first == nil {
			return l.DefaultPage
		}
		return max(0, min(*first, l.MaxPageSize))
	}
	depth := func(d *int, def int) int {
		if d == nil {
			return def
		}
		return max(0, min(*d, l.MaxDepth))
	}
	conn := func(child int, first *int) int { return mul(1+child, max(1, page(first))) }
	list := func(child int) int { return mul(1+child, listSize) }

	var c graph.ComplexityRoot
	c.Query.Packages = func(child int, _ *string, first *int, _ *string) int { return conn(child, first) }
	c.Query.UnsolvedPackageVersions = func(child int, _ model.EnvironmentInput, _ *string, first *int, _ *string) int {
		return conn(child, first)
	}
	c.Query.Documents = func(child int, _ *string, _ *model.DocumentStatus, first *int, _ *string) int {
		return conn(child, first)
	}
	c.Query.Dependents = func(child int, _ string, _ *string, _ *model.EnvironmentInput, maxDepth *int, first *int, _ *string) int {
		return add(conn(child, first), mul(listSize, depth(maxDepth, 1)))
	}
	c.Query.DependencyGraph = func(child int, _ model.PackageVersionInput, _ model.EnvironmentInput, maxDepth *int, _ []string, _, _ *bool) int {
		d := depth(maxDepth, 10)
		return add(add(walkSize(d), d), 1+child)
	}
	c.Query.Environments = func(child int) int { return list(child) }
	c.Query.Indexes = func(child int, _ *bool) int { return list(child) }
	c.Package.Versions = func(child int, first *int, _, _ *string, _ *model.EnvironmentInput, _, _, _ *bool) int {
		return conn(child, first)
	}
	c.Package.Dependents = func(child int, _ *model.EnvironmentInput, first *int, _ *string) int { return conn(child, first) }
	c.PackageVersion.Dependents = func(child int, _ *model.EnvironmentInput, first *int, _ *string) int { return conn(child, first) }
	c.PackageVersion.Dependencies = func(child int, _ model.EnvironmentInput, _ []string, _ *bool) int { return list(child) }
	c.PackageVersion.Environments = func(child int) int { return list(child) }
	c.PackageVersion.Solved = func(child int, _ *model.EnvironmentInput) int { return list(child) }
	c.PackageVersion.SolverErrors = func(child int) int { return list(child) }
	c.PackageVersion.Vulnerabilities = func(child int) int { return list(child) }
	c.Package.Vulnerabilities = func(child int) int { return list(child) }
	c.Query.Vulnerabilities = func(child int, _ *string, first *int, _ *string) int { return conn(child, first) }
	// Under a dependencyGraph's nodes (counted once, not per node) the
	// overlay is one statement for the whole graph: charge that statement
	// and the selection once.
	c.DependencyGraphNode.Vulnerabilities = func(child int) int { return 1 + child }
	c.DependencyGraph.Vulnerable = func(child int) int { return 1 + child }
	c.Dependency.ResolvedVersions = func(child int, _ *bool) int { return list(child) }
	// What an adviser asks of every candidate.
	c.Query.PackageVersions = func(child int, _, _ string, _ *model.EnvironmentInput, _, _ *bool) int { return list(child) }
	c.Query.Rules = func(child int, _ *string, first *int, _ *string) int { return conn(child, first) }
	c.PackageVersion.Artifacts = func(child int) int { return list(child) }
	c.PackageVersion.Hashes = func(child int) int { return list(child) }
	c.PackageVersion.Rules = func(child int) int { return list(child) }
	c.PackageVersion.Records = func(child int, _ model.EnvironmentInput, _, _ *bool) int { return list(child) }
	// Solver metadata and registration: the registered versions are as
	// many as the input.
	c.Query.PackagesProvidingImport = func(child int, _ string, _ *bool, first *int, _ *string) int { return conn(child, first) }
	c.Query.UnanalyzedSecurityPackageVersions = func(child int, first *int, _ *string) int { return conn(child, first) }
	// Up to first requests of each of three kinds per solver.
	c.Query.SolverRequests = func(child int, _ *model.EnvironmentInput, first *int, _ *string) int {
		return mul(conn(child, first), 3)
	}
	c.Mutation.RegisterPackageVersions = func(child int, input []model.PackageVersionInput) int {
		return mul(1+child, max(1, len(input)))
	}
	c.PackageVersion.ImportNames = func(child int) int { return list(child) }
	c.PackageMetadata.RequiresDist = func(child int) int { return list(child) }
	c.PackageMetadata.ProvidesExtra = func(child int) int { return list(child) }
	c.PackageMetadata.Platforms = func(child int) int { return list(child) }
	c.PackageMetadata.ProjectUrls = func(child int) int { return list(child) }
	analysisComplexity(&c, conn, list)
	inspectionComplexity(&c, conn, list)
	runsComplexity(&c, conn, list)
	return c
}

func withDefaults(l resolvers.Limits) resolvers.Limits {
	d := resolvers.DefaultLimits
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxPageSize <= 0 {
		l.MaxPageSize = d.MaxPageSize
	}
	if l.DefaultPage <= 0 {
		l.DefaultPage = min(d.DefaultPage, l.MaxPageSize)
	}
	return l
}

// walkSize estimates the nodes a walk of depth levels reaches: 1 + F + F^2
// + ... + F^depth, at most walkNodes.
func walkSize(depth int) int {
	n, level := 1, 1
	for i := 0; i < depth && n < walkNodes; i++ {
		level *= walkFanOut
		n += level
	}
	return min(n, walkNodes)
}

func mul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return a * b
}

func add(a, b int) int { return min(a+b, costCap) }

// depthLimit refuses operations whose selections nest deeper than max
// fields (introspection fields excepted: their depth is the schema's), with
// COMPLEXITY_LIMIT, before anything runs.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "QueryDepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	if got := selectionDepth(rc.Operation.SelectionSet, 0); got > d.max {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("operation is nested %d fields deep, more than the limit of %d", got, d.max),
			Extensions: map[string]any{"code": string(persistence.CodeComplexityLimit)},
		}
	}
	return nil
}

// selectionDepth is the deepest field nesting of set. Validation has run,
// so fragment spreads are resolved and acyclic; the guard bounds the
// recursion anyway.
func selectionDepth(set ast.SelectionSet, guard int) int {
	if guard > 1000 {
		return guard
	}
	deepest := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, guard+1)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, guard+1)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, guard+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// mutationScopes are the scopes each mutation needs; a mutation not listed
// needs admin.
var mutationScopes = map[string][]auth.Scope{
	"ingestDocument":          {auth.ScopeIngest},
	"syncDocuments":           {auth.ScopeIngest},
	"importVulnerabilities":   {auth.ScopeIngest},
	"registerPackageIndex":    {auth.ScopeAdmin},
	"setArtifactPresent":      {auth.ScopeAdmin},
	"markPackageVersion":      {auth.ScopeAdmin},
	"createRule":              {auth.ScopeAdmin},
	"deleteRule":              {auth.ScopeAdmin},
	"deleteDocument":          {auth.ScopeAdmin},
	"purgeEnvironment":        {auth.ScopeAdmin},
	"registerPackageVersions": {auth.ScopeIngest},
}

// access checks the caller before an operation runs: every mutation field
// needs a token with its scope (so a mutation is refused whole, before any
// of it runs), and with requireAuth queries need a valid token too. The
// resolvers check scopes again where they act. Without introspection, an
// operation that asks for __schema or __type is refused with FORBIDDEN.
type access struct{ requireAuth, introspection bool }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = access{}

func (access) ExtensionName() string                   { return "Access" }
func (access) Validate(graphql.ExecutableSchema) error { return nil }
func (a access) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	if rc.Operation.Operation == ast.Mutation {
		for _, name := range topFields(rc.Operation.SelectionSet) {
			scopes, ok := mutationScopes[name]
			if !ok {
				scopes = []auth.Scope{auth.ScopeAdmin}
			}
			if err := auth.Require(ctx, scopes...); err != nil {
				return codedError(err)
			}
		}
	} else if a.requireAuth {
		if _, ok := auth.FromContext(ctx); !ok {
			return codedError(auth.Require(ctx))
		}
	}
	if !a.introspection && introspects(rc.Operation.SelectionSet, 0) {
		return &gqlerror.Error{
			Message:    "introspection is disabled on this server",
			Extensions: map[string]any{"code": string(persistence.CodeForbidden)},
		}
	}
	return nil
}

// introspects reports whether set selects __schema or __type anywhere.
func introspects(set ast.SelectionSet, guard int) bool {
	if guard > 1000 {
		return false
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || introspects(s.SelectionSet, guard+1) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, guard+1) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && introspects(s.Definition.SelectionSet, guard+1) {
				return true
			}
		}
	}
	return false
}

// topFields names the root fields of an operation, through fragments.
func topFields(set ast.SelectionSet) []string {
	var out []string
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name != "__typename" {
				out = append(out, s.Name)
			}
		case *ast.InlineFragment:
			out = append(out, topFields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, topFields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

func codedError(err error) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    persistence.ErrorMessage(err),
		Extensions: map[string]any{"code": string(persistence.ErrorCode(err))},
	}
}
