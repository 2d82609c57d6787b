package cli

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/server"
)

// TestServeHotStandby runs the gateway with SESHAT_DATABASE_READ_URL on the
// hot standby `make services` streams from the primary:
//
//   - with the standby's replay paused, a mutation's answer reads its own
//     write (the primary) and carries the primary's WAL position; a query
//     does not see the write (the standby), one asking for the primary or
//     sending the position back (header or cookie) does; the lag metric
//     shows the standby behind;
//   - with replay resumed, plain queries see the write;
//   - with the standby stopped, queries keep being answered, by the
//     primary, and /readyz and the metrics say the standby is down;
//   - started again, it serves the queries again.
//
// Not parallel: it pauses and stops the standby every test shares.
func TestServeHotStandby(t *testing.T) {
	standby := testenv.HotStandby(t)
	primary := testenv.MigratedDatabase(t)
	standby.WaitReplay(t) // the database exists on the standby
	const token = "admin-token-0123456789"
	s := startServe(t, map[string]string{
		"SESHAT_DATABASE_URL": primary, "SESHAT_DATABASE_READ_URL": standby.URL(t, primary),
		"SESHAT_API_TOKENS": "ops:admin:" + token, "SESHAT_LOG_LEVEL": "warn",
	})
	auth := map[string]string{"Authorization": "Bearer " + token}
	indexes := `{"query": "{ indexes { url } }"}`
	const url = "standby-test.example.com"
	m := scrape(t, s.base)
	if m[`seshat_db_standby_up`] != 1 || m[`seshat_db_standby_serving`] != 1 {
		t.Fatalf("standby not serving at start: %v", m)
	}

	standby.PauseReplay(t)
	body, h := postFull(t, s.base, `{"query": "mutation { registerPackageIndex(url: \"https://`+url+`/simple\") { url } }"}`, auth)
	if !strings.Contains(body, url) {
		t.Fatalf("mutation: %s", body)
	}
	lsn := h.Get(server.ConsistencyHeader)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == server.ConsistencyCookie {
			cookie = c
		}
	}
	if lsn == "" || cookie == nil || cookie.Value != lsn {
		t.Fatalf("mutation answer: %s %q, cookie %v", server.ConsistencyHeader, lsn, cookie)
	}
	for _, c := range []struct {
		name    string
		headers map[string]string
		sees    bool
	}{
		{"no header: the standby", nil, false},
		{"standby", map[string]string{server.ConsistencyHeader: "standby"}, false},
		{"primary", map[string]string{server.ConsistencyHeader: "primary"}, true},
		{"the mutation's position", map[string]string{server.ConsistencyHeader: lsn}, true},
		{"the mutation's cookie", map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}, true},
	} {
		if got := postBody(t, s.base, indexes, c.headers); strings.Contains(got, url) != c.sees || strings.Contains(got, `"errors"`) {
			t.Errorf("%s: sees the write %t, want %t: %s", c.name, !c.sees, c.sees, got)
		}
	}
	if got := postBody(t, s.base, indexes, map[string]string{server.ConsistencyHeader: "soon"}); !strings.Contains(got, `"code":"INVALID"`) {
		t.Errorf("a bad %s: %s", server.ConsistencyHeader, got)
	}
	m = waitMetrics(t, s.base, "the lag while replay is paused", func(m map[string]float64) bool {
		return m["seshat_db_standby_lag_bytes"] > 0 && m["seshat_db_standby_lag_seconds"] > 0
	})
	t.Logf("replay paused: lag %.1f s, %.0f bytes", m["seshat_db_standby_lag_seconds"], m["seshat_db_standby_lag_bytes"])

	standby.ResumeReplay(t)
	standby.WaitReplay(t)
	before := scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`]
	if got := postBody(t, s.base, indexes, nil); !strings.Contains(got, url) {
		t.Errorf("after replay: %s", got)
	}
	if after := scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`]; after != before+1 {
		t.Errorf("standby reads %v -> %v: the caught-up standby did not answer", before, after)
	}
	// A position is honoured once the monitor has seen the standby replay
	// it (within a second); until then the primary answers.
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		before = scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`]
		if got := postBody(t, s.base, indexes, map[string]string{server.ConsistencyHeader: lsn}); !strings.Contains(got, url) {
			t.Fatalf("with the position after replay: %s", got)
		}
		if scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`] > before {
			break
		}
		if time.Now().After(end) {
			t.Fatal("a query with the mutation's position never read from the caught-up standby")
		}
	}

	standby.Stop(t)
	for i := range 5 {
		if got := postBody(t, s.base, indexes, nil); !strings.Contains(got, url) || strings.Contains(got, `"errors"`) {
			t.Errorf("query %d with the standby stopped: %s", i, got)
		}
	}
	m = waitMetrics(t, s.base, "the standby down", func(m map[string]float64) bool {
		return m["seshat_db_standby_up"] == 0 && m["seshat_db_standby_serving"] == 0
	})
	primaryReads := m[`seshat_db_standby_reads_total{database="primary"}`]
	if got := postBody(t, s.base, indexes, nil); !strings.Contains(got, url) {
		t.Errorf("query with the standby down: %s", got)
	}
	if m := scrape(t, s.base); m[`seshat_db_standby_reads_total{database="primary"}`] <= primaryReads {
		t.Errorf("primary reads %v -> %v: the query did not fall back to the primary", primaryReads, m[`seshat_db_standby_reads_total{database="primary"}`])
	}
	code, ready := getJSON(t, s.base+"/readyz")
	sb, _ := ready["standby"].(map[string]any)
	if code != http.StatusOK || sb == nil || sb["up"] != false || sb["serving"] != false || sb["error"] == nil {
		t.Errorf("/readyz with the standby down = %d %v", code, ready)
	}

	standby.Start(t)
	waitMetrics(t, s.base, "the standby back", func(m map[string]float64) bool {
		return m["seshat_db_standby_up"] == 1 && m["seshat_db_standby_serving"] == 1
	})
	standby.WaitReplay(t)
	before = scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`]
	if got := postBody(t, s.base, indexes, nil); !strings.Contains(got, url) {
		t.Errorf("query after the standby came back: %s", got)
	}
	if after := scrape(t, s.base)[`seshat_db_standby_reads_total{database="standby"}`]; after <= before {
		t.Errorf("standby reads %v -> %v after it came back", before, after)
	}
	if code, ready := getJSON(t, s.base+"/readyz"); code != http.StatusOK || fmt.Sprint(ready["standby"]) == "" || ready["standby"].(map[string]any)["up"] != true {
		t.Errorf("/readyz with the standby back = %d %v", code, ready)
	}
}

// scrape reads the gateway's /metrics into a map from the series (name
// and labels as written) to its value.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// waitMetrics scrapes until ok holds, failing t after 15 seconds (the
// standby's monitor checks every second).
func waitMetrics(t *testing.T, base, what string, ok func(map[string]float64) bool) map[string]float64 {
	t.Helper()
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		m := scrape(t, base)
		if ok(m) {
			return m
		}
		if time.Now().After(end) {
			t.Fatalf("metrics never showed %s: %v", what, standbySeries(m))
		}
	}
}

func standbySeries(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, "seshat_db_standby") {
			out[k] = v
		}
	}
	return out
}
