-- Re-ingesting a document deletes the facts it wrote before, by
-- document_id, and deleting a document checks every table referencing it:
-- without these indexes both scan the whole table for every document, and a
-- sync grows quadratic in the number of documents (docs/benchmarks.md,
-- Findings).
CREATE INDEX artifact_document_idx ON artifact (document_id);
CREATE INDEX package_metadata_document_idx ON package_metadata (document_id);
CREATE INDEX vulnerability_document_idx ON vulnerability (document_id);
