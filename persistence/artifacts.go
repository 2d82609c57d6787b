package persistence

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/seshat-graph/seshat/python"
)

// Artifact is one distribution file of a version as a solver listed it: its
// file name when the document gave one, its sha256 digest, and whether it
// is still present on the index (false once reported removed).
type Artifact struct {
	VersionID int64   `db:"version_id"`
	Name      *string `db:"name"`
	SHA256    string  `db:"sha256"`
	Present   bool    `db:"present"`
}

// ArtifactsOfVersions returns, per version, its artifacts ordered by sha256
// then name; versions without any are absent. One statement.
func (s *Store) ArtifactsOfVersions(ctx context.Context, versionIDs []int64) (map[int64][]Artifact, error) {
	rows, err := collect[Artifact](ctx, s, `
		SELECT a.version_id, NULLIF(a.name, '') AS name, a.sha256, r.version_id IS NULL AS present
		FROM artifact a
		LEFT JOIN artifact_removed r ON r.version_id = a.version_id AND r.sha256 = a.sha256
		WHERE a.version_id = ANY($1)
		ORDER BY a.version_id, a.sha256, a.name`, versionIDs)
	if err != nil {
		return nil, err
	}
	return groupBy(rows, func(a *Artifact) int64 { return a.VersionID }), nil
}

// Hashes returns the distinct sha256 digests of the present artifacts,
// sorted: what a lock file pins.
func Hashes(artifacts []Artifact) []string {
	out := make([]string, 0, len(artifacts))
	for _, a := range artifacts {
		if a.Present {
			out = append(out, a.SHA256)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// VersionOnIndex names one release on one index, as mutations about it do.
type VersionOnIndex struct {
	Name, Version, IndexURL string
}

// validate returns INVALID for an empty name, version or index URL, naming
// the argument.
func (v VersionOnIndex) validate() error {
	switch {
	case python.NormalizeName(v.Name) == "":
		return Errorf(CodeInvalid, "name must not be empty")
	case strings.TrimSpace(v.Version) == "":
		return Errorf(CodeInvalid, "version must not be empty")
	case strings.TrimSpace(v.IndexURL) == "":
		return Errorf(CodeInvalid, "indexUrl must not be empty")
	}
	return nil
}

// lockVersion finds the version v names (its version and index URL in their
// stored forms, NormalVersion and NormalIndexURL) and locks its row for the
// transaction; NOT_FOUND when the graph has no such version on that index.
func lockVersion(ctx context.Context, tx pgx.Tx, v VersionOnIndex) (int64, error) {
	v.Version, v.IndexURL = NormalVersion(v.Version), *NormalIndexURL(&v.IndexURL)
	var id int64
	err := tx.QueryRow(ctx, `
		SELECT pv.id FROM package_version pv
		JOIN package p ON p.id = pv.package_id
		JOIN package_index ix ON ix.id = pv.index_id
		WHERE p.name = $1 AND pv.version = $2 AND ix.url = $3
		FOR UPDATE OF pv`, python.NormalizeName(v.Name), v.Version, v.IndexURL).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, Errorf(CodeNotFound, "no version %s of %s on index %s", v.Version, python.NormalizeName(v.Name), v.IndexURL)
	}
	return id, err
}

// SetArtifactPresent records whether the artifact with digest sha256 of
// version v is still present on its index (Thoth's investigator marked an
// artifact absent on a hash mismatch), in one transaction, and returns the
// artifact. A removal outlives the re-ingestion of the documents that list
// the artifact. Returns INVALID for an empty name, version or index URL or a
// digest that is not 64 hex digits, NOT_FOUND when the version or the
// artifact is unknown.
func (s *Store) SetArtifactPresent(ctx context.Context, v VersionOnIndex, sha256 string, present bool) (Artifact, error) {
	if err := v.validate(); err != nil {
		return Artifact{}, err
	}
	sha256 = strings.ToLower(strings.TrimSpace(sha256))
	if len(sha256) != 64 || strings.Trim(sha256, "0123456789abcdef") != "" {
		return Artifact{}, Errorf(CodeInvalid, "sha256 %q is not 64 hex digits", sha256)
	}
	var out Artifact
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		id, err := lockVersion(ctx, tx, v)
		if err != nil {
			return err
		}
		var name *string
		err = tx.QueryRow(ctx, `SELECT NULLIF(name, '') FROM artifact WHERE version_id = $1 AND sha256 = $2
			ORDER BY name DESC LIMIT 1`, id, sha256).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return Errorf(CodeNotFound, "version %s of %s on %s has no artifact with sha256 %s", v.Version, python.NormalizeName(v.Name), v.IndexURL, sha256)
		}
		if err != nil {
			return err
		}
		if present {
			_, err = tx.Exec(ctx, `DELETE FROM artifact_removed WHERE version_id = $1 AND sha256 = $2`, id, sha256)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO artifact_removed (version_id, sha256) VALUES ($1, $2)
				ON CONFLICT (version_id, sha256) DO NOTHING`, id, sha256)
		}
		out = Artifact{VersionID: id, Name: name, SHA256: sha256, Present: present}
		if err != nil {
			return err
		}
		return bumpVersionGenerations(ctx, tx, []int64{id}, false)
	})
	return out, err
}

// VersionMark sets a version's flags: nil leaves one as it is.
type VersionMark struct {
	VersionOnIndex
	IsMissing            *bool
	ProvidesSourceDistro *bool
}

// MarkVersion sets the flags m gives on the version it names, in one
// transaction, and returns the version. Returns INVALID for an empty name,
// version or index URL or a mark that sets nothing, NOT_FOUND when the
// version is unknown.
func (s *Store) MarkVersion(ctx context.Context, m VersionMark) (PackageVersion, error) {
	if err := m.validate(); err != nil {
		return PackageVersion{}, err
	}
	if m.IsMissing == nil && m.ProvidesSourceDistro == nil {
		return PackageVersion{}, Errorf(CodeInvalid, "give isMissing, providesSourceDistro or both")
	}
	var out PackageVersion
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		id, err := lockVersion(ctx, tx, m.VersionOnIndex)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH u AS (
				UPDATE package_version SET is_missing = coalesce($2, is_missing),
					provides_source_distro = coalesce($3, provides_source_distro)
				WHERE id = $1 RETURNING *)
			SELECT `+versionColumns+`
			FROM u AS pv JOIN package p ON p.id = pv.package_id
			LEFT JOIN package_index ix ON ix.id = pv.index_id`, id, m.IsMissing, m.ProvidesSourceDistro)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PackageVersion]); err != nil {
			return err
		}
		return bumpVersionGenerations(ctx, tx, []int64{id}, true)
	})
	return out, err
}

// WithoutMissing returns the versions whose index still serves them (a
// copy; vs is left as it is).
func WithoutMissing(vs []PackageVersion) []PackageVersion {
	n := 0
	for n < len(vs) && !vs[n].IsMissing {
		n++
	}
	if n == len(vs) {
		// Nothing missing, the usual case: vs itself, clipped so that
		// appending to the result copies.
		if vs == nil {
			return []PackageVersion{}
		}
		return slices.Clip(vs)
	}
	out := make([]PackageVersion, n, len(vs))
	copy(out, vs[:n])
	for _, v := range vs[n+1:] {
		if !v.IsMissing {
			out = append(out, v)
		}
	}
	return out
}

// queueMissing queues the marking of the versions a solver document shows
// their index no longer serves (SolvedEntry.Missing); the versions newly
// marked go into counts when b runs. A document never clears the mark: a
// later solver run may predate the removal (MarkVersion clears it).
func queueMissing(b *pgx.Batch, entries []SolvedEntry, verIDs map[versionKey]int64, counts Counts) {
	var ids []int64
	for _, e := range entries {
		if e.Missing {
			ids = append(ids, verIDs[keyOf(e)])
		}
	}
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	queueMissingGenerations(b, ids)
	b.Queue(`UPDATE package_version SET is_missing = true WHERE id = ANY($1) AND NOT is_missing`, ids).
		Exec(func(tag pgconn.CommandTag) error {
			if n := tag.RowsAffected(); n > 0 {
				counts["missing"] = n
			}
			return nil
		})
}
