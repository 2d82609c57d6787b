package solver

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

// namedDoc is a 2018-19 solver document without metadata.document_id, as
// thoth-solver 1.0-1.1 wrote them when run outside a cluster (invented content).
func namedDoc(t *testing.T, analyzer string, meta map[string]any) []byte {
	t.Helper()
	m := map[string]any{
		"analyzer": analyzer, "analyzer_version": "1.1.0", "datetime": "2019-03-12T11:42:04.389519",
		"distribution": map[string]any{"id": "fedora", "version": "29"},
		"python":       map[string]any{"major": 3, "minor": 6, "micro": 8},
	}
	for k, v := range meta {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	raw, err := json.Marshal(map[string]any{
		"metadata": m,
		"result": map[string]any{
			"tree": []any{map[string]any{"package_name": "Example-App", "package_version": "1.0.0", "dependencies": []any{
				map[string]any{"package_name": "example-lib", "required_version": ">=2.0", "resolved_versions": []any{"2.0", "2.1"}},
			}}},
			"errors": []any{}, "unresolved": []any{},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseNamed(t *testing.T) {
	want := newEnv("fedora", "29", "3.6")
	for _, tc := range []struct {
		name, id, analyzer string
		meta               map[string]any
		env                python.Environment
	}{
		{name: "a file name", id: "scoring-resolved", analyzer: "thoth-solver", env: want},
		{name: "a legacy id", id: "someone-thoth-solver-fc29", analyzer: "thoth-solver", env: want},
		{name: "solver-uuid", id: "solver-0f8fad5b-d9cb-469f-a165-70867728950e", analyzer: "thoth_solver", env: want},
		{name: "no distribution", id: "scoring-resolved", analyzer: "thoth-solver",
			meta: map[string]any{"distribution": nil, "os_release": map[string]any{"id": "rhel", "version_id": "8.2"}}, env: newEnv("rhel", "8", "3.6")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseNamed(tc.id, namedDoc(t, tc.analyzer, tc.meta))
			if err != nil {
				t.Fatal(err)
			}
			if d.ID != tc.id || !d.Legacy || d.Environment != tc.env || d.SolverName != solverNameFor(tc.env) ||
				len(d.Entries) != 1 || d.Entries[0].Name != "example-app" || d.Entries[0].Dependencies[0].VersionRange != ">=2.0" {
				t.Errorf("parsed %+v", d)
			}
		})
	}
}

// Parse keeps refusing an id that is only a name; both refuse what encodes
// no environment and says none.
func TestParseNamedRefusals(t *testing.T) {
	var ve *ValidationError
	if _, err := Parse("scoring-resolved", namedDoc(t, "thoth-solver", nil)); !errors.As(err, &ve) || ve.Path != "id" {
		t.Errorf("Parse of a named document: %v, want an error at id", err)
	}
	if _, err := ParseNamed("solver-fedora-31", namedDoc(t, "thoth-solver", nil)); !errors.As(err, &ve) || ve.Path != "id" {
		t.Errorf("ParseNamed of a malformed solver- id: %v, want an error at id", err)
	}
	for _, tc := range []struct {
		meta map[string]any
		path string
	}{
		{map[string]any{"distribution": nil}, "metadata.distribution"},
		{map[string]any{"python": nil}, "metadata.python"},
		{map[string]any{"analyzer": "thoth-adviser"}, "metadata.analyzer"},
		{map[string]any{"document_id": "other-name"}, "metadata.document_id"},
	} {
		_, err := ParseNamed("scoring-resolved", namedDoc(t, "thoth-solver", tc.meta))
		if !errors.As(err, &ve) || ve.Path != tc.path {
			t.Errorf("ParseNamed with %v: %v, want an error at %s", tc.meta, err, tc.path)
		}
	}
}

func TestParseIDUUID(t *testing.T) {
	if _, _, err := ParseID("solver-84e44698-3490-405f-964d-d0237586d7c9"); !errors.Is(err, ErrUUIDID) {
		t.Errorf("solver-<uuid>: %v, want ErrUUIDID", err)
	}
	for _, id := range []string{"solver-84E44698-3490-405f-964d-d0237586d7c9", "solver-84e44698-3490-405f-964d-d0237586d7c", "solver-84e44698-3490-405f-964d-d0237586d7c9-0"} {
		if _, _, err := ParseID(id); err == nil || errors.Is(err, ErrUUIDID) {
			t.Errorf("ParseID(%q) = %v, want a plain error", id, err)
		}
	}
}
