package persistence

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// MaxRegisteredVersions bounds one RegisterVersions call.
const MaxRegisteredVersions = 10_000

// VersionRegistration names a release to make known: a package, a version
// and the index serving it, spelled as the caller has them.
type VersionRegistration struct {
	Name     string
	Version  string
	IndexURL *string
}

// RegisteredVersions is what RegisterVersions did.
type RegisteredVersions struct {
	Created, Known int
	// Versions are the registered versions in input order, each once.
	Versions []PackageVersion
}

// normalName is a PEP 503 normalised PEP 508 name.
var normalName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// RegisterVersions makes releases known (package-releases-job's role in
// Thoth): each version of a package on a registered index, in its stored
// forms (names PEP 503, versions PEP 440, index URLs as NormalizeIndexURL;
// a new version keeps the spelling given in version_text). A known version
// is left as it is. New versions join the unsolved backlog of every
// environment when their index is enabled (unless a solver rule rules them
// out), and are matched against the vulnerability records and the rules
// naming their package, in one transaction.
//
// INVALID, naming the item (input[i].name, .version, .indexUrl): a name PEP
// 508 does not allow, a version PEP 440 does not describe or longer than
// 256 bytes, an item without an index, more than MaxRegisteredVersions
// items. NOT_FOUND: an index not registered (registerPackageIndex).
func (s *Store) RegisterVersions(ctx context.Context, items []VersionRegistration) (RegisteredVersions, error) {
	var out RegisteredVersions
	if len(items) > MaxRegisteredVersions {
		return out, Errorf(CodeInvalid, "input: %d versions, more than the limit of %d per call", len(items), MaxRegisteredVersions)
	}
	keys := make([]versionKey, len(items))
	texts := map[versionKey]string{}
	urlSet, nameSet := map[string]bool{}, map[string]bool{}
	for i, it := range items {
		name := python.NormalizeName(it.Name)
		if len(name) > 256 || !normalName.MatchString(name) {
			return out, Errorf(CodeInvalid, "input[%d].name: %q is not a valid package name", i, it.Name)
		}
		version, ok := python.NormalizeVersion(it.Version)
		if !ok || len(it.Version) > 256 {
			return out, Errorf(CodeInvalid, "input[%d].version: %q is not a PEP 440 version", i, it.Version)
		}
		if it.IndexURL == nil {
			return out, Errorf(CodeInvalid, "input[%d].indexUrl: an index is needed (versions of no index are never solved)", i)
		}
		url := python.NormalizeIndexURL(*it.IndexURL)
		if url == "" {
			return out, Errorf(CodeInvalid, "input[%d].indexUrl: empty index URL", i)
		}
		k := versionKey{name, version, url}
		keys[i] = k
		if t := strings.TrimSpace(it.Version); t != version {
			if _, ok := texts[k]; !ok {
				texts[k] = t
			}
		}
		urlSet[url], nameSet[name] = true, true
	}
	if len(items) == 0 {
		out.Versions = []PackageVersion{}
		return out, nil
	}
	urls, names := sortedKeys(urlSet), sortedKeys(nameSet)
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		out = RegisteredVersions{}
		indexIDs := make(map[string]int64, len(urls))
		pkgIDs := make(map[string]int64, len(names))
		b := &pgx.Batch{}
		b.Queue(`SELECT url, id FROM package_index WHERE url = ANY($1)`, urls).Query(collectIDs(indexIDs))
		b.Queue(`INSERT INTO package (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n
			ON CONFLICT (name) DO NOTHING`, names)
		b.Queue(`SELECT name, id FROM package WHERE name = ANY($1)`, names).Query(collectIDs(pkgIDs))
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("register versions: %w", err)
		}
		for i, k := range keys {
			if _, ok := indexIDs[k.index]; !ok {
				return Errorf(CodeNotFound, "input[%d].indexUrl: index %s is not registered (registerPackageIndex registers it)", i, k.index)
			}
		}
		set := make(map[versionKey]bool, len(keys))
		for _, k := range keys {
			set[k] = true
		}
		before, err := knownVersions(ctx, tx, set, pkgIDs, indexIDs)
		if err != nil {
			return err
		}
		ids, err := upsertVersions(ctx, tx, set, texts, pkgIDs, indexIDs)
		if err != nil {
			return err
		}
		out.Known, out.Created = before, len(set)-before
		vids := make([]int64, 0, len(ids))
		for _, id := range ids {
			vids = append(vids, id)
		}
		sort.Slice(vids, func(i, j int) bool { return vids[i] < vids[j] })
		if err := matchArrivals(ctx, tx, ids, nil); err != nil {
			return err
		}
		if out.Created > 0 {
			if err := bumpPackageNames(ctx, tx, names); err != nil {
				return err
			}
		}
		byID, err := versionsByID(ctx, tx, vids)
		if err != nil {
			return err
		}
		seen := make(map[int64]bool, len(ids))
		for _, k := range keys {
			id := ids[k]
			if seen[id] {
				continue
			}
			seen[id] = true
			out.Versions = append(out.Versions, byID[id])
		}
		return nil
	})
	return out, err
}

// knownVersions counts the versions of set the graph has.
func knownVersions(ctx context.Context, tx pgx.Tx, set map[versionKey]bool, pkgIDs, indexIDs map[string]int64) (int, error) {
	var pkgs, idxs []int64
	var vers []string
	for k := range set {
		pkgs, vers, idxs = append(pkgs, pkgIDs[k.name]), append(vers, k.version), append(idxs, indexIDs[k.index])
	}
	var n int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS t(p, v, i)
		JOIN package_version pv ON pv.package_id = t.p AND pv.version = t.v AND pv.index_id = t.i`,
		pkgs, vers, idxs).Scan(&n)
	return n, err
}

// versionsByID reads versions inside tx.
func versionsByID(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]PackageVersion, error) {
	rows, err := tx.Query(ctx, versionSelect+` WHERE pv.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[PackageVersion])
	if err != nil {
		return nil, err
	}
	return byID(vs, func(v *PackageVersion) int64 { return v.ID }), nil
}
