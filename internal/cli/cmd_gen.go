package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seshat-graph/seshat/internal/dataset"
)

func runGen(ctx context.Context, e *env, args []string) error {
	fs := e.flags("gen", `gen --size small|sample|tf|tf10x|tf100x [--seed N] --out DIR

Writes Thoth solver documents (the thoth-solver format of 2020 on) for a
generated, Python-shaped dependency graph into DIR, one file per document
named <document_id>.json, ready for 'seshat put DIR' and 'seshat sync',
and a few invented OSV advisories (PYSEC-SAMPLE-*) for packages the root
reaches into DIR/vulnerabilities/vulnerability-<id>.json, stored by 'seshat
put DIR' as documents of the vulnerability kind ('seshat sync --prefix
vulnerabilities' ingests them), or imported with 'seshat vulnerabilities
import DIR/vulnerabilities'.
Existing files of the same names are overwritten; nothing else in DIR is
touched. The same size and seed always give the same bytes.

Sizes:
  small    a few hundred versions, for tests
  sample   a few thousand versions (about 2,000 documents), the data of make run
  tf       tensorflow-scale: tensorflow==2.6.0 reaches at least 5,000 versions
           in rhel 8 / Python 3.8
  tf10x    tf plus nine times as many versions that tensorflow does not reach
  tf100x   tf plus 99 times as many (about 650,000 versions), make bench-scale's

Every size has two environments (rhel 8 with Python 3.8, fedora 34 with
Python 3.9), two indexes, cycles, markers that evaluate false, extras,
solver errors, unresolved and unparsable requests, and versions that are
only resolved targets. A summary goes to stdout, progress to stderr.`)
	size := fs.String("size", "", "dataset size: small, sample, tf, tf10x or tf100x (required)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same documents")
	out := fs.String("out", "", "directory to write the documents into, created when missing (required)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *size == "" {
		return usageError{"--size is required"}
	}
	sz, err := dataset.ParseSize(*size)
	if err != nil {
		return usageError{err.Error()}
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	start := time.Now()
	last := start
	progress := sz == dataset.TF || sz == dataset.TF10x || sz == dataset.TF100x
	var n int
	var bytes int64
	st, err := dataset.Generate(ctx, dataset.Options{Size: sz, Seed: *seed}, func(id string, doc []byte) error {
		if err := os.WriteFile(filepath.Join(*out, id+".json"), doc, 0o644); err != nil {
			return err
		}
		n++
		bytes += int64(len(doc))
		if progress && time.Since(last) >= 2*time.Second {
			last = time.Now()
			fmt.Fprintf(e.stderr, "seshat gen: %d documents, %.1f MiB, %s\n", n, float64(bytes)/(1<<20), time.Since(start).Round(100*time.Millisecond))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("after %d documents: %w", n, err)
	}
	vulnDir := filepath.Join(*out, "vulnerabilities")
	if err := os.MkdirAll(vulnDir, 0o755); err != nil {
		return err
	}
	advisories, err := dataset.Advisories(dataset.Options{Size: sz, Seed: *seed}, func(id string, doc []byte) error {
		// The vulnerability- prefix names the document kind, so that
		// 'seshat put DIR' stores them as vulnerabilities/ documents.
		return os.WriteFile(filepath.Join(vulnDir, "vulnerability-"+id+".json"), doc, 0o644)
	})
	if err != nil {
		return fmt.Errorf("advisories: %w", err)
	}
	elapsed := time.Since(start)

	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "size\t%s (seed %d)\n", sz, *seed)
	fmt.Fprintf(tw, "documents\t%d (%d solved, %d failed or unresolvable)\n", st.Documents, st.Solved, st.Documents-st.Solved)
	fmt.Fprintf(tw, "versions\t%d\n", st.Versions)
	fmt.Fprintf(tw, "edges\t%d dependencies, %d resolved versions\n", st.Edges, st.Resolved)
	fmt.Fprintf(tw, "osv\t%d advisories in %s\n", advisories, vulnDir)
	fmt.Fprintf(tw, "bytes\t%d (%.1f MiB)\n", st.Bytes, float64(st.Bytes)/(1<<20))
	fmt.Fprintf(tw, "time\t%s\n", elapsed.Round(time.Millisecond))
	env := dataset.Environments[0]
	fmt.Fprintf(tw, "root\t%s==%s in %s %s, Python %s\n", dataset.Root.Name, dataset.Root.Version, env.OSName, env.OSVersion, env.PythonVersion)
	fmt.Fprintf(tw, "out\t%s\n", strings.TrimSuffix(*out, "/"))
	return tw.Flush()
}
