ALTER TABLE vulnerability_affects DROP COLUMN IF EXISTS fixed_in;
DROP TABLE IF EXISTS vulnerability_package;
DROP INDEX IF EXISTS vulnerability_aliases_idx;
ALTER TABLE vulnerability
    DROP COLUMN IF EXISTS aliases,
    DROP COLUMN IF EXISTS details,
    DROP COLUMN IF EXISTS severity,
    DROP COLUMN IF EXISTS refs,
    DROP COLUMN IF EXISTS affected,
    DROP COLUMN IF EXISTS published,
    DROP COLUMN IF EXISTS modified,
    DROP COLUMN IF EXISTS withdrawn,
    DROP COLUMN IF EXISTS raw,
    DROP COLUMN IF EXISTS updated_at;
