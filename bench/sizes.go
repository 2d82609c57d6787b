package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/graphgen"
	"github.com/seshat-graph/seshat/persistence"
)

// Seed is the dataset seed of every benchmark.
const Seed = 1

// Size returns the marker and builder of a dataset size: "tf" and "tf10x"
// (package dataset, the benchmark sizes), "small" and "sample" (quick, for
// working on the benchmarks), or "dev" (persistence's graphgen benchmark
// graph). For the dataset sizes the marker names the generator by a hash
// of every document it emits, so a changed generator rebuilds the cache.
func Size(size string) (SizeSpec, error) {
	mh, err := MigrationsHash()
	if err != nil {
		return SizeSpec{}, err
	}
	if size == "dev" {
		return SizeSpec{
			Marker: Marker{Size: size, Seed: 42, Generator: "graphgen", Migrations: mh},
			Build:  buildGraphgen,
		}, nil
	}
	ds, err := dataset.ParseSize(size)
	if err != nil {
		return SizeSpec{}, err
	}
	h := sha256.New()
	if _, err := dataset.Generate(context.Background(), dataset.Options{Size: ds, Seed: Seed}, func(id string, doc []byte) error {
		h.Write([]byte(id))
		h.Write(doc)
		return nil
	}); err != nil {
		return SizeSpec{}, err
	}
	return SizeSpec{
		Marker: Marker{Size: size, Seed: Seed, Generator: "dataset sha256:" + hex.EncodeToString(h.Sum(nil))[:12], Migrations: mh},
		Build:  func(ctx context.Context, dbURL string) (Root, int, error) { return ingestDataset(ctx, dbURL, ds) },
	}, nil
}

// DatasetRoot is the root of the dataset sizes: dataset.Root in the first
// environment.
func DatasetRoot() Root {
	idx := dataset.Root.IndexURL
	e := dataset.Environments[0]
	return Root{Name: dataset.Root.Name, Version: dataset.Root.Version, IndexURL: &idx,
		Environment: persistence.EnvironmentKey{OSName: e.OSName, OSVersion: e.OSVersion, PythonVersion: e.PythonVersion}}
}

// ingestDataset ingests every document of size through the ingestion
// service (as a sync would, without the object store), four at a time.
func ingestDataset(ctx context.Context, dbURL string, size dataset.Size) (Root, int, error) {
	store, err := persistence.Open(ctx, dbURL, persistence.Options{MaxConns: 4})
	if err != nil {
		return Root{}, 0, err
	}
	defer store.Close()
	svc := &ingest.Service{Store: store}
	type doc struct {
		id  string
		raw []byte
	}
	docs := make(chan doc, 64)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		failed       int
		firstFailure error
		workErr      error
	)
	for range 4 {
		wg.Go(func() {
			for d := range docs {
				r, err := svc.Ingest(gctx, d.id, d.raw, false)
				mu.Lock()
				if err != nil && workErr == nil {
					workErr = err
					cancel()
				}
				if r.Status == persistence.StatusFailed {
					failed++
					if firstFailure == nil {
						firstFailure = fmt.Errorf("%s: %w", d.id, r.Err)
					}
				}
				mu.Unlock()
			}
		})
	}
	st, err := dataset.Generate(gctx, dataset.Options{Size: size, Seed: Seed}, func(id string, raw []byte) error {
		select {
		case docs <- doc{id, append([]byte(nil), raw...)}:
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	})
	close(docs)
	wg.Wait()
	if workErr != nil {
		return Root{}, 0, workErr
	}
	if err != nil {
		return Root{}, 0, err
	}
	if failed > 0 {
		return Root{}, 0, fmt.Errorf("%d of %d documents failed, first %v", failed, st.Documents, firstFailure)
	}
	return DatasetRoot(), st.Documents, nil
}

func buildGraphgen(ctx context.Context, dbURL string) (Root, int, error) {
	env := persistence.EnvironmentKey{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"}
	g := graphgen.Generate(graphgen.Config{
		Seed: 42, Packages: 2500, VersionsPerPackage: 3, DepsPerVersion: 5,
		Indexes:      []string{"https://pypi.org/simple", "https://mirror.example.com/simple"},
		Environments: []persistence.EnvironmentKey{env}, Unsolved: 0.02,
	})
	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		return Root{}, 0, err
	}
	defer store.Close()
	if err := g.Ingest(ctx, store, "solver-bench"); err != nil {
		return Root{}, 0, err
	}
	for _, v := range g.Versions {
		if g.States[0][v] == graphgen.Solved && len(g.Edges[0][v]) >= 3 {
			idx := v.Index
			return Root{Name: v.Name, Version: v.Version, IndexURL: &idx, Environment: env}, len(g.Results), nil
		}
	}
	return Root{}, 0, fmt.Errorf("graphgen: no root with 3 requirements")
}
