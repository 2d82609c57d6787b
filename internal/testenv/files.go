package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// ThothFixturesEnv names the directory of real Thoth documents that the
// conformance suite (`make test-thoth`, tests built with the thoth tag) reads.
const ThothFixturesEnv = "SESHAT_THOTH_FIXTURES"

// Root returns the module's root directory: the nearest parent of the
// working directory holding go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Testdata returns the path of elem below the project's testdata/ directory:
// documents the project writes itself in Thoth's formats, so that `make test`
// needs nothing beside the clone. It fails t when the path does not exist.
func Testdata(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Root(t), "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testdata: %v", err)
	}
	return p
}

// ReadTestdata returns the content of the file elem names below testdata/
// (see Testdata), failing t when it cannot be read.
func ReadTestdata(t testing.TB, elem ...string) []byte {
	t.Helper()
	raw, err := os.ReadFile(Testdata(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// ThothFixtures returns the path of elem below the directory of real Thoth
// documents: $SESHAT_THOTH_FIXTURES, relative paths taken from the module
// root, default ../shared/fixtures/thoth beside the clone. A missing
// directory fails t: the conformance suite never skips.
func ThothFixtures(t testing.TB, elem ...string) string {
	t.Helper()
	dir := os.Getenv(ThothFixturesEnv)
	if dir == "" {
		dir = filepath.Join("..", "shared", "fixtures", "thoth")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(Root(t), dir)
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("real Thoth documents: %v (set %s to the fixtures directory)", err, ThothFixturesEnv)
	}
	return p
}

// SolverDocument is one solver document file, with the id and the key
// `seshat put` stores it under.
type SolverDocument struct {
	File  string // the file's base name
	ID    string // metadata.document_id, else File without .json
	Named bool   // ID is the file's name: the document has no metadata.document_id
	Key   string // the key ID names (objectstore.KeyFor), else "solver/<ID>" (ids without a kind's prefix)
	Raw   []byte
	Doc   map[string]any // Raw decoded
}

// SolverDocuments reads every *.json document of dir, failing t when there
// is none or one is not JSON.
func SolverDocuments(t testing.TB, dir string) []SolverDocument {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no solver documents in %s: %v", dir, err)
	}
	var out []SolverDocument
	for _, f := range files {
		d := SolverDocument{File: filepath.Base(f)}
		if d.Raw, err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(d.Raw, &d.Doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		meta, _ := d.Doc["metadata"].(map[string]any)
		d.ID, _ = meta["document_id"].(string)
		if d.ID == "" {
			d.ID, d.Named = strings.TrimSuffix(d.File, ".json"), true
		}
		if d.Key, err = objectstore.KeyFor(d.ID); err != nil {
			d.Key = "solver/" + d.ID
		}
		out = append(out, d)
	}
	return out
}
