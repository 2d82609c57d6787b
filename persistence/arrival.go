package persistence

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// matchArrivals matches the versions a transaction wrote (by key) against
// the vulnerability records and the solver rules naming their packages: a
// release inside a record's range becomes affected, and one a rule's
// specifier matches is ruled out, on arrival, without the record or the
// rule being written again. Records and rules are read in one round trip
// (sharing vulnerabilityLock and ruleLock); rows are written only for
// matches, one statement each. The rows inserted go into counts (affects,
// rule_matches) when there are any; counts may be nil.
func matchArrivals(ctx context.Context, tx pgx.Tx, verIDs map[versionKey]int64, counts Counts) error {
	if len(verIDs) == 0 {
		return nil
	}
	nameSet := map[string]bool{}
	for k := range verIDs {
		nameSet[k.name] = true
	}
	names := sortedKeys(nameSet)
	var recs []matchRecord
	var rules []ruleSpec
	b := &pgx.Batch{}
	queueRecordsOf(b, names, &recs)
	queueRulesOf(b, names, &rules)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read the records and rules of arriving versions: %w", err)
	}
	affects, err := affectArrivals(ctx, tx, recs, verIDs)
	if err != nil {
		return err
	}
	matches, err := ruleArrivals(ctx, tx, rules, verIDs)
	if err != nil {
		return err
	}
	if counts != nil && affects > 0 {
		counts["affects"] = affects
	}
	if counts != nil && matches > 0 {
		counts["rule_matches"] = matches
	}
	return nil
}
