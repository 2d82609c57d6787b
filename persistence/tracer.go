package persistence

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tracer counts every SQL statement the pool runs (queries, batch members,
// COPY), the round trips they took (a query, a batch or a COPY is one; a
// batch's first use of a statement may add one to prepare it) and the
// connections opened, and, when Log is set, logs each statement with its
// duration at debug level (SESHAT_DEBUG_QUERIES=1). Tests use them to
// assert round trips.
type Tracer struct {
	Logger   *slog.Logger
	Log      bool
	count    atomic.Int64
	trips    atomic.Int64
	connects atomic.Int64
}

type traceKey struct{}

type traceStart struct {
	sql   string
	start time.Time
}

// Count returns the number of statements started since the last Reset.
func (t *Tracer) Count() int64 { return t.count.Load() }

// RoundTrips returns the number of queries, batches and COPYs started
// since the last Reset.
func (t *Tracer) RoundTrips() int64 { return t.trips.Load() }

// Connects returns the number of connections opened since the last Reset.
func (t *Tracer) Connects() int64 { return t.connects.Load() }

// Reset sets the counts to zero.
func (t *Tracer) Reset() {
	t.count.Store(0)
	t.trips.Store(0)
	t.connects.Store(0)
}

// TraceConnectStart implements pgx.ConnectTracer.
func (t *Tracer) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	t.connects.Add(1)
	return ctx
}

// TraceConnectEnd implements pgx.ConnectTracer.
func (t *Tracer) TraceConnectEnd(context.Context, pgx.TraceConnectEndData) {}

// TraceQueryStart implements pgx.QueryTracer.
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	t.count.Add(1)
	t.trips.Add(1)
	if !t.Log {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, traceStart{sql: data.SQL, start: time.Now()})
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	t.end(ctx, data.Err, data.CommandTag.String())
}

// TraceBatchStart implements pgx.BatchTracer.
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	t.trips.Add(1)
	if !t.Log {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, traceStart{sql: "batch", start: time.Now()})
}

// TraceBatchQuery implements pgx.BatchTracer; each query of a batch counts.
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	t.count.Add(1)
	if t.Log && t.Logger != nil {
		t.Logger.DebugContext(ctx, "sql batch statement", "sql", data.SQL, "err", data.Err)
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	t.end(ctx, data.Err, "")
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	t.count.Add(1)
	t.trips.Add(1)
	if !t.Log {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, traceStart{sql: "COPY " + data.TableName.Sanitize(), start: time.Now()})
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	t.end(ctx, data.Err, data.CommandTag.String())
}

func (t *Tracer) end(ctx context.Context, err error, tag string) {
	if !t.Log || t.Logger == nil {
		return
	}
	st, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	attrs := []any{"sql", st.sql, "duration", time.Since(st.start), "tag", tag}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	t.Logger.DebugContext(ctx, "sql", attrs...)
}
