// Package persistence is the only place SQL lives: domain types, the Store,
// transactions, bulk writes and graph walks over PostgreSQL.
package persistence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes the knowledge graph.
type Store struct {
	pool           *pgxpool.Pool
	standby        *standby // nil without Options.StandbyURL
	logger         *slog.Logger
	acquireTimeout time.Duration
	// nodes caches the ids of the shared nodes solver documents name.
	nodes *nodeCache
	// edgeIDs holds ids of depends_on's sequence for documents' edges.
	edgeIDs *idBlock
	// TxRetry is the policy WithTx retries a transaction with after a
	// serialization failure or a deadlock. Open sets 6 tries, waiting
	// 20 ms before the first retry and doubling, less up to half by jitter.
	TxRetry Retry
}

// Options configure Open.
type Options struct {
	Logger *slog.Logger
	// Tracer, when set, sees every statement (see Tracer).
	Tracer *Tracer
	// MaxConns overrides the pool size; 0 keeps pgx's default (max(4, NumCPU)).
	MaxConns int32
	// AcquireTimeout bounds the wait for a free connection when every one is
	// busy; a request that waits longer fails with UNAVAILABLE. 0: no bound
	// but the request's own deadline.
	AcquireTimeout time.Duration
	// TransactionPooling says the URLs lead through a pooler in transaction
	// mode (pgbouncer pool_mode=transaction), where a session's prepared
	// statements are not there for its next transaction: statements are
	// then never prepared by name (pgx's QueryExecModeCacheDescribe: the
	// unnamed statement, parsed with every execution, and the result
	// description cached per connection).
	TransactionPooling bool
	// StandbyURL is a hot standby of the database: the reads of contexts
	// made by ReadFromStandby go there while it answers and lags at most
	// MaxStandbyLag (0: any lag); see StandbyStatus. StandbyCheck is how
	// often its lag is read (0: every second).
	StandbyURL    string
	MaxStandbyLag time.Duration
	StandbyCheck  time.Duration
}

// Open connects a pool to databaseURL and checks that the server answers.
// It returns UNAVAILABLE when the database cannot be reached.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, Wrap(CodeInvalid, err, "invalid database URL")
	}
	tracer := opts.Tracer
	if tracer == nil {
		tracer = &Tracer{}
	}
	// The acquire bound starts after the first ping below: opening the
	// pool's first connection is bounded by Open's own timeout.
	pt := &poolTracer{Tracer: tracer}
	cfg.ConnConfig.Tracer = pt
	// A cancelled context (a request that timed out, a client that left)
	// sends a cancel request for its statement and keeps the connection for
	// the next request; pgx's default closes the connection (after its own
	// cancel request), so every timeout would cost a reconnect. The
	// connection is dropped only when the server does not answer in 2s.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.TransactionPooling {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, Wrap(CodeInvalid, err, "invalid database configuration")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, Wrap(CodeUnavailable, err, fmt.Sprintf("database %s:%d unreachable", cfg.ConnConfig.Host, cfg.ConnConfig.Port))
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pt.acquireTimeout.Store(int64(opts.AcquireTimeout))
	s := &Store{pool: pool, logger: logger, acquireTimeout: opts.AcquireTimeout, nodes: newNodeCache(), edgeIDs: &idBlock{},
		TxRetry: Retry{Attempts: 6, Base: 20 * time.Millisecond, Cap: time.Second}}
	if opts.StandbyURL != "" {
		if s.standby, err = openStandby(ctx, cfg, opts, logger); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close stops the standby's monitor and closes the pools.
func (s *Store) Close() {
	if s.standby != nil {
		s.standby.close()
	}
	s.pool.Close()
}

// PoolStats are the connection pool's counters, for logs at shutdown.
type PoolStats struct {
	MaxConns, TotalConns, IdleConns int32
	Acquires, EmptyAcquires         int64
	AcquireWait                     time.Duration
}

// PoolStats returns the connection pool's counters.
func (s *Store) PoolStats() PoolStats {
	st := s.pool.Stat()
	return PoolStats{MaxConns: st.MaxConns(), TotalConns: st.TotalConns(), IdleConns: st.IdleConns(),
		Acquires: st.AcquireCount(), EmptyAcquires: st.EmptyAcquireCount(), AcquireWait: st.AcquireDuration()}
}

// Ping checks that the database answers. It returns UNAVAILABLE when it does not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return Wrap(CodeUnavailable, err, "database unreachable")
	}
	return nil
}

// WithTx runs fn in one transaction and commits when fn returns nil. A
// serialization failure or deadlock (40001, 40P01) restarts fn as TxRetry
// says; fn must therefore be safe to run again. Errors are mapped to coded
// errors (see mapError).
func (s *Store) WithTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.retryTx(ctx, func() error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		return runTx(ctx, tx, fn)
	})
}

// retryTx runs try, one try of a transaction, again after a serialization
// failure or a deadlock as TxRetry says, and maps its error.
func (s *Store) retryTx(ctx context.Context, try func() error) error {
	err := s.TxRetry.Do(ctx, try, retryable,
		func(n int, err error, wait time.Duration) {
			s.logger.DebugContext(ctx, "retrying transaction", "attempt", n, "wait", wait, "err", err)
		})
	return s.mapError(ctx, err)
}

// runTx runs fn in tx and commits it, or rolls it back when either fails.
func runTx(ctx context.Context, tx pgx.Tx, fn func(pgx.Tx) error) (err error) {
	defer func() {
		if err != nil {
			// Roll back even when ctx is already cancelled.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = tx.Rollback(rctx)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgerrcode.SerializationFailure || pgErr.Code == pgerrcode.DeadlockDetected
	}
	return false
}

// mapError is the package mapError that also recognises a wait for a
// connection that outlasted AcquireTimeout while ctx itself is still live.
func (s *Store) mapError(ctx context.Context, err error) error {
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return Wrap(CodeUnavailable, err, fmt.Sprintf("database busy: no connection free within %s", s.acquireTimeout))
	}
	return mapError(err)
}

// poolTracer is the Tracer plus the acquire timeout: pgxpool hands
// TraceAcquireStart's context to the wait for a connection (which includes
// opening one when the pool has room), and to nothing after it.
type poolTracer struct {
	*Tracer
	acquireTimeout atomic.Int64 // a time.Duration; 0: unbounded
}

type acquireCancelKey struct{}

// TraceAcquireStart implements pgxpool.AcquireTracer: it bounds the wait.
func (t *poolTracer) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	d := time.Duration(t.acquireTimeout.Load())
	if d <= 0 {
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return context.WithValue(ctx, acquireCancelKey{}, cancel)
}

// TraceAcquireEnd implements pgxpool.AcquireTracer.
func (t *poolTracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if cancel, ok := ctx.Value(acquireCancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

// mapError turns driver errors into coded errors; coded errors pass through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var coded *Error
	if errors.As(err, &coded) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Wrap(CodeNotFound, err, "not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Wrap(CodeUnavailable, err, "request cancelled or timed out")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == pgerrcode.UniqueViolation:
			return Wrap(CodeConflict, err, "already exists")
		case pgErr.Code == pgerrcode.ForeignKeyViolation, pgErr.Code == pgerrcode.CheckViolation,
			pgErr.Code == pgerrcode.NotNullViolation, pgErr.Code == pgerrcode.InvalidTextRepresentation,
			pgErr.Code == pgerrcode.StringDataRightTruncationDataException, pgErr.Code == pgerrcode.NumericValueOutOfRange:
			return Wrap(CodeInvalid, err, "invalid value")
		case pgErr.Code == pgerrcode.CharacterNotInRepertoire, pgErr.Code == pgerrcode.UntranslatableCharacter:
			// A parameter PostgreSQL cannot store as text: a NUL character
			// (\u0000 in JSON) or bytes that are not UTF-8.
			return Wrap(CodeInvalid, err, "invalid text: a value holds a NUL character or is not UTF-8")
		case pgErr.Code == pgerrcode.ReadOnlySQLTransaction:
			return Wrap(CodeUnavailable, err, "the database is read-only here (a hot standby): send writes to the gateway on the primary")
		case pgErr.Code == pgerrcode.InvalidSQLStatementName, pgErr.Code == pgerrcode.DuplicatePreparedStatement:
			// A prepared statement its connection made is missing, or one
			// it did not make is there: the URL leads through a pooler in
			// transaction mode and the statements were prepared by name.
			return Wrap(CodeUnavailable, err, "prepared statements do not survive the database pooler (pgbouncer in transaction mode?): set SESHAT_DATABASE_TRANSACTION_POOLING=1")
		case pgErr.Code == pgerrcode.QueryCanceled:
			return Wrap(CodeUnavailable, err, "query cancelled or timed out")
		case pgerrcode.IsConnectionException(pgErr.Code), pgErr.Code == pgerrcode.AdminShutdown,
			pgErr.Code == pgerrcode.CannotConnectNow, pgErr.Code == pgerrcode.TooManyConnections:
			return Wrap(CodeUnavailable, err, "database unavailable")
		}
		return err
	}
	if pgconn.SafeToRetry(err) || isConnError(err) {
		return Wrap(CodeUnavailable, err, "database unavailable")
	}
	return err
}

func isConnError(err error) bool {
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr)
}
