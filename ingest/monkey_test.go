package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestDependencyMonkeyMalformed: a Dependency Monkey report whose response
// names no inspection, or whose score is not a number, is refused whole
// INVALID with its path and leaves no rows; the report itself syncs, and
// again changes no row.
func TestDependencyMonkeyMalformed(t *testing.T) {
	t.Parallel()
	b := newBundle(t)
	ctx := t.Context()
	const id = "dependency-monkey-211201002000-5eca1ab1"
	raw := string(testenv.ReadTestdata(t, "dependency-monkey", id+".json"))
	for i, c := range []struct{ from, to, path string }{
		{`"response": "inspection-seshat-matmul-0a1b2c3d"`, `"response": 7`, "result.report.responses[0].response"},
		{`"score": 0.25`, `"score": "high"`, "result.report.responses[1].product.score"},
	} {
		bad := strings.Replace(raw, c.from, c.to, 1)
		if bad == raw {
			t.Fatalf("case %d: %q not in the report", i, c.from)
		}
		key := fmt.Sprintf("dependency-monkey-reports/dependency-monkey-bad-%d", i)
		if err := b.docs.Put(ctx, key, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: key})
		if err != nil || rep.Failed != 1 || rep.Failures[0].Code != persistence.CodeInvalid || !strings.Contains(rep.Failures[0].Message, c.path) {
			t.Errorf("case %d: %+v, %v; want INVALID at %s", i, rep, err, c.path)
		}
	}
	counts := tableCounts(t, b.db)
	for _, table := range []string{"dependency_monkey_run", "dependency_monkey_stack", "adviser_product", "stack_package"} {
		if counts[table] != 0 {
			t.Errorf("the refused reports left %d rows in %s", counts[table], table)
		}
	}
	if err := b.docs.Put(ctx, "dependency-monkey-reports/"+id, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if rep, err := b.svc.Sync(ctx, ingest.SyncOptions{Prefix: "dependency-monkey-reports/" + id}); err != nil || rep.Failed != 0 {
			t.Fatalf("sync: %+v, %v", rep, err)
		}
	}
	if got := tableCounts(t, b.db); got["dependency_monkey_stack"] != 2 || got["adviser_product"] != 2 {
		t.Errorf("after two syncs: %v", got)
	}
}
