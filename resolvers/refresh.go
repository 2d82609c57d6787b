package resolvers

func init() {
	unplanned[fieldKey{"Query", "solverRequests"}] = "a few statements per solver; SolverRequest has only scalar fields"
}
