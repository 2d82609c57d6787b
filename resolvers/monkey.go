package resolvers

import (
	"maps"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/persistence"
)

// The prefetch plans of the Dependency Monkey fields (see plans): a run's
// stacks, their products (with the adviser products' own plans below them)
// and inspections, and the stacks an inspection ran, one statement a level.
var monkeyPlans = map[fieldKey]step{
	{"Query", "dependencyMonkeyRun"}:        resolved[persistence.DependencyMonkeyRun]("DependencyMonkeyRun"),
	{"DependencyMonkeyRun", "input"}:        on("RunStack", nil, monkeyInputs),
	{"DependencyMonkeyRun", "stacks"}:       on("DependencyMonkeyStack", nil, monkeyStacks),
	{"DependencyMonkeyStack", "product"}:    on("AdviserProduct", nil, monkeyProducts),
	{"DependencyMonkeyStack", "inspection"}: on("Inspection", nil, monkeyInspections),
	{"DependencyMonkeyStack", "run"}:        on("DependencyMonkeyRun", nil, monkeyRuns),
	{"Inspection", "generatedBy"}:           on("DependencyMonkeyStack", nil, inspectionGenerators),
}

func init() { maps.Copy(plans, monkeyPlans) }

func monkeyInputs(_ *plan, _ graphql.CollectedField, runs []persistence.DependencyMonkeyRun) ([]persistence.StackKey, bool) {
	keys := make([]persistence.StackKey, len(runs))
	for i, r := range runs {
		keys[i] = persistence.StackKey{DocumentID: r.DocumentID}
	}
	return keys, true
}

func monkeyStacks(p *plan, _ graphql.CollectedField, runs []persistence.DependencyMonkeyRun) ([]persistence.DependencyMonkeyStack, bool) {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.DocumentID
	}
	var out []persistence.DependencyMonkeyStack
	for _, ss := range p.l.PrefetchDependencyMonkeyStacks(p.ctx, ids) {
		out = append(out, ss...)
	}
	return out, true
}

func monkeyProducts(p *plan, _ graphql.CollectedField, stacks []persistence.DependencyMonkeyStack) ([]persistence.AdviserProduct, bool) {
	ids, want := stackDocuments(stacks)
	var out []persistence.AdviserProduct
	for _, products := range p.l.PrefetchAdviserProducts(p.ctx, ids) {
		for _, pr := range products {
			if want[persistence.StackKey{DocumentID: pr.DocumentID, Stack: pr.Number}] {
				out = append(out, pr)
			}
		}
	}
	return out, true
}

func monkeyInspections(p *plan, _ graphql.CollectedField, stacks []persistence.DependencyMonkeyStack) ([]persistence.Inspection, bool) {
	ids := make([]string, len(stacks))
	for i, s := range stacks {
		ids[i] = s.InspectionID
	}
	return deref(p.l.PrefetchInspections(p.ctx, ids)), true
}

func monkeyRuns(p *plan, _ graphql.CollectedField, stacks []persistence.DependencyMonkeyStack) ([]persistence.DependencyMonkeyRun, bool) {
	ids, _ := stackDocuments(stacks)
	return deref(p.l.PrefetchDependencyMonkeyRuns(p.ctx, ids)), true
}

func inspectionGenerators(p *plan, _ graphql.CollectedField, ins []persistence.Inspection) ([]persistence.DependencyMonkeyStack, bool) {
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	var out []persistence.DependencyMonkeyStack
	for _, ss := range p.l.PrefetchStacksOfInspections(p.ctx, ids) {
		out = append(out, ss...)
	}
	return out, true
}

// stackDocuments returns the distinct reports of stacks, and the stacks by
// (report, number).
func stackDocuments(stacks []persistence.DependencyMonkeyStack) ([]string, map[persistence.StackKey]bool) {
	var ids []string
	seen := map[string]bool{}
	want := make(map[persistence.StackKey]bool, len(stacks))
	for _, s := range stacks {
		if !seen[s.DocumentID] {
			seen[s.DocumentID] = true
			ids = append(ids, s.DocumentID)
		}
		want[persistence.StackKey{DocumentID: s.DocumentID, Stack: s.Number}] = true
	}
	return ids, want
}
