package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv/services"
)

// Markers of the memory measurement's section in docs/benchmarks.md,
// written by `make bench-memory` apart from the main one.
const (
	MemoryBeginMarker = "<!-- make bench-memory: generated, begin -->"
	MemoryEndMarker   = "<!-- make bench-memory: generated, end -->"
)

// MemoryResult is one `seshat sync` of many documents, its RSS sampled
// throughout.
type MemoryResult struct {
	Started time.Time
	Machine Machine
	Run     IngestRun
	Put     time.Duration
}

// errEnough stops the generator once enough documents are out.
var errEnough = errors.New("enough documents")

// RunMemory puts n generated documents (tf10x with seeds 1, 2, ... until n)
// into a fresh bucket and syncs them with `seshat sync --workers workers`
// into a fresh migrated database, sampling the sync's RSS every 100 ms.
// Bucket and database are removed afterwards.
func RunMemory(ctx context.Context, cfg Config, n, workers int, logf func(string, ...any)) (*MemoryResult, error) {
	res := &MemoryResult{Started: time.Now().UTC(), Machine: DescribeMachine(ctx, cfg.AdminURL)}
	start := time.Now()
	count := 0
	gen := func(ctx context.Context, emit func(id string, raw []byte) error) error {
		for seed := uint64(Seed); count < n; seed++ {
			_, err := dataset.Generate(ctx, dataset.Options{Size: dataset.TF10x, Seed: seed}, func(id string, raw []byte) error {
				if count >= n {
					return errEnough
				}
				count++
				if count%10000 == 0 {
					logf("memory: %d of %d documents put", count, n)
				}
				return emit(id, raw)
			})
			if err != nil && !errors.Is(err, errEnough) {
				return err
			}
		}
		return nil
	}
	env, docs, cleanup, err := putDocuments(ctx, services.MinIO(), gen)
	if err != nil {
		return nil, fmt.Errorf("put documents: %w", err)
	}
	defer cleanup()
	res.Put = time.Since(start)
	logf("memory: %d documents in a fresh bucket (%.0f s)", docs, res.Put.Seconds())
	const db = "bench_memory"
	defer DropDatabase(context.WithoutCancel(ctx), cfg.AdminURL, db)
	run, _, err := syncChecked(ctx, cfg, cfg.Seshat, db, env, workers, docs)
	if err != nil {
		return nil, err
	}
	res.Run = run
	logf("memory: %d workers: %.1f s, %.0f documents/s, max RSS %s, %s after the first quarter", workers, run.Elapsed.Seconds(),
		float64(docs)/run.Elapsed.Seconds(), mib(run.MaxRSS), mib(run.QuarterRSS))
	return res, nil
}

// Flat reports the DESIGN target: the peak RSS of the whole sync within
// 1.5x of the peak of its first quarter, over at least 100,000 documents.
func (m *MemoryResult) Flat() bool {
	r := m.Run
	return r.Documents >= 100000 && r.QuarterRSS > 0 && float64(r.MaxRSS) <= 1.5*float64(r.QuarterRSS)
}

// Markdown renders the memory section of docs/benchmarks.md.
func (m *MemoryResult) Markdown(command string) string {
	var b strings.Builder
	r := m.Run
	mc := m.Machine
	b.WriteString(MemoryBeginMarker + "\n")
	b.WriteString("## Latest `make bench-memory`: memory while syncing 100k documents\n\n")
	fmt.Fprintf(&b, "Taken %s by `%s` on %d CPUs (%s), %.0f GiB RAM, %s, PostgreSQL %s. ",
		m.Started.Format("2006-01-02 15:04 UTC"), command, mc.CPUs, mc.CPUModel, mc.MemGiB, mc.Go, mc.Postgres)
	fmt.Fprintf(&b, "%d generated documents (`tf10x` with seeds %d, %d, ... until there are enough) were put into a fresh MinIO bucket "+
		"(%.0f s), then `seshat sync --workers %d` ran as a child process into a fresh migrated database, its RSS (`VmRSS`) and "+
		"high-water mark (`VmHWM`) sampled every 100 ms.\n\n", r.Documents, Seed, Seed+1, m.Put.Seconds(), r.Workers)
	verdict := "**NOT MET**"
	if m.Flat() {
		verdict = "MET"
	}
	b.WriteString("| documents | workers | seconds | documents/s | peak RSS, first quarter | peak RSS, whole run | RSS by tenth of the run | memory flat (peak <= 1.5x the first quarter's) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	tenths := make([]string, len(r.Tenths))
	for i, v := range r.Tenths {
		tenths[i] = mib(v)
	}
	fmt.Fprintf(&b, "| %d | %d | %.1f | %.0f | %s | %s | %s | %s |\n", r.Documents, r.Workers, r.Elapsed.Seconds(),
		float64(r.Documents)/r.Elapsed.Seconds(), mib(r.QuarterRSS), mib(r.MaxRSS), strings.Join(tenths, ", "), verdict)
	b.WriteString("\n" + MemoryEndMarker + "\n")
	return b.String()
}
