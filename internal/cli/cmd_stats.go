package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

const statsUsage = `stats [--json]

Prints the knowledge graph's figures, as Thoth's metrics-exporter published
them: packages and versions; per environment the versions solved, solved with
an error, and not solved (the solvers' backlog); documents by kind and status;
vulnerability records and when they last changed; the newest solver run; the
schema version and the database's size. 'seshat serve' exports the same as
Prometheus gauges on /metrics (seshat_graph_*), refreshed in the background.

  --json   print them as JSON instead of a table`

func runStats(ctx context.Context, e *env, args []string) error {
	fs := e.flags("stats", statsUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx, c, e.logger(c), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	return writeStats(e.stdout, st)
}

func writeStats(w io.Writer, st persistence.Stats) error {
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "packages\t%d\nversions\t%d\nvulnerability records\t%d\nvulnerability data updated\t%s\nlast solver run\t%s\nschema version\t%d\ndatabase size\t%s\n",
		st.Packages, st.Versions, st.Vulnerabilities, when(st.VulnerabilitiesUpdatedAt), when(st.LastSolverRun),
		st.SchemaVersion, sizeOf(st.DatabaseBytes))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ENVIRONMENT\tSOLVED\tERRORS\tUNSOLVED\t")
	for _, es := range st.Environments {
		env := es.Environment
		fmt.Fprintf(tw, "%s %s / Python %s\t%d\t%d\t%d\t\n", env.OSName, env.OSVersion, env.PythonVersion, es.Solved, es.Errors, es.Unsolved)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOCUMENT KIND\tSTATUS\tCOUNT")
	for _, ds := range st.Documents {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", ds.Kind, ds.Status, ds.Count)
	}
	if len(st.Documents) == 0 {
		fmt.Fprintln(tw, "(none)\t\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n(computed in %s)\n", st.Took.Round(time.Millisecond))
	return err
}
