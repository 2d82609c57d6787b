package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestSyncProcesses starts three `seshat sync` processes (the binary built
// from this tree, one of them through pgbouncer in transaction pooling
// mode) at once on one bucket's backlog of 378 solver documents (seshat gen
// --size small): all three exit 0, every document is INGESTED, and each was
// ingested exactly once: its row counts one attempt, and a trigger the test
// puts on the document table saw it become INGESTED once. The processes'
// "synced" add up to the backlog, shared between at least two of them (the
// others skip what a process holds or has done).
func TestSyncProcesses(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "seshat")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = testenv.Root(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	vars, dbURL := syncVars(t)
	docs := filepath.Join(t.TempDir(), "small")
	if code, out, errOut := runCLI(t, vars, "gen", "--size", "small", "--out", docs); code != 0 {
		t.Fatalf("gen: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, vars, "put", "--quiet", docs); code != 0 {
		t.Fatalf("put: exit %d\n%s\n%s", code, out, errOut)
	}
	const backlog = 378
	ctx := context.Background()
	conn := testenv.Conn(t, dbURL)
	if _, err := conn.Exec(ctx, `
		CREATE TABLE test_ingested (document_id text NOT NULL);
		CREATE FUNCTION test_ingested() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN INSERT INTO test_ingested VALUES (NEW.id); RETURN NEW; END $$;
		CREATE TRIGGER test_ingested AFTER INSERT OR UPDATE OF status ON document
			FOR EACH ROW WHEN (NEW.status = 'INGESTED') EXECUTE FUNCTION test_ingested();`); err != nil {
		t.Fatal(err)
	}

	type run struct {
		out, errOut bytes.Buffer
		err         error
	}
	runs := make([]run, 3)
	var wg sync.WaitGroup
	for i := range runs {
		env := os.Environ()
		for k, v := range vars {
			env = append(env, k+"="+v)
		}
		if i == 2 {
			env = append(env, "SESHAT_DATABASE_URL="+testenv.PgBouncer(t, dbURL), "SESHAT_DATABASE_TRANSACTION_POOLING=1")
		}
		cmd := exec.Command(bin, "sync", "--workers", "2")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &runs[i].out, &runs[i].errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i].err = cmd.Wait()
		}()
	}
	wg.Wait()
	synced, sharing := 0, 0
	for i := range runs {
		r := &runs[i]
		if r.err != nil || summaryCount(r.out.String(), "processed") != backlog || summaryCount(r.out.String(), "failed") != 0 {
			t.Errorf("sync process %d: %v\n%s\n%s", i, r.err, r.out.String(), r.errOut.String())
		}
		n := summaryCount(r.out.String(), "synced")
		synced += n
		if n > 0 {
			sharing++
		}
		t.Logf("sync process %d: synced %d, skipped %d", i, n, summaryCount(r.out.String(), "skipped"))
	}
	if synced != backlog || sharing < 2 {
		t.Errorf("the processes synced %d documents in all, %d of them any, want %d by at least 2", synced, sharing, backlog)
	}
	var docsIngested, onceAttempted, logged, loggedOnce int
	if err := conn.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'INGESTED'), count(*) FILTER (WHERE attempts = 1),
			(SELECT count(*) FROM test_ingested),
			(SELECT count(*) FROM (SELECT document_id FROM test_ingested GROUP BY 1 HAVING count(*) = 1) o)
		FROM document`).Scan(&docsIngested, &onceAttempted, &logged, &loggedOnce); err != nil {
		t.Fatal(err)
	}
	if docsIngested != backlog || onceAttempted != backlog || logged != backlog || loggedOnce != backlog {
		t.Errorf("%d documents INGESTED, %d attempted once, %d ingestions logged, %d documents ingested once; want %d each",
			docsIngested, onceAttempted, logged, loggedOnce, backlog)
	}
}
