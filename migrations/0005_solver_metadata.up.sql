-- Normal forms, indexes first seen in documents disabled, and the solver
-- metadata Seshat used to drop.
--
-- 1. Versions are stored in their PEP 440 normal form (2.0.0-rc1 is
--    2.0.0rc1), the spelling first seen kept in version_text for display;
--    index URLs in the form python.NormalizeIndexURL gives
--    (https://pypi.python.org/simple is https://pypi.org/simple, no
--    trailing slashes). Rows that differ only in those forms are merged
--    into the lowest id: every reference to a merged row (of any table, by
--    its foreign keys) moves to the kept one; where that would duplicate a
--    unique key the reference of the kept row stays, and for a version
--    solved twice in one environment the newest run.
-- 2. An index first seen in a document is created disabled, as Thoth did
--    (only_if_package_seen): its versions join no solver's backlog until an
--    admin enables it. Existing indexes keep their flag. PyPI is registered
--    (enabled) when the graph does not know it.
-- 3. What the solver records of a version besides its summary: author,
--    home page, Requires-Dist, Provides-Extra, Project-URL, Platform; the
--    license-solver's package_license; the import names of the solver's
--    packages list; the platform the solver ran on (result.platform).

-- The normal forms, as python.NormalizeVersion and python.NormalizeIndexURL
-- write them; dropped at the end.
CREATE FUNCTION seshat_0005_number(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(nullif(ltrim(s, '0'), ''), '0')
$$;

CREATE FUNCTION seshat_0005_version(v text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m   text[];
    out text := '';
BEGIN
    m := regexp_match(v, '^\s*v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)'
        || '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?'
        || '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?'
        || '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?'
        || '(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$', 'i');
    IF m IS NULL THEN
        RETURN regexp_replace(v, '^\s+|\s+$', '', 'g');
    END IF;
    IF m[1] IS NOT NULL AND seshat_0005_number(m[1]) <> '0' THEN
        out := seshat_0005_number(m[1]) || '!';
    END IF;
    out := out || (SELECT string_agg(seshat_0005_number(p), '.' ORDER BY o)
                   FROM unnest(string_to_array(m[2], '.')) WITH ORDINALITY AS t(p, o));
    IF m[3] IS NOT NULL THEN
        out := out || CASE lower(m[3]) WHEN 'alpha' THEN 'a' WHEN 'a' THEN 'a'
                                       WHEN 'beta' THEN 'b' WHEN 'b' THEN 'b' ELSE 'rc' END
                   || seshat_0005_number(m[4]);
    END IF;
    IF m[5] IS NOT NULL THEN
        out := out || '.post' || seshat_0005_number(m[5]);
    ELSIF m[6] IS NOT NULL THEN
        out := out || '.post' || seshat_0005_number(m[7]);
    END IF;
    IF m[8] IS NOT NULL THEN
        out := out || '.dev' || seshat_0005_number(m[9]);
    END IF;
    IF m[10] IS NOT NULL THEN
        out := out || '+' || (SELECT string_agg(CASE WHEN p ~ '^[0-9]+$' THEN seshat_0005_number(p) ELSE p END, '.' ORDER BY o)
                              FROM unnest(regexp_split_to_array(lower(m[10]), '[-_.]+')) WITH ORDINALITY AS t(p, o));
    END IF;
    RETURN out;
END
$$;

CREATE FUNCTION seshat_0005_index_url(u text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m    text[];
    path text;
BEGIN
    u := regexp_replace(u, '^\s+|\s+$', '', 'g');
    m := regexp_match(u, '^([^:]*)://([^/?#]*)(.*)$');
    IF m IS NULL THEN
        RETURN rtrim(u, '/');
    END IF;
    path := rtrim(m[3], '/');
    IF lower(m[2]) IN ('pypi.python.org', 'pypi.org') AND path = '/simple' AND lower(m[1]) IN ('https', 'http') THEN
        RETURN 'https://pypi.org/simple';
    END IF;
    RETURN lower(m[1]) || '://' || lower(m[2]) || path;
END
$$;

-- seshat_0005_repoint moves every single-column foreign key reference to
-- table target from merge.old_id to merge.keep_id, except those of the
-- columns in skip; rows the move would make equal on a unique key or
-- primary key holding that column are dropped first, keeping the one that
-- already referenced the kept row, else the first.
CREATE FUNCTION seshat_0005_repoint(target regclass, merge regclass, skip text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    fk     record;
    uk     record;
    others text;
BEGIN
    FOR fk IN
        SELECT c.conrelid::regclass AS tbl, a.attname AS col, a.attnum, c.conrelid
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = target AND cardinality(c.conkey) = 1
          AND NOT (c.conrelid::regclass::text || '.' || a.attname = ANY (skip))
        ORDER BY 1, 2
    LOOP
        FOR uk IN
            SELECT conkey FROM pg_constraint
            WHERE conrelid = fk.conrelid AND contype IN ('u', 'p') AND fk.attnum = ANY (conkey)
        LOOP
            SELECT coalesce(string_agg(format('x.%I', attname), ', '), '') INTO others
            FROM pg_attribute WHERE attrelid = fk.conrelid AND attnum = ANY (uk.conkey) AND attnum <> fk.attnum;
            EXECUTE format(
                'DELETE FROM %1$s t WHERE t.ctid IN (
                    SELECT ctid FROM (
                        SELECT x.ctid, row_number() OVER (
                            PARTITION BY coalesce(m.keep_id, x.%2$I)%3$s
                            ORDER BY (m.keep_id IS NULL) DESC, x.ctid) AS n
                        FROM %1$s x LEFT JOIN %4$s m ON m.old_id = x.%2$I
                        WHERE coalesce(m.keep_id, x.%2$I) IN (SELECT keep_id FROM %4$s)
                    ) d WHERE n > 1)',
                fk.tbl, fk.col, CASE WHEN others = '' THEN '' ELSE ', ' || others END, merge);
        END LOOP;
        EXECUTE format('UPDATE %1$s t SET %2$I = m.keep_id FROM %3$s m WHERE t.%2$I = m.old_id', fk.tbl, fk.col, merge);
    END LOOP;
END
$$;

-- Indexes: one row per normal URL, the lowest id, enabled when any was.
CREATE TEMPORARY TABLE index_merge AS
SELECT id AS old_id, keep_id FROM (
    SELECT id, first_value(id) OVER (PARTITION BY seshat_0005_index_url(url) ORDER BY id) AS keep_id
    FROM package_index) g
WHERE id <> keep_id;

UPDATE package_index ix SET
    enabled = ix.enabled OR g.enabled,
    verify_ssl = ix.verify_ssl AND g.verify_ssl,
    warehouse_api_url = coalesce(ix.warehouse_api_url, g.warehouse_api_url)
FROM (SELECT m.keep_id, bool_or(o.enabled) AS enabled, bool_and(o.verify_ssl) AS verify_ssl,
             min(o.warehouse_api_url) AS warehouse_api_url
      FROM index_merge m JOIN package_index o ON o.id = m.old_id GROUP BY m.keep_id) g
WHERE ix.id = g.keep_id;

-- Versions: the key they will have, then one row per key.
ALTER TABLE package_version ADD COLUMN version_text text;

CREATE TEMPORARY TABLE version_target AS
SELECT pv.id, pv.package_id, seshat_0005_version(pv.version) AS version,
       coalesce(im.keep_id, pv.index_id) AS index_id, pv.version AS text
FROM package_version pv LEFT JOIN index_merge im ON im.old_id = pv.index_id;

CREATE TEMPORARY TABLE version_merge AS
SELECT id AS old_id, keep_id FROM (
    SELECT id, first_value(id) OVER (PARTITION BY package_id, version, index_id ORDER BY id) AS keep_id
    FROM version_target) g
WHERE id <> keep_id;
CREATE INDEX ON version_merge (old_id);

-- A version solved in one environment under two spellings keeps the
-- newest run (its edges go with it).
DELETE FROM solved s WHERE s.id IN (
    SELECT id FROM (
        SELECT x.id, row_number() OVER (
            PARTITION BY coalesce(m.keep_id, x.version_id), x.environment_id
            ORDER BY x.solved_at DESC, x.document_id DESC, x.id) AS n
        FROM solved x LEFT JOIN version_merge m ON m.old_id = x.version_id
        WHERE coalesce(m.keep_id, x.version_id) IN (SELECT keep_id FROM version_merge)
    ) d WHERE n > 1);

SELECT seshat_0005_repoint('package_version', 'version_merge', '{}');
DELETE FROM package_version pv USING version_merge m WHERE pv.id = m.old_id;
UPDATE package_version pv SET
    version = t.version,
    index_id = t.index_id,
    version_text = CASE WHEN t.text <> t.version THEN t.text END
FROM version_target t
WHERE pv.id = t.id AND (pv.version <> t.version OR pv.index_id IS DISTINCT FROM t.index_id);

SELECT seshat_0005_repoint('package_index', 'index_merge', '{package_version.index_id}');
DELETE FROM package_index ix USING index_merge m WHERE ix.id = m.old_id;
UPDATE package_index SET url = seshat_0005_index_url(url) WHERE url <> seshat_0005_index_url(url);

-- Solver problems name versions and indexes as text.
DELETE FROM solver_problem p WHERE p.id IN (
    SELECT id FROM (
        SELECT id, row_number() OVER (
            PARTITION BY document_id, kind, package_name,
                CASE WHEN kind = 'error' THEN seshat_0005_version(version) ELSE version END,
                CASE WHEN index_url = '' THEN '' ELSE seshat_0005_index_url(index_url) END
            ORDER BY id) AS n
        FROM solver_problem) d
    WHERE n > 1);
UPDATE solver_problem SET
    version = CASE WHEN kind = 'error' THEN seshat_0005_version(version) ELSE version END,
    index_url = CASE WHEN index_url = '' THEN '' ELSE seshat_0005_index_url(index_url) END
WHERE (kind = 'error' AND version <> seshat_0005_version(version))
   OR (index_url <> '' AND index_url <> seshat_0005_index_url(index_url));

DROP TABLE version_merge, version_target, index_merge;
DROP FUNCTION seshat_0005_repoint(regclass, regclass, text[]);
DROP FUNCTION seshat_0005_index_url(text);
DROP FUNCTION seshat_0005_version(text);
DROP FUNCTION seshat_0005_number(text);

-- Indexes first seen in documents are created disabled; PyPI is known.
ALTER TABLE package_index ALTER COLUMN enabled SET DEFAULT false;
INSERT INTO package_index (url, warehouse_api_url, verify_ssl, enabled)
VALUES ('https://pypi.org/simple', 'https://pypi.org/pypi', true, true)
ON CONFLICT (url) DO NOTHING;

-- Solver metadata.
CREATE TABLE package_license (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text,
    identifier text,
    version    text,
    CONSTRAINT package_license_key UNIQUE NULLS NOT DISTINCT (name, identifier, version)
);

ALTER TABLE package_metadata
    ADD COLUMN author          text,
    ADD COLUMN author_email    text,
    ADD COLUMN home_page       text,
    ADD COLUMN requires_dist   text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN provides_extra  text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN platforms       text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN project_urls    jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN license_id      bigint  REFERENCES package_license (id),
    ADD COLUMN license_warning boolean;

-- Import names: the solver's packages list (or, for documents before it,
-- the same list derived from the installed files), per version.
CREATE TABLE import_name (
    version_id  bigint NOT NULL REFERENCES package_version (id),
    name        text   NOT NULL CHECK (name <> ''),
    document_id text   NOT NULL REFERENCES document (id),
    PRIMARY KEY (version_id, name)
);
CREATE INDEX import_name_name_idx ON import_name (name text_pattern_ops, version_id);
CREATE INDEX import_name_document_idx ON import_name (document_id);

-- The platform the solver ran on (sysconfig.get_platform(), "linux-x86_64").
ALTER TABLE solved ADD COLUMN platform text;
