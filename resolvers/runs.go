package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
)

func adviserRunEdge(cursor string, r *persistence.AdviserRun) model.AdviserRunEdge {
	return model.AdviserRunEdge{Cursor: cursor, Node: r}
}

func provenanceCheckEdge(cursor string, c *persistence.ProvenanceCheck) model.ProvenanceCheckEdge {
	return model.ProvenanceCheckEdge{Cursor: cursor, Node: c}
}

// timeArg parses an optional RFC 3339 argument; INVALID when it is not one.
func timeArg(name string, s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, persistence.Errorf(persistence.CodeInvalid, "%s: want an RFC 3339 date and time (2020-10-15T10:00:00Z), got %q", name, *s)
	}
	return &t, nil
}

// selected says whether the current field's selection names field.
func selected(ctx context.Context, field string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == field {
			return true
		}
	}
	return false
}

// sourceTypeCounts counts the runs f selects per source type.
func (r *queryResolver) sourceTypeCounts(ctx context.Context, f persistence.AdviserRunFilter) ([]model.SourceTypeCount, error) {
	counts, err := r.Store.AdviserRunCounts(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]model.SourceTypeCount, len(counts))
	for i, c := range counts {
		out[i].Count = c.Count
		if c.SourceType != "" {
			st := model.AdviserSourceType(c.SourceType)
			out[i].SourceType = &st
		}
	}
	return out, nil
}

// justifications reads a stored JSON array of justification entries.
func justifications(raw json.RawMessage) ([]model.Justification, error) {
	out := []model.Justification{}
	if len(raw) == 0 {
		return out, nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := runJSON(e)
		if err != nil {
			return nil, err
		}
		j := model.Justification{Data: data}
		if m, ok := data.(map[string]any); ok {
			j.Type = stringField(m, "type")
			j.Message = stringField(m, "message")
			if j.Message == nil { // adviser 0.9 wrote some entries so
				j.Message = stringField(m, "Message")
			}
			j.Link = stringField(m, "link")
		}
		out = append(out, j)
	}
	return out, nil
}

func stringField(m map[string]any, key string) *string {
	if s, ok := m[key].(string); ok {
		return &s
	}
	return nil
}

// runJSON decodes stored JSON for a JSON field, numbers as written; nil for
// none.
func runJSON(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// runJSONObject is runJSON for a field that is never null: {} for none.
func runJSONObject(raw json.RawMessage) (any, error) {
	v, err := runJSON(raw)
	if v == nil && err == nil {
		return map[string]any{}, nil
	}
	return v, err
}

// productStack is the stack of an adviser's product.
func productStack(p *persistence.AdviserProduct) persistence.StackKey {
	return persistence.StackKey{DocumentID: p.DocumentID, Stack: p.Number}
}

// findingVersionKey is the key of the version node a finding is about; ok
// is false for a finding about no package version.
func findingVersionKey(f persistence.ProvenanceFinding) (persistence.LockedVersionKey, bool) {
	if f.PackageName == nil || f.PackageVersion == nil {
		return persistence.LockedVersionKey{}, false
	}
	k := persistence.LockedVersionKey{Name: *f.PackageName, Version: *f.PackageVersion}
	if f.IndexURL != nil {
		k.IndexURL = *f.IndexURL
	}
	return k, true
}

// Prefetch plans of runs (see prefetch.go).

func runInputs(_ *plan, _ graphql.CollectedField, runs []persistence.AdviserRun) ([]persistence.StackKey, bool) {
	keys := make([]persistence.StackKey, len(runs))
	for i, r := range runs {
		keys[i] = persistence.StackKey{DocumentID: r.DocumentID}
	}
	return keys, true
}

func checkStacks(_ *plan, _ graphql.CollectedField, checks []persistence.ProvenanceCheck) ([]persistence.StackKey, bool) {
	keys := make([]persistence.StackKey, len(checks))
	for i, c := range checks {
		keys[i] = persistence.StackKey{DocumentID: c.DocumentID}
	}
	return keys, true
}

// fromRunRow is the step of an object field made from the run's row: it
// fetches nothing, and its fields are scalars, so nothing is planned below.
func fromRunRow[U any](_ *plan, _ graphql.CollectedField, _ []persistence.AdviserRun) ([]U, bool) {
	return nil, false
}

func runIDs(runs []persistence.AdviserRun) []string {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.DocumentID
	}
	return ids
}

func runProducts(p *plan, _ graphql.CollectedField, runs []persistence.AdviserRun) ([]persistence.AdviserProduct, bool) {
	return slices.Concat(p.l.PrefetchAdviserProducts(p.ctx, runIDs(runs))...), true
}

func runUnresolved(p *plan, _ graphql.CollectedField, runs []persistence.AdviserRun) ([]string, bool) {
	return slices.Concat(p.l.PrefetchAdviserUnresolved(p.ctx, runIDs(runs))...), true
}

func runStackRequirements(p *plan, _ graphql.CollectedField, keys []persistence.StackKey) ([]persistence.StackRequirement, bool) {
	return slices.Concat(p.l.PrefetchStackRequirements(p.ctx, keys)...), true
}

func runStackLocked(p *plan, _ graphql.CollectedField, keys []persistence.StackKey) ([]persistence.StackPackage, bool) {
	return slices.Concat(p.l.PrefetchStackPackages(p.ctx, keys)...), true
}

func productKeys(products []persistence.AdviserProduct) []persistence.StackKey {
	keys := make([]persistence.StackKey, len(products))
	for i := range products {
		keys[i] = productStack(&products[i])
	}
	return keys
}

func productStacks(p *plan, f graphql.CollectedField, products []persistence.AdviserProduct) ([]persistence.StackPackage, bool) {
	return runStackLocked(p, f, productKeys(products))
}

func productRequirements(p *plan, f graphql.CollectedField, products []persistence.AdviserProduct) ([]persistence.StackRequirement, bool) {
	return runStackRequirements(p, f, productKeys(products))
}

func runLockedVersions(p *plan, _ graphql.CollectedField, pkgs []persistence.StackPackage) ([]persistence.PackageVersion, bool) {
	var keys []persistence.LockedVersionKey
	for _, pk := range pkgs {
		if k, ok := persistence.LockedVersionKeyOf(pk); ok {
			keys = append(keys, k)
		}
	}
	return deref(p.l.PrefetchLockedVersions(p.ctx, keys)), true
}

func checkFindings(p *plan, _ graphql.CollectedField, checks []persistence.ProvenanceCheck) ([]persistence.ProvenanceFinding, bool) {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.DocumentID
	}
	return slices.Concat(p.l.PrefetchProvenanceFindings(p.ctx, ids)...), true
}

func findingVersions(p *plan, _ graphql.CollectedField, findings []persistence.ProvenanceFinding) ([]persistence.PackageVersion, bool) {
	var keys []persistence.LockedVersionKey
	for _, f := range findings {
		if k, ok := findingVersionKey(f); ok {
			keys = append(keys, k)
		}
	}
	return deref(p.l.PrefetchLockedVersions(p.ctx, keys)), true
}
