package objectstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

func TestKeyIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kind, id, key string }{
		{"solver", "fridex-thoth-solver-fc26-thoth-solver-fc26", "solver/fridex-thoth-solver-fc26-thoth-solver-fc26"},
		{"solver", "thamos-scoring-resolved", "solver/thamos-scoring-resolved"},
		{"solver", "solver-84e44698-3490-405f-964d-d0237586d7c9", "solver/solver-84e44698-3490-405f-964d-d0237586d7c9"},
		{"solver", "solver-fedora-31-py37-012b745d", "solver/solver-fedora-31-py37-012b745d"},
		{"", "solver-fedora-31-py37-012b745d", "solver/solver-fedora-31-py37-012b745d"},
		{"package-extract", "result-ok-analyzer-1", "analysis/result-ok-analyzer-1"},
		{"dependency-monkey", "report-2020-09-07", "dependency-monkey-reports/report-2020-09-07"},
		{"inspection", "tfcpu-matmul", "inspections/tfcpu-matmul"},
	} {
		got, err := objectstore.KeyIn(tc.kind, tc.id)
		if err != nil || got != tc.key {
			t.Errorf("KeyIn(%q, %q) = %q, %v; want %q", tc.kind, tc.id, got, err, tc.key)
		}
		if id := objectstore.DocumentID(got); id != tc.id {
			t.Errorf("DocumentID(%q) = %q, want %q", got, id, tc.id)
		}
		if tc.kind != "" {
			if k := objectstore.KindOfKey(got); k != tc.kind {
				t.Errorf("KindOfKey(%q) = %q, want %q", got, k, tc.kind)
			}
		}
	}
	for _, tc := range []struct{ kind, id, want string }{
		{"solver", "adviser-04ab56d6", "has the prefix of adviser documents, not of solver ones"},
		{"kebechet", "kebechet-1", "unknown document kind \"kebechet\" (known kinds: solver, revsolver, adviser, package-extract, provenance-checker, dependency-monkey, inspection, security-indicator, vulnerability)"},
		{"", "thamos-scoring-resolved", "no known kind prefix"},
		{"solver", "", "empty"},
		{"solver", "solver/x", "contains '/'"},
		{"solver", "..", ""},
	} {
		_, err := objectstore.KeyIn(tc.kind, tc.id)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("KeyIn(%q, %q)", tc.kind, tc.id))
		if err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("KeyIn(%q, %q): %v, want it to say %q", tc.kind, tc.id, err, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"solver/fridex-thoth-solver-fc26-thoth-solver-fc26":                   "solver",
		"thoth-prod/solver/thamos-scoring-resolved":                           "solver",
		"analysis/result-ok-analyzer-1":                                       "package-extract",
		"dependency-monkey-reports/report":                                    "dependency-monkey",
		"inspections/inspection-tfcpu-matmul-5e5a1563/results/0/result":       "inspection",
		"security-indicators/security-indicator-211124154025-de8d82a3/bandit": "security-indicator",
		"solver-fedora-31-py37-012b745d":                                      "",
		"adviser":                                                             "",
		"kebechet/kebechet-1":                                                 "",
		"solver/sub/x":                                                        "",
		"":                                                                    "",
	} {
		if got := objectstore.KindOfKey(key); got != want {
			t.Errorf("KindOfKey(%q) = %q, want %q", key, got, want)
		}
	}
	for id, want := range map[string]string{
		"solver-fedora-31-py37-012b745d":             "solver",
		"package-extract-210810153022-8fd9c2b4bbdc7": "package-extract",
		"revsolver-1": "revsolver",
		"solver-":     "",
		"fridex-thoth-solver-fc26-thoth-solver-fc26": "",
	} {
		if got := objectstore.KindOfID(id); got != want {
			t.Errorf("KindOfID(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestLayout checks the table of kinds through its functions: every kind
// has a folder of its own that KindOfKey reads back, and a prefix of its
// own, listed in the message for an id without one, that no other prefix
// starts.
func TestLayout(t *testing.T) {
	t.Parallel()
	kinds := objectstore.Kinds()
	folders := map[string]string{}
	for _, kind := range kinds {
		key, err := objectstore.KeyIn(kind, "x")
		if err != nil {
			t.Fatalf("KeyIn(%q, x): %v", kind, err)
		}
		folder := strings.TrimSuffix(key, "/x")
		if other, ok := folders[folder]; ok {
			t.Errorf("kinds %s and %s share the folder %q", other, kind, folder)
		}
		folders[folder] = kind
		if got := objectstore.KindOfKey(key + "/result"); got == kind {
			continue // a folder per document
		}
		if got := objectstore.KindOfKey(key); got != kind {
			t.Errorf("KindOfKey(%q) = %q, want %q", key, got, kind)
		}
	}

	_, err := objectstore.KindFor("x", "", "")
	msg := persistence.ErrorMessage(err)
	_, list, ok := strings.Cut(msg, "(")
	if !ok {
		t.Fatalf("KindFor(x): %v, want the known prefixes listed", err)
	}
	prefixes := strings.Split(strings.TrimSuffix(list, ")"), ", ")
	if len(prefixes) != len(kinds) {
		t.Fatalf("%q lists %d prefixes, want one per kind (%d)", msg, len(prefixes), len(kinds))
	}
	for i, p := range prefixes {
		if got := objectstore.KindOfID(p + "x"); got != kinds[i] {
			t.Errorf("prefix %q names %q, want %q", p, got, kinds[i])
		}
		for _, q := range prefixes {
			if p != q && strings.HasPrefix(q, p) {
				t.Errorf("prefix %q starts prefix %q", p, q)
			}
		}
	}
}

func TestKindFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, key, declared, kind string }{
		{"solver-fedora-31-py37-012b745d", "", "", "solver"},
		{"solver-fedora-31-py37-012b745d", "analysis/solver-fedora-31-py37-012b745d", "", "solver"},
		{"solver-fedora-31-py37-012b745d", "", "solver", "solver"},
		{"fridex-thoth-solver-fc26-thoth-solver-fc26", "solver/fridex-thoth-solver-fc26-thoth-solver-fc26", "", "solver"},
		{"thamos-scoring-resolved", "thoth-prod/solver/thamos-scoring-resolved", "", "solver"},
		{"thamos-scoring-resolved", "", "solver", "solver"},
		{"thamos-scoring-resolved", "analysis/thamos-scoring-resolved", "solver", "solver"},
		{"result-ok-analyzer-1", "analysis/result-ok-analyzer-1", "", "package-extract"},
		{"tfcpu-matmul", "inspections/tfcpu-matmul/results/0/result", "", "inspection"},
	} {
		got, err := objectstore.KindFor(tc.id, tc.key, tc.declared)
		if err != nil || got != tc.kind {
			t.Errorf("KindFor(%q, %q, %q) = %q, %v; want %q", tc.id, tc.key, tc.declared, got, err, tc.kind)
		}
	}
	for _, tc := range []struct{ id, key, declared, want string }{
		{"adviser-04ab56d6", "", "solver", "document id \"adviser-04ab56d6\" has the prefix of adviser documents, not of solver ones"},
		{"adviser-04ab56d6", "solver/adviser-04ab56d6", "solver", "has the prefix of adviser documents"},
		{"other-run", "", "kebechet", "unknown document kind \"kebechet\" (known kinds: solver, revsolver, adviser, package-extract, provenance-checker, dependency-monkey, inspection, security-indicator, vulnerability)"},
		{"mystery-run", "", "", "document id \"mystery-run\" has no known kind prefix (solver-, revsolver-, adviser-, package-extract-, provenance-checker-, dependency-monkey-, inspection-, security-indicator-, vulnerability-)"},
		{"mystery-run", "misc/mystery-run", "", "no known kind prefix"},
		{"solver-", "", "", "no known kind prefix"},
	} {
		_, err := objectstore.KindFor(tc.id, tc.key, tc.declared)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("KindFor(%q, %q, %q)", tc.id, tc.key, tc.declared))
		if err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("KindFor(%q, %q, %q): %v, want it to say %q", tc.id, tc.key, tc.declared, err, tc.want)
		}
	}
	for analyzer, want := range map[string]string{
		"thoth-solver":  "solver",
		"thoth_solver":  "solver",
		"thoth-adviser": "",
		"":              "",
	} {
		if got := objectstore.KindOfAnalyzer(analyzer); got != want {
			t.Errorf("KindOfAnalyzer(%q) = %q, want %q", analyzer, got, want)
		}
	}
}
