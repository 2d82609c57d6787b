package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// inspectionLoaders batch what the inspection fields read: inspections by
// id, their results (with indicators and hardware), their stacks'
// requirements and locks, and the indicators of the inspections that pin
// a version.
type inspectionLoaders struct {
	inspections  *loader[string, *persistence.Inspection]
	results      *loader[string, []persistence.InspectionResult]
	requirements *loader[string, []persistence.InspectionRequirement]
	locked       *loader[string, []persistence.LockedPackage]
	indicators   *loader[persistence.IndicatorsKey, []persistence.PerformanceIndicator]
}

func newInspectionLoaders(store *persistence.Store) inspectionLoaders {
	return inspectionLoaders{
		inspections:  entities(store.InspectionsByID, "inspection"),
		results:      lists(store.ResultsOfInspections),
		requirements: lists(store.RequirementsOfInspections),
		locked:       lists(store.LockedOfInspections),
		indicators:   lists(store.IndicatorsOfVersions),
	}
}

// Inspection returns the inspection with id; NOT_FOUND when there is none.
func (l *Loaders) Inspection(ctx context.Context, id string) (*persistence.Inspection, error) {
	return l.inspection.inspections.Load(ctx, id)()
}

// InspectionResults returns the inspection's results, by number.
func (l *Loaders) InspectionResults(ctx context.Context, id string) ([]persistence.InspectionResult, error) {
	return l.inspection.results.Load(ctx, id)()
}

// InspectionRequirements returns the requirements of the inspection's stack.
func (l *Loaders) InspectionRequirements(ctx context.Context, id string) ([]persistence.InspectionRequirement, error) {
	return l.inspection.requirements.Load(ctx, id)()
}

// InspectionLocked returns the locked packages of the inspection's stack.
func (l *Loaders) InspectionLocked(ctx context.Context, id string) ([]persistence.LockedPackage, error) {
	return l.inspection.locked.Load(ctx, id)()
}

// PerformanceIndicators returns the indicators of the inspections whose
// lock pins the version, of that name ("" for all), fastest first.
func (l *Loaders) PerformanceIndicators(ctx context.Context, key persistence.IndicatorsKey) ([]persistence.PerformanceIndicator, error) {
	return l.inspection.indicators.Load(ctx, key)()
}

// PrefetchInspections fetches and caches Inspection for every id.
func (l *Loaders) PrefetchInspections(ctx context.Context, ids []string) []*persistence.Inspection {
	return l.inspection.inspections.prefetch(ctx, ids)
}

// PrefetchInspectionResults fetches and caches InspectionResults for every id.
func (l *Loaders) PrefetchInspectionResults(ctx context.Context, ids []string) [][]persistence.InspectionResult {
	return l.inspection.results.prefetch(ctx, ids)
}

// PrefetchInspectionRequirements fetches and caches InspectionRequirements for every id.
func (l *Loaders) PrefetchInspectionRequirements(ctx context.Context, ids []string) [][]persistence.InspectionRequirement {
	return l.inspection.requirements.prefetch(ctx, ids)
}

// PrefetchInspectionLocked fetches and caches InspectionLocked for every id.
func (l *Loaders) PrefetchInspectionLocked(ctx context.Context, ids []string) [][]persistence.LockedPackage {
	return l.inspection.locked.prefetch(ctx, ids)
}

// PrefetchPerformanceIndicators fetches and caches PerformanceIndicators for every key.
func (l *Loaders) PrefetchPerformanceIndicators(ctx context.Context, keys []persistence.IndicatorsKey) [][]persistence.PerformanceIndicator {
	return l.inspection.indicators.prefetch(ctx, keys)
}

// PrefetchVersions fetches and caches Version for every id.
func (l *Loaders) PrefetchVersions(ctx context.Context, ids []int64) []*persistence.PackageVersion {
	return l.versions.prefetch(ctx, ids)
}
