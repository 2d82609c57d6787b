-- The reverse solver adds a new release to the resolved versions of the
-- DEPENDS_ON edges whose requirement it satisfies. Those rows name the
-- revsolver document that added them (document_id); the rows a solver
-- document wrote with its edges have none and go with the edges.
ALTER TABLE depends_on_resolved ADD COLUMN document_id text REFERENCES document (id);
CREATE INDEX depends_on_resolved_document_idx ON depends_on_resolved (document_id) WHERE document_id IS NOT NULL;
