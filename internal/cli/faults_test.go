package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/migrations"
	"github.com/seshat-graph/seshat/persistence"
)

// outcome is one GraphQL request of a client during a fault.
type outcome struct {
	at      time.Time
	status  int
	code    string // extensions.code of the first error, "" on success
	elapsed time.Duration
	err     error
}

func queryOnce(client *http.Client, base, query string) outcome {
	start := time.Now()
	o := outcome{at: start}
	resp, err := client.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":`+jsonString(query)+`}`))
	if err != nil {
		o.err, o.elapsed = err, time.Since(start)
		return o
	}
	defer resp.Body.Close()
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	b, _ := io.ReadAll(resp.Body)
	o.status, o.elapsed = resp.StatusCode, time.Since(start)
	if err := json.Unmarshal(b, &body); err != nil {
		o.err = err
	} else if len(body.Errors) > 0 {
		o.code, _ = body.Errors[0].Extensions["code"].(string)
	}
	return o
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestDatabaseRestart stops the gateway's PostgreSQL (its own cluster) while
// clients query it: /readyz turns not ready, every query answers quickly with
// UNAVAILABLE (no hang, no 5xx, no panic), and once PostgreSQL is back the
// gateway serves again by itself.
func TestDatabaseRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cluster := testenv.PrivateCluster(t)
	dbURL := cluster.CreateDatabase(t, "seshat")
	m, err := migrations.New(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	m.Close()
	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := graphgen.Generate(graphgen.Config{Seed: 5, Packages: 30, VersionsPerPackage: 2, DepsPerVersion: 3,
		Indexes: []string{"https://pypi.org/simple"}, Environments: []persistence.EnvironmentKey{{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}}})
	if err := g.Ingest(ctx, store, "solver-faults"); err != nil {
		t.Fatal(err)
	}
	store.Close()

	s := startServe(t, map[string]string{
		"SESHAT_DATABASE_URL":       dbURL,
		"SESHAT_REQUEST_TIMEOUT":    "5s",
		"SESHAT_DB_ACQUIRE_TIMEOUT": "1s",
	})
	client := &http.Client{Timeout: 30 * time.Second}
	queries := []string{
		`{ environments { osName osVersion pythonVersion } }`,
		`{ packages(first: 5) { totalCount edges { node { name latestVersion { version } } } } }`,
	}
	for _, q := range queries {
		if o := queryOnce(client, s.base, q); o.status != 200 || o.code != "" || o.err != nil {
			t.Fatalf("before the restart: %+v", o)
		}
	}

	// Four clients query without pause through the whole fault.
	var mu sync.Mutex
	var outcomes []outcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				o := queryOnce(client, s.base, queries[i%len(queries)])
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}(i)
	}
	time.Sleep(300 * time.Millisecond)

	stopped := time.Now()
	cluster.Stop(t)
	readyDeadline := time.Now().Add(10 * time.Second)
	for {
		code, body := getJSON(t, s.base+"/readyz")
		if code == http.StatusServiceUnavailable {
			t.Logf("/readyz not ready %s after the stop: %v", time.Since(stopped).Round(time.Millisecond), body["reason"])
			break
		}
		if time.Now().After(readyDeadline) {
			t.Fatalf("/readyz still %d with PostgreSQL down", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // queries keep failing while it is down
	down := queryOnce(client, s.base, queries[1])
	if down.code != "UNAVAILABLE" || down.status != 200 || down.elapsed > 3*time.Second {
		t.Errorf("query with PostgreSQL down: %+v, want UNAVAILABLE within 3s", down)
	}

	restarted := time.Now()
	cluster.Start(t)
	recovered := time.Time{}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		o := queryOnce(client, s.base, queries[1])
		code, _ := getJSON(t, s.base+"/readyz")
		if o.code == "" && o.status == 200 && code == http.StatusOK {
			recovered = time.Now()
			break
		}
	}
	if recovered.IsZero() {
		t.Fatal("the gateway did not recover within 20s of PostgreSQL's return")
	}
	t.Logf("serving again %s after PostgreSQL started", recovered.Sub(restarted).Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	// Every request got an answer: successes, or UNAVAILABLE while the
	// database was away; never a 5xx, a transport error, another code or a
	// long wait.
	counts := map[string]int{}
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("request at %s failed: %v", o.at.Format(time.StampMilli), o.err)
		case o.status >= 500:
			t.Errorf("request at %s: HTTP %d", o.at.Format(time.StampMilli), o.status)
		case o.code != "" && o.code != "UNAVAILABLE":
			t.Errorf("request at %s: code %s", o.at.Format(time.StampMilli), o.code)
		case o.elapsed > 6*time.Second:
			t.Errorf("request at %s took %s", o.at.Format(time.StampMilli), o.elapsed)
		}
		counts[o.code]++
	}
	t.Logf("%d requests during the fault: %d answered, %d UNAVAILABLE", len(outcomes), counts[""], counts["UNAVAILABLE"])
	if counts["UNAVAILABLE"] == 0 || counts[""] == 0 {
		t.Errorf("outcomes %v: want both answers and UNAVAILABLE", counts)
	}
	if logs := s.stderr.String(); strings.Contains(logs, "panic") {
		t.Errorf("the gateway panicked:\n%s", logs)
	}
}
