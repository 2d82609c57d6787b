-- Amun inspections: one document per inspection (inspections/<id>/build/
-- specification and results/<N>/{result,hwinfo}, or the 2019-2020 single
-- document), its specification and Python stack, and per result number the
-- run's exit code, times, usage, runtime environment, the hardware that ran
-- it and its performance indicator. Every table but hardware (a node shared
-- by every result that ran on the same machine type) holds the facts of one
-- document and is replaced when the document is re-ingested.

-- The hardware an inspection ran on, deduplicated by fingerprint (the
-- SHA-256 of the fields below, computed on the way in).
CREATE TABLE hardware (
    id                   bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint          text    NOT NULL UNIQUE,
    cpu_brand            text,
    cpu_vendor           text,
    cpu_family           integer,
    cpu_model            integer,
    cpu_cores            integer,
    cpu_flags            text[]  NOT NULL DEFAULT '{}',
    l1_data_cache        bigint,
    l1_instruction_cache bigint,
    l2_cache             bigint,
    l3_cache             bigint,
    gpu                  jsonb,
    ram_size             bigint
);

-- The inspection run as specified: its id is the document's.
CREATE TABLE inspection (
    document_id        text        PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE,
    identifier         text,
    base_image         text,
    script             text,
    created            timestamptz,
    build_requests     jsonb,
    run_requests       jsonb,
    hardware_requested jsonb,
    specification      jsonb       NOT NULL
);
CREATE INDEX inspection_created_idx ON inspection (created, document_id);

-- The stack's requirements (Pipfile [packages]) and its lock
-- (Pipfile.lock default), each locked package linked to its version node.
CREATE TABLE inspection_requirement (
    document_id  text NOT NULL REFERENCES inspection (document_id) ON DELETE CASCADE,
    package_name text NOT NULL,
    specifier    text NOT NULL,
    index_name   text,
    develop      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (document_id, develop, package_name)
);

CREATE TABLE inspection_lock (
    document_id  text   NOT NULL REFERENCES inspection (document_id) ON DELETE CASCADE,
    version_id   bigint NOT NULL REFERENCES package_version (id),
    develop      boolean NOT NULL DEFAULT false,
    hashes       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (document_id, version_id)
);
CREATE INDEX inspection_lock_version_idx ON inspection_lock (version_id, document_id);

-- One run of the inspection's script (results/<N>).
CREATE TABLE inspection_result (
    document_id    text        NOT NULL REFERENCES inspection (document_id) ON DELETE CASCADE,
    number         integer     NOT NULL,
    exit_code      integer,
    started_at     timestamptz,
    ended_at       timestamptz,
    hostname       text,
    script_sha256  text,
    usage          jsonb       NOT NULL DEFAULT '{}',
    environment_id bigint      REFERENCES environment (id),
    runtime_environment jsonb  NOT NULL DEFAULT '{}',
    hardware_id    bigint      REFERENCES hardware (id),
    PRIMARY KEY (document_id, number)
);
CREATE INDEX inspection_result_environment_idx ON inspection_result (environment_id, document_id);
CREATE INDEX inspection_result_hardware_idx ON inspection_result (hardware_id);

-- The performance indicator a result's stdout reports: parameters and
-- results as JSON, so a new indicator needs no migration; the common
-- numeric results as columns.
CREATE TABLE performance_indicator (
    document_id text             NOT NULL,
    number      integer          NOT NULL,
    name        text             NOT NULL,
    component   text,
    parameters  jsonb            NOT NULL DEFAULT '{}',
    result      jsonb            NOT NULL DEFAULT '{}',
    elapsed     double precision,
    rate        double precision,
    PRIMARY KEY (document_id, number),
    FOREIGN KEY (document_id, number) REFERENCES inspection_result (document_id, number) ON DELETE CASCADE
);
CREATE INDEX performance_indicator_name_rate_idx ON performance_indicator (name, rate DESC NULLS LAST);
CREATE INDEX performance_indicator_parameters_idx ON performance_indicator USING gin (parameters jsonb_path_ops);
