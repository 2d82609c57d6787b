package server

import (
	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graph/model"
)

// runsComplexity sets the cost functions of adviser runs and provenance
// checks: their connections cost a page of their child, the lists of a run
// (stack packages, products, findings, justification) a list of theirs.
func runsComplexity(c *graph.ComplexityRoot, conn func(child int, first *int) int, list func(child int) int) {
	c.Query.AdviserRuns = func(child int, _ *model.AdviserSourceType, _ *string, _, _ *string, first *int, _ *string) int {
		return conn(child, first)
	}
	c.Query.UnresolvedFromAdviserRuns = func(child int, _ model.AdviserSourceType) int { return list(child) }
	c.Query.ProvenanceChecks = func(child int, first *int, _ *string) int { return conn(child, first) }
	c.AdviserRunConnection.CountsBySourceType = func(child int) int { return list(child) }
	c.AdviserRun.StackInfo = func(child int) int { return list(child) }
	c.AdviserRun.Products = func(child int) int { return list(child) }
	c.AdviserRun.Unresolved = func(child int) int { return list(child) }
	c.AdviserProduct.Justification = func(child int) int { return list(child) }
	c.AdviserProduct.Stack = func(child int) int { return list(child) }
	c.AdviserProduct.Requirements = func(child int) int { return list(child) }
	c.RunStack.Requirements = func(child int) int { return list(child) }
	c.RunStack.Locked = func(child int) int { return list(child) }
	c.RunLockedPackage.Hashes = func(child int) int { return list(child) }
	c.UnresolvedAdviserRun.Packages = func(child int) int { return list(child) }
	c.ProvenanceCheck.Findings = func(child int) int { return list(child) }
	c.ProvenanceCheck.WhitelistedIndexes = func(child int) int { return list(child) }
}
