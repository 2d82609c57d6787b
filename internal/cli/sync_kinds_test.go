package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// putKind stores the documents of dir, all of one kind, under Thoth's keys:
// a file is one document, keyed by its metadata.document_id (else its
// name without .json) in the kind's folder; a folder is one document of a
// folder-per-document kind, its files below it (".json" dropped). It
// returns the ids it stored.
func putKind(t *testing.T, docs objectstore.Store, dir, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".json"), ".yaml")
			var doc struct {
				Metadata struct {
					DocumentID string `json:"document_id"`
				} `json:"metadata"`
				ID string `json:"id"`
			}
			if json.Unmarshal(raw, &doc) == nil && doc.Metadata.DocumentID != "" {
				id = doc.Metadata.DocumentID
			}
			key, err := objectstore.KeyIn(kind, id)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if err := docs.Put(t.Context(), key, raw); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			continue
		}
		key, err := objectstore.KeyIn(kind, e.Name())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(path, p)
			return docs.Put(t.Context(), key+"/"+strings.TrimSuffix(filepath.ToSlash(rel), ".json"), raw)
		}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.Name())
	}
	return ids
}

// summaryCount is the value of the summary line "<label>  <n>" of out,
// -1 when there is none.
func summaryCount(out, label string) int {
	for _, line := range strings.Split(out, "\n") {
		if f, ok := strings.CutPrefix(line, label+" "); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
				return n
			}
		}
	}
	return -1
}

// checkEveryKind checks a sync with no prefix over documents of every
// kind (ids by kind): it exits 0 when no document failed; a document of a
// kind Seshat ingests is INGESTED, one of a kind it does not ingest yet is
// SKIPPED with the reason, never FAILED, and the summary lists those kinds.
func checkEveryKind(t *testing.T, vars map[string]string, dbURL string, ids map[string][]string) {
	t.Helper()
	code, out, errOut := runCLI(t, vars, "sync", "--workers", "2")
	total := 0
	for _, l := range ids {
		total += len(l)
	}
	if code != 0 || summaryCount(out, "processed") != total || summaryCount(out, "failed") != 0 {
		t.Fatalf("sync of every kind: exit %d\n%s\n%s", code, out, errOut)
	}
	conn := testenv.Conn(t, dbURL)
	for kind, list := range ids {
		for _, id := range list {
			var status, kindOf string
			var reason *string
			if err := conn.QueryRow(t.Context(), `SELECT status, kind, error FROM document WHERE id = $1`, id).Scan(&status, &kindOf, &reason); err != nil {
				t.Errorf("%s %s: %v", kind, id, err)
				continue
			}
			switch {
			case kindOf != kind:
				t.Errorf("%s: kind %s, want %s", id, kindOf, kind)
			case ingest.Ingested(kind) && status != "INGESTED":
				t.Errorf("%s (%s): %s %v, want INGESTED", id, kind, status, reason)
			case !ingest.Ingested(kind) && (status != "SKIPPED" || reason == nil || !strings.Contains(*reason, kind+" documents are not supported yet")):
				t.Errorf("%s (%s): %s %v, want SKIPPED, not supported yet", id, kind, status, reason)
			}
		}
		if !ingest.Ingested(kind) && !strings.Contains(out, "\n"+kind+" ") {
			t.Errorf("the summary does not list %s as not supported yet:\n%s", kind, out)
		}
	}
	t.Logf("sync of every kind:\n%s", out)
}

// TestSyncEveryKind syncs, with no prefix, the project's documents of every
// kind it has (testdata). (TestUnsupportedKindSkipped, in package ingest,
// covers a kind without a writer whatever kinds have one.)
func TestSyncEveryKind(t *testing.T) {
	t.Parallel()
	cfg := testenv.Bucket(t, "thoth")
	vars := storeVars(cfg)
	dbURL := testenv.MigratedDatabase(t)
	vars["SESHAT_DATABASE_URL"] = dbURL
	docs, err := objectstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for dir, kind := range map[string]string{
		"solver": "solver", "inspection/inspections": "inspection", "analysis": "package-extract",
		"security": "security-indicator", "adviser": "adviser", "provenance-checker": "provenance-checker",
		"revsolver": "revsolver", "dependency-monkey": "dependency-monkey",
	} {
		if _, err := os.Stat(filepath.Join(testenv.Root(t), "testdata", dir)); err != nil {
			continue // a kind the project has no documents of yet
		}
		ids[kind] = append(ids[kind], putKind(t, docs, testenv.Testdata(t, dir), kind)...)
	}
	checkEveryKind(t, vars, dbURL, ids)
}

// TestPutInspections: seshat put stores an inspection folder as Thoth keeps
// it (inspections/<id>/build/specification, results/<N>/result, ...) and
// a single inspection document at inspections/<id>; sync then ingests one
// document per inspection.
func TestPutInspections(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	code, out, errOut := runCLI(t, vars, "put", testenv.Testdata(t, "inspection"))
	if code != 0 || !strings.Contains(out, "inspection-seshat-matmul-0a1b2c3d/ -> inspections/inspection-seshat-matmul-0a1b2c3d/ (6 files)") ||
		!strings.Contains(out, "-> inspections/inspection-seshat-pybench-2019-5eed1e55\n") || !strings.Contains(out, "stored 3 documents in ") {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, vars, "sync", "--prefix", "inspections")
	if code != 0 || summaryCount(out, "synced") != 3 || summaryCount(out, "processed") != 3 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	var results int
	if err := testenv.Conn(t, dbURL).QueryRow(t.Context(), `SELECT count(*) FROM inspection_result`).Scan(&results); err != nil || results != 4 {
		t.Errorf("%d results (%v), want 4", results, err)
	}
}
