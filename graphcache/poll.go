package graphcache

import (
	"context"
	"sync"
	"time"
)

// readTimeout bounds one read of the generations.
const readTimeout = 5 * time.Second

// poller runs reads one at a time and lets callers share them: a caller
// needs a read that started after it called, so it joins the read that
// waits for the running one to end (the next), or starts one. Under load
// that is one read per read's duration, whatever the request rate.
type poller struct {
	read func(context.Context) error

	mu      sync.Mutex
	running *round // the read under way, if any
	next    *round // the read that starts when running ends
}

type round struct {
	done chan struct{}
	err  error
}

func (r *round) wait(ctx context.Context) error {
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sync returns when a read that started after it was called has ended,
// with that read's error.
func (p *poller) sync(ctx context.Context) error {
	p.mu.Lock()
	if r := p.next; r != nil {
		p.mu.Unlock()
		return r.wait(ctx)
	}
	r := &round{done: make(chan struct{})}
	prev := p.running
	if prev == nil {
		p.running = r
	} else {
		p.next = r
	}
	p.mu.Unlock()
	if prev != nil {
		// The read of prev is bounded by readTimeout: the others that
		// joined r wait for this caller to run it.
		<-prev.done
		p.mu.Lock()
		p.next, p.running = nil, r
		p.mu.Unlock()
	}
	// The read serves every caller that joined it: a caller that goes away
	// does not cancel it for the others.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	r.err = p.read(rctx)
	cancel()
	p.mu.Lock()
	if p.running == r {
		p.running = nil
	}
	p.mu.Unlock()
	close(r.done)
	return r.err
}
