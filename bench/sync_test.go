package bench

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// BenchmarkSync times Service.Sync in-process, as `seshat sync --workers 4`
// runs it: the documents of SESHAT_BENCH_INGEST (default "small"; the
// ingestion measurement of make bench uses "tf") are put into a fresh bucket
// once, then each iteration syncs all of them from MinIO into a fresh
// migrated database. CPU time is this process's (the sync's), not
// PostgreSQL's or MinIO's:
//
//	SESHAT_BENCH_INGEST=tf go test -run '^$' -bench Sync -benchtime 2x -cpuprofile cpu.out ./bench/
func BenchmarkSync(b *testing.B) {
	name := os.Getenv("SESHAT_BENCH_INGEST")
	if name == "" {
		name = "small"
	}
	size, err := dataset.ParseSize(name)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s3 := services.MinIO()
	env, docs, cleanup, err := PutDataset(ctx, s3, size)
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	var storeURL string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "SESHAT_DOCUMENT_STORE="); ok {
			storeURL = v
		}
	}
	store, err := objectstore.Open(ctx, objectstore.Config{URL: storeURL, Endpoint: s3.Endpoint, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey})
	if err != nil {
		b.Fatal(err)
	}
	const db = "bench_sync"
	admin := services.AdminURL()
	defer DropDatabase(context.WithoutCancel(ctx), admin, db)
	var cpu, statements, trips int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dbURL, err := CreateDatabase(ctx, admin, db, true)
		if err != nil {
			b.Fatal(err)
		}
		tracer := &persistence.Tracer{}
		st, err := persistence.Open(ctx, dbURL, persistence.Options{Tracer: tracer})
		if err != nil {
			b.Fatal(err)
		}
		svc := &ingest.Service{Store: st, Docs: store, Workers: 4}
		c := cpuTime()
		b.StartTimer()
		rep, err := svc.Sync(ctx, ingest.SyncOptions{})
		b.StopTimer()
		cpu += int64(cpuTime() - c)
		statements += tracer.Count()
		trips += tracer.RoundTrips()
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Synced != docs || rep.Failed != 0 {
			b.Fatalf("synced %d of %d documents, %d failed: %v", rep.Synced, docs, rep.Failed, rep.Failures)
		}
	}
	n := float64(b.N) * float64(docs)
	b.ReportMetric(float64(cpu)/1e3/n, "cpu-µs/doc")
	b.ReportMetric(float64(statements)/n, "statements/doc")
	b.ReportMetric(float64(trips)/n, "round-trips/doc")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/n, "µs/doc")
}
