-- Container image analyses (package-extract documents, analysis/<id>): the
-- analysed image as a software environment, and what the analysis found in
-- it. Shared nodes (software environments, RPM and Debian package versions,
-- RPM requirements, ABI symbols) are deduplicated by their unique keys and
-- stay when a document is re-ingested; the facts of one analysis carry its
-- document_id and are replaced when it is.

-- A container image: its name without the tag, its digest (skopeo's, else
-- the last layer's) and whether it is a runtime or a build-time image. What
-- the analyses say of it (OS, Python, CUDA) is kept from the latest one that
-- says it.
CREATE TABLE software_environment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment_type text NOT NULL CHECK (environment_type IN ('RUNTIME', 'BUILDTIME')),
    image_name       text NOT NULL CHECK (image_name <> ''),
    image_digest     text,
    os_name          text,
    os_version       text,
    python_version   text,
    cuda_version     text,
    CONSTRAINT software_environment_key UNIQUE NULLS NOT DISTINCT (image_name, image_digest, environment_type)
);

-- One package-extract run: one per document.
CREATE TABLE image_analysis (
    document_id             text   PRIMARY KEY REFERENCES document (id),
    software_environment_id bigint NOT NULL REFERENCES software_environment (id),
    image                   text   NOT NULL,
    image_tag               text   NOT NULL,
    image_size              bigint,
    analyzer                text,
    analyzer_version        text,
    analyzed_at             timestamptz,
    duration                double precision,
    origin                  text,
    layers                  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX image_analysis_environment_idx ON image_analysis (software_environment_id, document_id);

-- Python distributions installed in the image. Names are PEP 503
-- normalised and versions in PEP 440 normal form, as package_version keeps
-- them, so the versions of the graph with that name and version are the
-- ones found (a version arriving later is found too).
CREATE TABLE image_python_package (
    document_id  text NOT NULL REFERENCES document (id),
    package_name text NOT NULL CHECK (package_name <> ''),
    version      text NOT NULL,
    location     text NOT NULL,
    PRIMARY KEY (document_id, package_name, version, location)
);
CREATE INDEX image_python_package_version_idx ON image_python_package (package_name, version);

CREATE TABLE rpm_package_version (
    id                 bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text    NOT NULL CHECK (name <> ''),
    version            text    NOT NULL,
    release            text,
    epoch              text,
    arch               text,
    src                boolean NOT NULL DEFAULT false,
    package_identifier text    NOT NULL,
    CONSTRAINT rpm_package_version_key UNIQUE NULLS NOT DISTINCT (name, version, release, epoch, arch, src)
);

-- What an RPM requires, as its spec file states it ("libc.so.6()(64bit)",
-- "rpmlib(PayloadIsXz) <= 5.2-1"): part of the package version, shared.
CREATE TABLE rpm_requirement (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text   NOT NULL UNIQUE
);
CREATE TABLE rpm_requires (
    rpm_package_version_id bigint NOT NULL REFERENCES rpm_package_version (id),
    rpm_requirement_id     bigint NOT NULL REFERENCES rpm_requirement (id),
    PRIMARY KEY (rpm_package_version_id, rpm_requirement_id)
);

CREATE TABLE image_rpm (
    document_id            text   NOT NULL REFERENCES document (id),
    rpm_package_version_id bigint NOT NULL REFERENCES rpm_package_version (id),
    PRIMARY KEY (document_id, rpm_package_version_id)
);
CREATE INDEX image_rpm_version_idx ON image_rpm (rpm_package_version_id);

CREATE TABLE deb_package_version (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text   NOT NULL CHECK (name <> ''),
    version text   NOT NULL,
    epoch   text,
    arch    text,
    CONSTRAINT deb_package_version_key UNIQUE NULLS NOT DISTINCT (name, version, epoch, arch)
);

-- A Debian package's Depends, Pre-Depends and Replaces entries ("" when
-- the entry states no version range): part of the package version, shared.
CREATE TABLE deb_requirement (
    deb_package_version_id bigint NOT NULL REFERENCES deb_package_version (id),
    kind                   text   NOT NULL CHECK (kind IN ('depends', 'pre-depends', 'replaces')),
    name                   text   NOT NULL,
    version_range          text   NOT NULL DEFAULT '',
    PRIMARY KEY (deb_package_version_id, kind, name, version_range)
);

CREATE TABLE image_deb (
    document_id            text   NOT NULL REFERENCES document (id),
    deb_package_version_id bigint NOT NULL REFERENCES deb_package_version (id),
    PRIMARY KEY (document_id, deb_package_version_id)
);
CREATE INDEX image_deb_version_idx ON image_deb (deb_package_version_id);

-- An ABI symbol a library of an image provides ("/usr/lib64/libc.so.6",
-- "GLIBC_2.28").
CREATE TABLE versioned_symbol (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    library text   NOT NULL,
    symbol  text   NOT NULL,
    CONSTRAINT versioned_symbol_key UNIQUE (library, symbol)
);
CREATE INDEX versioned_symbol_symbol_idx ON versioned_symbol (symbol);

CREATE TABLE image_symbol (
    document_id         text   NOT NULL REFERENCES document (id),
    versioned_symbol_id bigint NOT NULL REFERENCES versioned_symbol (id),
    PRIMARY KEY (document_id, versioned_symbol_id)
);
CREATE INDEX image_symbol_symbol_idx ON image_symbol (versioned_symbol_id);

CREATE TABLE image_python_interpreter (
    document_id text NOT NULL REFERENCES document (id),
    path        text NOT NULL,
    link        text,
    version     text,
    PRIMARY KEY (document_id, path)
);

-- Python files of the image by SHA-256 digest.
CREATE TABLE image_python_file (
    document_id text NOT NULL REFERENCES document (id),
    path        text NOT NULL,
    sha256      text NOT NULL,
    PRIMARY KEY (document_id, path)
);
CREATE INDEX image_python_file_sha256_idx ON image_python_file (sha256);
