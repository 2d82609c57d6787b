package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestPutKind: `seshat put` stores a document whose id has no known prefix
// in the folder of its kind: from --kind, else solver/ when
// metadata.analyzer is the solver's; with neither it fails naming --kind.
// `seshat sync` then ingests them all as solver documents, and syncs one
// again by its id.
func TestPutKind(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	read := func(name string) []byte { return testenv.ReadTestdata(t, "solver", name) }
	dir := t.TempDir()
	write := func(name string, raw []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// No metadata.document_id: named by the file; analyzer thoth-solver.
	named := write("scoring-resolved.json", read("solver-fedora-29-py36-5ca1ab1e.json"))
	// A thoth-solver 1.0 id in metadata.document_id.
	legacy := write("legacy.json", read("seshat-thoth-solver-fc26.json"))
	// Neither an id prefix nor an analyzer.
	var doc map[string]any
	if err := json.Unmarshal(read("solver-fedora-29-py36-5ca1ab1e.json"), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["metadata"].(map[string]any), "analyzer")
	raw, _ := json.Marshal(doc)
	anonymous := write("mystery-run.json", raw)

	code, out, errOut := runCLI(t, vars, "put", named, legacy)
	if code != 0 || !strings.Contains(out, named+" -> solver/scoring-resolved\n") ||
		!strings.Contains(out, legacy+" -> solver/seshat-thoth-solver-fc26\n") || !strings.Contains(out, "stored 2 documents") {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "put", anonymous)
	if code != 1 || !strings.Contains(errOut, `document id "mystery-run" has no known kind prefix`) ||
		!strings.Contains(errOut, "give it with --kind (solver, revsolver, adviser") {
		t.Fatalf("put without a kind: exit %d\n%s\n%s", code, out, errOut)
	}
	// --kind applies to ids with no prefix only.
	prefixed := write("prefixed.json", read("solver-fedora-31-py37-01dea5ed.json"))
	code, out, errOut = runCLI(t, vars, "put", "--kind", "solver", anonymous, prefixed)
	if code != 0 || !strings.Contains(out, "-> solver/mystery-run\n") || !strings.Contains(out, "-> solver/solver-fedora-31-py37-01dea5ed\n") {
		t.Fatalf("put --kind solver: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "put", "--kind", "kebechet", anonymous)
	if code != 2 || !strings.Contains(errOut, `--kind "kebechet" is not a document kind (solver, revsolver, adviser, package-extract, provenance-checker, dependency-monkey, inspection, security-indicator, vulnerability)`) {
		t.Fatalf("put --kind kebechet: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "solver")
	if code != 0 || !summaryLine(out, "synced", "4") || !summaryLine(out, "failed", "0") {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	conn := testenv.Conn(t, dbURL)
	lines := func(query string) string {
		t.Helper()
		rows, err := conn.Query(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, "\n")
	}
	if got, want := lines(`SELECT id || ' ' || kind || ' ' || status || ' ' || object_key FROM document ORDER BY id`), strings.Join([]string{
		"mystery-run solver INGESTED solver/mystery-run",
		"scoring-resolved solver INGESTED solver/scoring-resolved",
		"seshat-thoth-solver-fc26 solver INGESTED solver/seshat-thoth-solver-fc26",
		"solver-fedora-31-py37-01dea5ed solver INGESTED solver/solver-fedora-31-py37-01dea5ed",
	}, "\n"); got != want {
		t.Errorf("documents:\n%s\nwant:\n%s", got, want)
	}
	// The environments come from metadata for the ids that encode none.
	if got, want := lines(`SELECT DISTINCT e.os_name || '-' || e.os_version || '-' || e.python_version
		FROM solved s JOIN environment e ON e.id = s.environment_id ORDER BY 1`), "fedora-26-3.6\nfedora-29-3.6\nfedora-31-3.7"; got != want {
		t.Errorf("environments solved in:\n%s\nwant:\n%s", got, want)
	}

	code, out, errOut = runCLI(t, vars, "sync", "--id", "seshat-thoth-solver-fc26", "--force")
	if code != 0 || !summaryLine(out, "synced", "1") {
		t.Fatalf("sync --id of an unprefixed id: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--id", "never-put")
	if code != 1 || !strings.Contains(out, "prefix solver/never-put") {
		t.Fatalf("sync --id of an unknown unprefixed id: exit %d\n%s\n%s", code, out, errOut)
	}
}
