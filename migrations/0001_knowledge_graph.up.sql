-- The knowledge graph: indexes, packages, versions, environments, solver runs,
-- dependency edges with the versions they resolve to, vulnerabilities and the
-- documents every fact came from. Every table has a primary key and the unique
-- constraints that keep re-ingestion idempotent.

CREATE TABLE package_index (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url               text    NOT NULL UNIQUE,
    warehouse_api_url text,
    verify_ssl        boolean NOT NULL DEFAULT true,
    enabled           boolean NOT NULL DEFAULT true
);

-- PEP 503 normalised names only.
CREATE TABLE package (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> '' AND name = lower(name))
);
CREATE INDEX package_name_prefix_idx ON package (name text_pattern_ops);

-- A release of a package on an index. NULLS NOT DISTINCT: a version whose
-- index is unknown exists once, not once per insert.
CREATE TABLE package_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_id bigint NOT NULL REFERENCES package (id),
    version    text   NOT NULL CHECK (version <> ''),
    index_id   bigint REFERENCES package_index (id),
    CONSTRAINT package_version_key UNIQUE NULLS NOT DISTINCT (package_id, version, index_id)
);
CREATE INDEX package_version_index_idx ON package_version (index_id, id);

CREATE TABLE environment (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    os_name        text NOT NULL,
    os_version     text NOT NULL,
    python_version text NOT NULL,
    CONSTRAINT environment_key UNIQUE (os_name, os_version, python_version)
);

CREATE TABLE solver (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text NOT NULL,
    version text NOT NULL DEFAULT '',
    CONSTRAINT solver_key UNIQUE (name, version)
);

-- Every document Seshat has seen, with its ingestion state.
CREATE TABLE document (
    id          text PRIMARY KEY,
    kind        text NOT NULL,
    object_key  text,
    sha256      text,
    status      text NOT NULL DEFAULT 'PENDING'
                CHECK (status IN ('PENDING', 'INGESTED', 'SKIPPED', 'FAILED')),
    error_code  text,
    error       text,
    counts      jsonb NOT NULL DEFAULT '{}',
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    ingested_at timestamptz
);
CREATE INDEX document_kind_idx ON document (kind, id);
CREATE INDEX document_status_idx ON document (status, id);

-- A version solved in an environment. One row per (version, environment):
-- the newest solver run wins, so walks see one consistent set of edges.
CREATE TABLE solved (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id        bigint  NOT NULL REFERENCES package_version (id),
    environment_id    bigint  NOT NULL REFERENCES environment (id),
    solver_id         bigint  NOT NULL REFERENCES solver (id),
    document_id       text    NOT NULL REFERENCES document (id),
    solved_at         timestamptz NOT NULL,
    duration          double precision NOT NULL DEFAULT 0,
    error             boolean NOT NULL DEFAULT false,
    error_unparseable boolean NOT NULL DEFAULT false,
    error_unsolvable  boolean NOT NULL DEFAULT false,
    error_details     jsonb,
    CONSTRAINT solved_key UNIQUE (version_id, environment_id)
);
CREATE INDEX solved_environment_idx ON solved (environment_id, version_id);
CREATE INDEX solved_document_idx ON solved (document_id);

-- DEPENDS_ON: from a version solved in an environment to a dependency package.
-- version_id and environment_id repeat the solved row's so a walk level is one
-- index range scan.
CREATE TABLE depends_on (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    solved_id                bigint NOT NULL REFERENCES solved (id) ON DELETE CASCADE,
    version_id               bigint NOT NULL REFERENCES package_version (id),
    environment_id           bigint NOT NULL REFERENCES environment (id),
    package_id               bigint NOT NULL REFERENCES package (id),
    version_range            text   NOT NULL DEFAULT '*',
    marker                   text,
    extra                    text,
    extras                   text[] NOT NULL DEFAULT '{}',
    marker_evaluation_result boolean,
    document_id              text   NOT NULL REFERENCES document (id),
    CONSTRAINT depends_on_key UNIQUE NULLS NOT DISTINCT (solved_id, package_id, version_range, marker, extra)
);
CREATE INDEX depends_on_forward_idx ON depends_on (environment_id, version_id);
CREATE INDEX depends_on_package_idx ON depends_on (package_id, environment_id);
CREATE INDEX depends_on_document_idx ON depends_on (document_id);

-- The versions a DEPENDS_ON edge resolves to (the solver's resolved_versions).
CREATE TABLE depends_on_resolved (
    edge_id    bigint NOT NULL REFERENCES depends_on (id) ON DELETE CASCADE,
    version_id bigint NOT NULL REFERENCES package_version (id),
    PRIMARY KEY (edge_id, version_id)
);
CREATE INDEX depends_on_resolved_reverse_idx ON depends_on_resolved (version_id, edge_id);

-- Solver entries that did not yield a solved version: errors without a
-- version, requirements it could not parse, and requirements it could not resolve.
CREATE TABLE solver_problem (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id    text   NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    environment_id bigint NOT NULL REFERENCES environment (id),
    kind           text   NOT NULL CHECK (kind IN ('error', 'unparsed', 'unresolved')),
    package_name   text   NOT NULL DEFAULT '',
    version        text   NOT NULL DEFAULT '',
    index_url      text   NOT NULL DEFAULT '',
    details        jsonb,
    CONSTRAINT solver_problem_key UNIQUE (document_id, kind, package_name, version, index_url)
);
CREATE INDEX solver_problem_package_idx ON solver_problem (package_name);

CREATE TABLE package_metadata (
    version_id      bigint PRIMARY KEY REFERENCES package_version (id),
    summary         text,
    license         text,
    requires_python text,
    classifiers     text[] NOT NULL DEFAULT '{}',
    document_id     text   NOT NULL REFERENCES document (id)
);

CREATE TABLE artifact (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id  bigint NOT NULL REFERENCES package_version (id),
    name        text   NOT NULL,
    sha256      text   NOT NULL,
    document_id text   NOT NULL REFERENCES document (id),
    CONSTRAINT artifact_key UNIQUE (version_id, name, sha256)
);

CREATE TABLE vulnerability (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id text NOT NULL UNIQUE,
    summary     text NOT NULL DEFAULT '',
    link        text,
    document_id text REFERENCES document (id)
);

CREATE TABLE vulnerability_affects (
    vulnerability_id bigint NOT NULL REFERENCES vulnerability (id) ON DELETE CASCADE,
    version_id       bigint NOT NULL REFERENCES package_version (id),
    PRIMARY KEY (vulnerability_id, version_id)
);
CREATE INDEX vulnerability_affects_version_idx ON vulnerability_affects (version_id);
