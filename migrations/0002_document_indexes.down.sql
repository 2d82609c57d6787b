DROP INDEX IF EXISTS vulnerability_document_idx;
DROP INDEX IF EXISTS package_metadata_document_idx;
DROP INDEX IF EXISTS artifact_document_idx;
