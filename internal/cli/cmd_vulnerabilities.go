package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/osv"
)

const vulnerabilitiesUsage = `vulnerabilities import PATH...

Imports OSV vulnerability records (https://ossf.github.io/osv-schema/) into the
knowledge graph and matches them against every version the graph knows, on
every index. A PATH is:
  - a record file: *.yaml / *.yml (the PyPA Advisory Database) or *.json
    (osv.dev);
  - a directory, searched recursively for such files (a checkout of
    https://github.com/pypa/advisory-database: seshat vulnerabilities import
    advisory-database/vulns);
  - a zip of records, such as osv.dev's PyPI/all.zip.
Only the records' PyPI entries are matched; names are PEP 503 normalised.

A record is upserted by its OSV id. One whose modified is not newer than the
stored record changes nothing, so importing the same records again is
harmless; a withdrawn record stops matching. A version is affected when the
record lists it, or an ECOSYSTEM range includes it (PEP 440); versions that
solver documents bring later are matched when they arrive.

A bad record (no id, an unknown range type, a version PEP 440 cannot parse)
is refused INVALID with its path and the field at fault; the import goes on.
On a terminal a progress bar shows on stderr. A summary table follows on
stdout: new, updated, unchanged, withdrawn and invalid records, then the
refused ones. The exit status is 1 when any record was refused, 2 for bad
usage.

Records can also be imported with the importVulnerabilities mutation, or kept
in the document store's vulnerabilities/ folder, one record per document
(vulnerabilities/<id>, .json or .yaml), for 'seshat sync' to ingest.

Examples:
  seshat vulnerabilities import advisory-database/vulns
  seshat vulnerabilities import all.zip
  seshat vulnerabilities import vulns/django/PYSEC-2021-98.yaml`

func runVulnerabilities(ctx context.Context, e *env, args []string) error {
	fs := e.flags("vulnerabilities", vulnerabilitiesUsage)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageError{"missing subcommand: import"}
	case fs.Arg(0) != "import":
		return usageError{fmt.Sprintf("unknown subcommand %q (want import)", fs.Arg(0))}
	}
	imp := e.flags("vulnerabilities", vulnerabilitiesUsage)
	if err := e.parse(imp, fs.Args()[1:]); err != nil {
		return err
	}
	paths := imp.Args()
	if len(paths) == 0 {
		return usageError{"give at least one PATH: a record, a directory of records or a zip"}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return usageError{err.Error()}
		}
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
	bar := e.recordBar()
	start := time.Now()
	rep, err := ingest.ImportVulnerabilities(ctx, store, strings.Join(paths, " "), func(fn func(string, []byte) error) error {
		for _, p := range paths {
			// Records are named by the path given, and for a directory or
			// a zip by the file or entry below it.
			info, err := os.Stat(p)
			if err != nil {
				return err
			}
			name := func(n string) string { return p }
			switch {
			case info.IsDir():
				name = func(n string) string { return strings.TrimSuffix(p, "/") + "/" + n }
			case strings.EqualFold(filepath.Ext(p), ".zip"):
				name = func(n string) string { return p + ":" + n }
			}
			if err := osv.Walk(p, func(n string, raw []byte) error { return fn(name(n), raw) }); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		if bar != nil {
			_ = bar.Add(1)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	writeImportSummary(e.stdout, rep, time.Since(start))
	if err != nil {
		return err
	}
	if rep.Invalid > 0 {
		total := rep.New + rep.Updated + rep.Unchanged + rep.Withdrawn + rep.Invalid
		return fmt.Errorf("%d of %d records were refused", rep.Invalid, total)
	}
	return nil
}

// recordBar is a progress bar on stderr when it is a terminal, else nil.
func (e *env) recordBar() *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// writeImportSummary prints the import report as a table, then the
// refused records.
func writeImportSummary(w io.Writer, rep ingest.ImportReport, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "new\t%d\nupdated\t%d\nunchanged\t%d\nwithdrawn\t%d\ninvalid\t%d\naffected versions\t%d\ntime\t%s\n",
		rep.New, rep.Updated, rep.Unchanged, rep.Withdrawn, rep.Invalid, rep.Affects, took.Round(time.Millisecond))
	if rep.DocumentID != "" {
		fmt.Fprintf(tw, "document\t%s\n", rep.DocumentID)
	}
	tw.Flush()
	if len(rep.Failures) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRefused records:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tID\tCODE\tREASON")
	for _, f := range rep.Failures {
		id := f.ID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Path, id, f.Code, strings.ReplaceAll(f.Message, "\n", " "))
	}
	tw.Flush()
}
