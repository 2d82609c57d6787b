package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

const documentsUsage = `documents delete [--id ID ...] [--kind KIND] [--before TIME] [--status STATUS] [--dry-run]

Removes documents from the knowledge graph with every fact they wrote, in one
transaction, as Thoth's management API and purge job did: the rows of every
table that names a document as its source, then the document's own row.
Shared nodes (packages, versions, indexes, environments) stay. The objects in
the document store are not touched, so 'seshat sync' ingests them again.

Documents are chosen by --id (repeatable), or by --kind (solver, adviser,
security-indicator, ...), --before (last written before TIME: RFC 3339, a date
2026-01-31, or a duration ago such as 720h) and --status (PENDING, INGESTED,
SKIPPED, FAILED), which combine; at least one is needed. --dry-run lists the
documents without deleting them.

Examples:
  seshat documents delete --id solver-rhel-8-py38-210611093015-5e5a7ba70c0ffee1
  seshat documents delete --kind adviser --before 2024-01-01
  seshat documents delete --status FAILED --before 720h --dry-run`

func runDocuments(ctx context.Context, e *env, args []string) error {
	fs := e.flags("documents", documentsUsage)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageError{"missing subcommand: delete"}
	case fs.Arg(0) != "delete":
		return usageError{fmt.Sprintf("unknown subcommand %q (want delete)", fs.Arg(0))}
	}
	del := e.flags("documents", documentsUsage)
	var ids stringList
	del.Var(&ids, "id", "a document to delete (repeatable)")
	kind := del.String("kind", "", "delete the documents of this kind")
	before := del.String("before", "", "delete the documents last written before this time (RFC 3339, a date, or a duration ago)")
	status := del.String("status", "", "delete the documents of this status")
	dryRun := del.Bool("dry-run", false, "list the documents, delete nothing")
	if err := e.parse(del, fs.Args()[1:]); err != nil {
		return err
	}
	if del.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", del.Arg(0))}
	}
	filter := persistence.DeletionFilter{Kind: *kind, Status: persistence.DocumentStatus(strings.ToUpper(*status))}
	if *before != "" {
		t, err := parseBefore(*before, time.Now())
		if err != nil {
			return usageError{err.Error()}
		}
		filter.Before = t
	}
	switch filter.Status {
	case "", persistence.StatusPending, persistence.StatusIngested, persistence.StatusSkipped, persistence.StatusFailed:
	default:
		return usageError{fmt.Sprintf("--status %q: want PENDING, INGESTED, SKIPPED or FAILED", *status)}
	}
	byFilter := filter.Kind != "" || !filter.Before.IsZero() || filter.Status != ""
	if len(ids) == 0 && !byFilter {
		return usageError{"choose the documents: --id, --kind, --before or --status"}
	}
	if len(ids) > 0 && byFilter {
		return usageError{"give --id, or --kind / --before / --status, not both"}
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
	chosen := []string(ids)
	if byFilter {
		if chosen, err = store.DocumentsToDelete(ctx, filter); err != nil {
			return err
		}
	}
	if *dryRun {
		for _, id := range chosen {
			fmt.Fprintln(e.stdout, id)
		}
		fmt.Fprintf(e.stdout, "%d documents would be deleted (dry run)\n", len(chosen))
		return nil
	}
	start := time.Now()
	d, err := store.DeleteDocuments(ctx, chosen)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "documents deleted\t%d\n", len(d.Documents))
	tables := make([]string, 0, len(d.Rows))
	for t := range d.Rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(tw, "rows of %s\t%d\n", t, d.Rows[t])
	}
	fmt.Fprintf(tw, "time\t%s\n", time.Since(start).Round(time.Millisecond))
	return tw.Flush()
}

// parseBefore reads --before: RFC 3339, a date (midnight UTC), or a
// duration before now.
func parseBefore(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--before %q: want an RFC 3339 time, a date such as 2026-01-31, or a duration such as 720h", s)
}
