-- Dependency Monkey reports (dependency-monkey-reports/<id>): the run that
-- generated stacks (decision type, seed, count, predictor, the runtime
-- environment) and each stack it sent to Amun, with the inspection id it
-- got back. A stack's lock is stack n of the stack tables and its score and
-- justification an adviser_product row, as an adviser run's products are;
-- the input Pipfile is stack 0.
CREATE TABLE dependency_monkey_run (
    document_id           text PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE,
    analyzer_version      text,
    run_at                timestamptz,
    duration              double precision,
    decision_type         text,
    seed                  bigint,
    count                 integer,
    limit_latest_versions integer,
    predictor             text,
    predictor_config      jsonb,
    os_name               text,
    os_version            text,
    python_version        text,
    runtime_environment   jsonb NOT NULL DEFAULT '{}',
    error                 boolean NOT NULL,
    error_message         text,
    skipped               integer
);

CREATE TABLE dependency_monkey_stack (
    document_id   text    NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    number        integer NOT NULL CHECK (number >= 1),
    -- What Amun answered: the inspection id the stack runs as.
    inspection_id text    NOT NULL,
    PRIMARY KEY (document_id, number)
);
CREATE INDEX dependency_monkey_stack_inspection_idx ON dependency_monkey_stack (inspection_id);
