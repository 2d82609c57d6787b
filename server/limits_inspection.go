package server

import (
	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graph/model"
)

// inspectionComplexity sets the costs of the inspection lists:
// inspections is a connection; performanceIndicators costs first times its
// child; the other lists (results, the stack's requirements and lock, a
// version's indicators) cost listSize times their child.
func inspectionComplexity(c *graph.ComplexityRoot, conn func(child int, first *int) int, list func(child int) int) {
	c.Query.Inspections = func(child int, first *int, _ *string, _ *string, _ *model.EnvironmentInput) int {
		return conn(child, first)
	}
	c.Query.PerformanceIndicators = func(child int, _ string, _ *string, _ any, first *int) int { return conn(child, first) }
	c.Inspection.Results = func(child int) int { return list(child) }
	c.InspectionStack.Requirements = func(child int) int { return list(child) }
	c.InspectionStack.Locked = func(child int) int { return list(child) }
	c.PackageVersion.PerformanceIndicators = func(child int, _ *string) int { return list(child) }
}
