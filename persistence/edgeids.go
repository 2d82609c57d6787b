package persistence

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// edgeIDBlock is how many edge ids a document that finds the store's block
// short fetches beyond its own.
const edgeIDBlock = 4096

// edgeIDsSQL takes $1 ids from depends_on's sequence.
const edgeIDsSQL = `SELECT nextval(pg_get_serial_sequence('depends_on', 'id')) FROM generate_series(1, $1)`

// idBlock holds ids taken from depends_on's sequence and not used yet, so
// that a document's edges need no statement of their own for their ids
// (three a document: the ids, and the plan setting around them, see
// genericPlans). A sequence's values are never handed out twice, whether
// the transaction that took them commits or not, so any transaction may
// use any id of the block once; the ids a rolled-back document used are
// lost, as they would be to nextval.
type idBlock struct {
	mu  sync.Mutex
	ids []int64
}

// short says whether the block holds fewer than n ids.
func (b *idBlock) short(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.ids) < n
}

// put adds ids to the block.
func (b *idBlock) put(ids []int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids = append(b.ids, ids...)
}

// queueFill queues on batch the fetch of n ids and a block's worth more
// into b, when b holds fewer than n.
func (b *idBlock) queueFill(batch *pgx.Batch, n int) {
	if n == 0 || !b.short(n) {
		return
	}
	batch.Queue(genericPlans)
	batch.Queue(edgeIDsSQL, n+edgeIDBlock).Query(func(rows pgx.Rows) error {
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err == nil {
			b.put(ids)
		}
		return err
	})
	batch.Queue(defaultPlans)
}

// take returns n ids of the block, fetching them (and a block's worth
// more) in tx when other documents took those queueFill fetched.
func (b *idBlock) take(ctx context.Context, tx pgx.Tx, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	b.mu.Lock()
	if len(b.ids) >= n {
		out := b.ids[:n:n]
		b.ids = b.ids[n:]
		b.mu.Unlock()
		return out, nil
	}
	b.mu.Unlock()
	rows, err := tx.Query(ctx, edgeIDsSQL, n+edgeIDBlock)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	b.put(ids[n:])
	return ids[:n:n], nil
}
