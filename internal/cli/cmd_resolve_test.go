package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestResolveCommand: seshat resolve reads pip-format files, prints a
// pinned requirements.txt with hashes or a Pipfile.lock, explains a
// conflict with exit 1, and refuses bad input with the file and line.
func TestResolveCommand(t *testing.T) {
	t.Parallel()
	vars, _ := syncVars(t)
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", testenv.Testdata(t, "solver")); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "sync"); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reqs := write("requirements.txt", "# the stack\n--index-url https://pypi.org/simple\nclick  # a CLI toolkit\nMarkupSafe\\\n>=1\n-c constraints.txt\n")
	write("constraints.txt", "markupsafe<2\n")

	code, out, errOut := runCLI(t, vars, "resolve", "-r", reqs, "--environment", "rhel:8:3.8")
	if code != 0 {
		t.Fatalf("resolve: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"--index-url https://pypi.org/simple\n", "click==7.1.2 \\\n    --hash=sha256:", "markupsafe==1.1.1 \\\n    --hash=sha256:", "# via root"} {
		if !strings.Contains(out, want) {
			t.Errorf("requirements.txt lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "resolved 2 packages") {
		t.Errorf("stderr: %s", errOut)
	}

	code, out, errOut = runCLI(t, vars, "resolve", "--environment", "solver-rhel-8-py38", "--format", "pipfile-lock", "click")
	if code != 0 {
		t.Fatalf("resolve --format pipfile-lock: exit %d\n%s", code, errOut)
	}
	var lock struct {
		Meta struct {
			Requires map[string]string `json:"requires"`
			Sources  []struct{ Name, URL string }
		} `json:"_meta"`
		Default map[string]struct {
			Version string
			Hashes  []string
			Index   string
		}
	}
	if err := json.Unmarshal([]byte(out), &lock); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if c := lock.Default["click"]; c.Version != "==7.1.2" || len(c.Hashes) == 0 || c.Index != "pypi" ||
		lock.Meta.Requires["python_version"] != "3.8" || len(lock.Meta.Sources) != 1 {
		t.Errorf("Pipfile.lock: %s", out)
	}

	// armillary needs requests, which needs versions not solved in rhel 8.
	code, out, errOut = runCLI(t, vars, "resolve", "--environment", "rhel:8:3.8", "armillary")
	if code != 1 || out != "" || !strings.Contains(errOut, "not resolved") || !strings.Contains(errOut, "has no candidate") {
		t.Errorf("unresolvable: exit %d\n%s\n%s", code, out, errOut)
	}

	bad := write("bad.txt", "click\nflask 2.0\n")
	code, _, errOut = runCLI(t, vars, "resolve", "-r", bad, "--environment", "rhel:8:3.8")
	if code != 1 || !strings.Contains(errOut, "bad.txt:2") || !strings.Contains(errOut, "INVALID") {
		t.Errorf("bad requirement: exit %d\n%s", code, errOut)
	}
	for _, args := range [][]string{
		{"resolve", "click"},
		{"resolve", "--environment", "rhel", "click"},
		{"resolve", "--environment", "rhel:8:3.8", "--format", "yaml", "click"},
		{"resolve", "--environment", "rhel:8:3.8"},
	} {
		if code, _, errOut := runCLI(t, vars, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut)
		}
	}
}
