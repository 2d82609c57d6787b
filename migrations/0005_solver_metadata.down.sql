-- Drops the solver metadata and version_text and creates indexes enabled
-- again. Merged rows stay merged and stored normal forms stay (the
-- spellings they replaced are in version_text until this runs).
ALTER TABLE solved DROP COLUMN platform;
DROP TABLE import_name;
ALTER TABLE package_metadata
    DROP COLUMN author,
    DROP COLUMN author_email,
    DROP COLUMN home_page,
    DROP COLUMN requires_dist,
    DROP COLUMN provides_extra,
    DROP COLUMN platforms,
    DROP COLUMN project_urls,
    DROP COLUMN license_id,
    DROP COLUMN license_warning;
DROP TABLE package_license;
ALTER TABLE package_index ALTER COLUMN enabled SET DEFAULT true;
ALTER TABLE package_version DROP COLUMN version_text;
