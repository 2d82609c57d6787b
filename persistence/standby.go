package persistence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A Store opened with Options.StandbyURL reads from a hot standby where the
// caller allows it: the reads of a context made by ReadFromStandby (the
// gateway's query operations) go to the standby while it answers and lags
// less than Options.MaxStandbyLag; every other read (mutations, ingestion,
// the CLI), every transaction, and every read while the standby is down or
// behind, goes to the primary. A monitor reads the standby's replay
// position and the primary's WAL position every Options.StandbyCheck; a
// read the standby fails for want of a connection marks it down at once
// and is answered by the primary.

// LSN is a position in PostgreSQL's write-ahead log.
type LSN uint64

// ParseLSN reads an LSN in PostgreSQL's notation, two hexadecimal halves
// ("16/B374D848"). It returns INVALID for anything else.
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, Errorf(CodeInvalid, "invalid WAL position %q: want two hexadecimal halves such as 16/B374D848", s)
	}
	return LSN(h<<32 | l), nil
}

// String writes l as PostgreSQL does.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint32(l>>32), uint32(l)) }

type readKey struct{}

// readPolicy is where the reads of a context may go: the standby, once it
// has replayed after.
type readPolicy struct{ after LSN }

// ReadFromStandby returns ctx whose reads may be answered by the hot
// standby while it serves (see Store.StandbyStatus).
func ReadFromStandby(ctx context.Context) context.Context {
	return context.WithValue(ctx, readKey{}, readPolicy{})
}

// ReadFromStandbyAfter is ReadFromStandby for a client that wrote at
// position lsn of the primary (PrimaryLSN after its write): its reads go
// to the standby only once the standby has replayed that far, so it reads
// its own writes.
func ReadFromStandbyAfter(ctx context.Context, lsn LSN) context.Context {
	return context.WithValue(ctx, readKey{}, readPolicy{after: lsn})
}

// StandbyStatus is what the monitor last saw of the hot standby.
type StandbyStatus struct {
	// Configured: the Store has a standby at all.
	Configured bool
	// Up: the standby answered the last check and no read failed since.
	Up bool
	// Serving: reads that may go to the standby go there (Up, and Lag
	// within MaxStandbyLag).
	Serving bool
	// InRecovery: the read database is a streaming standby; false for a
	// database that is not in recovery (then it has no lag).
	InRecovery bool
	// ReplayLSN is the last WAL position the standby applied; PrimaryLSN
	// the primary's position read just before it.
	ReplayLSN, PrimaryLSN LSN
	// LagBytes is PrimaryLSN - ReplayLSN; Lag how long ago the primary had
	// first reached a position the standby had not yet applied (0 when it
	// had applied everything), to the monitor's resolution.
	LagBytes int64
	Lag      time.Duration
	// CheckedAt is the last check's time; Err why the standby is not up.
	CheckedAt time.Time
	Err       error
	// StandbyReads and PrimaryReads count the reads allowed on the standby
	// by where they ran; Fallbacks those the standby failed and the
	// primary answered.
	StandbyReads, PrimaryReads, Fallbacks int64
}

// standby is the hot standby's pool and monitor.
type standby struct {
	pool     *pgxpool.Pool
	maxLag   time.Duration
	interval time.Duration
	logger   *slog.Logger
	// monitor connections, outside the Tracer: the checks are not the
	// application's statements.
	check, primary *pgxpool.Pool

	mu      sync.Mutex
	status  StandbyStatus
	samples []lsnSample // primary positions not yet replayed, oldest first

	standbyReads, primaryReads, fallbacks atomic.Int64
	serving                               atomic.Bool
	replayed                              atomic.Uint64

	stop context.CancelFunc
	done chan struct{}
}

type lsnSample struct {
	lsn LSN
	at  time.Time
}

// openStandby makes the standby's pools from the primary's configuration
// cfg (the same tracer, pool size and statement mode) and runs the first
// check before it returns, so a healthy standby serves the first read.
// The standby being down is not an error: the primary answers meanwhile.
func openStandby(ctx context.Context, primary *pgxpool.Config, opts Options, logger *slog.Logger) (*standby, error) {
	cfg, err := pgxpool.ParseConfig(opts.StandbyURL)
	if err != nil {
		return nil, Wrap(CodeInvalid, err, "invalid standby database URL")
	}
	sb := &standby{maxLag: opts.MaxStandbyLag, interval: opts.StandbyCheck, logger: logger, done: make(chan struct{})}
	if sb.interval <= 0 {
		sb.interval = time.Second
	}
	cfg.MaxConns = primary.MaxConns
	cfg.ConnConfig.DefaultQueryExecMode = primary.ConnConfig.DefaultQueryExecMode
	cfg.ConnConfig.BuildContextWatcherHandler = primary.ConnConfig.BuildContextWatcherHandler
	cfg.ConnConfig.Tracer = &standbyTracer{poolTracer: primary.ConnConfig.Tracer.(*poolTracer), sb: sb}
	checkCfg := func(c *pgxpool.Config) *pgxpool.Config {
		c = c.Copy()
		c.MaxConns, c.MinConns = 1, 0
		c.ConnConfig.Tracer = nil
		c.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		return c
	}
	if sb.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, Wrap(CodeInvalid, err, "invalid standby database configuration")
	}
	if sb.check, err = pgxpool.NewWithConfig(ctx, checkCfg(cfg)); err == nil {
		sb.primary, err = pgxpool.NewWithConfig(ctx, checkCfg(primary))
	}
	if err != nil {
		sb.close()
		return nil, Wrap(CodeInvalid, err, "invalid standby database configuration")
	}
	sb.status.Configured = true
	sb.refresh(ctx)
	mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sb.stop = cancel
	go sb.run(mctx)
	return sb, nil
}

func (sb *standby) run(ctx context.Context) {
	defer close(sb.done)
	t := time.NewTicker(sb.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sb.refresh(ctx)
		}
	}
}

func (sb *standby) close() {
	if sb.stop != nil {
		sb.stop()
		<-sb.done
	}
	for _, p := range []*pgxpool.Pool{sb.pool, sb.check, sb.primary} {
		if p != nil {
			p.Close()
		}
	}
}

// refresh reads the primary's WAL position, then the standby's replay
// position, and updates the status.
func (sb *standby) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, max(2*time.Second, sb.interval))
	defer cancel()
	now := time.Now()
	var primaryText string
	perr := sb.primary.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&primaryText)
	var recovery bool
	var replayText *string
	serr := sb.check.QueryRow(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text`).Scan(&recovery, &replayText)
	if ctx.Err() != nil && errors.Is(serr, context.Canceled) {
		return // Close
	}

	sb.mu.Lock()
	defer sb.mu.Unlock()
	st := &sb.status
	wasUp := st.Up
	st.CheckedAt, st.InRecovery = now, recovery
	switch {
	case serr != nil:
		st.Up, st.Err = false, Wrap(CodeUnavailable, serr, "hot standby unreachable")
	case recovery && replayText == nil:
		st.Up, st.Err = false, Errorf(CodeUnavailable, "hot standby has not replayed any WAL yet")
	default:
		st.Up, st.Err = true, nil
	}
	if st.Up && recovery {
		replay, err := ParseLSN(*replayText)
		if err != nil {
			st.Up, st.Err = false, err
		}
		st.ReplayLSN = replay
		if perr == nil {
			if p, err := ParseLSN(primaryText); err == nil {
				st.PrimaryLSN = p
				if n := len(sb.samples); n == 0 || sb.samples[n-1].lsn < p {
					sb.samples = append(sb.samples, lsnSample{lsn: p, at: now})
				}
			}
		}
		// Forget the positions the standby has applied; the oldest left is
		// how far behind it is.
		i := 0
		for i < len(sb.samples) && sb.samples[i].lsn <= replay {
			i++
		}
		sb.samples = append(sb.samples[:0], sb.samples[i:]...)
		st.LagBytes, st.Lag = 0, 0
		if st.PrimaryLSN > replay {
			st.LagBytes = int64(st.PrimaryLSN - replay)
		}
		if len(sb.samples) > 0 {
			st.Lag = now.Sub(sb.samples[0].at)
		}
	}
	if !recovery {
		// A read database that is not a standby (a copy, a logical
		// replica) has no replay position to wait for.
		st.ReplayLSN, st.LagBytes, st.Lag = LSN(^uint64(0)), 0, 0
		sb.samples = sb.samples[:0]
	}
	st.Serving = st.Up && (sb.maxLag <= 0 || st.Lag <= sb.maxLag)
	sb.serving.Store(st.Serving)
	sb.replayed.Store(uint64(st.ReplayLSN))
	switch {
	case wasUp && !st.Up:
		sb.logger.Warn("hot standby down: reads go to the primary", "err", serr)
	case !wasUp && st.Up:
		sb.logger.Info("hot standby up", "replay_lsn", st.ReplayLSN, "lag", st.Lag)
	case st.Up && !st.Serving:
		sb.logger.Warn("hot standby behind: reads go to the primary", "lag", st.Lag, "max_lag", sb.maxLag)
	}
}

// markDown records that a read failed for want of a connection: reads go
// to the primary until the next check finds the standby answering.
func (sb *standby) markDown(err error) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.status.Up {
		sb.logger.Warn("hot standby read failed: reads go to the primary", "err", err)
	}
	sb.status.Up, sb.status.Serving = false, false
	sb.status.Err = Wrap(CodeUnavailable, err, "hot standby unreachable")
	sb.serving.Store(false)
}

func (sb *standby) snapshot() StandbyStatus {
	sb.mu.Lock()
	st := sb.status
	sb.mu.Unlock()
	st.StandbyReads, st.PrimaryReads, st.Fallbacks = sb.standbyReads.Load(), sb.primaryReads.Load(), sb.fallbacks.Load()
	return st
}

// serves reports whether a read of policy p goes to the standby.
func (sb *standby) serves(p readPolicy) bool {
	return sb.serving.Load() && LSN(sb.replayed.Load()) >= p.after
}

// failed reports whether err, from the standby, should be answered by
// the primary instead: a lost or refused connection (which marks the
// standby down) or a query cancelled by a conflict with recovery. A
// request that ended is not retried.
func (sb *standby) failed(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch {
	case connFailure(err):
		sb.markDown(err)
	case recoveryConflict(err):
	default:
		return false
	}
	sb.fallbacks.Add(1)
	return true
}

// connFailure reports whether err says the server could not be reached or
// went away, rather than refusing a statement.
func connFailure(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgerrcode.IsConnectionException(pgErr.Code) || pgErr.Code == pgerrcode.AdminShutdown ||
			pgErr.Code == pgerrcode.CrashShutdown || pgErr.Code == pgerrcode.CannotConnectNow ||
			pgErr.Code == pgerrcode.TooManyConnections
	}
	var netErr net.Error
	return isConnError(err) || pgconn.SafeToRetry(err) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// recoveryConflict reports whether the standby cancelled a query because
// replay needed what it read (SQLSTATE 40001 on a standby).
func recoveryConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.SerializationFailure
}

// standbyTracer is the primary's tracer for the standby's pool, which also
// marks the standby down when a statement on it loses its connection.
type standbyTracer struct {
	*poolTracer
	sb *standby
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *standbyTracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err != nil && ctx.Err() == nil && connFailure(data.Err) {
		t.sb.markDown(data.Err)
	}
	t.poolTracer.TraceQueryEnd(ctx, conn, data)
}

// querier is what a read runs on: the primary's pool, or the standby's
// with the primary behind it.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// reader is where a read of ctx runs.
func (s *Store) reader(ctx context.Context) querier {
	if s.standby == nil {
		return s.pool
	}
	p, ok := ctx.Value(readKey{}).(readPolicy)
	if !ok {
		return s.pool
	}
	if !s.standby.serves(p) {
		s.standby.primaryReads.Add(1)
		return s.pool
	}
	s.standby.standbyReads.Add(1)
	return standbyFirst{sb: s.standby, primary: s.pool}
}

// standbyFirst runs a read on the standby, and on the primary when the
// standby fails it before any row arrived (standby.failed). A connection
// acquired for several statements (a graph walk) is the standby's to the
// end: the statements after a failure fail with it.
type standbyFirst struct {
	sb      *standby
	primary *pgxpool.Pool
}

func (r standbyFirst) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := r.sb.pool.Query(ctx, sql, args...)
	if err != nil {
		if r.sb.failed(ctx, err) {
			return r.primary.Query(ctx, sql, args...)
		}
		return rows, err
	}
	// A statement whose description is cached reports a lost connection
	// only when its rows are read.
	return &fallbackRows{Rows: rows, r: r, ctx: ctx, sql: sql, args: args}, nil
}

// fallbackRows are a standby's rows that, when the first Next finds the
// connection lost, become the primary's rows of the same statement.
type fallbackRows struct {
	pgx.Rows
	r       standbyFirst
	ctx     context.Context
	sql     string
	args    []any
	started bool
}

func (f *fallbackRows) Next() bool {
	if f.Rows.Next() {
		f.started = true
		return true
	}
	if f.started {
		return false
	}
	f.started = true
	if err := f.Rows.Err(); err == nil || !f.r.sb.failed(f.ctx, err) {
		return false
	}
	f.Rows.Close()
	f.Rows, _ = f.r.primary.Query(f.ctx, f.sql, f.args...) // the error is the rows'
	return f.Rows.Next()
}

func (r standbyFirst) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return fallbackRow{r: r, ctx: ctx, sql: sql, args: args}
}

func (r standbyFirst) Acquire(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := r.sb.pool.Acquire(ctx)
	if err != nil && r.sb.failed(ctx, err) {
		return r.primary.Acquire(ctx)
	}
	return conn, err
}

// fallbackRow is QueryRow's row: the statement runs when it is scanned.
type fallbackRow struct {
	r    standbyFirst
	ctx  context.Context
	sql  string
	args []any
}

func (row fallbackRow) Scan(dest ...any) error {
	err := row.r.sb.pool.QueryRow(row.ctx, row.sql, row.args...).Scan(dest...)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) && row.r.sb.failed(row.ctx, err) {
		return row.r.primary.QueryRow(row.ctx, row.sql, row.args...).Scan(dest...)
	}
	return err
}

// StandbyStatus returns what the monitor last saw of the hot standby and
// the read counters; Configured is false without Options.StandbyURL.
func (s *Store) StandbyStatus() StandbyStatus {
	if s.standby == nil {
		return StandbyStatus{}
	}
	return s.standby.snapshot()
}

// PrimaryLSN returns the primary's current WAL insert position: once a
// standby has replayed it, it shows every transaction committed before
// the call (ReadFromStandbyAfter).
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) PrimaryLSN(ctx context.Context) (LSN, error) {
	var text string
	if err := s.pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&text); err != nil {
		return 0, s.mapError(ctx, err)
	}
	return ParseLSN(text)
}
