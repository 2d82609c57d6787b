package server

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
)

// graphLists writes the nodes and edges lists of Query.dependencyGraph
// straight into the response instead of through the generated executor.
//
// A whole-closure walk returns thousands of nodes and ~30 edges per node;
// the generated code marshals every list element in a goroutine of its own
// and every leaf field through a FieldContext, about 24 times the CPU of
// the walk itself (docs/benchmarks.md). Everything else stays with gqlgen:
// the root field runs as usual (arguments, access, limits, the resolver,
// errors and null propagation, root and environment), except that while it
// runs InterceptField hands gqlgen the graph with the lists this path will
// write left empty; InterceptRootField then replaces those lists' values in
// the DependencyGraph field set. A list is written here only when every
// field selected under it is a plain leaf (a node's packageVersion, for
// one, is not) and nothing under it is deferred; the output is the same
// bytes gqlgen writes.
type graphLists struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
	graphql.FieldInterceptor
} = graphLists{}

func (graphLists) ExtensionName() string                   { return "DependencyGraphLists" }
func (graphLists) Validate(graphql.ExecutableSchema) error { return nil }

// graphListsKey carries a *graphListsState from InterceptRootField to
// InterceptField.
type graphListsKey struct{}

type graphListsState struct {
	// fields are the DependencyGraph fields selected, in gqlgen's order.
	fields []graphql.CollectedField
	// nodes and edges: the lists this path writes (nil: gqlgen writes them).
	nodes, edges []leafField
	// graph is what the resolver returned.
	graph *model.DependencyGraph
}

func (graphLists) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Field == nil || rfc.Field.ObjectDefinition == nil || rfc.Field.ObjectDefinition.Name != "Query" ||
		rfc.Field.Name != "dependencyGraph" || rfc.Field.IsDeferred() {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	st := &graphListsState{fields: graphql.CollectFields(oc, rfc.Field.Selections, []string{"DependencyGraph"})}
	nodes, edges := true, true
	for _, f := range st.fields {
		if f.IsDeferred() {
			return next(ctx)
		}
		switch f.Name {
		case "nodes":
			st.nodes, nodes = leafFields(oc, f, "DependencyGraphNode", nodeLeaves, st.nodes, nodes)
		case "edges":
			st.edges, edges = leafFields(oc, f, "DependencyGraphEdge", edgeLeaves, st.edges, edges)
		}
	}
	if !nodes {
		st.nodes = nil
	}
	if !edges {
		st.edges = nil
	}
	if st.nodes == nil && st.edges == nil {
		return next(ctx)
	}
	res := next(context.WithValue(ctx, graphListsKey{}, st))
	fs, ok := res.(*graphql.FieldSet)
	if !ok || st.graph == nil || len(fs.Values) != len(st.fields) {
		// An error (Null), or a shape this path does not know: gqlgen's
		// answer, whose lists were never emptied unless st.graph is set.
		return res
	}
	sp, _ := ctx.Value(splicesKey{}).(*splices)
	for i, f := range st.fields {
		switch {
		case f.Name == "nodes" && st.nodes != nil:
			fs.Values[i] = sp.add(nodeList{nodes: st.graph.Nodes, sel: fieldsOf(st.nodes, f.Alias)})
		case f.Name == "edges" && st.edges != nil:
			fs.Values[i] = sp.add(edgeList{edges: st.graph.Edges, sel: fieldsOf(st.edges, f.Alias)})
		}
	}
	return fs
}

// splicesKey carries the *splices of a response the HTTP transport writes.
type splicesKey struct{}

// splices are lists written straight to the client after gqlgen has
// encoded the rest of the response, where gqlgen's data holds a marker for
// each: a whole walk is tens of megabytes, which gqlgen would otherwise
// collect in one growing buffer (fresh memory to fault in and clear on
// every request) before the transport copies it out.
type splices struct {
	mu    sync.Mutex
	lists []graphql.Marshaler
}

// add returns m's marker when the response has splices, m otherwise.
func (s *splices) add(m graphql.Marshaler) graphql.Marshaler {
	if s == nil {
		return m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = append(s.lists, m)
	return splice(len(s.lists) - 1)
}

// splice is the marker of list n: NUL, n, NUL. A NUL byte never occurs in
// gqlgen's JSON otherwise (strings escape every control character).
type splice int

func (n splice) MarshalGQL(w io.Writer) {
	b := append(strconv.AppendInt([]byte{0}, int64(n), 10), 0)
	_, _ = w.Write(b)
}

// writeData writes data to w with each marker replaced by its list.
func (s *splices) writeData(w io.Writer, data []byte) {
	for len(s.lists) > 0 {
		i := bytes.IndexByte(data, 0)
		if i < 0 {
			break
		}
		j := bytes.IndexByte(data[i+1:], 0)
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(string(data[i+1 : i+1+j]))
		if err != nil || n < 0 || n >= len(s.lists) {
			break
		}
		_, _ = w.Write(data[:i])
		s.lists[n].MarshalGQL(w)
		data = data[i+1+j+1:]
	}
	_, _ = w.Write(data)
}

// InterceptField keeps the resolved graph for InterceptRootField and hands
// gqlgen a copy without the lists it will write.
func (graphLists) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); err != nil || fc.Object != "Query" || fc.Field.Name != "dependencyGraph" {
		return res, err
	}
	st, _ := ctx.Value(graphListsKey{}).(*graphListsState)
	g, ok := res.(*model.DependencyGraph)
	if st == nil || !ok || g == nil {
		return res, err
	}
	st.graph = g
	lean := *g
	if st.nodes != nil {
		lean.Nodes = []model.DependencyGraphNode{}
	}
	if st.edges != nil {
		lean.Edges = []model.DependencyGraphEdge{}
	}
	return &lean, nil
}

// leafField is one field selected under a list element: its response key
// (already quoted, with the colon) and which model field it reads.
type leafField struct {
	alias string // the list's response key
	key   []byte
	name  string
}

var (
	nodeLeaves = map[string]bool{"__typename": true, "id": true, "name": true, "version": true, "indexUrl": true,
		"depth": true, "solved": true, "solverError": true, "extras": true}
	edgeLeaves = map[string]bool{"__typename": true, "from": true, "to": true, "versionRange": true,
		"marker": true, "extra": true, "markerEvaluationResult": true}
)

// leafFields appends the fields selected under list field f to acc when all
// of them are leaves this path writes; ok turns false otherwise.
func leafFields(oc *graphql.OperationContext, f graphql.CollectedField, typ string, leaves map[string]bool,
	acc []leafField, ok bool) ([]leafField, bool) {
	if !ok {
		return acc, false
	}
	for _, sf := range graphql.CollectFields(oc, f.Selections, []string{typ}) {
		if !leaves[sf.Name] || sf.IsDeferred() {
			return acc, false
		}
		acc = append(acc, leafField{alias: f.Alias, key: append(appendQuoted(nil, sf.Alias), ':'), name: sf.Name})
	}
	return acc, true
}

func fieldsOf(fs []leafField, alias string) []leafField {
	var out []leafField
	for _, f := range fs {
		if f.alias == alias {
			out = append(out, f)
		}
	}
	return out
}

// flushAt is how much a list writer buffers before writing.
const flushAt = 256 << 10

type nodeList struct {
	nodes []model.DependencyGraphNode
	sel   []leafField
}

func (l nodeList) MarshalGQL(w io.Writer) {
	writeList(w, l.nodes, l.sel, func(b []byte, n *model.DependencyGraphNode, name string) []byte {
		switch name {
		case "__typename":
			return append(b, `"DependencyGraphNode"`...)
		case "id":
			return appendQuoted(b, n.ID)
		case "name":
			return appendQuoted(b, n.Name)
		case "version":
			return appendQuoted(b, n.Version)
		case "indexUrl":
			return appendOptString(b, n.IndexURL)
		case "depth":
			return strconv.AppendInt(b, int64(n.Depth), 10)
		case "solved":
			return strconv.AppendBool(b, n.Solved)
		case "solverError":
			return strconv.AppendBool(b, n.SolverError)
		case "extras":
			b = append(b, '[')
			for k, x := range n.Extras {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendQuoted(b, x)
			}
			return append(b, ']')
		}
		return b
	})
}

type edgeList struct {
	edges []model.DependencyGraphEdge
	sel   []leafField
}

func (l edgeList) MarshalGQL(w io.Writer) {
	writeList(w, l.edges, l.sel, func(b []byte, e *model.DependencyGraphEdge, name string) []byte {
		switch name {
		case "__typename":
			return append(b, `"DependencyGraphEdge"`...)
		case "from":
			return appendQuoted(b, e.From)
		case "to":
			return appendQuoted(b, e.To)
		case "versionRange":
			return appendQuoted(b, e.VersionRange)
		case "marker":
			return appendOptString(b, e.Marker)
		case "extra":
			return appendOptString(b, e.Extra)
		case "markerEvaluationResult":
			if e.MarkerEvaluationResult == nil {
				return append(b, "null"...)
			}
			return strconv.AppendBool(b, *e.MarkerEvaluationResult)
		}
		return b
	})
}

// writeList writes items as a JSON array of objects with the fields of
// sel, field appending the value of one; it writes in chunks of flushAt.
func writeList[T any](w io.Writer, items []T, sel []leafField, field func(b []byte, item *T, name string) []byte) {
	b := make([]byte, 0, flushAt+4096)
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, f := range sel {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, f.key...)
			b = field(b, &items[i], f.name)
		}
		b = append(b, '}')
		if len(b) >= flushAt {
			_, _ = w.Write(b)
			b = b[:0]
		}
	}
	b = append(b, ']')
	_, _ = w.Write(b)
}

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendQuoted(b, *s)
}

const hexDigits = "0123456789abcdef"

// appendQuoted quotes s as gqlgen's graphql.MarshalString does: only '"',
// '\\' and control characters are escaped; other bytes, UTF-8 or not, are
// copied.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
