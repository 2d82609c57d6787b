-- Generations of the graph's answers, for the gateways' graph caches (see
-- docs/ARCHITECTURE.md, "Graph cache"). A row counts the changes to what
-- answers read of one package in one environment: the versions of the
-- package solved there, their edges and what those resolve to
-- (environment_id > 0), or what holds in every environment: version flags,
-- vulnerability records, rules, registrations (environment_id 0). A 0
-- package_id stands for every package. Every writer that changes an answer
-- bumps the rows of what it touched in its own transaction; changed_xid is
-- that transaction's id, so a gateway reads what committed since its last
-- read with one index range scan (changed_xid >= the oldest transaction
-- still running then).
CREATE TABLE graph_generation (
    environment_id bigint NOT NULL,
    package_id     bigint NOT NULL,
    generation     bigint NOT NULL DEFAULT 1,
    changed_xid    xid8   NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (environment_id, package_id)
);
CREATE INDEX graph_generation_changed_idx ON graph_generation (changed_xid);
