package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// openDocs opens the configured document store; a dir:// store's directory
// is created when missing, an S3 bucket only when create is set.
func (e *env) openDocs(ctx context.Context, c Config, create bool) (objectstore.Store, error) {
	return objectstore.Open(ctx, objectstore.Config{
		URL:          c.DocumentStore,
		Endpoint:     c.S3Endpoint,
		AccessKey:    c.S3AccessKey,
		SecretKey:    c.S3SecretKey,
		Deployment:   c.Deployment,
		CreateBucket: create || strings.HasPrefix(c.DocumentStore, "dir://"),
	})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

const syncUsage = `sync [--prefix KEY-PREFIX] [--id ID ...] [--force] [--dry-run] [--workers N] [--limit N]

Ingests result documents from the document store (SESHAT_DOCUMENT_STORE) into
the knowledge graph, one transaction per document. Documents already ingested
with the same content are skipped unless --force; a document that fails is
recorded FAILED with its reason (document(id) in GraphQL shows it), the sync
goes on, and the next sync tries it again.

On a terminal a progress bar shows on stderr; otherwise a log line every few
seconds. A summary table follows on stdout. Documents of kinds Seshat does
not ingest yet are SKIPPED with the reason, not failed. The exit status is 1
when any document failed. Unless GOGC is set, the sync runs Go's garbage
collector at GOGC=400: its heap stays at tens of MiB while parsing
documents allocates fast.

Examples:
  seshat sync --prefix solver                 every solver document
  seshat sync --id solver-rhel-8-py38-abc     one document
  seshat sync --prefix solver --dry-run       parse and validate only`

// syncGCPercent is the garbage collector's target during a sync when GOGC
// is not set. A sync's live heap stays small (the documents in flight)
// while parsing them allocates fast; collecting at 4x the live heap instead
// of 2x took about a quarter less CPU time (BenchmarkSync on tf, GOGC=400
// against 100 alternately twice: 1,336 and 1,532 against 1,850 and 1,964
// µs a document).
const syncGCPercent = 400

func runSync(ctx context.Context, e *env, args []string) error {
	fs := e.flags("sync", syncUsage)
	prefix := fs.String("prefix", "", "ingest the documents whose key starts with `KEY-PREFIX` below the store root, such as solver or solver/solver-rhel-8 (default: every document)")
	var ids stringList
	fs.Var(&ids, "id", "ingest this document `ID` (repeatable); overrides --prefix")
	force := fs.Bool("force", false, "re-ingest documents whose content was ingested before, replacing their facts")
	dryRun := fs.Bool("dry-run", false, "read, parse and validate without writing anything")
	workers := fs.Int("workers", 4, "ingest `N` documents at once, each in its own transaction")
	limit := fs.Int("limit", 0, "stop after `N` documents (0: no limit)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q (document ids go with --id)", fs.Arg(0))}
	}
	if *workers < 1 {
		return usageError{fmt.Sprintf("--workers must be at least 1, got %d", *workers)}
	}
	if *limit < 0 {
		return usageError{fmt.Sprintf("--limit must be >= 0, got %d", *limit)}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	logger := e.logger(c)
	store, err := e.openStore(ctx, c, logger, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	docs, err := e.openDocs(ctx, c, false)
	if err != nil {
		return err
	}
	svc := &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: *workers}
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(syncGCPercent))
	}

	prog := e.progress(logger, len(ids))
	start := time.Now()
	rep, err := svc.Sync(ctx, ingest.SyncOptions{
		Prefix: *prefix, IDs: ids, Force: *force, DryRun: *dryRun, Limit: *limit, Workers: *workers,
		Progress: prog.add,
	})
	prog.finish()
	writeSummary(e.stdout, rep, time.Since(start), *dryRun)
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%w: %d of %d", errFailedDocuments, rep.Failed, rep.Processed)
	}
	return nil
}

// progress shows a sync's progress: a bar when stderr is a terminal, a log
// line every few seconds otherwise.
type progress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar
	logger   *slog.Logger
	done     int
	failed   int
	lastLog  time.Time
	interval time.Duration
}

func (e *env) progress(logger *slog.Logger, total int) *progress {
	p := &progress{logger: logger, lastLog: time.Now(), interval: 5 * time.Second}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		max := -1 // unknown: a listing streams
		if total > 0 {
			max = total
		}
		p.bar = progressbar.NewOptions(max,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription("syncing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("docs"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) add(r ingest.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if r.Status == persistence.StatusFailed {
		p.failed++
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if time.Since(p.lastLog) >= p.interval {
		p.lastLog = time.Now()
		p.logger.Info("sync progress", "processed", p.done, "failed", p.failed)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// writeSummary prints the sync report as a table, then the failures.
func writeSummary(w io.Writer, rep ingest.Report, took time.Duration, dryRun bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	synced := "synced"
	if dryRun {
		synced = "valid (dry run)"
	}
	fmt.Fprintf(tw, "processed\t%d\n%s\t%d\nskipped\t%d\nfailed\t%d\ntime\t%s\n",
		rep.Processed, synced, rep.Synced, rep.Skipped, rep.Failed, took.Round(time.Millisecond))
	tw.Flush()
	if len(rep.Unsupported) > 0 {
		// Skipped, not failed: their kinds have no writer yet.
		fmt.Fprintln(w, "\nSkipped documents of kinds not supported yet:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tDOCUMENTS\tREASON")
		for _, k := range slices.Sorted(maps.Keys(rep.Unsupported)) {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", k, rep.Unsupported[k], rep.Reasons[k])
		}
		tw.Flush()
	}
	if len(rep.Failures) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFailed documents:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOCUMENT\tCODE\tREASON")
	for _, f := range rep.Failures {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.DocumentID, f.Code, strings.ReplaceAll(f.Message, "\n", " "))
	}
	tw.Flush()
	if rep.Failed > len(rep.Failures) {
		fmt.Fprintf(w, "... and %d more (documents(status: FAILED) lists them all)\n", rep.Failed-len(rep.Failures))
	}
}

const putUsage = `put [--quiet] [--create-bucket] [--kind KIND] PATH...

Uploads result documents into the document store (SESHAT_DOCUMENT_STORE)
under their Thoth keys ("solver/<id>", "adviser/<id>", "analysis/<id>", ...),
without ingesting them: run 'seshat sync' next. A PATH is a *.json file or a
directory searched recursively for *.json files. A document's id is its
metadata.document_id, else its file name without .json. A directory named
as a document of a kind kept as one folder per document (inspection-<id>)
is that document: its files go below the kind's folder at their paths
("inspections/<id>/results/0/result"; a .json ending dropped).

The id's prefix ("solver-", "adviser-", ...) names the document's kind, and
so its folder. A document whose id has no known prefix (a thoth-solver 1.0
id such as fridex-thoth-solver-fc26-thoth-solver-fc26, or the file name of a
document without metadata.document_id) goes to the folder of the kind given
with --kind, else, when its metadata.analyzer is thoth-solver (thoth_solver),
to solver/; sync then ingests it as a document of that folder's kind.

Examples:
  seshat put results/                              every *.json below results/
  seshat put --kind solver scoring-resolved.json   stored as solver/scoring-resolved`

func runPut(ctx context.Context, e *env, args []string) error {
	flags := e.flags("put", putUsage)
	quiet := flags.Bool("quiet", false, "print only the summary line")
	create := flags.Bool("create-bucket", false, "create the S3 bucket of SESHAT_DOCUMENT_STORE when it does not exist")
	kind := flags.String("kind", "", "store documents whose id has no known prefix as documents of `KIND` ("+strings.Join(objectstore.Kinds(), ", ")+")")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		return usageError{"no PATH given"}
	}
	if *kind != "" && !slices.Contains(objectstore.Kinds(), *kind) {
		return usageError{fmt.Sprintf("--kind %q is not a document kind (%s)", *kind, strings.Join(objectstore.Kinds(), ", "))}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	docs, err := e.openDocs(ctx, c, *create)
	if err != nil {
		return err
	}
	n := 0
	for _, root := range flags.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if folder := objectstore.FolderOf(d.Name()); d.IsDir() && folder != "" {
				stored, err := putFolder(ctx, docs, path, folder)
				n++ // one document, however many files
				if err == nil && !*quiet {
					fmt.Fprintf(e.stdout, "%s/ -> %s/ (%d files)\n", path, folder, stored)
				}
				if err != nil {
					return err
				}
				return fs.SkipDir
			}
			if d.IsDir() || (path != root && !strings.HasSuffix(path, ".json")) {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			key, err := documentKey(path, raw, *kind)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if err := docs.Put(ctx, key, raw); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			n++
			if !*quiet {
				fmt.Fprintf(e.stdout, "%s -> %s\n", path, key)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "stored %d documents in %s\n", n, docs)
	return nil
}

// putFolder stores the files below dir, the folder of one document of a
// folder-per-document kind (an inspection), under folder: each file at its
// path below dir, a ".json" ending dropped (results/0/result.json ->
// inspections/<id>/results/0/result), as Thoth keeps them. It returns the
// number of files stored.
func putFolder(ctx context.Context, docs objectstore.Store, dir, folder string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		key := folder + "/" + strings.TrimSuffix(filepath.ToSlash(rel), ".json")
		if err := docs.Put(ctx, key, raw); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		n++
		return nil
	})
	return n, err
}

// documentKey is the Thoth key of a document: by its id, metadata.document_id
// or else the file name without ".json", in the folder of the kind the id's
// prefix names. An id with no known prefix goes to the folder of kind (from
// --kind), else of the kind metadata.analyzer names (objectstore.KindOfAnalyzer:
// thoth-solver is the solver's).
func documentKey(path string, raw []byte, kind string) (string, error) {
	var doc struct {
		Metadata struct {
			DocumentID string `json:"document_id"`
			Analyzer   string `json:"analyzer"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &doc) // not JSON: named by its file; sync reports it
	id := doc.Metadata.DocumentID
	if id == "" {
		id = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	switch {
	case objectstore.KindOfID(id) != "":
		kind = "" // the prefix says
	case kind == "":
		kind = objectstore.KindOfAnalyzer(doc.Metadata.Analyzer)
		if kind == "" && objectstore.CheckKey(id) == nil && !strings.Contains(id, "/") {
			return "", fmt.Errorf("document id %q has no known kind prefix and metadata.analyzer (%q) names no kind: give it with --kind (%s)",
				id, doc.Metadata.Analyzer, strings.Join(objectstore.Kinds(), ", "))
		}
	}
	return objectstore.KeyIn(kind, id)
}
