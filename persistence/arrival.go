package persistence

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// arrivals are the vulnerability records and the solver rules naming the
// packages of versions a transaction writes, read by queueArrivals.
type arrivals struct {
	recs  []matchRecord
	rules []ruleSpec
}

// queueArrivals queues on b the reads of the records and the rules naming
// the packages names (sorted), sharing vulnerabilityLock and ruleLock; they
// are in a once b has run.
func queueArrivals(b *pgx.Batch, names []string, a *arrivals) {
	queueRecordsOf(b, names, &a.recs)
	queueRulesOf(b, names, &a.rules)
}

// queueArrivalMatches matches the versions a transaction wrote (by key)
// against a, the records and rules naming their packages, and queues on b
// the rows of the matches, one statement per kind with matches: a release
// inside a record's range becomes affected, and one a rule's specifier
// matches is ruled out, on arrival, without the record or the rule being
// written again. The rows inserted go into counts (affects, rule_matches)
// when there are any; counts may be nil.
func queueArrivalMatches(b *pgx.Batch, a *arrivals, verIDs map[versionKey]int64, counts Counts) {
	queueAffectArrivals(b, a.recs, verIDs, func(n int64) {
		if counts != nil && n > 0 {
			counts["affects"] = n
		}
	})
	queueRuleArrivals(b, a.rules, verIDs, func(n int64) {
		if counts != nil && n > 0 {
			counts["rule_matches"] = n
		}
	})
}

// matchArrivals matches the versions a transaction wrote (by key) against
// the vulnerability records and the solver rules naming their packages
// (see queueArrivalMatches): records and rules are read in one round trip,
// the matches written in another when there are any. The rows inserted go
// into counts (affects, rule_matches) when there are any; counts may be nil.
func matchArrivals(ctx context.Context, tx pgx.Tx, verIDs map[versionKey]int64, counts Counts) error {
	if len(verIDs) == 0 {
		return nil
	}
	nameSet := map[string]bool{}
	for k := range verIDs {
		nameSet[k.name] = true
	}
	var a arrivals
	b := &pgx.Batch{}
	queueArrivals(b, sortedKeys(nameSet), &a)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("read the records and rules of arriving versions: %w", err)
	}
	b = &pgx.Batch{}
	queueArrivalMatches(b, &a, verIDs, counts)
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}
