package persistence

import (
	"encoding/json"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// licenseKey is a package_license row's key; has* false is NULL.
type licenseKey struct {
	name, identifier, version     string
	hasName, hasIdent, hasVersion bool
}

func newLicenseKey(l *LicenseEntry) licenseKey {
	var k licenseKey
	if l.Name != nil {
		k.name, k.hasName = *l.Name, true
	}
	if l.Identifier != nil {
		k.identifier, k.hasIdent = *l.Identifier, true
	}
	if l.Version != nil {
		k.version, k.hasVersion = *l.Version, true
	}
	return k
}

// jsonList is a list as the JSON array the statements unnest per row
// (PostgreSQL arrays cannot be ragged); nil is [].
func jsonList[T any](xs []T) (string, error) {
	if xs == nil {
		xs = []T{}
	}
	raw, err := json.Marshal(xs)
	return string(raw), err
}

// queueVersionMetadata queues the core metadata, licenses and import names
// of the owned solved rows: the licenses first (shared rows, inserted
// unless known, in key order), then one metadata row per version (replaced
// by the newest document that describes it, pointing at its license), then
// the import names of the versions whose document lists them (replacing
// those an earlier document listed). The rows written go into counts when
// b runs.
func queueVersionMetadata(b *pgx.Batch, docID string, entries []SolvedEntry,
	owned map[int64]int64, verIDs map[versionKey]int64, counts Counts) error {
	var (
		vids                                                         []int64
		summaries, licenses, requires, authors, emails, homes        []*string
		classifiers, requiresDist, providesExtra, platforms, projURL []string
		hasLicense                                                   []bool
		licName, licIdent, licVersion                                []*string
		licWarning                                                   []*bool
		iVids, namedVids                                             []int64
		iNames                                                       []string
	)
	licenseSet := map[licenseKey]bool{}
	for _, e := range entries {
		vid := verIDs[keyOf(e)]
		m := e.Metadata
		if _, ok := owned[vid]; !ok || m == nil {
			continue
		}
		lists := [][]string{m.Classifiers, m.RequiresDist, m.ProvidesExtra, m.Platforms}
		outs := []*[]string{&classifiers, &requiresDist, &providesExtra, &platforms}
		for i, l := range lists {
			raw, err := jsonList(l)
			if err != nil {
				return err
			}
			*outs[i] = append(*outs[i], raw)
		}
		raw, err := jsonList(m.ProjectURLs)
		if err != nil {
			return err
		}
		projURL = append(projURL, raw)
		vids = append(vids, vid)
		summaries = append(summaries, m.Summary)
		licenses = append(licenses, m.License)
		requires = append(requires, m.RequiresPython)
		authors = append(authors, m.Author)
		emails = append(emails, m.AuthorEmail)
		homes = append(homes, m.HomePage)
		if l := m.PackageLicense; l != nil {
			licenseSet[newLicenseKey(l)] = true
			hasLicense = append(hasLicense, true)
			licName, licIdent, licVersion = append(licName, l.Name), append(licIdent, l.Identifier), append(licVersion, l.Version)
			licWarning = append(licWarning, l.Warning)
		} else {
			hasLicense = append(hasLicense, false)
			licName, licIdent, licVersion = append(licName, nil), append(licIdent, nil), append(licVersion, nil)
			licWarning = append(licWarning, nil)
		}
		if m.ImportNames != nil {
			namedVids = append(namedVids, vid)
			for _, n := range m.ImportNames {
				iVids, iNames = append(iVids, vid), append(iNames, n)
			}
		}
	}
	if len(vids) == 0 {
		return nil
	}
	if len(licenseSet) > 0 {
		keys := make([]licenseKey, 0, len(licenseSet))
		for k := range licenseSet {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.name != b.name {
				return a.name < b.name
			}
			if a.identifier != b.identifier {
				return a.identifier < b.identifier
			}
			return a.version < b.version
		})
		names, idents, versions := make([]*string, len(keys)), make([]*string, len(keys)), make([]*string, len(keys))
		for i, k := range keys {
			if k.hasName {
				names[i] = &keys[i].name
			}
			if k.hasIdent {
				idents[i] = &keys[i].identifier
			}
			if k.hasVersion {
				versions[i] = &keys[i].version
			}
		}
		b.Queue(`
			INSERT INTO package_license (name, identifier, version)
			SELECT n, i, v FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(n, i, v, o)
			ORDER BY o
			ON CONFLICT ON CONSTRAINT package_license_key DO NOTHING`, names, idents, versions)
	}
	b.Queue(`
		INSERT INTO package_metadata AS m (version_id, summary, license, requires_python, classifiers,
			author, author_email, home_page, requires_dist, provides_extra, platforms, project_urls,
			license_id, license_warning, document_id)
		SELECT t.v, t.s, t.l, t.r, ARRAY(SELECT jsonb_array_elements_text(t.c::jsonb)),
			t.au, t.ae, t.hp, ARRAY(SELECT jsonb_array_elements_text(t.rd::jsonb)),
			ARRAY(SELECT jsonb_array_elements_text(t.pe::jsonb)), ARRAY(SELECT jsonb_array_elements_text(t.pl::jsonb)),
			t.pu::jsonb,
			CASE WHEN t.lh THEN (SELECT pl.id FROM package_license pl WHERE pl.name IS NOT DISTINCT FROM t.ln
				AND pl.identifier IS NOT DISTINCT FROM t.li AND pl.version IS NOT DISTINCT FROM t.lv) END,
			t.lw, $18
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::text[], $13::bool[], $14::text[], $15::text[], $16::text[], $17::bool[])
			AS t(v, s, l, r, c, au, ae, hp, rd, pe, pl, pu, lh, ln, li, lv, lw)
		ORDER BY t.v
		ON CONFLICT (version_id) DO UPDATE SET summary = excluded.summary, license = excluded.license,
			requires_python = excluded.requires_python, classifiers = excluded.classifiers,
			author = excluded.author, author_email = excluded.author_email, home_page = excluded.home_page,
			requires_dist = excluded.requires_dist, provides_extra = excluded.provides_extra,
			platforms = excluded.platforms, project_urls = excluded.project_urls,
			license_id = excluded.license_id, license_warning = excluded.license_warning,
			document_id = excluded.document_id`,
		vids, summaries, licenses, requires, classifiers, authors, emails, homes,
		requiresDist, providesExtra, platforms, projURL, hasLicense, licName, licIdent, licVersion, licWarning, docID).
		Exec(func(tag pgconn.CommandTag) error {
			counts["metadata"] = tag.RowsAffected()
			return nil
		})
	if len(namedVids) > 0 {
		b.Queue(`DELETE FROM import_name WHERE version_id = ANY($1)`, namedVids)
	}
	if len(iVids) > 0 {
		b.Queue(`
			INSERT INTO import_name (version_id, name, document_id)
			SELECT v, n, $3 FROM unnest($1::bigint[], $2::text[]) AS t(v, n)
			ORDER BY v, n
			ON CONFLICT (version_id, name) DO NOTHING`, iVids, iNames, docID).Exec(func(tag pgconn.CommandTag) error {
			counts["imports"] = tag.RowsAffected()
			return nil
		})
	}
	return nil
}
