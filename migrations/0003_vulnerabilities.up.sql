-- OSV advisories (the PyPA Advisory Database, osv.dev's PyPI export) and the
-- versions they affect. A record is upserted by its OSV id (external_id);
-- one whose modified is not newer changes nothing. Its affected entries are
-- kept whole (affected: the PyPI entries with ranges and explicit versions,
-- names normalised) and indexed by package (vulnerability_package), so that
-- a version arriving later is matched against the records naming its
-- package in the transaction that brings it. GIT and SEMVER ranges are kept
-- in raw and affected, never matched.
ALTER TABLE vulnerability
    ADD COLUMN aliases    text[]      NOT NULL DEFAULT '{}',
    ADD COLUMN details    text        NOT NULL DEFAULT '',
    ADD COLUMN severity   jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN refs       jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN affected   jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN published  timestamptz,
    ADD COLUMN modified   timestamptz,
    ADD COLUMN withdrawn  timestamptz,
    ADD COLUMN raw        jsonb,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- vulnerability(id) answers by OSV id or by any alias (CVE, GHSA).
CREATE INDEX vulnerability_aliases_idx ON vulnerability USING gin (aliases);

-- The packages a record's affected entries name (PEP 503), for re-matching
-- versions that arrive after the record, and Package.vulnerabilities.
CREATE TABLE vulnerability_package (
    vulnerability_id bigint NOT NULL REFERENCES vulnerability (id) ON DELETE CASCADE,
    package_name     text   NOT NULL,
    PRIMARY KEY (package_name, vulnerability_id)
);
CREATE INDEX vulnerability_package_vulnerability_idx ON vulnerability_package (vulnerability_id);

-- fixed_in: the lowest fixed version above the affected one, when the record
-- says (OSV ranges' fixed events).
ALTER TABLE vulnerability_affects ADD COLUMN fixed_in text;
