//go:build thoth

package osv

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

// The conformance suite over real advisories (`go test -tags thoth`): the
// PyPA Advisory Database records of the directory SESHAT_OSV_FIXTURES names
// (default ../shared/fixtures/osv beside the module), CC-BY-4.0 data read in
// place and never copied into this repository. It takes whatever the
// directory holds; a missing or empty directory fails.

// moduleRoot is the directory of the go.mod above the package's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func TestThothOSVAdvisories(t *testing.T) {
	dir := os.Getenv("SESHAT_OSV_FIXTURES")
	if dir == "" {
		dir = filepath.Join(moduleRoot(t), "..", "shared", "fixtures", "osv")
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("conformance: no OSV fixtures directory %s (set SESHAT_OSV_FIXTURES): %v", dir, err)
	}

	var records, entries, ranges, ecosystem, listed, inRanges int
	err := Walk(dir, func(name string, raw []byte) error {
		rec, err := Parse(name, raw)
		if err != nil {
			t.Errorf("conformance: %s: REFUSED: %v", name, err)
			return nil
		}
		records++
		if id := strings.TrimSuffix(path.Base(name), path.Ext(name)); rec.ID != id {
			t.Errorf("conformance: %s: id %q is not the file's name", name, rec.ID)
		}
		if len(rec.Affected) == 0 {
			t.Errorf("conformance: %s: no PyPI affected entry", name)
		}
		for i, a := range rec.Affected {
			entries++
			ranges += len(a.Ranges)
			only := python.Affected{Name: a.Name}
			for _, r := range a.Ranges {
				if r.Type == python.RangeEcosystem {
					ecosystem++
					only.Ranges = append(only.Ranges, r)
				}
			}
			m, mo := a.Matcher(), only.Matcher()
			for _, s := range a.Versions {
				listed++
				v, err := python.ParseVersion(s)
				if err != nil {
					t.Errorf("conformance: %s: affected[%d] (%s) lists %q, not a PEP 440 version: %v", name, i, a.Name, s, err)
					continue
				}
				if !m.Matches(v) {
					t.Errorf("conformance: %s: affected[%d] (%s) lists %s, which Matches refuses", name, i, a.Name, s)
				}
				// The ranges alone need not cover the list: PYSEC-2023-61
				// lists django 3.2a1, below its "introduced: 3.2" in PEP 440
				// order; Matches takes both, so such versions are logged only.
				if mo.Matches(v) {
					inRanges++
				} else {
					t.Logf("conformance: %s: affected[%d] (%s) lists %s, outside its ECOSYSTEM ranges", name, i, a.Name, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("conformance: Walk(%s): %v", dir, err)
	}
	if records == 0 {
		t.Fatalf("conformance: no records under %s", dir)
	}
	t.Logf("conformance: %d records, %d affected entries, %d ranges (%d ECOSYSTEM), %d listed versions (%d inside the ECOSYSTEM ranges) under %s",
		records, entries, ranges, ecosystem, listed, inRanges, dir)
}
