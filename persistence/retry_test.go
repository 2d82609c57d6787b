package persistence_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	p := persistence.Retry{Attempts: 10, Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond}
	for _, tc := range []struct {
		n        int
		min, max time.Duration
	}{
		{0, 0, 0},
		{1, 5 * time.Millisecond, 10 * time.Millisecond},
		{2, 10 * time.Millisecond, 20 * time.Millisecond},
		{3, 20 * time.Millisecond, 40 * time.Millisecond},
		{4, 25 * time.Millisecond, 50 * time.Millisecond}, // capped
		{1000, 25 * time.Millisecond, 50 * time.Millisecond},
	} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.Delay(tc.n)
			if d < tc.min || d > tc.max {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", tc.n, d, tc.min, tc.max)
			}
			seen[d] = true
		}
		if tc.max > 0 && len(seen) < 2 {
			t.Errorf("Delay(%d) always %v: no jitter", tc.n, seen)
		}
	}
	// Without a cap the wait grows until it would overflow, never negative.
	uncapped := persistence.Retry{Base: time.Millisecond}
	for _, n := range []int{1, 30, 62, 63, 64, 1000} {
		if d := uncapped.Delay(n); d <= 0 {
			t.Errorf("uncapped Delay(%d) = %s, want > 0", n, d)
		}
	}
	if d := (persistence.Retry{}).Delay(3); d != 0 {
		t.Errorf("Delay without a base = %s, want 0", d)
	}
}

var errTransient = errors.New("transient")

func always(error) bool { return true }

func TestRetryDo(t *testing.T) {
	t.Parallel()
	p := persistence.Retry{Attempts: 4, Base: time.Microsecond, Cap: 10 * time.Microsecond}

	t.Run("stops at the attempt limit", func(t *testing.T) {
		t.Parallel()
		calls, retries := 0, []int{}
		err := p.Do(t.Context(), func() error { calls++; return errTransient }, always,
			func(n int, err error, wait time.Duration) {
				if !errors.Is(err, errTransient) || wait > p.Cap {
					t.Errorf("retry %d: err %v, wait %s", n, err, wait)
				}
				retries = append(retries, n)
			})
		if !errors.Is(err, errTransient) || calls != 4 || len(retries) != 3 || retries[0] != 1 || retries[2] != 3 {
			t.Errorf("Do = %v after %d calls, retries %v; want the op's error after 4 calls, retries 1 to 3", err, calls, retries)
		}
	})

	t.Run("succeeds on a retry", func(t *testing.T) {
		t.Parallel()
		calls := 0
		err := p.Do(t.Context(), func() error {
			if calls++; calls < 3 {
				return errTransient
			}
			return nil
		}, always, nil)
		if err != nil || calls != 3 {
			t.Errorf("Do = %v after %d calls, want nil after 3", err, calls)
		}
	})

	t.Run("does not retry what retryable rejects", func(t *testing.T) {
		t.Parallel()
		calls := 0
		err := p.Do(t.Context(), func() error { calls++; return errTransient },
			func(error) bool { return false }, nil)
		if !errors.Is(err, errTransient) || calls != 1 {
			t.Errorf("Do = %v after %d calls, want the op's error after 1", err, calls)
		}
	})

	t.Run("one attempt", func(t *testing.T) {
		t.Parallel()
		for _, attempts := range []int{0, 1} {
			calls := 0
			err := persistence.Retry{Attempts: attempts, Base: time.Hour}.Do(t.Context(),
				func() error { calls++; return errTransient }, always, nil)
			if !errors.Is(err, errTransient) || calls != 1 {
				t.Errorf("Attempts %d: Do = %v after %d calls, want the op's error after 1", attempts, err, calls)
			}
		}
	})

	t.Run("stops when ctx is done during a wait", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		long := persistence.Retry{Attempts: 5, Base: time.Hour, Cap: time.Hour}
		// The wait is an hour: Do returns only when the cancel cuts it short.
		calls := 0
		err := long.Do(ctx, func() error { calls++; return errTransient }, always,
			func(int, error, time.Duration) { time.AfterFunc(10*time.Millisecond, cancel) })
		if persistence.ErrorCode(err) != persistence.CodeUnavailable || !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("Do = %v after %d calls, want UNAVAILABLE wrapping context.Canceled after 1", err, calls)
		}
	})

	t.Run("stops when ctx is done before a retry", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		calls, retried := 0, false
		err := p.Do(ctx, func() error { calls++; cancel(); return errTransient }, always,
			func(int, error, time.Duration) { retried = true })
		if persistence.ErrorCode(err) != persistence.CodeUnavailable || !errors.Is(err, context.Canceled) || calls != 1 || retried {
			t.Errorf("Do = %v after %d calls (retried %v), want UNAVAILABLE wrapping context.Canceled after 1, no retry", err, calls, retried)
		}
	})
}
