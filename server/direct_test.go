package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// sameBytes serves one graph twice: through the direct writer (fast) and
// with every field left to gqlgen's generated code (plain).
type sameBytes struct {
	fast, plain *httptest.Server
	written     *atomic.Int64
	// packages and versions name some of the graph's, for arguments.
	packages []string
	versions []graphgen.Version
}

func newSameBytes(t *testing.T) *sameBytes {
	t.Helper()
	ctx := context.Background()
	store, _, dbURL := testenv.Store(t)
	envs := []persistence.EnvironmentKey{{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
		{OSName: "fedora", OSVersion: "38", PythonVersion: "3.11"}}
	g := graphgen.Generate(graphgen.Config{
		Seed: 11, Packages: 40, VersionsPerPackage: 4, DepsPerVersion: 4,
		Indexes: []string{"https://pypi.org/simple", "https://example.com/simple"}, Environments: envs,
		Unsolved: 0.1, SolverError: 0.1, FalseMarker: 0.2, Extra: 0.3, TargetExtras: 0.3,
	})
	if err := g.Ingest(ctx, store, "solver-direct"); err != nil {
		t.Fatal(err)
	}
	// Strings that need escaping, in a requirement and in metadata.
	oddMarker := "python_version < \"3.9\" and os_name == 'posix\\\t\x01'"
	odd := &persistence.SolverResult{SolverName: "solver-rhel-8-py38", SolverVersion: "1.0", Environment: envs[0],
		SolvedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Duration: 1,
		Entries: []persistence.SolvedEntry{
			{Name: "odd", Version: "1.0", IndexURL: "https://pypi.org/simple", Dependencies: []persistence.DependencyEntry{{
				Name: "odd-dep", VersionRange: ">=1,<2", Marker: &oddMarker,
				Resolved: []persistence.ResolvedEntry{{IndexURL: "https://pypi.org/simple", Versions: []string{"1.5"}}},
			}}},
			{Name: "odd-dep", Version: "1.5", IndexURL: "https://pypi.org/simple"},
		}}
	if _, err := store.IngestSolverResult(ctx, persistence.DocumentRef{ID: "odd", Kind: "solver", SHA256: "odd"}, odd, false); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Conn(t, dbURL).Exec(ctx, `
		INSERT INTO package_metadata (version_id, summary, license, requires_python, classifiers, document_id)
		SELECT id, 'Summary "quoted"	tab \ backslash ✓', CASE WHEN id % 2 = 0 THEN 'MIT' END, '>=3.8',
		       ARRAY['Programming Language :: Python', 'License :: "OSI"'], 'odd'
		FROM package_version WHERE id % 3 = 0
		ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	sb := &sameBytes{written: &atomic.Int64{}}
	sb.fast = httptest.NewServer(GraphQL(r, logger, GraphQLOptions{directWritten: sb.written}))
	t.Cleanup(sb.fast.Close)
	sb.plain = httptest.NewServer(GraphQL(r, logger, GraphQLOptions{generatedLists: true}))
	t.Cleanup(sb.plain.Close)
	seen := map[string]bool{}
	for _, v := range g.Versions {
		sb.versions = append(sb.versions, v)
		if !seen[v.Name] {
			seen[v.Name] = true
			sb.packages = append(sb.packages, v.Name)
		}
	}
	sb.packages = append(sb.packages, "odd")
	return sb
}

func post(t *testing.T, url, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON from %s: %.300s", url, b)
	}
	return resp.Status + " " + string(b)
}

// same requires byte-identical answers and returns how many fields the
// fast server wrote directly for the query.
func (sb *sameBytes) same(t *testing.T, query string, vars map[string]any) (string, int64) {
	t.Helper()
	before := sb.written.Load()
	got := post(t, sb.fast.URL+"/graphql", query, vars)
	n := sb.written.Load() - before
	want := post(t, sb.plain.URL+"/graphql", query, vars)
	if got != want && strings.Count(want, `"message":`) > 1 {
		// gqlgen lists the errors of concurrent fields in the order they
		// happen: compare them as a set, the rest byte for byte.
		got, want = errorsSorted(t, got), errorsSorted(t, want)
	}
	if got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-200)
		t.Fatalf("responses differ at byte %d\nquery: %s\ndirect:    …%.500s\ngenerated: …%.500s", i, query, got[from:], want[from:])
	}
	return got, n
}

// errorsSorted returns resp (status, then body) with its errors sorted.
func errorsSorted(t *testing.T, resp string) string {
	t.Helper()
	status, body, _ := strings.Cut(resp, " {")
	body = "{" + body
	var r struct {
		Errors     []json.RawMessage `json:"errors"`
		Data       json.RawMessage   `json:"data"`
		Extensions json.RawMessage   `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	errs := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = string(e)
	}
	sort.Strings(errs)
	return fmt.Sprintf("%s errors %s data %s extensions %s", status, strings.Join(errs, "\n"), r.Data, r.Extensions)
}

const envArg = `{osName: "rhel", osVersion: "8", pythonVersion: "3.8"}`

// TestDirectSameBytes sends the same queries to a gateway that writes
// fields directly (direct) and to one that leaves every field to gqlgen,
// and requires byte-identical responses: for every list field of the
// schema (found by walking it from Query), with every leaf of its elements
// and the leaves of the objects one level below; then for the benchmark's
// nested shapes, aliases, fragments on types and interfaces, @include and
// @skip, __typename, strings that need escaping, arguments that fail or do
// not coerce, and fields the writer does not know next to ones it does.
func TestDirectSameBytes(t *testing.T) {
	t.Parallel()
	sb := newSameBytes(t)
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	args := argValues(sb)

	t.Run("every list field", func(t *testing.T) {
		paths := pathsFromQuery(schema)
		var names []string
		for _, def := range schema.Types {
			if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
				continue
			}
			for _, f := range def.Fields {
				if f.Type.Elem != nil && !strings.HasPrefix(f.Name, "__") {
					names = append(names, def.Name+"."+f.Name)
				}
			}
		}
		sort.Strings(names)
		direct := 0
		for _, name := range names {
			typ, field, _ := strings.Cut(name, ".")
			path, ok := paths[typ]
			if !ok {
				if onlyFromMutation(schema, typ) {
					continue // mutations are always gqlgen's
				}
				t.Errorf("%s: no path from Query to %s", name, typ)
				continue
			}
			def := schema.Types[typ].Fields.ForName(field)
			inner, err := fieldSelection(schema, def, args, 1)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			q, err := wrap(schema, path, inner, args)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, n := sb.same(t, "{ "+q+" }", nil)
			if !strings.Contains(got, `"data":{`) {
				t.Errorf("%s: no data: %.300s", name, got)
			}
			if n > 0 {
				direct++
			}
		}
		if direct == 0 {
			t.Errorf("no list field was written directly")
		}
		t.Logf("%d list fields, %d of their queries written (partly) directly", len(names), direct)
	})

	env := envArg
	nested := `{ packages(first: 25) { edges { node { name
		versions(first: 100) { edges { node { version
			dependencies(environment: ` + env + `, markerTrueOnly: false) { versionRange
				resolvedVersions { version } } } } } } } } }`
	deeper := `{ packages(first: 25) { edges { node { name
		versions(first: 100) { edges { node { version
			dependencies(environment: ` + env + `, markerTrueOnly: false) { versionRange
				resolvedVersions { version
					dependencies(environment: ` + env + `, markerTrueOnly: false) { versionRange } } } } } } } } } }`
	cases := []struct {
		name   string
		query  string
		vars   map[string]any
		direct bool // the fast server writes at least one field itself
	}{
		{name: "nested benchmark shape", query: nested, direct: true},
		{name: "one more level", query: deeper, direct: true},
		{name: "every field of a version", direct: true, query: `{ packages(first: 60) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { __typename id name latestVersion { id version }
				versions(first: 3) { totalCount pageInfo { endCursor hasNextPage } edges { cursor node {
					__typename id name version indexUrl
					index { __typename id url warehouseApiUrl verifySsl enabled }
					package { id name }
					environments { __typename id osName osVersion pythonVersion }
					metadata { __typename summary license requiresPython classifiers }
					dependencies(environment: ` + env + `, extras: ["security"]) { __typename name versionRange marker extra extras markerEvaluationResult documentId
						package { name } resolvedVersions { id name version indexUrl } } } } } } } } }`},
		{name: "aliases, fragments, directives", direct: true, vars: map[string]any{"yes": true, "no": false},
			query: `query($yes: Boolean!, $no: Boolean!) { p: packages(first: 30) { e: edges { n: node { ...P
				a: versions(first: 2) { edges { node { ... on Node { id } v: version name @include(if: $yes) indexUrl @skip(if: $yes) } } }
				b: versions(first: 1, after: null) { edges { node { version ...D } } } } } }
				q: packages(first: 2, nameStartsWith: "o") { edges { node { name } } } }
			fragment P on Package { name id @include(if: $no) }
			fragment D on PackageVersion { dependencies(environment: ` + env + `) { n: name marker @skip(if: $no) resolvedVersions { __typename version } } }`},
		{name: "strings that need escaping", direct: true, query: `{ package(name: "odd") { name versions { edges { node { version
			dependencies(environment: ` + env + `, markerTrueOnly: false) { marker versionRange resolvedVersions { name version } } } } } } }`},
		{name: "dependents", direct: true, query: `{ packages(first: 40) { edges { node { name
			dependents(environment: ` + env + `, first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor depth versionRange marker extra
				environment { osName pythonVersion } node { name version } } } } } } }`},
		{name: "unknown field next to known ones", query: `{ packages(first: 20) { edges { node { name
			versions { edges { node { version solverErrors { solverName } dependencies(environment: ` + env + `) { resolvedVersions { version } } } } } } } } }`,
			direct: true},
		{name: "bad page size inside", query: `{ packages(first: 5) { edges { node { name versions(first: -1) { totalCount } } } } }`},
		{name: "bad cursor inside", query: `{ packages(first: 5) { edges { node { name versions(after: "garbage") { edges { node { version } } } } } } }`},
		{name: "bad environment inside", query: `{ packages(first: 5) { edges { node { versions { edges { node {
			dependencies(environment: {osName: "", osVersion: "8", pythonVersion: "3.8"}) { name } } } } } } } }`},
		{name: "variables that do not coerce", vars: map[string]any{"n": "ten"},
			query: `query($n: Int) { packages(first: 5) { edges { node { versions(first: $n) { totalCount } } } } }`},
		{name: "unknown package", query: `{ package(name: "no-such-package") { name versions { totalCount } } }`},
		{name: "dependency graph root", direct: true, query: `{ dependencyGraph(root: {name: "odd", version: "1.0"}, environment: ` + env + `) {
			root { id name version dependencies(environment: ` + env + `, markerTrueOnly: false) { marker resolvedVersions { version } } }
			nodes { id packageVersion { version } } edges { from to } } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, n := sb.same(t, c.query, c.vars)
			if c.direct && n == 0 {
				t.Errorf("nothing written directly: %.300s", got)
			}
		})
	}
}

// pathsFromQuery returns, for every object type reachable from Query, the
// fields that lead to it (shortest first found).
func pathsFromQuery(schema *ast.Schema) map[string][]*ast.FieldDefinition {
	paths := map[string][]*ast.FieldDefinition{"Query": nil}
	queue := []string{"Query"}
	for len(queue) > 0 {
		typ := queue[0]
		queue = queue[1:]
		for _, f := range schema.Types[typ].Fields {
			next := schema.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || next == nil || next.Kind != ast.Object {
				continue
			}
			if _, ok := paths[next.Name]; ok {
				continue
			}
			paths[next.Name] = append(slices.Clone(paths[typ]), f)
			queue = append(queue, next.Name)
		}
	}
	return paths
}

// onlyFromMutation reports whether typ is reachable from Mutation.
func onlyFromMutation(schema *ast.Schema, typ string) bool {
	if schema.Mutation == nil {
		return false
	}
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(t string) bool {
		if t == typ {
			return true
		}
		if seen[t] {
			return false
		}
		seen[t] = true
		def := schema.Types[t]
		if def == nil || def.Kind != ast.Object {
			return false
		}
		for _, f := range def.Fields {
			if walk(f.Type.Name()) {
				return true
			}
		}
		return false
	}
	return walk(schema.Mutation.Name)
}

// argValues are values of required arguments, by field then by type.
func argValues(sb *sameBytes) map[string]string {
	root := sb.versions[0]
	return map[string]string{
		"Query.package.name":             fmt.Sprintf("%q", root.Name),
		"Query.packageVersion.name":      fmt.Sprintf("%q", root.Name),
		"Query.packageVersion.version":   fmt.Sprintf("%q", root.Version),
		"Query.dependents.name":          fmt.Sprintf("%q", sb.packages[5]),
		"Query.vulnerability.id":         `"PYSEC-0000-1"`,
		"Query.document.id":              `"odd"`,
		"Query.node.id":                  `"UGFja2FnZTox"`,
		"EnvironmentInput":               envArg,
		"PackageVersionInput":            fmt.Sprintf("{name: %q, version: %q}", root.Name, root.Version),
		"Query.dependencyGraph.maxDepth": "3",
		"Query.resolve.input":            fmt.Sprintf("{requirements: [%q], environment: %s}", root.Name, envArg),
		"Query.packages.first":           "30",
		"arg name":                       fmt.Sprintf("%q", root.Name),
		"arg version":                    fmt.Sprintf("%q", root.Version),
	}
}

// argsOf writes the required arguments of f on typ (and, where argValues
// names one, optional ones).
func argsOf(schema *ast.Schema, typ string, f *ast.FieldDefinition, values map[string]string) (string, error) {
	var parts []string
	for _, a := range f.Arguments {
		v, ok := values[typ+"."+f.Name+"."+a.Name]
		if !ok && a.Type.NonNull && a.DefaultValue == nil {
			v, ok = values[a.Type.Name()]
			if !ok {
				v, ok = values["arg "+a.Name]
			}
			if !ok {
				// Any value of a scalar: the answer may be null or an
				// error, compared all the same.
				v, ok = map[string]string{"ID": `"0"`, "String": `"x"`, "Int": "1", "Boolean": "false"}[a.Type.Name()]
			}
			if def := schema.Types[a.Type.Name()]; !ok && def != nil && def.Kind == ast.Enum && len(def.EnumValues) > 0 {
				v, ok = def.EnumValues[0].Name, true
			}
			if !ok {
				return "", fmt.Errorf("no value for the required argument %s.%s.%s: add one to argValues", typ, f.Name, a.Name)
			}
		}
		if ok && v != "" {
			parts = append(parts, a.Name+": "+v)
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "(" + strings.Join(parts, ", ") + ")", nil
}

// fieldSelection selects f with every leaf of its type and, depth levels
// down, the objects below with their leaves.
func fieldSelection(schema *ast.Schema, f *ast.FieldDefinition, values map[string]string, depth int) (string, error) {
	def := schema.Types[f.Type.Name()]
	owner := ""
	for _, t := range schema.Types {
		if t.Fields.ForName(f.Name) == f {
			owner = t.Name
		}
	}
	args, err := argsOf(schema, owner, f, values)
	if err != nil {
		return "", err
	}
	if def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return f.Name + args, nil
	}
	sel := []string{"__typename"}
	switch def.Kind {
	case ast.Interface, ast.Union:
		for _, impl := range schema.GetPossibleTypes(def) {
			sel = append(sel, "... on "+impl.Name+" { __typename }")
		}
	case ast.Object:
		for _, c := range def.Fields {
			if strings.HasPrefix(c.Name, "__") {
				continue
			}
			cd := schema.Types[c.Type.Name()]
			if cd.Kind != ast.Scalar && cd.Kind != ast.Enum && depth == 0 {
				continue
			}
			s, err := fieldSelection(schema, c, values, depth-1)
			if err != nil {
				return "", err
			}
			sel = append(sel, s)
		}
	}
	return f.Name + args + " { " + strings.Join(sel, " ") + " }", nil
}

// wrap selects inner at the end of path from Query.
func wrap(schema *ast.Schema, path []*ast.FieldDefinition, inner string, values map[string]string) (string, error) {
	typ := "Query"
	var open []string
	for _, f := range path {
		args, err := argsOf(schema, typ, f, values)
		if err != nil {
			return "", err
		}
		open = append(open, f.Name+args+" { __typename ")
		typ = f.Type.Name()
	}
	return strings.Join(open, "") + inner + strings.Repeat(" }", len(path)), nil
}
