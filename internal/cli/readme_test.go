package cli

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// readmeBlock is one shell example of README.md.
type readmeBlock struct {
	line int    // line of the opening fence
	code string // the commands
	skip string // why the test does not run it, from a readme-test: skip comment
}

var readmeSkip = regexp.MustCompile(`^<!-- readme-test: skip \((.+)\) -->$`)

// readmeBlocks returns the README's ```sh blocks in order. A block right
// after a `<!-- readme-test: skip (reason) -->` line is returned with its
// reason; every other one must run as written.
func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out  []readmeBlock
		cur  *readmeBlock
		prev string
		n    int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		case line == "```sh":
			cur = &readmeBlock{line: n}
			if m := readmeSkip.FindStringSubmatch(prev); m != nil {
				cur.skip = m[1]
			}
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a ```sh block is not closed", cur.line)
	}
	return out
}

// TestREADMEExamples runs every shell example of README.md as written, in
// order, against what `make run` sets up: ./seshat built from this tree in a
// working directory with the sample documents in .data/sample, the
// development token in .data/dev-token, the documents in the default
// dir://.data/documents, and a gateway serving them. Only the gateway's
// address differs: 127.0.0.1:8080 is replaced by the test server's. A block
// passes when it exits 0 and no response it prints carries GraphQL errors.
func TestREADMEExamples(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	root := testenv.Root(t)
	build := exec.Command("go", "build", "-o", filepath.Join(work, "seshat"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Join(work, ".data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".data", "dev-token"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"SESHAT_DATABASE_URL":   testenv.MigratedDatabase(t),
		"SESHAT_DOCUMENT_STORE": "dir://" + filepath.Join(work, ".data", "documents"),
		"SESHAT_API_TOKENS":     "dev:admin:" + token,
	}
	sample := filepath.Join(work, ".data", "sample")
	for _, args := range [][]string{
		{"gen", "--size", "sample", "--out", sample},
		{"put", "--quiet", sample},
		{"sync", "--prefix", "solver"},
	} {
		if code, out, errOut := runCLI(t, vars, args...); code != 0 {
			t.Fatalf("seshat %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	srv := startServe(t, vars)
	addr := strings.TrimPrefix(srv.base, "http://")

	environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "LANG=C"}
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	blocks := readmeBlocks(t, filepath.Join(root, "README.md"))
	ran := 0
	for _, blk := range blocks {
		if blk.skip != "" {
			t.Logf("README.md:%d: not run: %s", blk.line, blk.skip)
			continue
		}
		ran++
		code := strings.ReplaceAll(blk.code, "127.0.0.1:8080", addr)
		cmd := exec.CommandContext(t.Context(), "bash", "-e", "-c", code)
		cmd.Dir = work
		cmd.Env = environ
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README.md:%d: %v\n%s\noutput:\n%s", blk.line, err, blk.code, out)
			continue
		}
		if strings.Contains(string(out), `"errors"`) || strings.Contains(string(out), `"__status"`) {
			t.Errorf("README.md:%d: a response carries errors\n%s\noutput:\n%s", blk.line, blk.code, out)
		}
		if strings.Contains(blk.code, "curl") && !strings.Contains(string(out), `"data"`) {
			t.Errorf("README.md:%d: no GraphQL data in the output\n%s\noutput:\n%s", blk.line, blk.code, out)
		}
	}
	if ran == 0 {
		t.Fatal("README.md has no shell example that runs")
	}
}
