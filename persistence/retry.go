package persistence

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry is the one retry policy: how often an operation that failed with a
// transient error is tried, and how long to wait before each new try. The
// wait before retry n (n from 1) is exponential, Base·2^(n-1) and at most
// Cap, with equal jitter: drawn uniformly from the upper half of that, so
// that writers that failed together do not retry together, and a restarting
// server still gets at least half the wait.
type Retry struct {
	// Attempts bounds the tries, the first included (1 or less: no retry).
	Attempts int
	// Base is the wait before the first retry, before jitter.
	Base time.Duration
	// Cap bounds the wait before any retry, before jitter (0: no bound).
	Cap time.Duration
}

// Delay returns the wait before retry n (1 for the first retry): a random
// duration in [d/2, d] for d = min(Cap, Base·2^(n-1)); 0 when n < 1 or
// Base <= 0.
func (p Retry) Delay(n int) time.Duration {
	if n < 1 || p.Base <= 0 {
		return 0
	}
	d := p.Base
	for i := 1; i < n && (p.Cap <= 0 || d < p.Cap) && d <= maxDelay/2; i++ {
		d *= 2
	}
	if p.Cap > 0 && d > p.Cap {
		d = p.Cap
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

const maxDelay = time.Duration(1<<63 - 1)

// Do calls op until it returns nil, returns an error that retryable rejects,
// or has been tried Attempts times, and returns op's last error (nil on
// success). Before each retry it calls onRetry, when not nil, with the
// retry's number (1 for the first), op's error and the wait, then waits
// Delay. When ctx is done before a retry, Do returns at once: UNAVAILABLE
// wrapping ctx's error.
func (p Retry) Do(ctx context.Context, op func() error, retryable func(error) bool, onRetry func(n int, err error, wait time.Duration)) error {
	for n := 1; ; n++ {
		err := op()
		if err == nil || n >= p.Attempts || !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return mapError(ctx.Err())
		}
		wait := p.Delay(n)
		if onRetry != nil {
			onRetry(n, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return mapError(ctx.Err())
		case <-t.C:
		}
	}
}
