// Package backup dumps the knowledge graph into the document store and
// restores it: pg_dump's custom format streamed to
// graph-backup/pg_dump-<UTC time>.dump with a manifest beside it (SHA-256,
// size, schema version), rotated to the newest N, as Thoth's
// graph-backup-job kept its dumps.
package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// Folder is where the dumps are kept in the document store.
const Folder = "graph-backup/"

// DefaultKeep is how many dumps a backup keeps when SESHAT_BACKUP_KEEP is
// not set: three weeks of daily backups.
const DefaultKeep = 21

// dumpSuffix ends a dump's key; manifestSuffix is added to it for the
// manifest's.
const (
	dumpPrefix     = Folder + "pg_dump-"
	dumpSuffix     = ".dump"
	manifestSuffix = ".json"
)

// Manifest describes one dump; it is stored beside it as <key>.json.
type Manifest struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// SchemaVersion is the migration the dumped database was at.
	SchemaVersion uint      `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Database names what was dumped (host and database, no credentials).
	Database string `json:"database"`
	// PGDump is the version line of the pg_dump that made it.
	PGDump string `json:"pg_dump"`
	// Seconds is how long the dump took.
	Seconds float64 `json:"seconds"`
}

// Key returns the key of a dump taken at t: graph-backup/pg_dump-<UTC time
// to the microsecond>.dump, so keys sort in the order the dumps were taken.
func Key(t time.Time) string {
	return dumpPrefix + t.UTC().Format("2006-01-02T15:04:05.000000Z") + dumpSuffix
}

// Tools are the PostgreSQL client programs a backup and a restore run.
type Tools struct {
	PGDump, PGRestore string
}

// FindTools finds pg_dump and pg_restore: in dir when it is not "" (a
// PostgreSQL bin directory), else in the newest /usr/lib/postgresql/*/bin
// (Debian's layout, where the scripts find the server), else on PATH. A
// pg_dump older than the server refuses to dump it, hence the newest.
// Returns UNAVAILABLE, naming the programs and the package, when they are
// missing.
func FindTools(dir string) (Tools, error) {
	var dirs []string
	if dir != "" {
		dirs = []string{dir}
	} else {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		slices.SortFunc(found, func(a, b string) int { return majorOf(b) - majorOf(a) })
		dirs = append(found, "")
	}
	for _, d := range dirs {
		t := Tools{PGDump: filepath.Join(d, "pg_dump"), PGRestore: filepath.Join(d, "pg_restore")}
		if d == "" {
			var err1, err2 error
			t.PGDump, err1 = exec.LookPath("pg_dump")
			t.PGRestore, err2 = exec.LookPath("pg_restore")
			if err1 != nil || err2 != nil {
				continue
			}
			return t, nil
		}
		if isFile(t.PGDump) && isFile(t.PGRestore) {
			return t, nil
		}
	}
	where := "in /usr/lib/postgresql/*/bin or on PATH"
	if dir != "" {
		where = "in " + dir
	}
	return Tools{}, persistence.Errorf(persistence.CodeUnavailable,
		"the PostgreSQL client programs pg_dump and pg_restore were not found %s: install them (Debian: apt-get install postgresql-client-15, or postgresql)", where)
}

// majorOf returns the major version in a /usr/lib/postgresql/<N>/bin path.
func majorOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Result is what a backup did.
type Result struct {
	Manifest Manifest
	// Deleted are the keys of the older dumps rotation removed.
	Deleted []string
}

// Options are a backup's settings.
type Options struct {
	Tools Tools
	// Keep is how many dumps rotation keeps, the new one included.
	Keep int
	// Now names the dump (Key).
	Now time.Time
	// Progress, when not nil, is written every byte of the dump as it is
	// stored (a progress bar counting bytes).
	Progress io.Writer
}

// Backup dumps the database at dbURL with pg_dump --format=custom, streams
// the dump into store at Key(o.Now) while hashing it, stores its manifest,
// then deletes all but the newest o.Keep dumps (with their manifests). A
// dump that fails leaves no object behind.
// Returns UNAVAILABLE when pg_dump fails or the store is unreachable, with
// pg_dump's own message; INVALID when o.Keep < 1.
func Backup(ctx context.Context, store objectstore.Store, dbURL string, o Options) (Result, error) {
	keep, now, tools := o.Keep, o.Now, o.Tools
	if keep < 1 {
		return Result{}, persistence.Errorf(persistence.CodeInvalid, "keep %d: at least the new dump must be kept", keep)
	}
	version, err := SchemaVersion(ctx, dbURL)
	if err != nil {
		return Result{}, err
	}
	m := Manifest{Key: Key(now), SchemaVersion: version, CreatedAt: now.UTC(), Database: describe(dbURL),
		PGDump: toolVersion(ctx, tools.PGDump)}
	start := time.Now()
	cmd := exec.CommandContext(ctx, tools.PGDump, "--format=custom", "--no-owner", "--no-privileges", "--dbname="+dbURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	if err := cmd.Start(); err != nil {
		return Result{}, persistence.Wrap(persistence.CodeUnavailable, err, "start pg_dump")
	}
	h := sha256.New()
	var sink io.Writer = h
	if o.Progress != nil {
		sink = io.MultiWriter(h, o.Progress)
	}
	n, putErr := store.PutStream(ctx, m.Key, io.TeeReader(out, sink))
	// Drain what the store did not read, so pg_dump is not left blocked.
	_, _ = io.Copy(io.Discard, out)
	waitErr := cmd.Wait()
	if putErr != nil || waitErr != nil {
		if putErr == nil {
			_ = store.Delete(context.WithoutCancel(ctx), m.Key)
			return Result{}, persistence.Wrap(persistence.CodeUnavailable, waitErr,
				"pg_dump failed: "+strings.TrimSpace(stderr.String()))
		}
		return Result{}, fmt.Errorf("store the dump at %s: %w", m.Key, putErr)
	}
	m.Size, m.SHA256, m.Seconds = n, hex.EncodeToString(h.Sum(nil)), time.Since(start).Seconds()
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Result{}, err
	}
	if err := store.Put(ctx, m.Key+manifestSuffix, append(raw, '\n')); err != nil {
		_ = store.Delete(context.WithoutCancel(ctx), m.Key)
		return Result{}, fmt.Errorf("store the manifest of %s: %w", m.Key, err)
	}
	res := Result{Manifest: m}
	res.Deleted, err = rotate(ctx, store, keep)
	return res, err
}

// rotate deletes all but the newest keep dumps and their manifests, and
// returns the keys of the dumps it deleted.
func rotate(ctx context.Context, store objectstore.Store, keep int) ([]string, error) {
	keys, err := dumpKeys(ctx, store)
	if err != nil {
		return nil, err
	}
	if len(keys) <= keep {
		return nil, nil
	}
	old := keys[:len(keys)-keep]
	for _, k := range old {
		if err := store.Delete(ctx, k); err != nil && persistence.ErrorCode(err) != persistence.CodeNotFound {
			return nil, fmt.Errorf("rotate: delete %s: %w", k, err)
		}
		if err := store.Delete(ctx, k+manifestSuffix); err != nil && persistence.ErrorCode(err) != persistence.CodeNotFound {
			return nil, fmt.Errorf("rotate: delete %s: %w", k+manifestSuffix, err)
		}
	}
	return old, nil
}

// dumpKeys lists the dumps' keys, oldest first.
func dumpKeys(ctx context.Context, store objectstore.Store) ([]string, error) {
	var keys []string
	err := store.List(ctx, dumpPrefix, func(o objectstore.Object) error {
		if strings.HasSuffix(o.Key, dumpSuffix) {
			keys = append(keys, o.Key)
		}
		return nil
	})
	if persistence.ErrorCode(err) == persistence.CodeNotFound {
		return nil, nil // no bucket yet: no dumps
	}
	return keys, err
}

// List returns the manifests of the stored dumps, oldest first. A dump
// whose manifest is missing or unreadable is listed with its key and size
// only.
func List(ctx context.Context, store objectstore.Store) ([]Manifest, error) {
	keys, err := dumpKeys(ctx, store)
	if err != nil {
		return nil, err
	}
	out := make([]Manifest, 0, len(keys))
	for _, k := range keys {
		m, err := readManifest(ctx, store, k)
		if err != nil {
			m = Manifest{Key: k}
			if o, err := store.Stat(ctx, k); err == nil {
				m.Size = o.Size
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Latest returns the key of the newest dump.
// NOT_FOUND when there is none.
func Latest(ctx context.Context, store objectstore.Store) (string, error) {
	keys, err := dumpKeys(ctx, store)
	if err != nil {
		return "", err
	}
	if len(keys) == 0 {
		return "", persistence.Errorf(persistence.CodeNotFound, "no backup in %s%s", store, "/"+Folder)
	}
	return keys[len(keys)-1], nil
}

func readManifest(ctx context.Context, store objectstore.Store, key string) (Manifest, error) {
	raw, err := store.Get(ctx, key+manifestSuffix)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, persistence.Wrap(persistence.CodeInvalid, err, "manifest "+key+manifestSuffix)
	}
	return m, nil
}

// Restore loads the dump stored at key into the empty database at dbURL:
// the dump is read into a temporary file while hashed, its SHA-256 and size
// checked against its manifest, then pg_restore writes it in one
// transaction. No migration runs: the schema is left at the dump's
// version.
// Returns NOT_FOUND for a missing dump or manifest, CONFLICT when the
// database is not empty, INVALID when the checksum or size does not match,
// UNAVAILABLE when pg_restore fails (with its message).
func Restore(ctx context.Context, store objectstore.Store, key, dbURL string, tools Tools) (Manifest, error) {
	if !strings.HasPrefix(key, dumpPrefix) || !strings.HasSuffix(key, dumpSuffix) {
		return Manifest{}, persistence.Errorf(persistence.CodeInvalid, "%q is not a backup key (%s<time>%s; seshat backup list shows them)", key, dumpPrefix, dumpSuffix)
	}
	m, err := readManifest(ctx, store, key)
	if err != nil {
		return Manifest{}, fmt.Errorf("the manifest of %s: %w", key, err)
	}
	if err := checkEmpty(ctx, dbURL); err != nil {
		return m, err
	}
	r, err := store.GetStream(ctx, key)
	if err != nil {
		return m, err
	}
	defer r.Close()
	f, err := os.CreateTemp("", "seshat-restore-*.dump")
	if err != nil {
		return m, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(f, io.TeeReader(r, h))
	if err != nil {
		return m, persistence.Wrap(persistence.CodeUnavailable, err, "read "+key)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != m.SHA256 || n != m.Size {
		return m, persistence.Errorf(persistence.CodeInvalid, "%s is damaged: %d bytes with SHA-256 %s, its manifest says %d bytes with %s", key, n, sum, m.Size, m.SHA256)
	}
	if err := f.Close(); err != nil {
		return m, err
	}
	cmd := exec.CommandContext(ctx, tools.PGRestore, "--no-owner", "--no-privileges", "--single-transaction",
		"--exit-on-error", "--dbname="+dbURL, f.Name())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return m, persistence.Wrap(persistence.CodeUnavailable, err, "pg_restore failed: "+strings.TrimSpace(stderr.String()))
	}
	return m, nil
}

// checkEmpty refuses a database holding any table, view or sequence
// outside the system schemas.
func checkEmpty(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return persistence.Wrap(persistence.CodeUnavailable, err, "connect to "+describe(dbURL))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var n int
	err = conn.QueryRow(ctx, `
		SELECT count(*) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname NOT LIKE 'pg_toast%'`).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return persistence.Errorf(persistence.CodeConflict, "database %s is not empty (%d tables, views or sequences): restore into a new, empty database", describe(dbURL), n)
	}
	return nil
}

// SchemaVersion reads the migration the database at dbURL is at (0 when
// none ran). CONFLICT when a migration failed half-way (dirty).
func SchemaVersion(ctx context.Context, dbURL string) (uint, error) {
	store, err := persistence.Open(ctx, dbURL, persistence.Options{MaxConns: 1})
	if err != nil {
		return 0, err
	}
	defer store.Close()
	v, dirty, err := store.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if dirty {
		return 0, persistence.Errorf(persistence.CodeConflict, "the schema of %s is dirty at migration %d (a migration failed half-way): fix it before backing up", describe(dbURL), v)
	}
	return v, nil
}

// toolVersion returns the first line of `prog --version`, "" when it fails.
func toolVersion(ctx context.Context, prog string) string {
	out, err := exec.CommandContext(ctx, prog, "--version").Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// describe names a database URL without its credentials: host:port/db.
func describe(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return "the database"
	}
	return u.Host + u.Path
}
