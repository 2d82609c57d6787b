package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/seshat-graph/seshat/internal/backup"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

const backupUsage = `backup [list] [--keep N] [--pg-bin DIR]

Dumps the knowledge graph (SESHAT_DATABASE_URL) with pg_dump --format=custom
and streams the dump into the document store (SESHAT_DOCUMENT_STORE) at
graph-backup/pg_dump-<UTC time>.dump, as Thoth's graph-backup-job kept its
dumps, with a manifest beside it (<key>.json: SHA-256, size, the schema
version, the time the dump took). Then it keeps the newest N dumps
(SESHAT_BACKUP_KEEP, default 21: three weeks of daily backups) and deletes
the older ones with their manifests. A dump that fails leaves nothing behind.

'seshat backup list' prints the stored dumps, oldest first.
'seshat restore' loads one into an empty database.

pg_dump and pg_restore are PostgreSQL's client programs: found in --pg-bin,
else the newest /usr/lib/postgresql/*/bin, else on PATH (Debian: apt-get
install postgresql-client-15). pg_dump must not be older than the server.

On a terminal a progress bar counts the bytes stored, on stderr.

Examples:
  seshat backup                     dump, store, rotate
  SESHAT_BACKUP_KEEP=7 seshat backup
  seshat backup list`

const restoreUsage = `restore (KEY | --latest) --database URL [--pg-bin DIR]

Loads a dump made by 'seshat backup' from the document store into the empty
database at URL (create it first: createdb, or CREATE DATABASE). The dump is
read into a temporary file and its SHA-256 and size checked against its
manifest before anything is written; pg_restore then loads it in one
transaction, so a failed restore leaves the database empty. A database that
holds any table is refused. No migration runs: the schema stays at the
version the dump had ('seshat migrate' moves it on when the binary is newer).

KEY is a key 'seshat backup list' prints; --latest takes the newest dump.

Examples:
  seshat restore --latest --database postgres://postgres@127.0.0.1:54329/restored
  seshat restore graph-backup/pg_dump-2026-12-01T02:00:00.000000Z.dump --database "$URL"`

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flags("backup", backupUsage)
	keep := fs.Int("keep", 0, "dumps to keep, the new one included (default SESHAT_BACKUP_KEEP)")
	pgBin := fs.String("pg-bin", "", "directory of pg_dump and pg_restore")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	list := false
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "list":
		list = true
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q (want no argument, or list)", fs.Arg(0))}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	docs, err := e.openDocs(ctx, c, !list)
	if err != nil {
		return err
	}
	if list {
		return e.listBackups(ctx, docs)
	}
	if *keep == 0 {
		*keep = c.BackupKeep
	}
	if *keep < 1 {
		return usageError{fmt.Sprintf("--keep %d: want at least 1", *keep)}
	}
	tools, err := backup.FindTools(*pgBin)
	if err != nil {
		return err
	}
	bar := e.byteBar("dumping")
	opts := backup.Options{Tools: tools, Keep: *keep, Now: time.Now()}
	if bar != nil {
		opts.Progress = bar
	}
	res, err := backup.Backup(ctx, docs, c.DatabaseURL, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	m := res.Manifest
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "backup\t%s\nstore\t%s\nsize\t%s (%d bytes)\nsha256\t%s\nschema version\t%d\ntime\t%s\n",
		m.Key, docs, sizeOf(m.Size), m.Size, m.SHA256, m.SchemaVersion,
		time.Duration(m.Seconds*float64(time.Second)).Round(time.Millisecond))
	fmt.Fprintf(tw, "kept\tthe newest %d\n", *keep)
	for _, k := range res.Deleted {
		fmt.Fprintf(tw, "deleted\t%s\n", k)
	}
	return tw.Flush()
}

func (e *env) listBackups(ctx context.Context, docs objectstore.Store) error {
	ms, err := backup.List(ctx, docs)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		fmt.Fprintf(e.stdout, "no backups in %s/%s\n", docs, backup.Folder)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCREATED\tSIZE\tSCHEMA\tSHA256")
	for _, m := range ms {
		created, schema, sum := "-", "-", "(no manifest)"
		if m.SHA256 != "" {
			created, schema, sum = m.CreatedAt.Format(time.RFC3339), fmt.Sprint(m.SchemaVersion), m.SHA256[:16]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Key, created, sizeOf(m.Size), schema, sum)
	}
	return tw.Flush()
}

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := e.flags("restore", restoreUsage)
	latest := fs.Bool("latest", false, "restore the newest dump")
	database := fs.String("database", "", "URL of the empty database to restore into (required)")
	pgBin := fs.String("pg-bin", "", "directory of pg_dump and pg_restore")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	// The KEY may come before the flags, as the usage line has it.
	var keys []string
	for fs.NArg() > 0 {
		keys = append(keys, fs.Arg(0))
		if err := e.parse(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	switch {
	case *database == "":
		return usageError{"--database URL is required: the empty database to restore into"}
	case *latest && len(keys) > 0:
		return usageError{"give a KEY or --latest, not both"}
	case !*latest && len(keys) != 1:
		return usageError{"give one KEY (seshat backup list shows them) or --latest"}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	docs, err := e.openDocs(ctx, c, false)
	if err != nil {
		return err
	}
	tools, err := backup.FindTools(*pgBin)
	if err != nil {
		return err
	}
	var key string
	if len(keys) == 1 {
		key = keys[0]
	}
	if *latest {
		if key, err = backup.Latest(ctx, docs); err != nil {
			return err
		}
	}
	start := time.Now()
	m, err := backup.Restore(ctx, docs, key, *database, tools)
	if err != nil {
		return err
	}
	version, err := backup.SchemaVersion(ctx, *database)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "restored\t%s\nsize\t%s, SHA-256 checked\nschema version\t%d (the dump's: %d)\ntime\t%s\n",
		m.Key, sizeOf(m.Size), version, m.SchemaVersion, time.Since(start).Round(time.Millisecond))
	return tw.Flush()
}

// byteBar is a progress bar counting bytes on stderr when it is a
// terminal, else nil.
func (e *env) byteBar(what string) *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(io.Writer(f)),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// sizeOf renders a byte count in binary units: 512 B, 1.5 KiB, 12.3 MiB.
func sizeOf(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
