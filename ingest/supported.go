package ingest

// Ingested reports whether Seshat ingests documents of the kind (one of
// objectstore.Kinds): false for a kind that is recognised but has no writer
// yet, whose documents a sync reports SKIPPED, "not supported yet".
func Ingested(kind string) bool { return writers[kind] != nil }
