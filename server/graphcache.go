package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/persistence"
)

// graphCache answers Query.dependencyGraph from a graphcache.Cache: the
// value of the field as the bytes gqlgen would write, kept per arguments
// and selection set (the selection after fragments, @include and @skip,
// in response order), reused while none of the packages of its closure
// changed in its environment or everywhere (persistence's generations).
//
// Only selections whose every field reads what the generations count are
// kept (cacheFields): the walk's nodes and edges, the root's and the
// nodes' plain version columns, the environment, and the vulnerability
// overlay. Anything else (a version's dependents, metadata, artifacts, an
// argument) leaves the request to the usual path, as does an answer with
// an error, an unknown root or environment, or a root not solved in the
// environment (the walk then costs one statement: nothing to save). On a
// miss the field runs as usual into a buffer (with graphLists' lists
// spliced in), and the bytes are both stored and written.
//
// A root field interceptor must be outside graphLists (it sees the lists
// written), the field interceptor graphCapture inside it (it sees the
// graph before graphLists empties its lists).
type graphCache struct {
	cache  *graphcache.Cache
	logger *slog.Logger
	// satisfies are, per type of cacheFields, the type names a fragment
	// may be spread on (the type and its interfaces), as the generated
	// code's implementors.
	satisfies map[string][]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = (*graphCache)(nil)

func (*graphCache) ExtensionName() string { return "GraphCache" }

// Validate takes the satisfies lists from the schema.
func (gc *graphCache) Validate(schema graphql.ExecutableSchema) error {
	s := schema.Schema()
	gc.satisfies = map[string][]string{}
	for name := range cacheFields {
		sat := []string{name}
		if def := s.Types[name]; def != nil {
			for _, i := range s.GetImplements(def) {
				sat = append(sat, i.Name)
			}
		}
		gc.satisfies[name] = sat
	}
	return nil
}

// cacheFields are, per GraphQL type, the fields a kept answer may select,
// with the type of each field's value ("" for a leaf). Each reads only what
// the generations of the closure's packages count: the walk (solved rows,
// edges, what they resolve to, missing flags), version rows, the
// environment row, and the vulnerability records matched to the versions.
// A field added here must keep to that.
var cacheFields = map[string]map[string]string{
	"DependencyGraph": {"__typename": "", "root": "PackageVersion", "environment": "Environment",
		"nodes": "DependencyGraphNode", "edges": "DependencyGraphEdge", "vulnerable": "DependencyGraphNode",
		"truncated": "", "depthReached": ""},
	"DependencyGraphNode": {"__typename": "", "id": "", "name": "", "version": "", "indexUrl": "", "depth": "",
		"solved": "", "solverError": "", "extras": "", "packageVersion": "PackageVersion", "vulnerabilities": "Vulnerability"},
	"DependencyGraphEdge": {"__typename": "", "from": "", "to": "", "versionRange": "", "marker": "", "extra": "",
		"markerEvaluationResult": ""},
	"PackageVersion": {"__typename": "", "id": "", "name": "", "version": "", "indexUrl": "", "versionText": "",
		"isMissing": "", "providesSourceDistro": ""},
	"Environment": {"__typename": "", "id": "", "osName": "", "osVersion": "", "pythonVersion": ""},
	"Vulnerability": {"__typename": "", "id": "", "aliases": "", "summary": "", "details": "", "severity": "Severity",
		"published": "", "modified": "", "withdrawn": "", "link": "", "references": "VulnerabilityReference",
		"documentId": "", "fixedIn": ""},
	"Severity":               {"__typename": "", "type": "", "score": ""},
	"VulnerabilityReference": {"__typename": "", "type": "", "url": ""},
}

// selectionKey appends the canonical form of the fields selected in sel on
// typ to b, and reports whether every one is in cacheFields without
// arguments and nothing is deferred.
func (gc *graphCache) selectionKey(oc *graphql.OperationContext, sel ast.SelectionSet, typ string, b []byte) ([]byte, bool) {
	fields := cacheFields[typ]
	b = append(b, '{')
	for i, f := range graphql.CollectFields(oc, sel, gc.satisfies[typ]) {
		child, ok := fields[f.Name]
		if !ok || len(f.Arguments) > 0 || f.IsDeferred() {
			return b, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, f.Alias...), ':'), f.Name...)
		if child != "" {
			if b, ok = gc.selectionKey(oc, f.Selections, child, b); !ok {
				return b, false
			}
		}
	}
	return append(b, '}'), true
}

// cacheKey is the key of the root field's answer, or false when the
// selection is not one the cache keeps.
func (gc *graphCache) cacheKey(oc *graphql.OperationContext, f graphql.CollectedField) (string, bool) {
	args, err := json.Marshal(f.ArgumentMap(oc.Variables))
	if err != nil {
		return "", false
	}
	b, ok := gc.selectionKey(oc, f.Selections, "DependencyGraph", append(args, 0))
	return string(b), ok
}

// graphCaptureKey carries a *capturedGraph from InterceptRootField to
// graphCapture.
type graphCaptureKey struct{}

type capturedGraph struct{ graph *model.DependencyGraph }

func (gc *graphCache) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Field == nil || rfc.Field.ObjectDefinition == nil || rfc.Field.ObjectDefinition.Name != "Query" ||
		rfc.Field.Name != "dependencyGraph" || rfc.Field.IsDeferred() {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	key, ok := gc.cacheKey(oc, rfc.Field)
	if !ok {
		gc.cache.Skip()
		return next(ctx)
	}
	t, err := gc.cache.Begin(ctx)
	if err != nil {
		// Without the generations no answer can be vouched for: this one
		// is read afresh, as without the cache.
		gc.logger.WarnContext(ctx, "graph cache: generations unreadable, answering without the cache", "err", err)
		return next(ctx)
	}
	out, _ := ctx.Value(splicesKey{}).(*splices)
	value, fill, hit := t.Lookup(ctx, key)
	if hit {
		return out.add(rawJSON(value))
	}
	defer fill.Abandon() // after Put, a no-op
	// The generations are read from the primary: the answer stored must
	// be read there too, never from a standby behind them.
	captured := &capturedGraph{}
	local := &splices{}
	inner := context.WithValue(context.WithValue(persistence.ReadFromPrimary(ctx), splicesKey{}, local), graphCaptureKey{}, captured)
	res := next(inner)
	if res == graphql.Null {
		return res
	}
	var data, buf bytes.Buffer
	res.MarshalGQL(&data)
	local.writeData(&buf, data.Bytes())
	value = buf.Bytes()
	if deps, ok := graphDeps(captured.graph); ok && !fieldErrors(ctx, rfc.Field.Alias) {
		// The buffer grew by doubling: up to twice the answer's bytes
		// behind it. The cache keeps a copy of exactly the answer, or the
		// memory it holds would be up to twice what it is charged.
		value = bytes.Clone(value)
		fill.Put(value, deps)
	} else {
		gc.cache.Skip()
	}
	return out.add(rawJSON(value))
}

// fieldErrors reports whether an error was recorded under the root field
// with response key alias.
func fieldErrors(ctx context.Context, alias string) bool {
	for _, e := range graphql.GetErrors(ctx) {
		if len(e.Path) > 0 && e.Path[0] == ast.PathName(alias) {
			return true
		}
	}
	return false
}

// graphDeps is what answer g was read from, or false when it is not kept:
// an unknown root or environment, or a root not solved there.
func graphDeps(g *model.DependencyGraph) (graphcache.Deps, bool) {
	if g == nil || g.Root == nil || g.Environment == nil || len(g.Nodes) == 0 || !g.Nodes[0].Solved {
		return graphcache.Deps{}, false
	}
	d := graphcache.Deps{Environment: g.Environment.ID, Packages: make([]int64, 0, len(g.Nodes)+1)}
	d.Packages = append(d.Packages, g.Root.PackageID)
	for _, n := range g.Nodes {
		if n.PackageVersion == nil {
			return graphcache.Deps{}, false
		}
		d.Packages = append(d.Packages, n.PackageVersion.PackageID)
	}
	return d, true
}

// graphCapture hands the graph the dependencyGraph resolver returned to
// graphCache (see there for its place among the extensions).
type graphCapture struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = graphCapture{}

func (graphCapture) ExtensionName() string                   { return "GraphCacheCapture" }
func (graphCapture) Validate(graphql.ExecutableSchema) error { return nil }

func (graphCapture) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if c, ok := ctx.Value(graphCaptureKey{}).(*capturedGraph); ok && err == nil {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Query" && fc.Field.Name == "dependencyGraph" {
			c.graph, _ = res.(*model.DependencyGraph)
		}
	}
	return res, err
}
