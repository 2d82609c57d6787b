//go:build thoth

package cli

import (
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// The conformance suite over real Thoth solver documents (`make test-thoth`):
// the directory testenv.ThothFixtures names, GPL-3.0 data read in place and
// never copied into this repository. It takes whatever the folder holds.

// summaryValue is the value of a summary line "<label>  <value>" of out,
// -1 when there is none.
func summaryValue(out, label string) int {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.TrimPrefix(line, label); f != line {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
				return n
			}
		}
	}
	return -1
}

// TestThothPutSync uploads the directory of real solver documents with
// `seshat put` and ingests it with `seshat sync`: every document is stored
// and processed, every refusal is INVALID and makes sync exit 1, and the
// document rows agree with the summary.
func TestThothPutSync(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	vars["SESHAT_DEPLOYMENT"] = "test"
	dir := testenv.ThothFixtures(t, "solver")
	n := 0
	if err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			n++
		}
		return err
	}); err != nil || n == 0 {
		t.Fatalf("no solver documents in %s: %v", dir, err)
	}

	code, out, errOut := runCLI(t, vars, "put", dir)
	if code != 0 || !strings.Contains(out, "\nstored "+strconv.Itoa(n)+" documents in ") || strings.Count(out, " -> solver/") != n {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("conformance: seshat put stored the %d real solver documents:\n%s", n, out)

	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "solver", "--workers", "2")
	processed, synced, failed := summaryValue(out, "processed"), summaryValue(out, "synced"), summaryValue(out, "failed")
	if processed != n || synced+failed != n || (failed == 0) != (code == 0) ||
		failed > 0 && (code != 1 || !strings.Contains(errOut, "some documents failed: "+strconv.Itoa(failed)+" of "+strconv.Itoa(n))) {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	if failed > 0 {
		_, table, _ := strings.Cut(out, "Failed documents:")
		if strings.Count(table, "  INVALID  ") != failed {
			t.Errorf("failures other than INVALID:\n%s", table)
		}
	}
	t.Logf("conformance: seshat sync: %d synced, %d failed (exit %d)\n%s", synced, failed, code, out)

	conn := testenv.Conn(t, dbURL)
	var ingested, refused, edges int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE status = 'INGESTED'), count(*) FILTER (WHERE status = 'FAILED' AND error_code = 'INVALID') FROM document`).
		Scan(&ingested, &refused); err != nil || ingested != synced || refused != failed {
		t.Errorf("%d documents INGESTED, %d FAILED INVALID (%v); want %d and %d", ingested, refused, err, synced, failed)
	}
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM depends_on`).Scan(&edges); err != nil || synced > 0 && edges == 0 {
		t.Errorf("%d edges (%v)", edges, err)
	}
	t.Logf("conformance: %d edges in the graph", edges)

	// Unchanged documents are skipped the second time.
	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "solver")
	if summaryValue(out, "skipped") != synced || summaryValue(out, "failed") != failed || (failed == 0) != (code == 0) {
		t.Fatalf("second sync: exit %d\n%s\n%s", code, out, errOut)
	}
}
