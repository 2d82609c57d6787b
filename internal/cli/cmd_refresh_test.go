package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

type refreshLine struct {
	Type           string  `json:"type"`
	PackageName    string  `json:"package_name"`
	PackageVersion *string `json:"package_version"`
	IndexURL       *string `json:"index_url"`
	Solver         string  `json:"solver"`
}

// key names a request by value.
func (l refreshLine) key() string {
	deref := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	return l.Type + " " + l.Solver + " " + l.PackageName + " " + deref(l.PackageVersion) + " " + deref(l.IndexURL)
}

func refreshLines(t *testing.T, out string) []refreshLine {
	t.Helper()
	var lines []refreshLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l refreshLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not NDJSON: %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// TestRefresh: seshat refresh lists per solver its backlog spread across
// packages in Thoth's message shapes, posts them to a webhook that fails
// once (retried), stores them in the document store and records them, so
// that the next refresh within the cooldown leaves them out; a solver
// document that brings a requested version takes it out of the next
// refresh even without the cooldown.
func TestRefresh(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", testenv.Testdata(t, "solver")); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "sync"); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	// The sample's indexes are created disabled: enable PyPI, as an operator would.
	if _, err := testenv.Conn(t, dbURL).Exec(t.Context(), `UPDATE package_index SET enabled = true WHERE url = 'https://pypi.org/simple'`); err != nil {
		t.Fatal(err)
	}
	vars["SESHAT_SOLVERS"] = "solver-fedora-31-py37"

	code, out, errOut := runCLI(t, vars, "refresh", "--count", "3", "--kind", "unresolved-package", "--dry-run")
	all := refreshLines(t, out)
	if code != 0 || len(all) != 3 || !strings.Contains(errOut, "dry run") {
		t.Fatalf("dry run: exit %d, %d lines\n%s\n%s", code, len(all), out, errOut)
	}
	seen := map[string]bool{}
	for _, l := range all {
		if l.Type != "unresolved-package" || l.Solver != "solver-fedora-31-py37" || l.PackageVersion == nil || l.IndexURL == nil || seen[l.PackageName] {
			t.Errorf("request %+v (each of the first three should be another package)", l)
		}
		seen[l.PackageName] = true
	}

	var mu sync.Mutex
	var posts [][]refreshLine
	attempts := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts == 1 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body struct{ Requests []refreshLine }
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("webhook body %s: %v", raw, err)
		}
		posts = append(posts, body.Requests)
	}))
	defer hook.Close()
	code, out, errOut = runCLI(t, vars, "refresh", "--count", "2", "--kind", "unresolved-package", "--webhook", hook.URL)
	first := refreshLines(t, out)
	mu.Lock()
	if code != 0 || len(first) != 2 || attempts != 2 || len(posts) != 1 || len(posts[0]) != 2 || posts[0][0].key() != first[0].key() {
		t.Errorf("refresh with a webhook: exit %d, %d requests, %d attempts, posts %+v\n%s", code, len(first), attempts, posts, errOut)
	}
	mu.Unlock()
	docs, err := objectstore.Open(t.Context(), objectstore.Config{URL: vars["SESHAT_DOCUMENT_STORE"], Endpoint: vars["SESHAT_S3_ENDPOINT"],
		AccessKey: vars["SESHAT_S3_ACCESS_KEY"], SecretKey: vars["SESHAT_S3_SECRET_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, k := range testenv.Keys(t, docs) {
		if strings.HasPrefix(k, "solver-requests/") && strings.HasSuffix(k, ".json") {
			stored++
		}
	}
	if stored != 1 {
		t.Errorf("%d solver-requests/ documents, want 1", stored)
	}

	// Within the cooldown the requests made are not made again.
	code, out, _ = runCLI(t, vars, "refresh", "--count", "3", "--kind", "unresolved-package", "--dry-run")
	within := refreshLines(t, out)
	if len(within) == 0 {
		t.Errorf("nothing left to request within the cooldown")
	}
	for _, l := range within {
		for _, f := range first {
			if l.key() == f.key() {
				t.Errorf("%+v requested again within the cooldown", l)
			}
		}
	}

	// A solver document for a requested version takes it out for good.
	store, err := persistence.Open(t.Context(), dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got := first[0]
	res := &persistence.SolverResult{SolverName: "solver-fedora-31-py37", SolverVersion: "1.0",
		Environment: persistence.EnvironmentKey{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"}, SolvedAt: time.Now(),
		Entries: []persistence.SolvedEntry{{Name: got.PackageName, Version: *got.PackageVersion, IndexURL: *got.IndexURL}}}
	if _, err := store.IngestSolverResult(t.Context(), persistence.DocumentRef{ID: "solver-fedora-31-py37-refresh0", Kind: "solver", SHA256: "r"}, res, false); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, vars, "refresh", "--count", "1000", "--kind", "unresolved-package", "--cooldown", "0s", "--dry-run")
	again := refreshLines(t, out)
	for _, l := range again {
		if l.key() == got.key() {
			t.Errorf("%+v requested after its solver document arrived", l)
		}
	}
	if code != 0 || len(again) == 0 {
		t.Errorf("refresh without cooldown: exit %d, %d requests", code, len(again))
	}

	code, out, _ = runCLI(t, vars, "refresh", "--kind", "si-unanalyzed-package", "--dry-run", "--count", "5")
	si := refreshLines(t, out)
	if code != 0 || len(si) == 0 || si[0].Type != "si-unanalyzed-package" || si[0].Solver != "" {
		t.Errorf("si-unanalyzed requests: exit %d %+v", code, si)
	}
	for _, args := range [][]string{
		{"refresh", "--count", "0"}, {"refresh", "--kind", "nope"}, {"refresh", "--webhook", "ftp://x"}, {"refresh", "extra"},
	} {
		if code, _, errOut := runCLI(t, vars, args...); code != 2 {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
	vars["SESHAT_SOLVERS"] = "rhel-8"
	if code, _, errOut := runCLI(t, vars, "refresh", "--dry-run"); code != 1 || !strings.Contains(errOut, "SESHAT_SOLVERS") {
		t.Errorf("a bad solver name: exit %d\n%s", code, errOut)
	}
}
