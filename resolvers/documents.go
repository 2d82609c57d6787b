package resolvers

import (
	"encoding/json"
	"fmt"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/persistence"
)

// documentInput returns the id and the JSON of an ingestDocument input: the
// id is input.documentId, else the document's metadata.document_id.
// INVALID when there is neither, or the document is not a JSON object.
func documentInput(in model.IngestDocumentInput) (string, []byte, error) {
	doc, ok := in.Document.(map[string]any)
	if !ok {
		return "", nil, persistence.Errorf(persistence.CodeInvalid, "document: expected a JSON object, got %T", in.Document)
	}
	id := ""
	if in.DocumentID != nil {
		id = *in.DocumentID
	} else if meta, ok := doc["metadata"].(map[string]any); ok {
		id, _ = meta["document_id"].(string)
	}
	if id == "" {
		return "", nil, persistence.Errorf(persistence.CodeInvalid, "document.metadata.document_id: missing; pass documentId or set it in the document")
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", nil, persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("document %q cannot be encoded as JSON", id))
	}
	return id, raw, nil
}

// counts is a Counts map for the JSON scalar: never null.
func counts(c persistence.Counts) map[string]int64 {
	if c == nil {
		return map[string]int64{}
	}
	return c
}
