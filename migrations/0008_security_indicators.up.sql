-- Security indicators of a package version's source (Thoth's si-bandit,
-- si-cloc and si-aggregator): one row per version and document, with
-- bandit's findings counted by severity x confidence (the twelve counters),
-- the files analysed, and cloc's line counts for Python and in total. The
-- counters are kept with their real axes: si-aggregator's own documents
-- swap severity and confidence, and are read back accordingly.
CREATE TABLE security_indicator (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id                 bigint NOT NULL REFERENCES package_version (id),
    document_id                text   NOT NULL REFERENCES document (id),
    analyzed_at                timestamptz,
    bandit_version             text,
    cloc_version               text,
    -- Where the counters come from: bandit (counted from its report) or
    -- aggregated (an si-aggregator document without the bandit report).
    counted_from               text   NOT NULL CHECK (counted_from IN ('bandit', 'aggregated', 'none')),
    -- The analyzers reported an error (their messages in error_message).
    error                      boolean NOT NULL DEFAULT false,
    error_message              text,
    severity_low_confidence_low             integer NOT NULL DEFAULT 0,
    severity_low_confidence_medium          integer NOT NULL DEFAULT 0,
    severity_low_confidence_high            integer NOT NULL DEFAULT 0,
    severity_low_confidence_undefined       integer NOT NULL DEFAULT 0,
    severity_medium_confidence_low          integer NOT NULL DEFAULT 0,
    severity_medium_confidence_medium       integer NOT NULL DEFAULT 0,
    severity_medium_confidence_high         integer NOT NULL DEFAULT 0,
    severity_medium_confidence_undefined    integer NOT NULL DEFAULT 0,
    severity_high_confidence_low            integer NOT NULL DEFAULT 0,
    severity_high_confidence_medium         integer NOT NULL DEFAULT 0,
    severity_high_confidence_high           integer NOT NULL DEFAULT 0,
    severity_high_confidence_undefined      integer NOT NULL DEFAULT 0,
    -- Findings whose severity bandit left undefined, any confidence.
    severity_undefined                      integer NOT NULL DEFAULT 0,
    files_analyzed             integer,
    files_total                integer,
    files_with_severities      integer,
    files_filtered             integer,
    python_files               integer,
    python_code                integer,
    python_comments            integer,
    python_blanks              integer,
    total_files                integer,
    total_code                 integer,
    total_comments             integer,
    total_blanks               integer,
    total_lines                integer,
    UNIQUE (version_id, document_id)
);
CREATE INDEX security_indicator_document_idx ON security_indicator (document_id);

-- Bandit's findings summarised per test (B101, B405, ...), by severity.
CREATE TABLE security_finding (
    indicator_id bigint  NOT NULL REFERENCES security_indicator (id) ON DELETE CASCADE,
    document_id  text    NOT NULL REFERENCES document (id),
    test_id      text    NOT NULL,
    test_name    text    NOT NULL DEFAULT '',
    findings     integer NOT NULL,
    high         integer NOT NULL DEFAULT 0,
    medium       integer NOT NULL DEFAULT 0,
    low          integer NOT NULL DEFAULT 0,
    more_info    text,
    PRIMARY KEY (indicator_id, test_id)
);
CREATE INDEX security_finding_document_idx ON security_finding (document_id);
