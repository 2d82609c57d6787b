package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestStats: seshat stats and the gauges serve exports on /metrics equal
// counts taken independently from the tables: packages, versions, per
// environment the versions solved, failed and in the backlog, documents by
// kind and status; seshat_build_info names the schema version; a scrape
// runs no SQL.
func TestStats(t *testing.T) {
	t.Parallel()
	vars, dbURL := syncVars(t)
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", testenv.Testdata(t, "solver")); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "sync"); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	db := testenv.Conn(t, dbURL)
	one := func(sql string) int64 {
		var n int64
		if err := db.QueryRow(t.Context(), sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	packages, versions := one(`SELECT count(*) FROM package`), one(`SELECT count(*) FROM package_version`)

	code, out, errOut := runCLI(t, vars, "stats", "--json")
	if code != 0 {
		t.Fatalf("stats: exit %d\n%s", code, errOut)
	}
	var st persistence.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Packages != packages || st.Versions != versions || st.SchemaVersion == 0 || st.LastSolverRun == nil || len(st.Environments) < 2 {
		t.Errorf("stats %+v; want %d packages, %d versions", st, packages, versions)
	}
	store, err := persistence.Open(t.Context(), dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, e := range st.Environments {
		env := e.Environment
		where := fmt.Sprintf(`FROM solved s JOIN environment e ON e.id = s.environment_id
			WHERE e.os_name = '%s' AND e.os_version = '%s' AND e.python_version = '%s'`, env.OSName, env.OSVersion, env.PythonVersion)
		backlog, err := store.UnsolvedVersions(t.Context(), env, nil, persistence.Page{First: 1})
		if err != nil {
			t.Fatal(err)
		}
		if e.Solved != one(`SELECT count(*) `+where+` AND NOT s.error`) || e.Errors != one(`SELECT count(*) `+where+` AND s.error`) ||
			e.Unsolved != int64(backlog.TotalCount) {
			t.Errorf("%v: %+v; the backlog holds %d", env, e, backlog.TotalCount)
		}
	}
	docs := 0
	for _, d := range st.Documents {
		if d.Kind == "solver" && d.Status == persistence.StatusIngested {
			docs = int(d.Count)
		}
	}
	if int64(docs) != one(`SELECT count(*) FROM document WHERE kind = 'solver' AND status = 'INGESTED'`) || docs == 0 {
		t.Errorf("documents %+v", st.Documents)
	}
	code, out, _ = runCLI(t, vars, "stats")
	if code != 0 || !summaryLine(out, "packages", fmt.Sprint(packages)) || !strings.Contains(out, "DOCUMENT KIND") ||
		!strings.Contains(out, "fedora 31 / Python 3.7") {
		t.Errorf("stats table: exit %d\n%s", code, out)
	}

	vars["SESHAT_STATS_INTERVAL"] = "1s"
	s := startServe(t, vars)
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(s.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(raw); strings.Contains(body, "seshat_graph_packages ") {
			break
		}
	}
	for _, want := range []string{
		fmt.Sprintf("seshat_graph_packages %d\n", packages),
		fmt.Sprintf("seshat_graph_versions %d\n", versions),
		fmt.Sprintf(`seshat_graph_documents{kind="solver",status="INGESTED"} %d`, docs),
		`seshat_graph_unsolved_versions{os_name="fedora",os_version="31",python_version="3.7"}`,
		fmt.Sprintf(`schema_version="%d"`, st.SchemaVersion),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// A scrape reads the snapshot: no statement runs for it.
	statements := regexp.MustCompile(`(?m)^seshat_sql_statements_total (\d+)`)
	count := func() string {
		resp, err := http.Get(s.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		m := statements.FindStringSubmatch(string(raw))
		if m == nil {
			t.Fatalf("no statement counter in /metrics")
		}
		return m[1]
	}
	var a, b string
	for range 5 {
		// Between two refreshes (every second) scrapes run no statement.
		a, b = count(), count()
		if a == b {
			break
		}
	}
	if a != b {
		t.Errorf("scrapes ran statements: %s then %s", a, b)
	}
}
