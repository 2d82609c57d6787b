-- What an adviser asks about every candidate besides its dependencies:
-- whether its index still serves it and ships a source distribution, which
-- artifacts were reported removed, and the solver rules that rule it out.

-- is_missing: the index no longer serves the version (a mutation said so,
-- or a solver run found the index listing other versions but not this
-- one); such versions are left out of every list that feeds a resolver
-- unless asked for. provides_source_distro: the index ships an sdist
-- (Thoth's default, true, until told otherwise).
ALTER TABLE package_version
    ADD COLUMN is_missing             boolean NOT NULL DEFAULT false,
    ADD COLUMN provides_source_distro boolean NOT NULL DEFAULT true;
-- Few versions are missing: the walks test membership in this small index.
CREATE INDEX package_version_missing_idx ON package_version (id) WHERE is_missing;

-- Artifacts reported removed from their index (Thoth's present = false).
-- Kept apart from artifact, whose rows belong to the solver document that
-- listed them and are replaced when it is re-ingested: a removal outlives that.
CREATE TABLE artifact_removed (
    version_id bigint NOT NULL REFERENCES package_version (id),
    sha256     text   NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (version_id, sha256)
);

-- Solver rules: a package (PEP 503 name, known or not), a PEP 440 specifier
-- (NULL: every version), an index (NULL: every index) and why. Versions
-- the rule matches are in rule_match, matched when the rule is created and
-- when versions arrive; they are left out of the solvers' backlog.
CREATE TABLE rule (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_name  text NOT NULL CHECK (package_name <> '' AND package_name = lower(package_name)),
    version_range text CHECK (version_range <> ''),
    index_id      bigint REFERENCES package_index (id),
    description   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rule_key UNIQUE NULLS NOT DISTINCT (package_name, version_range, index_id, description)
);

CREATE TABLE rule_match (
    rule_id    bigint NOT NULL REFERENCES rule (id) ON DELETE CASCADE,
    version_id bigint NOT NULL REFERENCES package_version (id),
    PRIMARY KEY (rule_id, version_id)
);
CREATE INDEX rule_match_version_idx ON rule_match (version_id, rule_id);
