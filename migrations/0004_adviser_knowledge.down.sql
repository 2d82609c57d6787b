DROP TABLE IF EXISTS rule_match;
DROP TABLE IF EXISTS rule;
DROP TABLE IF EXISTS artifact_removed;
DROP INDEX IF EXISTS package_version_missing_idx;
ALTER TABLE package_version
    DROP COLUMN IF EXISTS is_missing,
    DROP COLUMN IF EXISTS provides_source_distro;
