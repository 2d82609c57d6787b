package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestPutSync uploads the project's solver documents (testdata/solver) with
// `seshat put`, ingests them with `seshat sync`, then a malformed one makes
// sync exit 1 with the failure in its summary.
func TestPutSync(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	vars["SESHAT_DEPLOYMENT"] = "test"
	dir := testenv.Testdata(t, "solver")

	// By metadata.document_id; by file name when the document has none; a
	// legacy id without the "solver-" prefix in the solver folder.
	code, out, errOut := runCLI(t, vars, "put", dir)
	if code != 0 || !strings.Contains(out, "stored 8 documents") ||
		!strings.Contains(out, "solver-fedora-31-py37-01dea5ed.json -> solver/solver-fedora-31-py37-01dea5ed\n") ||
		!strings.Contains(out, "solver-fedora-29-py36-5ca1ab1e.json -> solver/solver-fedora-29-py36-5ca1ab1e\n") ||
		!strings.Contains(out, "seshat-thoth-solver-fc26.json -> solver/seshat-thoth-solver-fc26\n") {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "put", "--quiet", filepath.Join(dir, "solver-fedora-31-py37-0d15ea5e.json"))
	if code != 0 || !strings.HasPrefix(out, "stored 1 documents") || strings.Count(out, "\n") != 1 {
		t.Fatalf("put --quiet: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "solver", "--workers", "2")
	if code != 0 || !summaryLine(out, "synced", "8") || !summaryLine(out, "failed", "0") {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	conn := testenv.Conn(t, dbURL)
	var ingested, edges int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE status = 'INGESTED') FROM document`).Scan(&ingested); err != nil || ingested != 8 {
		t.Errorf("%d documents INGESTED (%v), want 8", ingested, err)
	}
	// The edges of the eight documents: 6 + 2 + 11 + 3 + 0 + 0 + 9 + 3.
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM depends_on`).Scan(&edges); err != nil || edges != 34 {
		t.Errorf("%d edges (%v), want 34", edges, err)
	}

	bad := filepath.Join(t.TempDir(), "solver-fedora-31-py37-0badbad0.json")
	if err := os.WriteFile(bad, []byte(`{"metadata": {"document_id": "solver-fedora-31-py37-0badbad0"}, "result": {"tree": 3}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = runCLI(t, vars, "put", "--quiet", bad); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "solver")
	if code != 1 || !summaryLine(out, "skipped", "8") || !summaryLine(out, "failed", "1") ||
		!strings.Contains(out, "solver-fedora-31-py37-0badbad0  INVALID") || !strings.Contains(out, "result.tree") ||
		!strings.Contains(errOut, "some documents failed: 1 of 9") {
		t.Fatalf("sync with a malformed document: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--id", "solver-fedora-31-py37-01dea5ed", "--force", "--dry-run")
	if code != 0 || !summaryLine(out, "valid (dry run)", "1") {
		t.Fatalf("sync --id --dry-run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestPutCreateBucket: put into a missing S3 bucket fails naming
// --create-bucket, and with it creates the bucket and stores.
func TestPutCreateBucket(t *testing.T) {
	t.Parallel()
	s3 := testenv.MissingBucket(t, "thoth")
	vars := storeVars(s3)
	doc := filepath.Join(t.TempDir(), "solver-fedora-31-py37-0badbad0.json")
	if err := os.WriteFile(doc, []byte(`{"metadata": {"document_id": "solver-fedora-31-py37-0badbad0"}, "result": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, vars, "put", doc)
	if code == 0 || !strings.Contains(errOut, "does not exist") || !strings.Contains(errOut, "seshat put --create-bucket") {
		t.Fatalf("put into a missing bucket: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "put", "--create-bucket", doc)
	if code != 0 || !strings.Contains(out, "stored 1 documents in "+s3.URL) {
		t.Fatalf("put --create-bucket: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = runCLI(t, vars, "put", "--quiet", doc); code != 0 {
		t.Fatalf("put into the bucket created: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestPutSyncUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sync", "--help"}, 0, "--dry-run"},
		{[]string{"put", "--help"}, 0, "metadata.document_id"},
		{[]string{"put"}, 2, "no PATH given"},
		{[]string{"sync", "--workers", "0"}, 2, "--workers must be at least 1"},
		{[]string{"sync", "solver-x"}, 2, "unexpected argument"},
	} {
		code, out, errOut := runCLI(t, map[string]string{}, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}
