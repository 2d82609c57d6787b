package testenv

import (
	"os"
	"path/filepath"
	"testing"
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
