package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

func TestVulnerabilitiesImport(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MigratedDatabase(t)
	vars := map[string]string{"SESHAT_DATABASE_URL": dbURL}
	dir := testenv.Testdata(t, "osv")

	code, out, errOut := runCLI(t, vars, "vulnerabilities", "import", dir)
	if code != 0 || !summaryLine(out, "new", "3") || !summaryLine(out, "withdrawn", "1") || !summaryLine(out, "invalid", "0") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	// Again: nothing changes.
	code, out, errOut = runCLI(t, vars, "vulnerabilities", "import", dir)
	if code != 0 || !summaryLine(out, "unchanged", "4") || !summaryLine(out, "new", "0") || !summaryLine(out, "updated", "0") {
		t.Fatalf("re-import: exit %d\n%s\n%s", code, out, errOut)
	}

	// A refused record: exit 1, the others imported, the path and field named.
	bad := t.TempDir()
	for name, body := range map[string]string{
		"PYSEC-9999-1.json": `{"id":"PYSEC-9999-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"CALVER","events":[{"introduced":"0"}]}]}]}`,
		"PYSEC-9999-2.json": `{"id":"PYSEC-9999-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}]}`,
	} {
		if err := os.WriteFile(filepath.Join(bad, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut = runCLI(t, vars, "vulnerabilities", "import", bad)
	if code != 1 || !summaryLine(out, "new", "1") || !summaryLine(out, "invalid", "1") ||
		!strings.Contains(out, filepath.Join(bad, "PYSEC-9999-1.json")) || !strings.Contains(out, "affected[0].ranges[0].type") ||
		!strings.Contains(errOut, "1 of 2 records were refused") {
		t.Fatalf("import of a bad record: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestVulnerabilitiesUsage(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "vulnerabilities", "--help")
	if code != 0 || !strings.Contains(out, "Usage: seshat vulnerabilities import PATH...") || !strings.Contains(out, "all.zip") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"vulnerabilities"},
		{"vulnerabilities", "export"},
		{"vulnerabilities", "import"},
		{"vulnerabilities", "import", filepath.Join(t.TempDir(), "missing")},
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || !strings.Contains(errOut, "Run 'seshat vulnerabilities --help'") {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
}
