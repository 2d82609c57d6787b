package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestDocumentsDelete: a dry run lists what a filter chooses and deletes
// nothing; deleting by id removes the document and its facts, and the next
// sync ingests it again; bad usage exits 2.
func TestDocumentsDelete(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", testenv.Testdata(t, "solver")); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "sync"); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	db := testenv.Conn(t, dbURL)
	count := func(table string) int {
		var n int
		if err := db.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	docs, solved := count("document"), count("solved")

	code, out, errOut := runCLI(t, vars, "documents", "delete", "--kind", "solver", "--dry-run")
	if code != 0 || !strings.Contains(out, "solver-fedora-31-py37-01dea5ed\n") || !strings.Contains(out, " documents would be deleted (dry run)") ||
		count("document") != docs {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "documents", "delete", "--id", "solver-fedora-31-py37-01dea5ed")
	if code != 0 || !summaryLine(out, "documents deleted", "1") || !strings.Contains(out, "rows of solved") {
		t.Fatalf("delete: exit %d\n%s\n%s", code, out, errOut)
	}
	if count("document") != docs-1 || count("solved") >= solved {
		t.Errorf("after the delete: %d documents (were %d), %d solved rows (were %d)", count("document"), docs, count("solved"), solved)
	}
	code, out, errOut = runCLI(t, vars, "sync")
	if code != 0 || count("document") != docs || count("solved") != solved {
		t.Errorf("re-sync: exit %d, %d documents, %d solved rows; want %d and %d\n%s\n%s", code, count("document"), count("solved"), docs, solved, out, errOut)
	}
	code, out, _ = runCLI(t, vars, "documents", "delete", "--before", "2000-01-01", "--dry-run")
	if code != 0 || !strings.Contains(out, "0 documents would be deleted") {
		t.Errorf("--before 2000-01-01: exit %d\n%s", code, out)
	}

	for _, args := range [][]string{
		{"documents"}, {"documents", "list"}, {"documents", "delete"},
		{"documents", "delete", "--before", "last week"}, {"documents", "delete", "--status", "GONE"},
		{"documents", "delete", "--id", "x", "--kind", "solver"}, {"documents", "delete", "extra"},
	} {
		if code, _, errOut := runCLI(t, vars, args...); code != 2 || !strings.Contains(errOut, "Run 'seshat documents --help'") {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
}

func TestParseBefore(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-01-31":           time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
		"2026-01-31T10:00:00Z": time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC),
		"24h":                  now.Add(-24 * time.Hour),
	} {
		if got, err := parseBefore(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "yesterday", "-24h", "0s"} {
		if _, err := parseBefore(in, now); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
