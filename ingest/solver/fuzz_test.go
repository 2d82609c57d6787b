package solver

import (
	"errors"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

// FuzzParseID checks the document-id grammar: ParseID never panics, an
// accepted id yields a solver name that is a prefix of the id and a
// normalised environment, and rejecting a legacy id says so with ErrLegacyID.
// Seeds: testdata/fuzz/FuzzParseID.
func FuzzParseID(f *testing.F) {
	for _, id := range []string{
		"solver-fedora-31-py37-0123abcd",
		"solver-rhel-8-py38-210525123456-0123456789abcdef",
		"solver-ubi-8.2-py310-0123abcd",
		"someone-thoth-solver-rhel7",
		"solver-rhel-8-py38-991399999999-0123abcd",
		"solver--8-py38-0123abcd",
		"",
	} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		name, env, err := ParseID(id)
		if err != nil {
			if name != "" || env != (python.Environment{}) {
				t.Fatalf("ParseID(%q) returned %q %+v with error %v", id, name, env, err)
			}
			if errors.Is(err, ErrLegacyID) && strings.HasPrefix(id, "solver-") {
				t.Fatalf("ParseID(%q): a solver- id called legacy", id)
			}
			return
		}
		if !strings.HasPrefix(id, name+"-") || !strings.HasPrefix(name, "solver-") {
			t.Fatalf("ParseID(%q): solver name %q is not the id's prefix", id, name)
		}
		if env.OSName == "" || env.OSVersion == "" || env.PythonVersion == "" {
			t.Fatalf("ParseID(%q): incomplete environment %+v", id, env)
		}
		if env.Normalized() != env {
			t.Fatalf("ParseID(%q): environment %+v is not normalised (%+v)", id, env, env.Normalized())
		}
		if len(id) > maxIDBytes {
			t.Fatalf("ParseID accepted a %d-byte id", len(id))
		}
	})
}
