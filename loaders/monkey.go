package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// monkeyLoaders batch what Dependency Monkey fields read: runs by id,
// their stacks, and the stacks an inspection ran.
type monkeyLoaders struct {
	runs         *loader[string, *persistence.DependencyMonkeyRun]
	stacks       *loader[string, []persistence.DependencyMonkeyStack]
	ofInspection *loader[string, []persistence.DependencyMonkeyStack]
}

func newMonkeyLoaders(store *persistence.Store) monkeyLoaders {
	return monkeyLoaders{
		runs:         optional(store.DependencyMonkeyRunsByID),
		stacks:       lists(store.DependencyMonkeyStacks),
		ofInspection: lists(store.StacksOfInspections),
	}
}

// DependencyMonkeyRun returns the run with document id id; nil when there
// is none.
func (l *Loaders) DependencyMonkeyRun(ctx context.Context, id string) (*persistence.DependencyMonkeyRun, error) {
	return l.monkey.runs.Load(ctx, id)()
}

// DependencyMonkeyStacks returns the run's stacks, by number.
func (l *Loaders) DependencyMonkeyStacks(ctx context.Context, id string) ([]persistence.DependencyMonkeyStack, error) {
	return l.monkey.stacks.Load(ctx, id)()
}

// StacksOfInspection returns the Dependency Monkey stacks sent as the
// inspection.
func (l *Loaders) StacksOfInspection(ctx context.Context, inspectionID string) ([]persistence.DependencyMonkeyStack, error) {
	return l.monkey.ofInspection.Load(ctx, inspectionID)()
}

// PrefetchDependencyMonkeyRuns fetches and caches DependencyMonkeyRun for every id.
func (l *Loaders) PrefetchDependencyMonkeyRuns(ctx context.Context, ids []string) []*persistence.DependencyMonkeyRun {
	return l.monkey.runs.prefetch(ctx, ids)
}

// PrefetchDependencyMonkeyStacks fetches and caches DependencyMonkeyStacks for every run.
func (l *Loaders) PrefetchDependencyMonkeyStacks(ctx context.Context, ids []string) [][]persistence.DependencyMonkeyStack {
	return l.monkey.stacks.prefetch(ctx, ids)
}

// PrefetchStacksOfInspections fetches and caches StacksOfInspection for every inspection.
func (l *Loaders) PrefetchStacksOfInspections(ctx context.Context, ids []string) [][]persistence.DependencyMonkeyStack {
	return l.monkey.ofInspection.prefetch(ctx, ids)
}
