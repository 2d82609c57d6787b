package persistence

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// withPipelinedTx is WithTx for the transactions of documents, which are
// many, short and mostly batches: BEGIN goes to the server with the
// transaction's first batch, and COMMIT with its last when that batch
// queues commitSQL, two round trips fewer for each (see pipelinedTx).
// Retries and errors are WithTx's.
func (s *Store) withPipelinedTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.retryTx(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		// Release closes a connection left inside a transaction rather than
		// handing it to the next user.
		defer conn.Release()
		return runTx(ctx, &pipelinedTx{conn: conn.Conn()}, fn)
	})
}

// commitSQL, queued last on a pipelinedTx's batch, commits the transaction
// with that batch's round trip; the Commit after it has nothing to send.
const commitSQL = `COMMIT`

// pipelinedTx is a pgx.Tx over one connection whose BEGIN is sent only
// with its first statement: prepended to the first batch (its result read
// off before the caller's), or on its own before any other first
// statement. Commit and Rollback look at the connection's transaction
// status, so a batch that ended with commitSQL leaves Commit nothing to do.
// Savepoints (Begin) and large objects are not offered.
type pipelinedTx struct {
	conn  *pgx.Conn
	begun bool
}

var errNoNestedTx = errors.New("persistence: a document transaction has no savepoints")

func (t *pipelinedTx) begin(ctx context.Context) error {
	if t.begun {
		return nil
	}
	t.begun = true
	_, err := t.conn.Exec(ctx, "BEGIN")
	return err
}

// SendBatch implements pgx.Tx; the first batch carries the BEGIN.
func (t *pipelinedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	t.begun = true
	withBegin := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+1)}
	withBegin.Queue("BEGIN")
	withBegin.QueuedQueries = append(withBegin.QueuedQueries, b.QueuedQueries...)
	br := t.conn.SendBatch(ctx, withBegin)
	// A failed BEGIN fails every result after it, and Close returns it.
	_, _ = br.Exec()
	return br
}

// Commit implements pgx.Tx: nothing to send when nothing was, or when a
// batch committed already.
func (t *pipelinedTx) Commit(ctx context.Context) error {
	if !t.begun || t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	tag, err := t.conn.Exec(ctx, commitSQL)
	if err == nil && tag.String() == "ROLLBACK" {
		// COMMIT of a failed transaction rolls it back.
		return pgx.ErrTxCommitRollback
	}
	return err
}

// Rollback implements pgx.Tx.
func (t *pipelinedTx) Rollback(ctx context.Context) error {
	if !t.begun || t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK")
	return err
}

// Begin implements pgx.Tx; document transactions use no savepoints.
func (t *pipelinedTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNoNestedTx }

// LargeObjects implements pgx.Tx; documents hold none (the zero value
// fails on use).
func (t *pipelinedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Conn implements pgx.Tx.
func (t *pipelinedTx) Conn() *pgx.Conn { return t.conn }

// CopyFrom implements pgx.Tx.
func (t *pipelinedTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, columns, src)
}

// Prepare implements pgx.Tx.
func (t *pipelinedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Prepare(ctx, name, sql)
}

// Exec implements pgx.Tx.
func (t *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.conn.Exec(ctx, sql, args...)
}

// Query implements pgx.Tx.
func (t *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

// QueryRow implements pgx.Tx.
func (t *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// errRow is a Row whose Scan returns err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
