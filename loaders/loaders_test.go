package loaders

import (
	"context"
	"errors"
	"testing"

	"github.com/seshat-graph/seshat/persistence"
)

// Batch functions answer every key in key order, whatever order the store
// returns rows in; missing entities are NOT_FOUND, missing lists empty,
// missing optional values nil, and a failed batch fails every key.
func TestBatchResultsInKeyOrder(t *testing.T) {
	ctx := context.Background()
	fetch := func(_ context.Context, ids []int64) (map[int64]string, error) {
		return map[int64]string{3: "c", 1: "a"}, nil
	}
	got := entities(fetch, "thing").batch(ctx, []int64{3, 2, 1})
	if len(got) != 3 || *got[0].Data != "c" || *got[2].Data != "a" {
		t.Fatalf("entities = %+v", got)
	}
	if persistence.ErrorCode(got[1].Error) != persistence.CodeNotFound {
		t.Errorf("missing entity error = %v, want NOT_FOUND", got[1].Error)
	}
	opt := optional(fetch).batch(ctx, []int64{2, 3})
	if opt[0].Data != nil || opt[0].Error != nil || *opt[1].Data != "c" {
		t.Errorf("optional = %+v", opt)
	}
	listFetch := func(_ context.Context, ids []int64) (map[int64][]string, error) {
		return map[int64][]string{5: {"x", "y"}}, nil
	}
	ls := lists(listFetch).batch(ctx, []int64{4, 5})
	if ls[0].Data == nil || len(ls[0].Data) != 0 || len(ls[1].Data) != 2 {
		t.Errorf("lists = %+v", ls)
	}
	boom := errors.New("boom")
	failed := lists(func(context.Context, []int64) (map[int64][]string, error) { return nil, boom }).batch(ctx, []int64{1, 2})
	if len(failed) != 2 || !errors.Is(failed[0].Error, boom) || !errors.Is(failed[1].Error, boom) {
		t.Errorf("failed batch = %+v", failed)
	}
}

// prefetch runs the batch once per key and primes the cache, so later loads
// (and later prefetches) cost nothing.
func TestPrefetchPrimesCache(t *testing.T) {
	ctx := context.Background()
	calls := 0
	l := lists(func(_ context.Context, ids []int64) (map[int64][]string, error) {
		calls++
		out := map[int64][]string{}
		for _, id := range ids {
			out[id] = []string{"v"}
		}
		return out, nil
	})
	if got := l.prefetch(ctx, []int64{1, 2, 3}); len(got) != 3 {
		t.Fatalf("prefetch = %v", got)
	}
	l.prefetch(ctx, []int64{2, 3})
	if v, err := l.Load(ctx, 2)(); err != nil || len(v) != 1 {
		t.Fatalf("load after prefetch = %v, %v", v, err)
	}
	if calls != 1 {
		t.Errorf("batch ran %d times, want 1", calls)
	}
}
