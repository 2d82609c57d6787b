package bench

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// TestNestedQueryShapes: both shapes of the nested query validate against
// Seshat's schema and parse in PostGraphile's naming, the deeper one nests
// one more list on both servers, and countLeaves counts the same answer in
// either naming.
func TestNestedQueryShapes(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	query := func(body string) string {
		var b struct{ Query string }
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Fatal(err)
		}
		return b.Query
	}
	for _, deeper := range []bool{false, true} {
		shape := NestedShape{Packages: 25, Versions: 1000, Deeper: deeper}
		sq := query(SeshatNestedQuery(shape, env))
		if _, errs := gqlparser.LoadQuery(schema, sq); len(errs) > 0 {
			t.Errorf("%d levels: %v\n%s", shape.Levels(), errs, sq)
		}
		pq := query(PostGraphileNestedQuery(shape, 1))
		if _, err := parser.ParseQuery(&ast.Source{Input: pq}); err != nil {
			t.Errorf("%d levels, PostGraphile: %v\n%s", shape.Levels(), err, pq)
		}
		for name, q := range map[string]string{"seshat": sq, "postgraphile": pq} {
			want := 1
			if deeper {
				want = 2
			}
			dep := "dependencies("
			if name == "postgraphile" {
				dep = "dependsOnsByVersionId("
			}
			if got := strings.Count(q, dep); got != want {
				t.Errorf("%d levels, %s: %d dependency lists, want %d", shape.Levels(), name, got, want)
			}
		}
	}
	seshat := `{"data":{"packages":{"edges":[{"node":{"name":"a","versions":{"edges":[{"node":{"version":"1","dependencies":[
		{"versionRange":"*","resolvedVersions":[{"version":"2","dependencies":[{"versionRange":">1"}]},{"version":"3","dependencies":[]}]}]}}]}}}]}}}`
	peer := `{"data":{"allPackages":{"nodes":[{"name":"a","packageVersionsByPackageId":{"nodes":[{"version":"1","dependsOnsByVersionId":{"nodes":[
		{"versionRange":"*","dependsOnResolvedsByEdgeId":{"nodes":[{"packageVersionByVersionId":{"version":"2","dependsOnsByVersionId":{"nodes":[{"versionRange":">1"}]}}},
		{"packageVersionByVersionId":{"version":"3","dependsOnsByVersionId":{"nodes":[]}}}]}}]}}]}}]}}}`
	for name, body := range map[string]string{"seshat": seshat, "postgraphile": peer} {
		v, e, err := countLeaves([]byte(body))
		if err != nil || v != 2 || e != 2 {
			t.Errorf("%s: %d versions and %d edges (%v), want 2 and 2", name, v, e, err)
		}
	}
}
