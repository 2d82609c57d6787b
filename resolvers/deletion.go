package resolvers

import (
	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
)

// deletionReport is what a deletion answers.
func deletionReport(d persistence.DeletedFacts) *model.DeletionReport {
	if d.Rows == nil {
		d.Rows = persistence.Counts{}
	}
	if d.Documents == nil {
		d.Documents = []string{}
	}
	return &model.DeletionReport{Documents: d.Documents, Rows: d.Rows}
}

func init() {
	unplanned[fieldKey{"DeletionReport", "documents"}] = "made by the deletion, nothing to load"
}
