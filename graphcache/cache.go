// Package graphcache keeps whole answers of the graph in memory, bounded in
// bytes, and drops each one exactly when a transaction changes what it was
// read from: the generations of persistence (per environment and package,
// kept in PostgreSQL so that every gateway sees every writer's changes).
//
// A request first brings the cache up to date (Begin: one read of the
// generations moved since the last read, shared by the requests that
// arrive while another read runs), then looks its answer up. A miss hands
// out a Fill: the caller computes the answer and stores it with what it
// depends on (an environment and packages). An answer whose dependencies
// changed after its Begin is not stored; one stored is evicted by the first
// read that sees one of them change. The cache knows nothing of GraphQL:
// keys and values are the caller's.
package graphcache

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/seshat-graph/seshat/persistence"
)

// Source reads the generations moved since a horizon
// (persistence.Store.GraphChanges).
type Source interface {
	GraphChanges(ctx context.Context, since int64) (persistence.GraphChanges, error)
}

// Deps are what an answer was read from: facts of Packages in Environment
// (its id), and what holds for them in every environment.
type Deps struct {
	Environment int64
	Packages    []int64
}

// Stats are the cache's counters since it was made, and its size now.
type Stats struct {
	Hits, Misses int64
	// Evicted counts answers dropped to make room; Invalidated those
	// dropped because what they were read from changed (or were not
	// stored for that reason).
	Evicted, Invalidated int64
	// Skipped counts requests the cache could not serve or keep (the
	// caller's Skip, and answers larger than the cache).
	Skipped int64
	// Bytes is the size the entries are charged (their answers, keys and
	// dependency lists), Entries their number.
	Bytes, Entries int64
}

// entryOverhead and depCharge are what an entry costs besides its answer
// and key: the entry itself, and per package its place in the
// dependency index.
const (
	entryOverhead = 256
	depCharge     = 48
)

type entry struct {
	key    string
	value  []byte
	env    int64
	pkgs   []int64
	charge int64
	elem   *list.Element
}

// Cache is an answer cache of bounded size, safe for concurrent use.
type Cache struct {
	source   Source
	capacity int64

	poll poller

	mu      sync.Mutex
	bytes   int64
	entries map[string]*entry
	lru     list.List // most recently used first; values are *entry
	byPkg   map[int64]map[*entry]struct{}
	byEnv   map[int64]map[*entry]struct{}
	// epoch counts the reads that applied changes; changedAt is the epoch
	// at which each generation was last seen to change, kept while a Fill
	// that began before it is open (inflight counts them by epoch).
	epoch     uint64
	changedAt map[persistence.GenerationKey]uint64
	inflight  map[uint64]int
	// horizon and seen are the last read's: the horizon to read from
	// next, and the generations it returned.
	horizon int64
	seen    map[persistence.GenerationKey]int64
	filling map[string]chan struct{}

	hits, misses, evicted, invalidated, skipped atomic.Int64
}

// New returns a cache of at most capacity bytes over source's generations.
func New(source Source, capacity int64) *Cache {
	c := &Cache{
		source: source, capacity: capacity,
		entries: map[string]*entry{}, byPkg: map[int64]map[*entry]struct{}{}, byEnv: map[int64]map[*entry]struct{}{},
		changedAt: map[persistence.GenerationKey]uint64{}, inflight: map[uint64]int{},
		seen: map[persistence.GenerationKey]int64{}, filling: map[string]chan struct{}{},
	}
	c.poll.read = c.read
	return c
}

// Capacity is the most bytes the entries may be charged.
func (c *Cache) Capacity() int64 { return c.capacity }

// Stats returns the counters and the current size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	bytes, n := c.bytes, int64(len(c.entries))
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evicted: c.evicted.Load(), Invalidated: c.invalidated.Load(),
		Skipped: c.skipped.Load(), Bytes: bytes, Entries: n}
}

// Skip counts a request the caller answered without the cache: a question
// or an answer the cache does not keep.
func (c *Cache) Skip() { c.skipped.Add(1) }

// Ticket is a request's view of the cache after Begin.
type Ticket struct {
	c     *Cache
	epoch uint64
}

// Begin brings the cache up to date with the generations that changed
// before it was called: it waits for a read of them that started after
// the call (one read serves every request that arrived while the previous
// one ran). An error means the generations could not be read: the caller
// must not use the cache for this request. Otherwise the caller must call
// the Ticket's Lookup, once.
func (c *Cache) Begin(ctx context.Context) (Ticket, error) {
	if err := c.poll.sync(ctx); err != nil {
		return Ticket{}, err
	}
	// Every change applied so far committed before the caller's answer
	// is read: the Ticket's epoch is the current one. The open Ticket
	// keeps the changes applied after it (see prune).
	c.mu.Lock()
	defer c.mu.Unlock()
	t := Ticket{c: c, epoch: c.epoch}
	c.inflight[t.epoch]++
	return t, nil
}

// read is one read of the generations and its application.
func (c *Cache) read(ctx context.Context) error {
	c.mu.Lock()
	since := c.horizon
	c.mu.Unlock()
	ch, err := c.source.GraphChanges(ctx, since)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.Horizon < c.horizon {
		// Transaction ids went back: not the database the cache was
		// read from (a new cluster behind the same address). Nothing it
		// holds can be vouched for.
		c.epoch++
		c.changedAt[persistence.GenerationKey{}] = c.epoch
		c.dropAll()
		c.seen = map[persistence.GenerationKey]int64{}
	}
	c.horizon = ch.Horizon
	seen := make(map[persistence.GenerationKey]int64, len(ch.Changes))
	bumped := false
	for _, g := range ch.Changes {
		seen[g.GenerationKey] = g.Generation
		if n, ok := c.seen[g.GenerationKey]; ok && n == g.Generation {
			continue // reported by an earlier read already
		}
		if !bumped {
			c.epoch++
			bumped = true
		}
		c.changedAt[g.GenerationKey] = c.epoch
		c.invalidate(g.GenerationKey)
	}
	c.seen = seen
	c.prune()
	return nil
}

// invalidate drops the entries read from what k counts.
func (c *Cache) invalidate(k persistence.GenerationKey) {
	var set map[*entry]struct{}
	switch {
	case k.PackageID == 0 && k.EnvironmentID == 0:
		c.invalidated.Add(int64(len(c.entries)))
		c.dropAll()
		return
	case k.PackageID == 0:
		set = c.byEnv[k.EnvironmentID]
	default:
		set = c.byPkg[k.PackageID]
	}
	for e := range set {
		if k.EnvironmentID == 0 || e.env == k.EnvironmentID {
			c.remove(e)
			c.invalidated.Add(1)
		}
	}
}

// prune forgets the changes no open Ticket or Fill began before.
func (c *Cache) prune() {
	oldest := c.epoch
	for e := range c.inflight {
		oldest = min(oldest, e)
	}
	for k, e := range c.changedAt {
		if e <= oldest {
			delete(c.changedAt, k)
		}
	}
}

// Lookup returns the answer kept under key (hit true), or, on a miss, a
// Fill for the caller to store the fresh answer with and then release
// (Put or Abandon), whichever happens. While another request fills the
// same key, Lookup waits for it first.
func (t Ticket) Lookup(ctx context.Context, key string) ([]byte, *Fill, bool) {
	c := t.c
	for waited := false; ; waited = true {
		c.mu.Lock()
		if e := c.entries[key]; e != nil {
			c.lru.MoveToFront(e.elem)
			t.release()
			c.mu.Unlock()
			c.hits.Add(1)
			return e.value, nil, true
		}
		done, busy := c.filling[key]
		if !busy || waited || ctx.Err() != nil {
			f := &Fill{c: c, key: key, epoch: t.epoch}
			if !busy {
				f.done = make(chan struct{})
				c.filling[key] = f.done
			}
			c.mu.Unlock()
			c.misses.Add(1)
			return nil, f, false
		}
		c.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
}

// release closes the Ticket, with c.mu held.
func (t Ticket) release() {
	if t.c.inflight[t.epoch]--; t.c.inflight[t.epoch] <= 0 {
		delete(t.c.inflight, t.epoch)
	}
}

// Fill is a miss being answered; it holds its Ticket open.
type Fill struct {
	c        *Cache
	key      string
	epoch    uint64
	done     chan struct{} // closed on release when this Fill leads the key
	released bool
}

// Put stores value under the Fill's key with what it was read from, unless
// one of those changed since the Fill's Begin (counted invalidated), or
// the entry alone is larger than the cache (counted skipped); it reports
// whether it stored it. It releases the Fill.
func (f *Fill) Put(value []byte, deps Deps) bool {
	c := f.c
	pkgs := slices.Compact(slices.Sorted(slices.Values(deps.Packages)))
	// The value is charged the memory it holds (its capacity), not only
	// its length.
	charge := int64(cap(value)+len(f.key)) + entryOverhead + depCharge*int64(len(pkgs))
	c.mu.Lock()
	defer c.mu.Unlock()
	defer f.release()
	if f.released {
		return false
	}
	if charge > c.capacity {
		c.skipped.Add(1)
		return false
	}
	if c.changedSince(f.epoch, deps.Environment, pkgs) {
		c.invalidated.Add(1)
		return false
	}
	if old := c.entries[f.key]; old != nil {
		c.remove(old)
	}
	e := &entry{key: f.key, value: value, env: deps.Environment, pkgs: pkgs, charge: charge}
	e.elem = c.lru.PushFront(e)
	c.entries[f.key] = e
	c.bytes += charge
	addTo(c.byEnv, deps.Environment, e)
	for _, p := range pkgs {
		addTo(c.byPkg, p, e)
	}
	for c.bytes > c.capacity {
		c.remove(c.lru.Back().Value.(*entry))
		c.evicted.Add(1)
	}
	return true
}

// Abandon releases the Fill without storing anything.
func (f *Fill) Abandon() {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	f.release()
}

// release, with c.mu held.
func (f *Fill) release() {
	if f.released {
		return
	}
	f.released = true
	c := f.c
	Ticket{c: c, epoch: f.epoch}.release()
	if f.done != nil {
		if c.filling[f.key] == f.done {
			delete(c.filling, f.key)
		}
		close(f.done)
	}
}

// changedSince reports whether a generation the dependencies name was seen
// to change after epoch.
func (c *Cache) changedSince(epoch uint64, env int64, pkgs []int64) bool {
	if len(c.changedAt) == 0 {
		return false
	}
	after := func(k persistence.GenerationKey) bool { return c.changedAt[k] > epoch }
	if after(persistence.GenerationKey{}) || after(persistence.GenerationKey{EnvironmentID: env}) {
		return true
	}
	for _, p := range pkgs {
		if after(persistence.GenerationKey{PackageID: p}) || after(persistence.GenerationKey{EnvironmentID: env, PackageID: p}) {
			return true
		}
	}
	return false
}

func addTo(m map[int64]map[*entry]struct{}, k int64, e *entry) {
	s := m[k]
	if s == nil {
		s = map[*entry]struct{}{}
		m[k] = s
	}
	s[e] = struct{}{}
}

func removeFrom(m map[int64]map[*entry]struct{}, k int64, e *entry) {
	if s := m[k]; s != nil {
		delete(s, e)
		if len(s) == 0 {
			delete(m, k)
		}
	}
}

// remove drops e, with c.mu held.
func (c *Cache) remove(e *entry) {
	if c.entries[e.key] != e {
		return
	}
	delete(c.entries, e.key)
	c.lru.Remove(e.elem)
	c.bytes -= e.charge
	removeFrom(c.byEnv, e.env, e)
	for _, p := range e.pkgs {
		removeFrom(c.byPkg, p, e)
	}
}

// dropAll empties the cache, with c.mu held.
func (c *Cache) dropAll() {
	c.entries = map[string]*entry{}
	c.lru.Init()
	c.byPkg, c.byEnv = map[int64]map[*entry]struct{}{}, map[int64]map[*entry]struct{}{}
	c.bytes = 0
}
