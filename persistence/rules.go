package persistence

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/seshat-graph/seshat/python"
)

// Rule is a solver rule: the versions of a package that its specifier
// matches (every version when VersionRange is nil), on one index (every
// index when IndexID is nil), are ruled out for the reason Description
// gives. Solvers are not offered them (UnsolvedVersions).
type Rule struct {
	ID           int64     `db:"id"`
	PackageName  string    `db:"package_name"`
	VersionRange *string   `db:"version_range"`
	IndexID      *int64    `db:"index_id"`
	IndexURL     *string   `db:"index_url"`
	Description  string    `db:"description"`
	CreatedAt    time.Time `db:"created_at"`
}

// ruleLock is the advisory lock (two-key space, beside vulnerabilityLock's)
// that orders rule creation against documents matching the versions they
// bring: createRule holds it exclusively, a document shares it while it
// reads the rules naming its packages. So a version arriving while a rule
// naming it is created is matched by one of the two: either the creation
// sees the version committed, or the document sees the rule.
const ruleLock = `SELECT pg_advisory_xact_lock(1397051457, 2)`

const ruleLockShared = `SELECT pg_advisory_xact_lock_shared(1397051457, 2)`

const ruleSelect = `
	SELECT r.id, r.package_name, r.version_range, r.index_id, ix.url AS index_url, r.description, r.created_at
	FROM rule r LEFT JOIN package_index ix ON ix.id = r.index_id`

// RuleInput describes a rule to create.
type RuleInput struct {
	// Package is the package's name (PEP 503 normalised on the way in); it
	// need not be known yet.
	Package string
	// VersionRange is a PEP 440 specifier set; nil, "" and "*" match every version.
	VersionRange *string
	// IndexURL names a registered index (normalised, NormalIndexURL); nil
	// for every index.
	IndexURL    *string
	Description string
}

// ruleSpec is a rule's parsed specifier and index, for matching versions.
type ruleSpec struct {
	id       int64
	name     string
	indexURL *string
	spec     python.Specifier
	any      bool // no specifier: every version, PEP 440 or not
	never    bool // a stored specifier that does not parse
}

func (r ruleSpec) matches(name, version, indexURL string) bool {
	if r.never || name != r.name || (r.indexURL != nil && *r.indexURL != indexURL) {
		return false
	}
	if r.any {
		return true
	}
	v, err := python.ParseVersion(version)
	return err == nil && r.spec.Matches(v)
}

func newRuleSpec(id int64, name string, versionRange, indexURL *string) ruleSpec {
	rs := ruleSpec{id: id, name: name, indexURL: indexURL, any: versionRange == nil}
	if versionRange != nil {
		spec, err := python.ParseSpecifier(*versionRange)
		// Stored ranges were parsed on the way in; one that no longer
		// parses matches nothing rather than everything.
		rs.spec, rs.never = spec, err != nil
	}
	return rs
}

// CreateRule creates the rule in, matches it against every known version of
// its package (on its index) in the same transaction, and returns it with
// created true. A rule equal to an existing one (same package, specifier,
// index and description) is not created again: that one is returned, with
// created false. The specifier is stored as ParseSpecifier's String (NULL
// for every version). Returns INVALID for an empty package name or a
// specifier PEP 440 does not describe, NOT_FOUND for an index that is not
// registered.
func (s *Store) CreateRule(ctx context.Context, in RuleInput) (rule Rule, created bool, err error) {
	name := python.NormalizeName(in.Package)
	if name == "" {
		return Rule{}, false, Errorf(CodeInvalid, "package must not be empty")
	}
	var vr *string
	if in.VersionRange != nil {
		spec, err := python.ParseSpecifier(*in.VersionRange)
		if err != nil {
			return Rule{}, false, Wrap(CodeInvalid, err, "versionRange: "+err.Error())
		}
		if str := spec.String(); str != "" {
			vr = &str
		}
	}
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, ruleLock); err != nil {
			return err
		}
		var indexID *int64
		if in.IndexURL != nil {
			var id int64
			url := *NormalIndexURL(in.IndexURL)
			err := tx.QueryRow(ctx, `SELECT id FROM package_index WHERE url = $1`, url).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return Errorf(CodeNotFound, "no index %q is registered", url)
			}
			if err != nil {
				return err
			}
			indexID = &id
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO rule (package_name, version_range, index_id, description) VALUES ($1, $2, $3, $4)
			ON CONFLICT ON CONSTRAINT rule_key DO NOTHING RETURNING id`, name, vr, indexID, in.Description).Scan(&id)
		created = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			err = tx.QueryRow(ctx, `SELECT id FROM rule WHERE package_name = $1 AND version_range IS NOT DISTINCT FROM $2
				AND index_id IS NOT DISTINCT FROM $3 AND description = $4`, name, vr, indexID, in.Description).Scan(&id)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, ruleSelect+` WHERE r.id = $1`, id)
		if err != nil {
			return err
		}
		if rule, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Rule]); err != nil {
			return err
		}
		if !created {
			return nil
		}
		_, err = matchRuleVersions(ctx, tx, []ruleSpec{newRuleSpec(rule.ID, name, rule.VersionRange, rule.IndexURL)},
			`WHERE p.name = $1 AND ($2::bigint IS NULL OR pv.index_id = $2)`, name, indexID)
		if err != nil {
			return err
		}
		return bumpPackageNames(ctx, tx, []string{name})
	})
	return rule, created, err
}

// matchRuleVersions matches the versions the WHERE clause where selects
// (over package_version pv, package p, package_index ix) against rules and
// records the matches; it returns how many were new.
func matchRuleVersions(ctx context.Context, tx pgx.Tx, rules []ruleSpec, where string, args ...any) (int64, error) {
	rows, err := tx.Query(ctx, `
		SELECT pv.id, p.name, pv.version, coalesce(ix.url, '')
		FROM package_version pv JOIN package p ON p.id = pv.package_id
		LEFT JOIN package_index ix ON ix.id = pv.index_id `+where, args...)
	if err != nil {
		return 0, err
	}
	var vs []knownRelease
	var v knownRelease
	if _, err := pgx.ForEachRow(rows, []any{&v.id, &v.name, &v.version, &v.indexURL}, func() error {
		vs = append(vs, v)
		return nil
	}); err != nil {
		return 0, err
	}
	return insertRuleMatches(ctx, tx, rules, vs)
}

// knownRelease is a version row with its package name and index URL ("" when unknown).
type knownRelease struct {
	id                      int64
	name, version, indexURL string
}

// insertRuleMatches records which of vs each rule matches, in key order,
// keeping the matches that exist; it returns how many it inserted.
func insertRuleMatches(ctx context.Context, tx pgx.Tx, rules []ruleSpec, vs []knownRelease) (int64, error) {
	var n int64
	b := &pgx.Batch{}
	queueRuleMatches(b, rules, vs, func(inserted int64) { n = inserted })
	if b.Len() == 0 {
		return 0, nil
	}
	err := tx.SendBatch(ctx, b).Close()
	return n, err
}

// queueRuleMatches queues on b the insert of the matches of rules among vs,
// in key order, keeping those that exist; inserted gets how many it
// inserted when b runs. Nothing is queued when nothing matches.
func queueRuleMatches(b *pgx.Batch, rules []ruleSpec, vs []knownRelease, inserted func(int64)) {
	type pair struct{ rule, version int64 }
	var pairs []pair
	for _, r := range rules {
		for _, v := range vs {
			if r.matches(v.name, v.version, v.indexURL) {
				pairs = append(pairs, pair{r.id, v.id})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].rule != pairs[j].rule {
			return pairs[i].rule < pairs[j].rule
		}
		return pairs[i].version < pairs[j].version
	})
	ruleIDs := make([]int64, len(pairs))
	versionIDs := make([]int64, len(pairs))
	for i, p := range pairs {
		ruleIDs[i], versionIDs[i] = p.rule, p.version
	}
	b.Queue(`
		INSERT INTO rule_match (rule_id, version_id)
		SELECT r, v FROM unnest($1::bigint[], $2::bigint[]) AS t(r, v) ORDER BY r, v
		ON CONFLICT (rule_id, version_id) DO NOTHING`, ruleIDs, versionIDs).Exec(func(tag pgconn.CommandTag) error {
		inserted(tag.RowsAffected())
		return nil
	})
}

// queueRulesOf queues, on b, sharing ruleLock and reading the rules that
// name any of names; they are in *rules once b has run.
func queueRulesOf(b *pgx.Batch, names []string, rules *[]ruleSpec) {
	b.Queue(ruleLockShared)
	b.Queue(`
		SELECT r.id, r.package_name, r.version_range, ix.url
		FROM rule r LEFT JOIN package_index ix ON ix.id = r.index_id
		WHERE r.package_name = ANY($1)`, names).Query(func(rows pgx.Rows) error {
		var (
			id       int64
			name     string
			vr, iurl *string
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &name, &vr, &iurl}, func() error {
			*rules = append(*rules, newRuleSpec(id, name, vr, iurl))
			vr, iurl = nil, nil
			return nil
		})
		return err
	})
}

// queueRuleArrivals matches versions (by key) against rules, the rules
// naming their packages, and queues on b the insert of the matches;
// inserted gets how many it inserted. Nothing is queued when nothing
// matches.
func queueRuleArrivals(b *pgx.Batch, rules []ruleSpec, verIDs map[versionKey]int64, inserted func(int64)) {
	if len(rules) == 0 {
		return
	}
	vs := make([]knownRelease, 0, len(verIDs))
	for k, id := range verIDs {
		vs = append(vs, knownRelease{id: id, name: k.name, version: k.version, indexURL: k.index})
	}
	queueRuleMatches(b, rules, vs, inserted)
}

// Rule returns the rule with id; nil when there is none.
func (s *Store) Rule(ctx context.Context, id int64) (*Rule, error) {
	rows, err := collect[Rule](ctx, s, ruleSelect+` WHERE r.id = $1`, id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// Rules pages through the rules (only those of package pkg, PEP 503
// normalised, when it is not ""), ordered by id. One statement. Returns
// INVALID for a bad cursor or a negative page size.
func (s *Store) Rules(ctx context.Context, pkg string, page Page) (Connection[Rule], error) {
	var name *string
	if strings.TrimSpace(pkg) != "" {
		n := python.NormalizeName(pkg)
		name = &n
	}
	return keysetPage(ctx, s, ruleList, page, name)
}

// ruleList is the list Rules pages through: the rules of package $1 (all
// when NULL), by id.
var ruleList = keyset[Rule]{
	kind:  "rule",
	key:   func(r Rule) string { return strconv.FormatInt(r.ID, 10) },
	start: int64(0),
	parse: func(key string) (any, error) { return strconv.ParseInt(key, 10, 64) },
	list:  `SELECT r.* FROM rule r WHERE $1::text IS NULL OR r.package_name = $1`,
	next: `SELECT m.id, m.package_name, m.version_range, m.index_id, ix.url AS index_url, m.description, m.created_at
		FROM m LEFT JOIN package_index ix ON ix.id = m.index_id
		WHERE m.id > $2 ORDER BY m.id LIMIT $3 + 1`,
}

// DeleteRule deletes the rule with id, and its matches, and returns it: the
// versions it matched join the solvers' backlog again unless another rule
// matches them. Returns NOT_FOUND when there is no such rule.
func (s *Store) DeleteRule(ctx context.Context, id int64) (Rule, error) {
	var out Rule
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH d AS (DELETE FROM rule WHERE id = $1 RETURNING *)
			SELECT d.id, d.package_name, d.version_range, d.index_id, ix.url AS index_url, d.description, d.created_at
			FROM d LEFT JOIN package_index ix ON ix.id = d.index_id`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Rule])
		if errors.Is(err, pgx.ErrNoRows) {
			return Errorf(CodeNotFound, "no rule %d", id)
		}
		if err != nil {
			return err
		}
		return bumpPackageNames(ctx, tx, []string{out.PackageName})
	})
	return out, err
}

// RulesOfVersions returns, per version, the rules that match it, ordered
// by id; versions no rule matches are absent. One statement.
func (s *Store) RulesOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]Rule, error) {
	type row struct {
		VersionID int64 `db:"version_id"`
		Rule
	}
	rows, err := collect[row](ctx, s, `
		SELECT rm.version_id, r.id, r.package_name, r.version_range, r.index_id, ix.url AS index_url, r.description, r.created_at
		FROM rule_match rm JOIN rule r ON r.id = rm.rule_id
		LEFT JOIN package_index ix ON ix.id = r.index_id
		WHERE rm.version_id = ANY($1)
		ORDER BY rm.version_id, r.id`, versionIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]Rule)
	for _, r := range rows {
		out[r.VersionID] = append(out[r.VersionID], r.Rule)
	}
	return out, nil
}
