package persistence

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// DependencyMonkeyRun is a dependency_monkey_run row.
type DependencyMonkeyRun struct {
	DocumentID          string          `db:"document_id"`
	AnalyzerVersion     *string         `db:"analyzer_version"`
	RunAt               *time.Time      `db:"run_at"`
	Duration            *float64        `db:"duration"`
	DecisionType        *string         `db:"decision_type"`
	Seed                *int64          `db:"seed"`
	Count               *int            `db:"count"`
	LimitLatestVersions *int            `db:"limit_latest_versions"`
	Predictor           *string         `db:"predictor"`
	PredictorConfig     json.RawMessage `db:"predictor_config"`
	OSName              *string         `db:"os_name"`
	OSVersion           *string         `db:"os_version"`
	PythonVersion       *string         `db:"python_version"`
	RuntimeEnvironment  json.RawMessage `db:"runtime_environment"`
	Error               bool            `db:"error"`
	ErrorMessage        *string         `db:"error_message"`
	Skipped             *int            `db:"skipped"`
}

// DependencyMonkeyStack is one generated stack: its product (score,
// justification, lock: stack Number of the document) and the inspection
// id Amun answered.
type DependencyMonkeyStack struct {
	DocumentID   string `db:"document_id"`
	Number       int    `db:"number"`
	InspectionID string `db:"inspection_id"`
}

// DependencyMonkeyResult is what one Dependency Monkey report writes.
type DependencyMonkeyResult struct {
	Run          DependencyMonkeyRun
	Stacks       []DependencyMonkeyStack
	Products     []AdviserProduct
	Requirements []StackRequirement
	Packages     []StackPackage
}

var monkeyFacts = []string{"dependency_monkey_run", "dependency_monkey_stack", "stack_requirement", "stack_package", "adviser_product"}

// IngestDependencyMonkey writes one Dependency Monkey report in one
// transaction, as IngestAdviserResult does for adviser runs. Counts:
// dependency_monkey_runs, stacks, products, stack_requirements,
// stack_packages.
// Returns INVALID for facts the schema rejects, UNAVAILABLE when the
// database is unreachable.
func (s *Store) IngestDependencyMonkey(ctx context.Context, doc DocumentRef, res *DependencyMonkeyResult, force, wait bool) (IngestOutcome, error) {
	return s.ingestDocument(ctx, doc, force, wait, monkeyFacts, func(tx pgx.Tx, counts Counts) error {
		r := res.Run
		var config *string
		if len(r.PredictorConfig) > 0 {
			c := string(r.PredictorConfig)
			config = &c
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO dependency_monkey_run (document_id, analyzer_version, run_at, duration, decision_type, seed, count,
				limit_latest_versions, predictor, predictor_config, os_name, os_version, python_version, runtime_environment,
				error, error_message, skipped)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			doc.ID, r.AnalyzerVersion, r.RunAt, r.Duration, r.DecisionType, r.Seed, r.Count, r.LimitLatestVersions,
			r.Predictor, config, r.OSName, r.OSVersion, r.PythonVersion, jsonbOr(r.RuntimeEnvironment, "{}"),
			r.Error, r.ErrorMessage, r.Skipped)
		if err != nil {
			return err
		}
		counts["dependency_monkey_runs"] = 1
		rows := make([][]any, len(res.Stacks))
		for i, st := range res.Stacks {
			rows[i] = []any{doc.ID, st.Number, st.InspectionID}
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"dependency_monkey_stack"}, []string{"document_id", "number", "inspection_id"}, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		counts["stacks"] = n
		if err := writeProducts(ctx, tx, doc.ID, res.Products, counts); err != nil {
			return err
		}
		return writeStacks(ctx, tx, doc.ID, res.Requirements, res.Packages, counts)
	})
}

// DependencyMonkeyRunsByID returns the runs with the given document ids;
// one statement.
func (s *Store) DependencyMonkeyRunsByID(ctx context.Context, ids []string) (map[string]DependencyMonkeyRun, error) {
	rows, err := collect[DependencyMonkeyRun](ctx, s, `
		SELECT document_id, analyzer_version, run_at, duration, decision_type, seed, count, limit_latest_versions,
			predictor, predictor_config, os_name, os_version, python_version, runtime_environment, error, error_message, skipped
		FROM dependency_monkey_run WHERE document_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]DependencyMonkeyRun, len(rows))
	for _, r := range rows {
		out[r.DocumentID] = r
	}
	return out, nil
}

// DependencyMonkeyStacks returns each run's stacks, by number; one
// statement.
func (s *Store) DependencyMonkeyStacks(ctx context.Context, ids []string) (map[string][]DependencyMonkeyStack, error) {
	rows, err := collect[DependencyMonkeyStack](ctx, s, `
		SELECT document_id, number, inspection_id FROM dependency_monkey_stack
		WHERE document_id = ANY($1) ORDER BY document_id, number`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]DependencyMonkeyStack{}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r)
	}
	return out, nil
}

// StacksOfInspections returns, per inspection id, the Dependency Monkey
// stacks that were sent as it (by report id and number); one statement.
func (s *Store) StacksOfInspections(ctx context.Context, inspectionIDs []string) (map[string][]DependencyMonkeyStack, error) {
	rows, err := collect[DependencyMonkeyStack](ctx, s, `
		SELECT document_id, number, inspection_id FROM dependency_monkey_stack
		WHERE inspection_id = ANY($1) ORDER BY inspection_id, document_id, number`, inspectionIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]DependencyMonkeyStack{}
	for _, r := range rows {
		out[r.InspectionID] = append(out[r.InspectionID], r)
	}
	return out, nil
}
