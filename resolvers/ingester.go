package resolvers

// Ingester is the ingestion service the mutations call (implemented in ingest).
type Ingester interface{}
