package server

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// direct writes the value of a field straight as JSON, with everything
// selected below it, when every field selected below it is one this file
// knows: a plain leaf, or an object or list whose value the prefetch plan
// of the root field already loaded (resolvers/prefetch.go).
//
// gqlgen's generated executor resolves every element of a list in a
// goroutine of its own and every field through a fresh FieldContext and the
// middleware chain; for a nested query of a few thousand objects that is
// most of the gateway's CPU (docs/benchmarks.md). InterceptField runs the
// field's own resolver as gqlgen would (arguments, access, errors), then
// writes its value and the subtree below it into a buffer, calling the same
// field resolvers gqlgen calls, with the same arguments, under
// loaders.PrefetchedOnly: a value no prefetch loaded, a resolver error, a
// null where the schema allows none, an argument that does not coerce or a
// panic abandons the buffer, and gqlgen then resolves the field as usual
// from the value already resolved, so errors, their paths and null
// propagation are gqlgen's own. gqlgen takes a Marshaler returned by a
// field middleware as the field's marshalled value.
//
// A field is written here only when its type is one of the object types
// below, every field selected under it (after fragments, @include and
// @skip) is in that type's table with no argument the table does not know,
// and nothing is deferred. A field added to the schema is therefore written
// by gqlgen until it is added here; so is an argument added to a field
// (add its name to the field's args and pass it to the resolver).
// TestDirectSameBytes checks every list field of the schema against
// gqlgen's output.
type direct struct {
	types map[string]directType
	// written, when set, counts the fields written here.
	written *atomic.Int64
}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = (*direct)(nil)

func (*direct) ExtensionName() string { return "DirectFields" }

// Validate sets each type's satisfies list (the type and the interfaces and
// unions it belongs to, as the generated code's implementors) from schema.
func (d *direct) Validate(schema graphql.ExecutableSchema) error {
	s := schema.Schema()
	for name, t := range d.types {
		def := s.Types[name]
		if def == nil {
			delete(d.types, name)
			continue
		}
		sat := []string{name}
		for _, i := range s.GetImplements(def) {
			sat = append(sat, i.Name)
		}
		t.setSatisfies(sat)
	}
	return nil
}

// directType writes the values of fields of one GraphQL object type.
type directType interface {
	// writable reports whether every field selected in sel on the type
	// is written here.
	writable(oc *graphql.OperationContext, sel ast.SelectionSet) bool
	// write appends v, the value of field f (T, *T or []T), to w.b;
	// false when it cannot (see direct).
	write(w *writer, f graphql.CollectedField, v any) bool
	setSatisfies([]string)
}

func (d *direct) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	t := d.types[fc.Field.Definition.Type.Name()]
	if t == nil || len(fc.Field.Deferrables) > 0 {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || !t.writable(oc, fc.Field.Selections) {
		return next(ctx)
	}
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	// The field resolvers called below take their object and arguments
	// only: none reads its FieldContext (a root resolver's plan does, and
	// no root field is in the tables).
	w := &writer{ctx: loaders.PrefetchedOnly(ctx), oc: oc}
	if !w.run(func() bool { return t.write(w, fc.Field, res) }) {
		return res, nil
	}
	if d.written != nil {
		d.written.Add(1)
	}
	return rawJSON(w.b), nil
}

// rawJSON is a value written by direct.
type rawJSON []byte

func (b rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(b) }

// writer collects one field's JSON.
type writer struct {
	ctx  context.Context
	oc   *graphql.OperationContext
	b    []byte
	sets map[selectionKey]*selected
	args map[*ast.Field]any
}

// run calls write, false when it panics.
func (w *writer) run(write func() bool) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return write()
}

// selectionKey identifies a selection set and the types it is collected
// for: the fields of one list are collected once, not once per element.
type selectionKey struct {
	first     *ast.Selection
	n         int
	satisfies *string
}

// selected are the fields collected from a selection set, each with its
// response key quoted and followed by a colon.
type selected struct {
	fields []graphql.CollectedField
	keys   [][]byte
}

func (w *writer) collect(sel ast.SelectionSet, satisfies []string) *selected {
	k := selectionKey{unsafe.SliceData(sel), len(sel), unsafe.SliceData(satisfies)}
	if s := w.sets[k]; s != nil {
		return s
	}
	s := &selected{fields: graphql.CollectFields(w.oc, sel, satisfies)}
	s.keys = make([][]byte, len(s.fields))
	for i, f := range s.fields {
		s.keys[i] = append(appendQuoted(nil, f.Alias), ':')
	}
	if w.sets == nil {
		w.sets = map[selectionKey]*selected{}
	}
	w.sets[k] = s
	return s
}

// argsFor returns what parse makes of f's arguments (defaults applied,
// variables substituted), parsed once per field of the query rather than
// once per object.
func argsFor[A any](w *writer, f graphql.CollectedField, parse func(args map[string]any) (A, error)) (A, error) {
	if p, ok := w.args[f.Field].(parsedArgs[A]); ok {
		return p.v, p.err
	}
	v, err := parse(f.ArgumentMap(w.oc.Variables))
	if w.args == nil {
		w.args = map[*ast.Field]any{}
	}
	w.args[f.Field] = parsedArgs[A]{v, err}
	return v, err
}

type parsedArgs[A any] struct {
	v   A
	err error
}

// versionsArgs are the arguments of Package.versions and latestVersion.
type versionsArgs struct {
	first                                     *int
	after, indexURL                           *string
	env                                       *model.EnvironmentInput
	solvedOnly, includeErrors, includeMissing *bool
}

// dependenciesArgs are the arguments of PackageVersion.dependencies.
type dependenciesArgs struct {
	env            *model.EnvironmentInput
	extras         []string
	markerTrueOnly *bool
}

// dependentsArgs are the arguments of the dependents connections.
type dependentsArgs struct {
	env   *model.EnvironmentInput
	first *int
	after *string
}

func dependentsArgsOf(w *writer) func(args map[string]any) (dependentsArgs, error) {
	return func(args map[string]any) (dependentsArgs, error) {
		var a dependentsArgs
		var err1, err2, err3 error
		a.env, err1 = optEnvironment(w.ctx, args, "environment")
		a.first, err2 = optInt(args, "first")
		a.after, err3 = optString(args, "after")
		return a, firstErr(err1, err2, err3)
	}
}

// object is the writer of GraphQL object type name, bound to Go type T.
type object[T any] struct {
	name      string
	satisfies []string
	fields    map[string]member[T]
}

// member is one field of an object.
type member[T any] struct {
	// of is the type of a composite field's value; nil for a leaf.
	of directType
	// args are the arguments the field's writer passes on.
	args []string
	// write appends the field's value on obj.
	write func(w *writer, f graphql.CollectedField, obj *T) bool
}

func (t *object[T]) setSatisfies(s []string) { t.satisfies = s }

func (t *object[T]) writable(oc *graphql.OperationContext, sel ast.SelectionSet) bool {
	for _, f := range graphql.CollectFields(oc, sel, t.satisfies) {
		if len(f.Deferrables) > 0 {
			return false
		}
		if f.Name == "__typename" {
			continue
		}
		m, ok := t.fields[f.Name]
		if !ok || f.Definition == nil {
			return false
		}
		for _, a := range f.Definition.Arguments {
			if !slices.Contains(m.args, a.Name) {
				return false
			}
		}
		if m.of != nil && !m.of.writable(oc, f.Selections) {
			return false
		}
	}
	return true
}

func (t *object[T]) write(w *writer, f graphql.CollectedField, v any) bool {
	typ := f.Definition.Type
	switch x := v.(type) {
	case *T:
		if typ.Elem != nil {
			return false
		}
		if x == nil {
			if typ.NonNull {
				return false
			}
			w.b = append(w.b, "null"...)
			return true
		}
		return t.object(w, f.Selections, x)
	case []T:
		if typ.Elem == nil || !typ.Elem.NonNull {
			return false
		}
		if x == nil && !typ.NonNull {
			w.b = append(w.b, "null"...)
			return true
		}
		w.b = append(w.b, '[')
		for i := range x {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			if !t.object(w, f.Selections, &x[i]) {
				return false
			}
		}
		w.b = append(w.b, ']')
		return true
	}
	return false
}

func (t *object[T]) object(w *writer, sel ast.SelectionSet, obj *T) bool {
	s := w.collect(sel, t.satisfies)
	w.b = append(w.b, '{')
	for i := range s.fields {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = append(w.b, s.keys[i]...)
		f := &s.fields[i]
		if f.Name == "__typename" {
			w.b = appendQuoted(w.b, t.name)
			continue
		}
		m, ok := t.fields[f.Name]
		if !ok || !m.write(w, *f, obj) {
			return false
		}
	}
	w.b = append(w.b, '}')
	return true
}

// leaf is a field whose value appendValue writes.
func leaf[T any](appendValue func(b []byte, obj *T) []byte) member[T] {
	return member[T]{write: func(w *writer, _ graphql.CollectedField, obj *T) bool {
		w.b = appendValue(w.b, obj)
		return true
	}}
}

// child is a composite field of type of whose value get returns, taking
// the arguments args.
func child[T any](of directType, get func(w *writer, f graphql.CollectedField, obj *T) (any, error), args ...string) member[T] {
	return member[T]{of: of, args: args, write: func(w *writer, f graphql.CollectedField, obj *T) bool {
		v, err := get(w, f, obj)
		return err == nil && of.write(w, f, v)
	}}
}

// idLeaf is an ID field computed by a resolver that cannot fail.
func idLeaf[T any](id func(ctx context.Context, obj *T) (string, error)) member[T] {
	return member[T]{write: func(w *writer, _ graphql.CollectedField, obj *T) bool {
		s, err := id(w.ctx, obj)
		if err != nil {
			return false
		}
		w.b = appendQuoted(w.b, s)
		return true
	}}
}

// Arguments, coerced as the generated code does (graphql.Unmarshal*).

func optInt(args map[string]any, name string) (*int, error) {
	v := args[name]
	if v == nil {
		return nil, nil
	}
	n, err := graphql.UnmarshalInt(v)
	return &n, err
}

func optString(args map[string]any, name string) (*string, error) {
	v := args[name]
	if v == nil {
		return nil, nil
	}
	s, err := graphql.UnmarshalString(v)
	return &s, err
}

func optBool(args map[string]any, name string) (*bool, error) {
	v := args[name]
	if v == nil {
		return nil, nil
	}
	b, err := graphql.UnmarshalBoolean(v)
	return &b, err
}

func optStrings(args map[string]any, name string) ([]string, error) {
	v := args[name]
	if v == nil {
		return nil, nil
	}
	vs := graphql.CoerceList(v)
	out := make([]string, len(vs))
	for i, x := range vs {
		s, err := graphql.UnmarshalString(x)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func optEnvironment(ctx context.Context, args map[string]any, name string) (*model.EnvironmentInput, error) {
	v := args[name]
	if v == nil {
		return nil, nil
	}
	env, err := graph.UnmarshalEnvironmentInput(ctx, v)
	return &env, err
}

// firstErr returns the first error of errs.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Leaf values, written as the generated code's marshalers write them.

func appendStrings(b []byte, xs []string) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, x)
	}
	return append(b, ']')
}

func appendOptBool(b []byte, v *bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendBool(b, *v)
}

// newDirect makes the writers of the object types the nested queries
// reach, over r's resolvers.
func newDirect(r *resolvers.Resolver) *direct {
	var (
		pageInfo       = &object[model.PageInfo]{name: "PageInfo"}
		pkgConn        = &object[model.PackageConnection]{name: "PackageConnection"}
		pkgEdge        = &object[model.PackageEdge]{name: "PackageEdge"}
		pkg            = &object[persistence.Package]{name: "Package"}
		versionConn    = &object[model.PackageVersionConnection]{name: "PackageVersionConnection"}
		versionEdge    = &object[model.PackageVersionEdge]{name: "PackageVersionEdge"}
		version        = &object[persistence.PackageVersion]{name: "PackageVersion"}
		dependency     = &object[persistence.Dependency]{name: "Dependency"}
		dependentConn  = &object[model.DependentConnection]{name: "DependentConnection"}
		dependentEdge  = &object[model.DependentEdge]{name: "DependentEdge"}
		environment    = &object[persistence.Environment]{name: "Environment"}
		index          = &object[persistence.PackageIndex]{name: "PackageIndex"}
		metadata       = &object[persistence.PackageMetadata]{name: "PackageMetadata"}
		pkgR           = r.Package()
		versionR       = r.PackageVersion()
		dependencyR    = r.Dependency()
		environmentR   = r.Environment()
		indexR         = r.PackageIndex()
		optStr         = appendOptString
		quoted         = appendQuoted
		boolean        = strconv.AppendBool
		integer        = func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
		connectionArgs = []string{"first", "after"}
	)
	pageInfo.fields = map[string]member[model.PageInfo]{
		"hasNextPage":     leaf(func(b []byte, p *model.PageInfo) []byte { return boolean(b, p.HasNextPage) }),
		"hasPreviousPage": leaf(func(b []byte, p *model.PageInfo) []byte { return boolean(b, p.HasPreviousPage) }),
		"startCursor":     leaf(func(b []byte, p *model.PageInfo) []byte { return optStr(b, p.StartCursor) }),
		"endCursor":       leaf(func(b []byte, p *model.PageInfo) []byte { return optStr(b, p.EndCursor) }),
	}
	pkgConn.fields = map[string]member[model.PackageConnection]{
		"edges": child(pkgEdge, func(_ *writer, _ graphql.CollectedField, c *model.PackageConnection) (any, error) {
			return c.Edges, nil
		}),
		"pageInfo": child(pageInfo, func(_ *writer, _ graphql.CollectedField, c *model.PackageConnection) (any, error) {
			return c.PageInfo, nil
		}),
		"totalCount": leaf(func(b []byte, c *model.PackageConnection) []byte { return integer(b, c.TotalCount) }),
	}
	pkgEdge.fields = map[string]member[model.PackageEdge]{
		"cursor": leaf(func(b []byte, e *model.PackageEdge) []byte { return quoted(b, e.Cursor) }),
		"node": child(pkg, func(_ *writer, _ graphql.CollectedField, e *model.PackageEdge) (any, error) {
			return e.Node, nil
		}),
	}
	versionConn.fields = map[string]member[model.PackageVersionConnection]{
		"edges": child(versionEdge, func(_ *writer, _ graphql.CollectedField, c *model.PackageVersionConnection) (any, error) {
			return c.Edges, nil
		}),
		"pageInfo": child(pageInfo, func(_ *writer, _ graphql.CollectedField, c *model.PackageVersionConnection) (any, error) {
			return c.PageInfo, nil
		}),
		"totalCount": leaf(func(b []byte, c *model.PackageVersionConnection) []byte { return integer(b, c.TotalCount) }),
	}
	versionEdge.fields = map[string]member[model.PackageVersionEdge]{
		"cursor": leaf(func(b []byte, e *model.PackageVersionEdge) []byte { return quoted(b, e.Cursor) }),
		"node": child(version, func(_ *writer, _ graphql.CollectedField, e *model.PackageVersionEdge) (any, error) {
			return e.Node, nil
		}),
	}
	dependentConn.fields = map[string]member[model.DependentConnection]{
		"edges": child(dependentEdge, func(_ *writer, _ graphql.CollectedField, c *model.DependentConnection) (any, error) {
			return c.Edges, nil
		}),
		"pageInfo": child(pageInfo, func(_ *writer, _ graphql.CollectedField, c *model.DependentConnection) (any, error) {
			return c.PageInfo, nil
		}),
		"totalCount": leaf(func(b []byte, c *model.DependentConnection) []byte { return integer(b, c.TotalCount) }),
	}
	dependentEdge.fields = map[string]member[model.DependentEdge]{
		"cursor": leaf(func(b []byte, e *model.DependentEdge) []byte { return quoted(b, e.Cursor) }),
		"node": child(version, func(_ *writer, _ graphql.CollectedField, e *model.DependentEdge) (any, error) {
			return e.Node, nil
		}),
		"depth": leaf(func(b []byte, e *model.DependentEdge) []byte { return integer(b, e.Depth) }),
		"environment": child(environment, func(_ *writer, _ graphql.CollectedField, e *model.DependentEdge) (any, error) {
			return e.Environment, nil
		}),
		"versionRange": leaf(func(b []byte, e *model.DependentEdge) []byte { return quoted(b, e.VersionRange) }),
		"marker":       leaf(func(b []byte, e *model.DependentEdge) []byte { return optStr(b, e.Marker) }),
		"extra":        leaf(func(b []byte, e *model.DependentEdge) []byte { return optStr(b, e.Extra) }),
	}
	pkg.fields = map[string]member[persistence.Package]{
		"id":   idLeaf(pkgR.ID),
		"name": leaf(func(b []byte, p *persistence.Package) []byte { return quoted(b, p.Name) }),
		"versions": child(versionConn, func(w *writer, f graphql.CollectedField, p *persistence.Package) (any, error) {
			a, err := argsFor(w, f, func(args map[string]any) (versionsArgs, error) {
				var a versionsArgs
				var errs [7]error
				a.first, errs[0] = optInt(args, "first")
				a.after, errs[1] = optString(args, "after")
				a.indexURL, errs[2] = optString(args, "indexUrl")
				a.env, errs[3] = optEnvironment(w.ctx, args, "environment")
				a.solvedOnly, errs[4] = optBool(args, "solvedOnly")
				a.includeErrors, errs[5] = optBool(args, "includeErrors")
				a.includeMissing, errs[6] = optBool(args, "includeMissing")
				return a, firstErr(errs[:]...)
			})
			if err != nil {
				return nil, err
			}
			return pkgR.Versions(w.ctx, p, a.first, a.after, a.indexURL, a.env, a.solvedOnly, a.includeErrors, a.includeMissing)
		}, append(connectionArgs, "indexUrl", "environment", "solvedOnly", "includeErrors", "includeMissing")...),
		"latestVersion": child(version, func(w *writer, f graphql.CollectedField, p *persistence.Package) (any, error) {
			a, err := argsFor(w, f, func(args map[string]any) (versionsArgs, error) {
				var a versionsArgs
				var err1, err2 error
				a.indexURL, err1 = optString(args, "indexUrl")
				a.includeMissing, err2 = optBool(args, "includeMissing")
				return a, firstErr(err1, err2)
			})
			if err != nil {
				return nil, err
			}
			return pkgR.LatestVersion(w.ctx, p, a.indexURL, a.includeMissing)
		}, "indexUrl", "includeMissing"),
		"dependents": child(dependentConn, func(w *writer, f graphql.CollectedField, p *persistence.Package) (any, error) {
			a, err := argsFor(w, f, dependentsArgsOf(w))
			if err != nil {
				return nil, err
			}
			return pkgR.Dependents(w.ctx, p, a.env, a.first, a.after)
		}, append(connectionArgs, "environment")...),
	}
	version.fields = map[string]member[persistence.PackageVersion]{
		"id":       idLeaf(versionR.ID),
		"name":     leaf(func(b []byte, v *persistence.PackageVersion) []byte { return quoted(b, v.Name) }),
		"version":  leaf(func(b []byte, v *persistence.PackageVersion) []byte { return quoted(b, v.Version) }),
		"indexUrl": leaf(func(b []byte, v *persistence.PackageVersion) []byte { return optStr(b, v.IndexURL) }),
		"index": child(index, func(w *writer, _ graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			return versionR.Index(w.ctx, v)
		}),
		"package": child(pkg, func(w *writer, _ graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			return versionR.Package(w.ctx, v)
		}),
		"environments": child(environment, func(w *writer, _ graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			return versionR.Environments(w.ctx, v)
		}),
		"dependencies": child(dependency, func(w *writer, f graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			a, err := argsFor(w, f, func(args map[string]any) (dependenciesArgs, error) {
				var a dependenciesArgs
				var err1, err2, err3 error
				a.env, err1 = optEnvironment(w.ctx, args, "environment")
				a.extras, err2 = optStrings(args, "extras")
				a.markerTrueOnly, err3 = optBool(args, "markerTrueOnly")
				if a.env == nil {
					err1 = cmp.Or(err1, errNoValue)
				}
				return a, firstErr(err1, err2, err3)
			})
			if err != nil {
				return nil, err
			}
			return versionR.Dependencies(w.ctx, v, *a.env, a.extras, a.markerTrueOnly)
		}, "environment", "extras", "markerTrueOnly"),
		"dependents": child(dependentConn, func(w *writer, f graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			a, err := argsFor(w, f, dependentsArgsOf(w))
			if err != nil {
				return nil, err
			}
			return versionR.Dependents(w.ctx, v, a.env, a.first, a.after)
		}, append(connectionArgs, "environment")...),
		"metadata": child(metadata, func(w *writer, _ graphql.CollectedField, v *persistence.PackageVersion) (any, error) {
			return versionR.Metadata(w.ctx, v)
		}),
	}
	dependency.fields = map[string]member[persistence.Dependency]{
		"name": leaf(func(b []byte, d *persistence.Dependency) []byte { return quoted(b, d.PackageName) }),
		"package": child(pkg, func(w *writer, _ graphql.CollectedField, d *persistence.Dependency) (any, error) {
			return dependencyR.Package(w.ctx, d)
		}),
		"versionRange":           leaf(func(b []byte, d *persistence.Dependency) []byte { return quoted(b, d.VersionRange) }),
		"marker":                 leaf(func(b []byte, d *persistence.Dependency) []byte { return optStr(b, d.Marker) }),
		"extra":                  leaf(func(b []byte, d *persistence.Dependency) []byte { return optStr(b, d.Extra) }),
		"extras":                 leaf(func(b []byte, d *persistence.Dependency) []byte { return appendStrings(b, d.Extras) }),
		"markerEvaluationResult": leaf(func(b []byte, d *persistence.Dependency) []byte { return appendOptBool(b, d.MarkerEvaluationResult) }),
		"resolvedVersions": child(version, func(w *writer, f graphql.CollectedField, d *persistence.Dependency) (any, error) {
			includeMissing, err := argsFor(w, f, func(args map[string]any) (*bool, error) {
				return optBool(args, "includeMissing")
			})
			if err != nil {
				return nil, err
			}
			return dependencyR.ResolvedVersions(w.ctx, d, includeMissing)
		}, "includeMissing"),
		"documentId": leaf(func(b []byte, d *persistence.Dependency) []byte { return quoted(b, d.DocumentID) }),
	}
	environment.fields = map[string]member[persistence.Environment]{
		"id":            idLeaf(environmentR.ID),
		"osName":        leaf(func(b []byte, e *persistence.Environment) []byte { return quoted(b, e.OSName) }),
		"osVersion":     leaf(func(b []byte, e *persistence.Environment) []byte { return quoted(b, e.OSVersion) }),
		"pythonVersion": leaf(func(b []byte, e *persistence.Environment) []byte { return quoted(b, e.PythonVersion) }),
	}
	index.fields = map[string]member[persistence.PackageIndex]{
		"id":              idLeaf(indexR.ID),
		"url":             leaf(func(b []byte, x *persistence.PackageIndex) []byte { return quoted(b, x.URL) }),
		"warehouseApiUrl": leaf(func(b []byte, x *persistence.PackageIndex) []byte { return optStr(b, x.WarehouseAPIURL) }),
		"verifySsl":       leaf(func(b []byte, x *persistence.PackageIndex) []byte { return boolean(b, x.VerifySSL) }),
		"enabled":         leaf(func(b []byte, x *persistence.PackageIndex) []byte { return boolean(b, x.Enabled) }),
	}
	metadata.fields = map[string]member[persistence.PackageMetadata]{
		"summary":        leaf(func(b []byte, m *persistence.PackageMetadata) []byte { return optStr(b, m.Summary) }),
		"license":        leaf(func(b []byte, m *persistence.PackageMetadata) []byte { return optStr(b, m.License) }),
		"requiresPython": leaf(func(b []byte, m *persistence.PackageMetadata) []byte { return optStr(b, m.RequiresPython) }),
		"classifiers":    leaf(func(b []byte, m *persistence.PackageMetadata) []byte { return appendStrings(b, m.Classifiers) }),
	}
	d := &direct{types: map[string]directType{}}
	for _, t := range []interface {
		directType
		typeName() string
	}{pageInfo, pkgConn, pkgEdge, pkg, versionConn, versionEdge, version, dependency, dependentConn, dependentEdge,
		environment, index, metadata} {
		d.types[t.typeName()] = t
	}
	return d
}

func (t *object[T]) typeName() string { return t.name }

// errNoValue stands for a required argument without a value (gqlgen
// reports it).
var errNoValue error = persistence.Errorf(persistence.CodeInvalid, "missing argument")
