package resolvers

import (
	"context"
	"maps"

	"github.com/99designs/gqlgen/graphql"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
)

// The prefetch plans of the inspection fields (see plans): each level of a
// nested inspection query is one statement. Results carry their indicator
// and hardware, read in the results' statement.
var inspectionPlans = map[fieldKey]step{
	{"Query", "inspection"}:            resolved[persistence.Inspection]("Inspection"),
	{"Query", "inspections"}:           resolved[persistence.Inspection]("Inspection", connection...),
	{"Query", "performanceIndicators"}: resolved[persistence.PerformanceIndicator]("PerformanceIndicator"),

	{"Inspection", "results"}:                    on("InspectionResult", nil, inspectionResults),
	{"Inspection", "stack"}:                      on("InspectionStack", nil, inspectionStacks),
	{"InspectionStack", "requirements"}:          on("InspectionRequirement", nil, stackRequirements),
	{"InspectionStack", "locked"}:                on("LockedPackage", nil, stackLocked),
	{"LockedPackage", "packageVersion"}:          on("PackageVersion", nil, lockedVersions),
	{"InspectionResult", "environment"}:          on("Environment", nil, resultEnvironments),
	{"InspectionResult", "performanceIndicator"}: on("PerformanceIndicator", nil, resultIndicators),
	{"PerformanceIndicator", "inspection"}:       on("Inspection", nil, indicatorInspections),
	{"PerformanceIndicator", "stack"}:            on("InspectionStack", nil, indicatorStacks),
	{"PerformanceIndicator", "environment"}:      on("Environment", nil, indicatorEnvironments),
	{"PackageVersion", "performanceIndicators"}:  on("PerformanceIndicator", nil, versionIndicators),
}

var inspectionUnplanned = map[fieldKey]string{
	{"InspectionConnection", "edges"}: "the page Query.inspections read",
	{"Hardware", "cpuFlags"}:          "leaf list of strings, read with the hardware",
	{"LockedPackage", "hashes"}:       "leaf list of strings, read with the lock",
}

func init() {
	maps.Copy(plans, inspectionPlans)
	maps.Copy(unplanned, inspectionUnplanned)
}

func inspectionIDs(is []persistence.Inspection) []string {
	ids := make([]string, len(is))
	for i, in := range is {
		ids[i] = in.ID
	}
	return ids
}

func stackIDs(ss []persistence.InspectionStack) []string {
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.InspectionID
	}
	return ids
}

func inspectionResults(p *plan, _ graphql.CollectedField, is []persistence.Inspection) ([]persistence.InspectionResult, bool) {
	return concat(p.l.PrefetchInspectionResults(p.ctx, inspectionIDs(is))), true
}

func inspectionStacks(_ *plan, _ graphql.CollectedField, is []persistence.Inspection) ([]persistence.InspectionStack, bool) {
	out := make([]persistence.InspectionStack, len(is))
	for i, in := range is {
		out[i] = persistence.InspectionStack{InspectionID: in.ID}
	}
	return out, true
}

func stackRequirements(p *plan, _ graphql.CollectedField, ss []persistence.InspectionStack) ([]persistence.InspectionRequirement, bool) {
	return concat(p.l.PrefetchInspectionRequirements(p.ctx, stackIDs(ss))), true
}

func stackLocked(p *plan, _ graphql.CollectedField, ss []persistence.InspectionStack) ([]persistence.LockedPackage, bool) {
	return concat(p.l.PrefetchInspectionLocked(p.ctx, stackIDs(ss))), true
}

func lockedVersions(p *plan, _ graphql.CollectedField, ls []persistence.LockedPackage) ([]persistence.PackageVersion, bool) {
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.VersionID
	}
	return deref(p.l.PrefetchVersions(p.ctx, ids)), true
}

func resultEnvironments(p *plan, _ graphql.CollectedField, rs []persistence.InspectionResult) ([]persistence.Environment, bool) {
	var ids []int64
	for _, r := range rs {
		if r.EnvironmentID != nil {
			ids = append(ids, *r.EnvironmentID)
		}
	}
	return deref(p.l.PrefetchEnvironments(p.ctx, ids)), true
}

func resultIndicators(_ *plan, _ graphql.CollectedField, rs []persistence.InspectionResult) ([]persistence.PerformanceIndicator, bool) {
	var out []persistence.PerformanceIndicator
	for _, r := range rs {
		if r.PerformanceIndicator != nil {
			out = append(out, *r.PerformanceIndicator)
		}
	}
	return out, true
}

func indicatorInspections(p *plan, _ graphql.CollectedField, pis []persistence.PerformanceIndicator) ([]persistence.Inspection, bool) {
	ids := make([]string, len(pis))
	for i, pi := range pis {
		ids[i] = pi.InspectionID
	}
	return deref(p.l.PrefetchInspections(p.ctx, ids)), true
}

func indicatorStacks(_ *plan, _ graphql.CollectedField, pis []persistence.PerformanceIndicator) ([]persistence.InspectionStack, bool) {
	out := make([]persistence.InspectionStack, len(pis))
	for i, pi := range pis {
		out[i] = persistence.InspectionStack{InspectionID: pi.InspectionID}
	}
	return out, true
}

func indicatorEnvironments(p *plan, _ graphql.CollectedField, pis []persistence.PerformanceIndicator) ([]persistence.Environment, bool) {
	var ids []int64
	for _, pi := range pis {
		if pi.EnvironmentID != nil {
			ids = append(ids, *pi.EnvironmentID)
		}
	}
	return deref(p.l.PrefetchEnvironments(p.ctx, ids)), true
}

func versionIndicators(p *plan, f graphql.CollectedField, vs []persistence.PackageVersion) ([]persistence.PerformanceIndicator, bool) {
	name, ok := strArg(p.args(f), "name")
	if !ok {
		return nil, false
	}
	keys := make([]persistence.IndicatorsKey, len(vs))
	for i, v := range vs {
		keys[i] = indicatorsKey(v.ID, name)
	}
	return concat(p.l.PrefetchPerformanceIndicators(p.ctx, keys)), true
}

func indicatorsKey(versionID int64, name *string) persistence.IndicatorsKey {
	k := persistence.IndicatorsKey{VersionID: versionID}
	if name != nil {
		k.Name = *name
	}
	return k
}

func concat[T any](lists [][]T) []T {
	var out []T
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func inspectionEdge(cursor string, i *persistence.Inspection) model.InspectionEdge {
	return model.InspectionEdge{Cursor: cursor, Node: i}
}

// jsonOrNull is a JSON object field that may be null.
func jsonOrNull(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// jsonObject is a JSON object field that is never null ({} when empty).
func jsonObject(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// optEnvironment loads the environment of an optional id.
func optEnvironment(ctx context.Context, id *int64) (*persistence.Environment, error) {
	if id == nil {
		return nil, nil
	}
	return loaders.For(ctx).Environment(ctx, *id)
}
