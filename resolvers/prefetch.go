package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolve"
)

// Prefetch plans: a root resolver walks the query below it level by level
// (see loaders: Prefetching), so each level costs one statement whatever its
// breadth and however gqlgen schedules the element resolvers. Only selected
// fields are planned, with their arguments, so a plan never costs a
// statement the query would not; errors are left for the resolvers.
//
// What the walk does for a field is the field's entry in plans; the list
// fields that need no plan are in unplanned, each with its reason.
// prefetch_test.go fails for a list or connection field of the schema that
// is in neither, so a new field cannot silently cost a statement per
// element. A selection the walk meets without an entry is logged at debug
// ("no prefetch plan") instead of being skipped silently.

// fieldKey names a field of a GraphQL object type.
type fieldKey struct{ typ, field string }

func (k fieldKey) String() string { return k.typ + "." + k.field }

// step is how the children of one field are prefetched: fetch loads the
// field for every object of a level at once and returns the objects of type
// of, on which the fields selected under path (from the field) are planned
// next.
type step struct {
	of   string
	path []string
	// fetch is nil where the field's resolver fetches the field and starts
	// the walk itself (plan.packages, plan.versions under plan.below).
	fetch func(p *plan, f graphql.CollectedField, objs any) (below any, ok bool)
	// in and out are the Go element types of the objects fetch takes and
	// returns (out only, for a resolver's step); the tests check they agree.
	in, out reflect.Type
}

// on makes the step of a field whose plan is fn: fn prefetches the field
// for objs and returns the objects of type of; ok false (an invalid
// argument, which the resolver reports) plans nothing below.
func on[T, U any](of string, path []string, fn func(p *plan, f graphql.CollectedField, objs []T) ([]U, bool)) step {
	return step{of: of, path: path, in: reflect.TypeFor[T](), out: reflect.TypeFor[U](),
		fetch: func(p *plan, f graphql.CollectedField, objs any) (any, bool) {
			ts, ok := objs.([]T)
			if !ok {
				p.noPlan(f.Field, fmt.Sprintf("the plan takes []%v, the level holds %T", reflect.TypeFor[T](), objs))
				return nil, false
			}
			if len(ts) == 0 {
				return nil, false
			}
			return fn(p, f, ts)
		}}
}

// resolved is the step of a field whose resolver fetches it (into objects
// of Go type U) and plans what is selected on them.
func resolved[U any](of string, path ...string) step {
	return step{of: of, path: path, out: reflect.TypeFor[U]()}
}

var connection = []string{"edges", "node"}

// plans holds, per (GraphQL type, field), how the field's children are
// prefetched: one entry per list field the walk plans and per field whose
// children it plans.
var plans = map[fieldKey]step{
	// Root fields: the resolver reads the field and starts the walk.
	{"Query", "package"}:                           resolved[persistence.Package]("Package"),
	{"Query", "packages"}:                          resolved[persistence.Package]("Package", connection...),
	{"Query", "packageVersion"}:                    resolved[persistence.PackageVersion]("PackageVersion"),
	{"Query", "dependents"}:                        resolved[persistence.PackageVersion]("PackageVersion", connection...),
	{"Query", "unsolvedPackageVersions"}:           resolved[persistence.PackageVersion]("PackageVersion", connection...),
	{"Query", "unanalyzedSecurityPackageVersions"}: resolved[persistence.PackageVersion]("PackageVersion", connection...),
	{"Query", "dependencyGraph"}:                   resolved[persistence.Graph]("DependencyGraph"),
	{"Query", "resolve"}:                           resolved[resolve.Lock]("Resolution"),
	// resolve.Resolve reads the picks and the unsolved versions with the
	// candidate graph (resolve.go).
	{"Resolution", "packages"}:             resolved[resolve.LockedPackage]("ResolvedPackage"),
	{"Resolution", "unsolved"}:             resolved[persistence.PackageVersion]("PackageVersion"),
	{"ResolvedPackage", "packageVersion"}:  on("PackageVersion", nil, pickedVersions),
	{"ResolvedPackage", "vulnerabilities"}: on("Vulnerability", nil, pickedVulnerabilities),
	// Store.DependencyGraph reads nodes and root in the walk's statements.
	{"DependencyGraph", "nodes"}: resolved[persistence.PackageVersion]("PackageVersion", "packageVersion"),
	{"DependencyGraph", "root"}:  resolved[persistence.PackageVersion]("PackageVersion"),
	// The vulnerability overlay picks them from nodes.
	{"DependencyGraph", "vulnerable"}: resolved[persistence.PackageVersion]("PackageVersion", "packageVersion"),

	{"Package", "versions"}:      on("PackageVersion", connection, packageVersions),
	{"Package", "latestVersion"}: on("PackageVersion", nil, latestVersions),
	{"Package", "dependents"}:    on("PackageVersion", connection, packageDependents),

	{"Package", "vulnerabilities"}: on("Vulnerability", nil, packageVulnerabilities),

	{"PackageVersion", "package"}:            on("Package", nil, versionPackages),
	{"PackageVersion", "index"}:              on("PackageIndex", nil, versionIndexes),
	{"PackageVersion", "environments"}:       on("Environment", nil, versionEnvironments),
	{"PackageVersion", "metadata"}:           on("PackageMetadata", nil, versionMetadata),
	{"PackageVersion", "vulnerabilities"}:    on("Vulnerability", nil, versionVulnerabilities),
	{"PackageVersion", "securityIndicators"}: on("SecurityIndicator", nil, versionSecurityIndicators),
	// solverErrors filters the same solver runs.
	{"PackageVersion", "solved"}:       on("SolvedRecord", nil, versionSolved),
	{"PackageVersion", "solverErrors"}: on("SolvedRecord", nil, versionSolved),
	{"PackageVersion", "dependencies"}: on("Dependency", nil, versionDependencies),
	{"PackageVersion", "dependents"}:   on("PackageVersion", connection, versionDependents),

	{"SolvedRecord", "environment"}: on("Environment", nil, solvedEnvironments),

	{"Dependency", "package"}:          on("Package", nil, dependencyPackages),
	{"Dependency", "resolvedVersions"}: on("PackageVersion", nil, dependencyResolved),

	// What an adviser asks of every candidate (adviser.go).
	{"Query", "packageVersions"}:    resolved[persistence.PackageVersion]("PackageVersion"),
	{"Query", "rules"}:              resolved[persistence.Rule]("Rule", connection...),
	{"Query", "rule"}:               resolved[persistence.Rule]("Rule"),
	{"PackageVersion", "artifacts"}: on("Artifact", nil, versionArtifacts),
	{"PackageVersion", "hashes"}:    on("String", nil, versionHashes),
	{"PackageVersion", "rules"}:     on("Rule", nil, versionRules),
	{"PackageVersion", "records"}:   on("PackageVersion", nil, versionRecords),
	{"Rule", "index"}:               on("PackageIndex", nil, ruleIndexes),

	// Adviser runs and provenance checks (runs.go).
	{"Query", "adviserRun"}:                resolved[persistence.AdviserRun]("AdviserRun"),
	{"Query", "adviserRuns"}:               resolved[persistence.AdviserRun]("AdviserRun", connection...),
	{"Query", "provenanceCheck"}:           resolved[persistence.ProvenanceCheck]("ProvenanceCheck"),
	{"Query", "provenanceChecks"}:          resolved[persistence.ProvenanceCheck]("ProvenanceCheck", connection...),
	{"AdviserRun", "input"}:                on("RunStack", nil, runInputs),
	{"AdviserRun", "products"}:             on("AdviserProduct", nil, runProducts),
	{"AdviserRun", "unresolved"}:           on("String", nil, runUnresolved),
	{"AdviserRun", "runtimeEnvironment"}:   on("AdviserRuntimeEnvironment", nil, fromRunRow[model.AdviserRuntimeEnvironment]),
	{"AdviserRun", "hardware"}:             on("AdviserHardware", nil, fromRunRow[model.AdviserHardware]),
	{"AdviserProduct", "stack"}:            on("RunLockedPackage", nil, productStacks),
	{"AdviserProduct", "requirements"}:     on("RunRequirement", nil, productRequirements),
	{"ProvenanceCheck", "stack"}:           on("RunStack", nil, checkStacks),
	{"ProvenanceCheck", "findings"}:        on("ProvenanceFinding", nil, checkFindings),
	{"RunStack", "requirements"}:           on("RunRequirement", nil, runStackRequirements),
	{"RunStack", "locked"}:                 on("RunLockedPackage", nil, runStackLocked),
	{"RunLockedPackage", "packageVersion"}: on("PackageVersion", nil, runLockedVersions),
	{"ProvenanceFinding", "version"}:       on("PackageVersion", nil, findingVersions),

	// Image analyses (analysis.go).
	{"Query", "imageAnalysis"}:                resolved[persistence.ImageAnalysis]("ImageAnalysis"),
	{"Query", "imageAnalyses"}:                resolved[persistence.ImageAnalysis]("ImageAnalysis", connection...),
	{"Query", "softwareEnvironments"}:         resolved[persistence.SoftwareEnvironment]("SoftwareEnvironment", connection...),
	{"ImageAnalysis", "softwareEnvironment"}:  on("SoftwareEnvironment", nil, analysisEnvironments),
	{"SoftwareEnvironment", "analyses"}:       on("ImageAnalysis", nil, environmentAnalyses),
	{"SoftwareEnvironment", "pythonPackages"}: on("ImagePythonPackage", nil, environmentPythonPackages),
	{"SoftwareEnvironment", "rpmPackages"}:    on("RpmPackageVersion", nil, environmentRPMs),
	{"SoftwareEnvironment", "debPackages"}:    on("DebPackageVersion", nil, environmentDebs),
	{"SoftwareEnvironment", "symbols"}:        on("VersionedSymbol", nil, environmentSymbols),
	{"SoftwareEnvironment", "interpreters"}:   on("PythonInterpreter", nil, environmentInterpreters),
	{"SoftwareEnvironment", "pythonFiles"}:    on("PythonFile", nil, environmentFiles),
	{"ImagePythonPackage", "packageVersions"}: on("PackageVersion", nil, imagePackageVersions),
	{"RpmPackageVersion", "requirements"}:     on("String", nil, rpmRequirements),
	{"DebPackageVersion", "depends"}:          on("DebRelation", nil, debRelations("depends")),
	{"DebPackageVersion", "preDepends"}:       on("DebRelation", nil, debRelations("pre-depends")),
	{"DebPackageVersion", "replaces"}:         on("DebRelation", nil, debRelations("replaces")),
	{"PackageVersion", "foundInImages"}:       on("ImageAnalysis", nil, versionImages),

	// Solver metadata and registration (metadata.graphqls, registration.graphqls).
	{"Query", "packagesProvidingImport"}:    resolved[persistence.PackageVersion]("PackageVersion", connection...),
	{"Mutation", "registerPackageVersions"}: resolved[persistence.PackageVersion]("PackageVersion", "versions"),
	{"PackageVersion", "importNames"}:       on("String", nil, versionImportNames),
	{"PackageVersion", "versionText"}:       on("String", nil, versionTexts),
}

// unplanned are the list fields the walk does not plan, and why none is
// needed. A connection's edges and node on a plan's path are planned by it.
var unplanned = map[fieldKey]string{
	{"Query", "environments"}:                  "one statement; Environment has only scalar fields",
	{"Query", "indexes"}:                       "one statement; PackageIndex has only scalar fields",
	{"Query", "documents"}:                     "one statement; Document has only scalar fields",
	{"DocumentConnection", "edges"}:            "the page Query.documents read",
	{"SyncReport", "failures"}:                 "made by the sync, nothing to load",
	{"PackageMetadata", "requiresDist"}:        "leaf list of strings, read with the metadata",
	{"PackageMetadata", "providesExtra"}:       "leaf list of strings, read with the metadata",
	{"PackageMetadata", "platforms"}:           "leaf list of strings, read with the metadata",
	{"PackageMetadata", "projectUrls"}:         "read with the metadata",
	{"VulnerabilityImportReport", "failures"}:  "made by the import, nothing to load",
	{"DependencyGraph", "edges"}:               "read by Store.DependencyGraph with the nodes; scalar fields only",
	{"DependencyGraphNode", "extras"}:          "leaf list of strings, computed by the walk",
	{"Dependency", "extras"}:                   "leaf list of strings, read with the edge",
	{"PackageMetadata", "classifiers"}:         "leaf list of strings, read with the metadata",
	{"Query", "vulnerabilities"}:               "one statement; Vulnerability has only scalar fields and lists read with it",
	{"VulnerabilityConnection", "edges"}:       "the page Query.vulnerabilities read",
	{"Vulnerability", "aliases"}:               "leaf list of strings, read with the record",
	{"Vulnerability", "severity"}:              "read with the record",
	{"Vulnerability", "references"}:            "read with the record",
	{"DependencyGraphNode", "vulnerabilities"}: "read for every node in one statement by the dependencyGraph resolver (vulnerabilityOverlay)",
	{"SecurityIndicator", "counts"}:            "computed from the indicator's columns",
	{"SecurityIndicator", "findings"}:          "read with the indicators, one statement for all of them",

	// Adviser runs and provenance checks (runs.go).
	{"AdviserRunConnection", "edges"}:              "the page Query.adviserRuns read",
	{"AdviserRunConnection", "countsBySourceType"}: "one statement by the adviserRuns resolver, when selected",
	{"ProvenanceCheckConnection", "edges"}:         "the page Query.provenanceChecks read",
	{"Query", "unresolvedFromAdviserRuns"}:         "one statement; UnresolvedAdviserRun has only scalar fields",
	{"UnresolvedAdviserRun", "packages"}:           "leaf list of strings, read with the run",
	{"AdviserRun", "stackInfo"}:                    "read with the run",
	{"AdviserProduct", "justification"}:            "read with the product",
	{"RunLockedPackage", "hashes"}:                 "leaf list of strings, read with the package",
	{"ProvenanceCheck", "whitelistedIndexes"}:      "leaf list of strings, read with the check",
	{"ImageAnalysis", "layers"}:                    "leaf list of strings, read with the analysis",
	{"ResolvedPackage", "hashes"}:                  "leaf list of strings, read with the lock",
	{"ResolvedPackage", "requiredBy"}:              "made by the resolution, nothing to load",
	{"ResolvedPackage", "extras"}:                  "leaf list of strings, made by the resolution",
}

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
// The path must be one plans describes: a root resolver that plans
// something else is logged.
func (p *plan) below(typ string, path ...string) []graphql.CollectedField {
	fc := graphql.GetFieldContext(p.ctx)
	if fc == nil || fc.Field.Field == nil {
		return nil
	}
	if got := planned(fc.Object, append([]string{fc.Field.Name}, path...)); got != typ {
		p.noPlan(fc.Field.Field, fmt.Sprintf("plans has no path %v to %s", path, typ))
	}
	return p.under(fc.Field.Selections, typ, path...)
}

// planned follows fields from type typ through plans and returns the type
// the last step's children are planned on, or "" when plans has no such path.
func planned(typ string, fields []string) string {
	for len(fields) > 0 {
		s, ok := plans[fieldKey{typ, fields[0]}]
		if !ok || len(fields)-1 < len(s.path) || !slices.Equal(fields[1:1+len(s.path)], s.path) {
			return ""
		}
		typ, fields = s.of, fields[1+len(s.path):]
	}
	return typ
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

// walk plans fields, selected on objs of GraphQL type typ: each field with
// a step is fetched for all of objs at once, then the fields selected below
// it are walked the same way.
func (p *plan) walk(typ string, fields []graphql.CollectedField, objs any) {
	for _, f := range fields {
		k := fieldKey{typ, f.Name}
		s, ok := plans[k]
		switch {
		case ok && s.fetch != nil:
			if below, ok := s.fetch(p, f, objs); ok {
				p.walk(s.of, p.children(f, s.of, s.path...), below)
			}
		case ok:
			p.noPlan(f.Field, "its resolver fetches it, but the walk reached it")
		case unplanned[k] != "":
			// Needs no plan.
		case len(f.Selections) > 0 || f.Definition != nil && f.Definition.Type.Elem != nil:
			p.noPlan(f.Field, "plans has no entry for "+k.String())
		}
	}
}

// noPlan logs a selection the walk cannot plan: its elements load one
// batch window at a time, which may cost more statements than levels.
func (p *plan) noPlan(f *ast.Field, why string) {
	if p.r.Logger == nil {
		return
	}
	typ := ""
	if f.ObjectDefinition != nil {
		typ = f.ObjectDefinition.Name
	}
	root := ""
	if fc := graphql.GetFieldContext(p.ctx); fc != nil {
		root = fc.Path().String()
	}
	p.r.Logger.DebugContext(p.ctx, "no prefetch plan", "type", typ, "field", f.Name, "root", root, "reason", why)
}

func (p *plan) args(f graphql.CollectedField) map[string]any { return f.ArgumentMap(p.op.Variables) }

// packages plans the selected Package fields of pkgs.
func (p *plan) packages(fields []graphql.CollectedField, pkgs []persistence.Package) {
	p.walk("Package", fields, pkgs)
}

// versions plans the selected PackageVersion fields of vs.
func (p *plan) versions(fields []graphql.CollectedField, vs []persistence.PackageVersion) {
	p.walk("PackageVersion", fields, vs)
}

// Package fields.

func packageVersions(p *plan, f graphql.CollectedField, pkgs []persistence.Package) ([]persistence.PackageVersion, bool) {
	args := p.args(f)
	indexURL, ok := strArg(args, "indexUrl")
	pg, ok2 := p.pageArg(args)
	sel, ok3 := versionSelectionArg(args)
	if !ok3 {
		return nil, false
	}
	lists := sel.prefetch(p, packageIDs(pkgs))
	if !ok || !ok2 {
		return nil, false
	}
	includeMissing := boolArg(args, "includeMissing")
	var vs []persistence.PackageVersion
	for _, list := range lists {
		if c, err := persistence.PageVersions(keepMissing(list, &includeMissing), indexURL, pg); err == nil {
			vs = append(vs, c.Items...)
		}
	}
	return vs, true
}

func latestVersions(p *plan, f graphql.CollectedField, pkgs []persistence.Package) ([]persistence.PackageVersion, bool) {
	indexURL, ok := strArg(p.args(f), "indexUrl")
	lists := p.l.PrefetchVersionsOfPackages(p.ctx, packageIDs(pkgs))
	if !ok {
		return nil, false
	}
	includeMissing := boolArg(p.args(f), "includeMissing")
	var vs []persistence.PackageVersion
	for _, list := range lists {
		if v := persistence.LatestVersion(keepMissing(list, &includeMissing), indexURL); v != nil {
			vs = append(vs, *v)
		}
	}
	return vs, true
}

func packageDependents(p *plan, f graphql.CollectedField, pkgs []persistence.Package) ([]persistence.PackageVersion, bool) {
	args := p.args(f)
	env, ok := envArg(args)
	if !ok {
		return nil, false
	}
	return p.dependentPages(p.l.PrefetchPackageDependents(p.ctx, packageIDs(pkgs), env), args)
}

func packageVulnerabilities(p *plan, _ graphql.CollectedField, pkgs []persistence.Package) ([]persistence.Vulnerability, bool) {
	return slices.Concat(p.l.PrefetchPackageVulnerabilities(p.ctx, packageIDs(pkgs))...), true
}

// PackageVersion fields.

func versionPackages(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Package, bool) {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.PackageID
	}
	return deref(p.l.PrefetchPackages(p.ctx, ids)), true
}

func versionIndexes(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.PackageIndex, bool) {
	var ids []int64
	for _, v := range vs {
		if v.IndexID != nil {
			ids = append(ids, *v.IndexID)
		}
	}
	return deref(p.l.PrefetchIndexes(p.ctx, ids)), true
}

func versionEnvironments(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Environment, bool) {
	return slices.Concat(p.l.PrefetchEnvironmentsOfVersions(p.ctx, versionIDs(vs))...), true
}

func versionMetadata(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.PackageMetadata, bool) {
	return deref(p.l.PrefetchMetadata(p.ctx, versionIDs(vs))), true
}

func versionVulnerabilities(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Vulnerability, bool) {
	return slices.Concat(p.l.PrefetchVulnerabilities(p.ctx, versionIDs(vs))...), true
}

func versionSecurityIndicators(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.SecurityIndicator, bool) {
	return slices.Concat(p.l.PrefetchSecurityIndicators(p.ctx, versionIDs(vs))...), true
}

func versionSolved(p *plan, _ graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Solved, bool) {
	return slices.Concat(p.l.PrefetchSolved(p.ctx, versionIDs(vs))...), true
}

func versionDependencies(p *plan, f graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.Dependency, bool) {
	args := p.args(f)
	env, ok := envArg(args)
	if !ok || env == nil {
		return nil, false
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
	lists := p.l.PrefetchDependencies(p.ctx, versionIDs(vs), *env)
	n := 0
	for i, list := range lists {
		lists[i] = persistence.FilterDependencies(list, xs, markerTrueOnly)
		n += len(lists[i])
	}
	deps := make([]persistence.Dependency, 0, n)
	for _, list := range lists {
		deps = append(deps, list...)
	}
	return deps, true
}

func versionDependents(p *plan, f graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.PackageVersion, bool) {
	args := p.args(f)
	env, ok := envArg(args)
	if !ok {
		return nil, false
	}
	return p.dependentPages(p.l.PrefetchVersionDependents(p.ctx, versionIDs(vs), env), args)
}

// dependentPages returns the nodes of the page args asks for of each
// dependents list.
func (p *plan) dependentPages(lists [][]persistence.Dependent, args map[string]any) ([]persistence.PackageVersion, bool) {
	pg, ok := p.pageArg(args)
	if !ok {
		return nil, false
	}
	var vs []persistence.PackageVersion
	for _, list := range lists {
		if c, err := persistence.PageDependents(list, pg); err == nil {
			vs = append(vs, dependentVersions(c.Items)...)
		}
	}
	return vs, true
}

// SolvedRecord fields.

func solvedEnvironments(p *plan, _ graphql.CollectedField, records []persistence.Solved) ([]persistence.Environment, bool) {
	ids := make([]int64, len(records))
	for i, s := range records {
		ids[i] = s.EnvironmentID
	}
	return deref(p.l.PrefetchEnvironments(p.ctx, ids)), true
}

// Dependency fields.

func dependencyPackages(p *plan, _ graphql.CollectedField, deps []persistence.Dependency) ([]persistence.Package, bool) {
	ids := make([]int64, len(deps))
	for i, d := range deps {
		ids[i] = d.PackageID
	}
	return deref(p.l.PrefetchPackages(p.ctx, ids)), true
}

func dependencyResolved(p *plan, f graphql.CollectedField, deps []persistence.Dependency) ([]persistence.PackageVersion, bool) {
	ids := make([]int64, len(deps))
	for i, d := range deps {
		ids[i] = d.ID
	}
	includeMissing := boolArg(p.args(f), "includeMissing")
	return keepMissing(slices.Concat(p.l.PrefetchResolved(p.ctx, ids)...), &includeMissing), true
}

// Arguments.

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
	if persistence.ValidateEnvironment(k) != nil {
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

func packageIDs(pkgs []persistence.Package) []int64 {
	ids := make([]int64, len(pkgs))
	for i, pk := range pkgs {
		ids[i] = pk.ID
	}
	return ids
}

func versionIDs(vs []persistence.PackageVersion) []int64 {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
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

// vulnerabilityOverlay sets, when the query selects them, the
// vulnerabilities of every node of g (vs are the nodes' versions, in
// order) and g's vulnerable nodes: one statement for the whole graph,
// whatever its size (none when a plan under nodes.packageVersion read them
// already), and none when neither is selected. It then plans the fields
// selected under vulnerable.packageVersion.
func (p *plan) vulnerabilityOverlay(g *model.DependencyGraph, vs []persistence.PackageVersion) error {
	g.Vulnerable = []model.DependencyGraphNode{}
	fc := graphql.GetFieldContext(p.ctx)
	if fc == nil || fc.Field.Field == nil || len(vs) == 0 {
		return nil
	}
	sel := fc.Field.Selections
	vulnerable := p.under(sel, "DependencyGraphNode", "vulnerable")
	if len(vulnerable) == 0 && len(p.under(sel, "Vulnerability", "nodes", "vulnerabilities")) == 0 {
		return nil
	}
	lists, err := p.l.VulnerabilitiesOfVersions(p.ctx, versionIDs(vs))
	if err != nil {
		return err
	}
	var hit []persistence.PackageVersion
	for i := range g.Nodes {
		g.Nodes[i].Vulnerabilities = lists[i]
		if len(lists[i]) > 0 {
			g.Vulnerable = append(g.Vulnerable, g.Nodes[i])
			hit = append(hit, vs[i])
		}
	}
	if len(vulnerable) > 0 && len(hit) > 0 {
		p.versions(p.below("PackageVersion", "vulnerable", "packageVersion"), hit)
	}
	return nil
}
