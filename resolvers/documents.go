package resolvers

import (
	"encoding/json"
	"fmt"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/persistence"
)

// documentInput returns the submission of an ingestDocument input: the id
// is input.documentId, else the document's metadata.document_id; the kind is
// input.kind ("" for the id's prefix); the JSON is the document as the
// transport decoded it (numbers as written), encoded again: its bytes are
// gone, so its content identity is that of its canonical form (ingest.Digest).
// INVALID when there is no id, or the document is not a JSON object.
func documentInput(in model.IngestDocumentInput) (ingest.Submission, error) {
	doc, ok := in.Document.(map[string]any)
	if !ok {
		return ingest.Submission{}, persistence.Errorf(persistence.CodeInvalid, "document: expected a JSON object, got %T", in.Document)
	}
	sub := ingest.Submission{Force: in.Force != nil && *in.Force}
	if in.DocumentID != nil {
		sub.ID = *in.DocumentID
	} else if meta, ok := doc["metadata"].(map[string]any); ok {
		sub.ID, _ = meta["document_id"].(string)
	}
	if sub.ID == "" {
		return ingest.Submission{}, persistence.Errorf(persistence.CodeInvalid, "document.metadata.document_id: missing; pass documentId or set it in the document")
	}
	if in.Kind != nil {
		sub.Kind = *in.Kind
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return ingest.Submission{}, persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("document %q cannot be encoded as JSON", sub.ID))
	}
	sub.Raw = raw
	return sub, nil
}

// counts is a Counts map for the JSON scalar: never null.
func counts(c persistence.Counts) map[string]int64 {
	if c == nil {
		return map[string]int64{}
	}
	return c
}
