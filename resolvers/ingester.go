package resolvers

import (
	"context"

	"github.com/seshat-graph/seshat/ingest"
)

// Ingester is the ingestion service the mutations call (ingest.Service).
type Ingester interface {
	// Submit stores a document under its Thoth key, then ingests it.
	Submit(ctx context.Context, sub ingest.Submission) (ingest.Result, error)
	// Sync ingests documents from the document store.
	Sync(ctx context.Context, opts ingest.SyncOptions) (ingest.Report, error)
}
