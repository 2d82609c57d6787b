DELETE FROM depends_on_resolved WHERE document_id IS NOT NULL;
DROP INDEX IF EXISTS depends_on_resolved_document_idx;
ALTER TABLE depends_on_resolved DROP COLUMN IF EXISTS document_id;
