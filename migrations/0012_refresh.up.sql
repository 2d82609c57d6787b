-- What seshat refresh asked for, so a request is not repeated within the
-- cooldown: one row per request kind, solver and package version (''
-- where the message has no value), with when it was last asked.
CREATE TABLE solver_request (
    kind            text        NOT NULL CHECK (kind IN ('unresolved-package', 'unrevsolved-package', 'si-unanalyzed-package')),
    solver          text        NOT NULL DEFAULT '',
    package_name    text        NOT NULL,
    package_version text        NOT NULL DEFAULT '',
    index_url       text        NOT NULL DEFAULT '',
    requested_at    timestamptz NOT NULL,
    PRIMARY KEY (kind, solver, package_name, package_version, index_url)
);

-- The release each revsolver document was run for, so that refresh asks
-- the reverse solver for the releases it has not seen.
CREATE TABLE revsolver_release (
    document_id  text NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    package_name text NOT NULL,
    version      text NOT NULL,
    PRIMARY KEY (document_id)
);
CREATE INDEX revsolver_release_version_idx ON revsolver_release (package_name, version);
