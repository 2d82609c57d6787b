package resolvers

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/persistence"
)

func schema(t *testing.T) *ast.Schema {
	t.Helper()
	return graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
}

// objectTypes returns the schema's object types, introspection types left out.
func objectTypes(s *ast.Schema) []*ast.Definition {
	var out []*ast.Definition
	for name, def := range s.Types {
		if def.Kind == ast.Object && !strings.HasPrefix(name, "__") {
			out = append(out, def)
		}
	}
	slices.SortFunc(out, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// many reports whether field f returns a list or a Relay connection (an
// object with edges and pageInfo): the fields whose elements a plan must
// fetch per level.
func many(s *ast.Schema, f *ast.FieldDefinition) bool {
	if f.Type.Elem != nil {
		return true
	}
	def := s.Types[f.Type.Name()]
	return def != nil && def.Fields.ForName("edges") != nil && def.Fields.ForName("pageInfo") != nil
}

// onPaths returns the fields a step's path passes through (a connection's
// edges and node), which the step plans.
func onPaths(t *testing.T, s *ast.Schema) map[fieldKey]fieldKey {
	t.Helper()
	out := map[fieldKey]fieldKey{}
	for k, st := range plans {
		f := s.Types[k.typ].Fields.ForName(k.field)
		if f == nil {
			continue // TestPrefetchPlanMatchesSchema reports it
		}
		typ := f.Type.Name()
		for _, name := range st.path {
			out[fieldKey{typ, name}] = k
			next := s.Types[typ].Fields.ForName(name)
			if next == nil {
				break
			}
			typ = next.Type.Name()
		}
	}
	return out
}

// TestPrefetchPlanComplete: every list and connection field of the schema
// has a prefetch plan (an entry in plans, or a place on an entry's path) or
// a reason in unplanned, so a new one cannot silently cost a statement per
// element.
func TestPrefetchPlanComplete(t *testing.T) {
	s := schema(t)
	paths := onPaths(t, s)
	n := 0
	for _, def := range objectTypes(s) {
		for _, f := range def.Fields {
			k := fieldKey{def.Name, f.Name}
			if strings.HasPrefix(f.Name, "__") || !many(s, f) {
				continue
			}
			n++
			_, planned := plans[k]
			_, onPath := paths[k]
			if !planned && !onPath && unplanned[k] == "" {
				t.Errorf("%s (%s) has no prefetch plan: add its step to plans in resolvers/prefetch.go, "+
					"or its reason to unplanned if it needs none", k, f.Type)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found %d list and connection fields; the schema walk is broken", n)
	}
}

// TestPrefetchPlanMatchesSchema: the tables name fields the schema has,
// each step's type is where its path leads, every step is reachable from a
// root field, and the Go types handed from step to step agree.
func TestPrefetchPlanMatchesSchema(t *testing.T) {
	s := schema(t)
	field := func(k fieldKey) *ast.FieldDefinition {
		if def := s.Types[k.typ]; def != nil {
			return def.Fields.ForName(k.field)
		}
		return nil
	}
	for k, st := range plans {
		f := field(k)
		if f == nil {
			t.Errorf("plans: %s is not a field of the schema", k)
			continue
		}
		typ := f.Type.Name()
		for _, name := range st.path {
			next := field(fieldKey{typ, name})
			if next == nil {
				t.Errorf("plans: %s: path %v: %s has no field %s", k, st.path, typ, name)
				typ = ""
				break
			}
			typ = next.Type.Name()
		}
		if typ != "" && typ != st.of {
			t.Errorf("plans: %s: path %v leads to %s, the step says %s", k, st.path, typ, st.of)
		}
		if k.typ == "Query" || k.typ == "Mutation" {
			continue // root fields start walks
		}
		var from []fieldKey
		for k2, st2 := range plans {
			if st2.of == k.typ {
				from = append(from, k2)
			}
		}
		if len(from) == 0 {
			t.Errorf("plans: %s: no step leads to %s, so the walk never plans it", k, k.typ)
		}
		if st.fetch == nil {
			for _, k2 := range from {
				if plans[k2].fetch != nil {
					t.Errorf("plans: %s has no fetch, but the walk reaches %s through %s", k, k.typ, k2)
				}
			}
		}
	}
	for k, why := range unplanned {
		switch f := field(k); {
		case f == nil:
			t.Errorf("unplanned: %s is not a field of the schema", k)
		case !many(s, f):
			t.Errorf("unplanned: %s is neither a list nor a connection", k)
		case plans[k].of != "":
			t.Errorf("unplanned: %s has a plan too (%s)", k, why)
		}
	}
	// Every step leading to a type hands on objects of one Go type, the one
	// the steps on that type take.
	outs := map[string]map[reflect.Type][]fieldKey{}
	for k, st := range plans {
		if outs[st.of] == nil {
			outs[st.of] = map[reflect.Type][]fieldKey{}
		}
		outs[st.of][st.out] = append(outs[st.of][st.out], k)
	}
	for typ, byGo := range outs {
		if len(byGo) > 1 {
			t.Errorf("plans: the steps to %s hand on different Go types: %v", typ, byGo)
		}
	}
	for k, st := range plans {
		if st.fetch == nil {
			continue
		}
		for gt, from := range outs[k.typ] {
			if gt != st.in {
				t.Errorf("plans: %s takes []%v, but %v hand on []%v", k, st.in, from, gt)
			}
		}
	}
	// The walk's own entry points.
	for typ, want := range map[string]reflect.Type{
		"Package":        reflect.TypeFor[persistence.Package](),
		"PackageVersion": reflect.TypeFor[persistence.PackageVersion](),
	} {
		for gt := range outs[typ] {
			if gt != want {
				t.Errorf("plans: steps to %s hand on %v, plan.walk is given %v", typ, gt, want)
			}
		}
	}
}

// TestPrefetchPlanRootPaths: the paths the root resolvers plan at are in plans.
func TestPrefetchPlanRootPaths(t *testing.T) {
	for _, c := range []struct {
		fields []string
		want   string
	}{
		{[]string{"package"}, "Package"},
		{[]string{"packages", "edges", "node"}, "Package"},
		{[]string{"packageVersion"}, "PackageVersion"},
		{[]string{"dependents", "edges", "node"}, "PackageVersion"},
		{[]string{"unsolvedPackageVersions", "edges", "node"}, "PackageVersion"},
		{[]string{"dependencyGraph", "nodes", "packageVersion"}, "PackageVersion"},
		{[]string{"dependencyGraph", "root"}, "PackageVersion"},
		{[]string{"package", "edges", "node"}, ""},
		{[]string{"packages", "edges"}, ""},
		{[]string{"document"}, ""},
	} {
		if got := planned("Query", c.fields); got != c.want {
			t.Errorf("planned(Query, %v) = %q, want %q", c.fields, got, c.want)
		}
	}
}

// TestPrefetchPlanReports: a selection the walk has no plan for is logged,
// not skipped silently; a planned one is not.
func TestPrefetchPlanReports(t *testing.T) {
	s := schema(t)
	doc, errs := gqlparser.LoadQuery(s, `{ packageVersion(name: "a", version: "1") {
	  id name package { name } dependencies(environment: {osName: "rhel", osVersion: "8", pythonVersion: "3.8"}) { extras package { name } }
	  solved { environment { osName } } } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
	root := graphql.CollectFields(op, doc.Operations[0].SelectionSet, nil)[0]
	fields := graphql.CollectFields(op, root.Selections, []string{"PackageVersion"})
	run := func(t *testing.T, walk func(p *plan)) string {
		var buf bytes.Buffer
		ctx := graphql.WithOperationContext(context.Background(), op)
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query", Field: root})
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		walk(&plan{r: &Resolver{Logger: logger}, ctx: ctx, op: op})
		if buf.Len() > 0 {
			t.Log(buf.String())
		}
		return buf.String()
	}
	for _, c := range []struct {
		name string
		walk func(p *plan)
		want []string // substrings of the log; none when nil
	}{
		{"planned", func(p *plan) {
			p.versions(p.below("PackageVersion"), nil)
		}, nil},
		{"no step for the field", func(p *plan) {
			p.walk("Vulnerability", fields, []persistence.Vulnerability{{}})
		}, []string{"no prefetch plan", "field=package", "Vulnerability.package", "field=dependencies", "field=solved", "root=packageVersion"}},
		{"objects of another Go type", func(p *plan) {
			p.walk("PackageVersion", fields, []persistence.Package{{}})
		}, []string{"field=package", "the level holds []persistence.Package"}},
		{"root path not in plans", func(p *plan) {
			p.packages(p.below("Package", "edges", "node"), nil)
		}, []string{"field=packageVersion", "plans has no path [edges node] to Package"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.walk)
			if c.want == nil && got != "" {
				t.Errorf("logged %q", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("log %q lacks %q", got, w)
				}
			}
		})
	}
}
