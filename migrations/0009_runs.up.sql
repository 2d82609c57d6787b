-- Runs over software stacks: adviser runs (adviser/<id>) and provenance
-- checks (provenance-checker/<id>). Every table holds the facts of one
-- document, by document_id, and is replaced when the document is
-- re-ingested; the packages of a stack name their versions by normalised
-- name, version and index URL, so the version nodes of the graph with those
-- keys are theirs, a version arriving later too.

-- One adviser run: what was asked (recommendation type, count, limit, the
-- user's runtime environment and hardware as given) and how it ended.
CREATE TABLE adviser_run (
    document_id           text PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE,
    analyzer              text,
    analyzer_version      text,
    run_at                timestamptz,
    duration              double precision,
    deployment            text,
    origin                text,
    source_type           text CHECK (source_type IN ('CLI', 'KEBECHET', 'S2I', 'GITHUB_APP', 'JUPYTER_NOTEBOOK')),
    recommendation_type   text,
    requirements_format   text,
    count                 integer,
    "limit"               integer,
    limit_latest_versions integer,
    error                 boolean NOT NULL,
    error_message         text,
    re_run_of             text,
    is_s2i                boolean,
    debug                 boolean NOT NULL DEFAULT false,
    has_report            boolean NOT NULL,
    stack_info            jsonb NOT NULL DEFAULT '[]',
    -- The runtime environment as the user gave it: its typed parts, and
    -- all of it.
    environment_name      text,
    os_name               text,
    os_version            text,
    python_version        text,
    cuda_version          text,
    platform              text,
    runtime_environment   jsonb NOT NULL DEFAULT '{}',
    -- The hardware as the user gave it.
    cpu_family            integer,
    cpu_model             integer,
    cpu_cores             integer,
    cpu_model_name        text,
    gpu_model             text,
    ram_size              bigint,
    hardware              jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX adviser_run_source_type_idx ON adviser_run (source_type, document_id);
CREATE INDEX adviser_run_origin_idx ON adviser_run (origin, document_id);
CREATE INDEX adviser_run_run_at_idx ON adviser_run (run_at);
CREATE INDEX adviser_run_re_run_of_idx ON adviser_run (re_run_of);

-- The stacks of a run: stack 0 is the input (an adviser run's Pipfile and
-- lock, the stack a provenance check checked), stack n >= 1 the lock of the
-- adviser's product n.
CREATE TABLE stack_requirement (
    document_id  text     NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    stack        smallint NOT NULL CHECK (stack >= 0),
    develop      boolean  NOT NULL,
    package_name text     NOT NULL CHECK (package_name <> ''),
    specifier    text     NOT NULL,
    index_url    text,
    markers      text,
    PRIMARY KEY (document_id, stack, develop, package_name)
);

CREATE TABLE stack_package (
    document_id  text     NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    stack        smallint NOT NULL CHECK (stack >= 0),
    develop      boolean  NOT NULL,
    package_name text     NOT NULL CHECK (package_name <> ''),
    -- PEP 440 normal form; version_text as the lock wrote it; NULL for a
    -- package locked without a version (a VCS or path requirement).
    version      text,
    version_text text,
    index_url    text,
    hashes       text[]   NOT NULL DEFAULT '{}',
    markers      text,
    PRIMARY KEY (document_id, stack, develop, package_name)
);
CREATE INDEX stack_package_version_idx ON stack_package (package_name, version);

-- What the adviser recommended: product number n (its stack is stack n).
CREATE TABLE adviser_product (
    document_id                 text    NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    number                      integer NOT NULL CHECK (number >= 1),
    score                       double precision,
    performance_score           double precision,
    justification               jsonb   NOT NULL DEFAULT '[]',
    advised_runtime_environment jsonb,
    advised_manifest_changes    jsonb,
    PRIMARY KEY (document_id, number)
);

-- The packages an adviser run could not resolve (report._ERROR_DETAILS.
-- unresolved and report.unresolved), by PEP 503 name.
CREATE TABLE adviser_unresolved (
    document_id  text NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    package_name text NOT NULL CHECK (package_name <> ''),
    PRIMARY KEY (document_id, package_name)
);

-- One provenance check of a Pipfile and its lock.
CREATE TABLE provenance_check (
    document_id         text PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE,
    analyzer            text,
    analyzer_version    text,
    checked_at          timestamptz,
    duration            double precision,
    deployment          text,
    origin              text,
    error               boolean NOT NULL,
    error_message       text,
    debug               boolean NOT NULL DEFAULT false,
    whitelisted_indexes text[]  NOT NULL DEFAULT '{}'
);
CREATE INDEX provenance_check_checked_at_idx ON provenance_check (checked_at);

-- One entry of a check's report, in report order: its type (ERROR, WARNING,
-- INFO), its id (MISSING-PACKAGE, ARTIFACT-DIFFERENT-SOURCE,
-- INVALID-ARTIFACT-HASH, ...) and the package it is about, if any.
CREATE TABLE provenance_finding (
    document_id     text    NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    number          integer NOT NULL CHECK (number >= 0),
    type            text    NOT NULL,
    code            text,
    justification   text,
    package_name    text,
    package_version text,
    index_url       text,
    digest          text,
    data            jsonb   NOT NULL,
    PRIMARY KEY (document_id, number)
);
CREATE INDEX provenance_finding_package_idx ON provenance_finding (package_name, package_version);
