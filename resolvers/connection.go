package resolvers

import (
	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
)

// connectionOf is the shape every generated connection type has: a
// *connectionOf[model.XEdge] converts to a *model.XConnection, and stops
// compiling when the generated type gains a field.
type connectionOf[E any] struct {
	Edges      []E
	PageInfo   *model.PageInfo
	TotalCount int
}

// pageConnection maps a persistence page into the edges, page info and total of
// a connection, edge making each item's edge from its cursor and the item
// (which the edge may point into). p is the page asked for: a page after a
// cursor has a previous page.
func pageConnection[T, E any](c persistence.Connection[T], p persistence.Page, edge func(cursor string, item *T) E) *connectionOf[E] {
	out := &connectionOf[E]{Edges: make([]E, len(c.Items)), PageInfo: pageInfo(c, p), TotalCount: c.TotalCount}
	for i := range c.Items {
		out.Edges[i] = edge(c.Cursors[i], &c.Items[i])
	}
	return out
}

// pageInfo is the page info of c: its first and last cursors, and a
// previous page when p starts after a cursor.
func pageInfo[T any](c persistence.Connection[T], p persistence.Page) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: c.HasNextPage, HasPreviousPage: p.After != ""}
	if n := len(c.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &c.Cursors[0], &c.Cursors[n-1]
	}
	return info
}

func packageEdge(cursor string, p *persistence.Package) model.PackageEdge {
	return model.PackageEdge{Cursor: cursor, Node: p}
}

func versionEdge(cursor string, v *persistence.PackageVersion) model.PackageVersionEdge {
	return model.PackageVersionEdge{Cursor: cursor, Node: v}
}

func vulnerabilityEdge(cursor string, v *persistence.Vulnerability) model.VulnerabilityEdge {
	return model.VulnerabilityEdge{Cursor: cursor, Node: v}
}

func documentEdge(cursor string, d *persistence.Document) model.DocumentEdge {
	return model.DocumentEdge{Cursor: cursor, Node: d}
}

// dependentEdge is a dependent with the requirement that links it to the
// next step towards the target.
func dependentEdge(cursor string, d *persistence.Dependent) model.DependentEdge {
	return model.DependentEdge{Cursor: cursor, Node: &d.Version, Depth: d.Depth,
		Environment: &d.Environment, VersionRange: d.VersionRange, Marker: d.Marker, Extra: d.Extra}
}
