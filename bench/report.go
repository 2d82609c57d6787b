package bench

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Markers around the part of docs/benchmarks.md that `make bench` rewrites;
// everything outside them is kept.
const (
	BeginMarker = "<!-- make bench: generated, begin -->"
	EndMarker   = "<!-- make bench: generated, end -->"
)

// Target is one DESIGN.md performance-contract line with its verdict.
type Target struct {
	Contract string
	Figure   string
	Met      bool
	Known    bool // false: not measured in this run
}

func verdict(t Target) string {
	switch {
	case !t.Known:
		return "NOT MEASURED"
	case t.Met:
		return "MET"
	}
	return "NOT MET"
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// seconds lists durations in seconds, one decimal, separated by " / ".
func seconds(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1f", d.Seconds())
	}
	return strings.Join(parts, " / ")
}

const nestedContract = "SQL statements per nested query <= nesting depth + 1 (packages, then 3 nested levels: 4; one more level: 5)"

// nestedRuns are the nested-query loads of r: 3 levels, then 4.
func (r *Report) nestedRuns() []*NestedResult {
	var out []*NestedResult
	for _, n := range []*NestedResult{r.Nested, r.Deeper} {
		if n != nil && len(n.Targets) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// Targets judges the report against DESIGN.md's performance contract.
func (r *Report) Targets() []Target {
	var ts []Target
	// Statements per walk.
	st := Target{Contract: fmt.Sprintf("SQL statements per dependencyGraph call <= maxDepth + 2 (%d)", WalkDepth+2)}
	var figs []string
	st.Met = len(r.Walks) > 0
	for _, w := range r.Walks {
		st.Known = true
		figs = append(figs, fmt.Sprintf("%s: %.0f over HTTP, %.0f in the store", w.Size, w.HTTPStatements, w.StoreStatements))
		st.Met = st.Met && w.HTTPStatements <= WalkDepth+2 && w.StoreStatements <= WalkDepth+2
	}
	st.Figure = strings.Join(figs, "; ")
	ts = append(ts, st)
	nt := Target{Contract: nestedContract}
	figs = nil
	for _, n := range r.nestedRuns() {
		s := n.Targets[0]
		met := s.Statements <= float64(n.Shape.Levels()+1)
		nt.Met = met && (nt.Met || !nt.Known)
		nt.Known = true
		figs = append(figs, fmt.Sprintf("%d levels: %.0f statements", n.Shape.Levels(), s.Statements))
	}
	nt.Figure = strings.Join(figs, "; ")
	ts = append(ts, nt)
	// Walk time against the physical limit.
	wt := Target{Contract: "dependencyGraph end-to-end (HTTP p50) within 1.5x of the best single SQL statement (p50), >= 5,000 reachable nodes"}
	figs = nil
	for i, w := range r.Walks {
		rt := ratio(float64(w.HTTP.P50), float64(w.SQLEdges.P50))
		figs = append(figs, fmt.Sprintf("%s: %.2fx (%s / %s ms, %d nodes)", w.Size, rt, ms(w.HTTP.P50), ms(w.SQLEdges.P50), w.Nodes))
		ok := rt <= 1.5 && w.Nodes >= 5000
		if i == 0 {
			wt.Met, wt.Known = ok, true
		} else {
			wt.Met = wt.Met && ok
		}
	}
	wt.Figure = strings.Join(figs, "; ")
	ts = append(ts, wt)
	// Cost follows the reachable set.
	ft := Target{Contract: "walk cost follows the reachable set, not the graph: 10x graph, same closure, HTTP p50 within 1.5x of 1x"}
	if len(r.Walks) >= 2 {
		a, b := r.Walks[0], r.Walks[1]
		rt := ratio(float64(b.HTTP.P50), float64(a.HTTP.P50))
		ft.Known, ft.Met = true, rt <= 1.5 && a.Nodes == b.Nodes
		ft.Figure = fmt.Sprintf("%.2fx (%s: %s ms, %d versions; %s: %s ms, %d versions; %d and %d nodes reached)",
			rt, a.Size, ms(a.HTTP.P50), a.Versions, b.Size, ms(b.HTTP.P50), b.Versions, a.Nodes, b.Nodes)
	}
	ts = append(ts, ft)
	ts = append(ts, r.resolveTarget())
	ts = append(ts, r.cacheTarget())
	// Ingestion.
	it := Target{Contract: "ingestion within 3x of raw COPY of the same rows"}
	mt := Target{Contract: "memory flat while syncing (100k documents)"}
	if g := r.Ingest; g != nil && g.Copy > 0 {
		var best, baseline IngestRun
		for _, run := range g.Runs {
			if run.Baseline {
				baseline = run
			} else if best.Workers == 0 || run.Elapsed < best.Elapsed {
				best = run
			}
		}
		rt := ratio(float64(best.Elapsed), float64(g.Copy))
		it.Known, it.Met = true, rt <= 3
		it.Figure = fmt.Sprintf("%.1fx (%d workers: %.1f s; COPY: %.1f s, the fastest of %d; %d rows)", rt, best.Workers, best.Elapsed.Seconds(),
			g.Copy.Seconds(), max(len(g.CopyRuns), 1), g.Rows)
		if baseline.Workers > 0 {
			it.Figure += fmt.Sprintf("; before (%s), same run: %.1fx (%.1f s)", g.BaselineLabel,
				ratio(float64(baseline.Elapsed), float64(g.Copy)), baseline.Elapsed.Seconds())
		}
		mt.Known = true
		mt.Met = true
		figs = nil
		for _, run := range g.Runs {
			if run.Baseline {
				continue
			}
			figs = append(figs, fmt.Sprintf("%d workers: max RSS %s, %s after the first quarter", run.Workers, mib(run.MaxRSS), mib(run.QuarterRSS)))
			if run.QuarterRSS > 0 && float64(run.MaxRSS) > 1.5*float64(run.QuarterRSS) {
				mt.Met = false
			}
		}
		mt.Figure = fmt.Sprintf("%d documents; %s", g.Documents, strings.Join(figs, "; "))
		if g.Documents < 100000 {
			mt.Figure += " (fewer than 100k documents: flatness judged as max RSS <= 1.5x the peak of the first quarter of the run;" +
				" `make bench-memory` syncs 100,000, in its own section below)"
		}
	}
	ts = append(ts, it, mt)
	// The vulnerability overlay: one statement for the whole closure.
	vt := Target{Contract: "vulnerability overlay on a dependencyGraph: one extra SQL statement whatever the node count"}
	if v := r.Vulns; v != nil && v.Missing == "" {
		vt.Known, vt.Met = true, v.OverlayStatements-v.PlainStatements == 1
		vt.Figure = fmt.Sprintf("%s: %.0f statements with `vulnerable`, %.0f without (%d nodes, %d vulnerable); +%s ms at HTTP p50, +%s ms for the single SQL statement",
			v.Dataset, v.OverlayStatements, v.PlainStatements, v.Nodes, v.Vulnerable, ms(v.Overlay.P50-v.Plain.P50), ms(v.SQLOverlay.P50-v.SQL.P50))
	}
	ts = append(ts, vt)
	if r.Mixed != nil {
		ts = append(ts, r.Mixed.targets()...)
	}
	// Throughput against PostGraphile: 3x at 16 and 64 clients, for the
	// 3-level query and the same shape one level deeper.
	for _, shape := range []struct {
		levels int
		n      *NestedResult
	}{{3, r.Nested}, {4, r.Deeper}} {
		what := "nested 3-level query"
		if shape.levels == 4 {
			what = "nested query one level deeper (4 levels)"
		}
		tt := Target{Contract: what + " throughput >= 3x PostGraphile's at 16 and 64 clients, same machine"}
		if n := shape.n; n != nil && len(n.Targets) == 2 {
			s, p := n.Targets[0], n.Targets[1]
			tt.Known, tt.Met = true, true
			figs = nil
			for _, c := range []int{16, 64} {
				if _, ok := s.Runs[c]; !ok {
					tt.Met = false
					figs = append(figs, fmt.Sprintf("%d clients: not measured", c))
					continue
				}
				rt := ratio(s.Runs[c].RPS, p.Runs[c].RPS)
				figs = append(figs, fmt.Sprintf("%d clients: %.2fx (%.0f vs %.0f req/s)", c, rt, s.Runs[c].RPS, p.Runs[c].RPS))
				tt.Met = tt.Met && rt >= 3
			}
			tt.Figure = strings.Join(figs, "; ")
		}
		ts = append(ts, tt)
	}
	return ts
}

// Table renders the figures as a plain-text table for the terminal.
func (r *Report) Table() string {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	// A blank row between the parts, none before the first.
	parts := 0
	part := func() {
		if parts > 0 {
			fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t")
		}
		parts++
	}
	if len(r.Walks) > 0 {
		part()
		fmt.Fprintln(tw, "dependencyGraph\tversions\tnodes\tedges\tHTTP p50/p95 ms\tstore p50/p95 ms\tSQL nodes+edges p50/p95 ms\tSQL nodes p50 ms\tHTTP/SQL\tstatements")
	}
	for _, w := range r.Walks {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s / %s\t%s / %s\t%s / %s\t%s\t%.2fx\t%.0f\n", w.Size, w.Versions, w.Nodes, w.WalkEdges,
			ms(w.HTTP.P50), ms(w.HTTP.P95), ms(w.Store.P50), ms(w.Store.P95), ms(w.SQLEdges.P50), ms(w.SQLEdges.P95),
			ms(w.SQLNodes.P50), ratio(float64(w.HTTP.P50), float64(w.SQLEdges.P50)), w.HTTPStatements)
	}
	for _, n := range r.nestedRuns() {
		part()
		fmt.Fprintf(tw, "nested query, %d levels\tclients\treq/s\tp50 ms\tp95 ms\tp99 ms\tfailed\tpeak RSS\tCPU ms/request\t\n", n.Shape.Levels())
		for _, t := range n.Targets {
			for _, c := range n.Clients {
				run := t.Runs[c]
				fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%s\t%s\t\n", t.Name, c, run.RPS, run.P50, run.P95, run.P99,
					run.Errors+run.Timeouts+run.Mismatches+run.Non2xx, mib(t.PeakRSS), ms(t.CPU[c]))
			}
		}
	}
	if g := r.Ingest; g != nil {
		part()
		fmt.Fprintln(tw, "ingestion\tworkers\tseconds\tdocuments/s\trows/s\tmax RSS\tCPU s PostgreSQL\tsync\tMinIO\t")
		for _, run := range g.Runs {
			fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.0f\t%.0f\t%s\t%.1f\t%.1f\t%.1f\t\n", g.runName(run, "seshat sync"), run.Workers, run.Elapsed.Seconds(),
				float64(g.Documents)/run.Elapsed.Seconds(), float64(g.Rows)/run.Elapsed.Seconds(), mib(run.MaxRSS),
				run.CPU.Postgres.Seconds(), run.CPU.Sync.Seconds(), run.CPU.MinIO.Seconds())
		}
		fmt.Fprintf(tw, "raw COPY\t1\t%.1f\t\t%.0f\t\t%.1f\t\t\t\n", g.Copy.Seconds(), float64(g.Rows)/g.Copy.Seconds(), g.CopyCPU.Seconds())
	}
	if v := r.Vulns; v != nil && v.Missing == "" {
		part()
		imp, re := v.RecordsPerSecond()
		fmt.Fprintln(tw, "vulnerabilities\trecords\tseconds\trecords/s\taffected\t\t\t\t\t")
		fmt.Fprintf(tw, "import\t%d\t%.2f\t%.0f\t%d\t\t\t\t\t\n", v.Records, v.Import.Seconds(), imp, v.Affects)
		fmt.Fprintf(tw, "re-import\t%d\t%.2f\t%.0f\t\t\t\t\t\t\n", v.Records, v.Reimport.Seconds(), re)
		fmt.Fprintln(tw, "overlay walk\tnodes\tvulnerable\tHTTP p50 ms\tstatements\tSQL p50 ms\t\t\t\t")
		fmt.Fprintf(tw, "plain\t%d\t\t%s\t%.0f\t%s\t\t\t\t\n", v.Nodes, ms(v.Plain.P50), v.PlainStatements, ms(v.SQL.P50))
		fmt.Fprintf(tw, "overlay\t%d\t%d\t%s\t%.0f\t%s\t\t\t\t\n", v.Nodes, v.Vulnerable, ms(v.Overlay.P50), v.OverlayStatements, ms(v.SQLOverlay.P50))
	}
	if l := r.Mixed; l != nil {
		part()
		l.table(tw)
	}
	tw.Flush()
	if l := r.Mixed; l != nil {
		b.WriteString("\n" + l.answers())
	}
	b.WriteString("\n")
	for _, t := range r.Targets() {
		fmt.Fprintf(&b, "%-12s %s: %s\n", verdict(t), t.Contract, t.Figure)
	}
	return b.String()
}

// Markdown renders the generated section of docs/benchmarks.md.
func (r *Report) Markdown(command string) string {
	var b strings.Builder
	m := r.Machine
	b.WriteString(BeginMarker + "\n")
	fmt.Fprintf(&b, "## Latest `make bench`\n\n")
	fmt.Fprintf(&b, "Taken %s by `%s` in %.1f minutes.\n\n", r.Started.Format("2006-01-02 15:04 UTC"), command, r.Elapsed.Minutes())
	fmt.Fprintf(&b, "**Machine.** %d CPUs (%s), %.0f GiB RAM, %s, PostgreSQL %s, Node %s; servers, load generator and database share the machine.\n\n",
		m.CPUs, m.CPUModel, m.MemGiB, m.Go, m.Postgres, m.Node)
	if len(r.Datasets) > 0 {
		b.WriteString("**Datasets.** ")
		for i, ds := range r.Datasets {
			if i > 0 {
				b.WriteString("; ")
			}
			root := ds.Marker.Root
			fmt.Fprintf(&b, "`%s` (database `%s`, %d documents, seed %d, generator %s, %s; built in %.0f s): root %s==%s in %s %s / Python %s",
				ds.Size, ds.DB, ds.Marker.Documents, ds.Marker.Seed, ds.Marker.Generator, builtHow(ds), ds.Marker.BuildSeconds,
				root.Name, root.Version, root.Environment.OSName, root.Environment.OSVersion, root.Environment.PythonVersion)
		}
		b.WriteString(".\n\n")
	}

	b.WriteString("### Contract\n\n| DESIGN.md target | verdict | figure |\n|---|---|---|\n")
	for _, t := range r.Targets() {
		fmt.Fprintf(&b, "| %s | **%s** | %s |\n", t.Contract, verdict(t), t.Figure)
	}

	if len(r.Walks) > 0 {
		fmt.Fprintf(&b, "\n### dependencyGraph (maxDepth %d, %d timed calls each after a warm-up, the four sides interleaved call by call)\n\n", WalkDepth, r.Walks[0].HTTP.N)
		b.WriteString("| dataset | versions in the graph | resolved edges in the graph | nodes reached | edges returned | depth | HTTP p50 / p95 ms | store p50 / p95 ms | best SQL (nodes + edges) p50 / p95 ms | SQL nodes only p50 ms | HTTP / SQL | store / SQL | statements (HTTP, store) | response |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, w := range r.Walks {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s / %s | %s / %s | %s / %s | %s | %.2fx | %.2fx | %.0f, %.0f | %.1f MB |\n",
				w.Size, w.Versions, w.Edges, w.Nodes, w.WalkEdges, w.Depth, ms(w.HTTP.P50), ms(w.HTTP.P95), ms(w.Store.P50), ms(w.Store.P95),
				ms(w.SQLEdges.P50), ms(w.SQLEdges.P95), ms(w.SQLNodes.P50),
				ratio(float64(w.HTTP.P50), float64(w.SQLEdges.P50)), ratio(float64(w.Store.P50), float64(w.SQLEdges.P50)),
				w.HTTPStatements, w.StoreStatements, float64(w.ResponseBytes)/1e6)
		}
	}
	r.resolveMarkdown(&b)
	r.cacheMarkdown(&b)
	for _, n := range r.nestedRuns() {
		deeper := ""
		if n.Shape.Deeper {
			deeper = " -> dependencies(environment)"
		}
		fmt.Fprintf(&b, "\n### Nested query: packages(first: %d) -> versions -> dependencies(environment) -> resolvedVersions%s\n\n", n.Shape.Packages, deeper)
		fmt.Fprintf(&b, "autocannon, closed loop, %s per run after a %s warm-up, every response compared byte for byte with the first (a mismatch counts as failed). Both servers return %d resolved versions and %d dependency edges (%d and %d bytes).\n\n",
			n.Duration, n.Warmup, n.Targets[0].Leaves, n.Targets[0].Edges, n.Targets[0].Bytes, n.Targets[len(n.Targets)-1].Bytes)
		b.WriteString("CPU per request is the server's process tree's (user and system, PostgreSQL not included) over the run, divided by the requests completed.\n\n")
		b.WriteString("| server | clients | req/s | p50 ms | p95 ms | p99 ms | failed | peak RSS under load | CPU ms per request |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, t := range n.Targets {
			for _, c := range n.Clients {
				run := t.Runs[c]
				fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %d | %s | %s |\n", t.Name, c, run.RPS, run.P50, run.P95, run.P99,
					run.Errors+run.Timeouts+run.Mismatches+run.Non2xx, mib(t.PeakRSS), ms(t.CPU[c]))
			}
		}
	}
	if g := r.Ingest; g != nil {
		fmt.Fprintf(&b, "\n### Ingestion from MinIO (`%s`: %d documents, %d rows)\n\n", g.Size, g.Documents, g.Rows)
		b.WriteString("CPU time is user and system over the run: PostgreSQL's is the backends serving the database (the sync's connections, " +
			"autovacuum on it; not the cluster's WAL writer and checkpointer), sampled every 50 ms; the sync's is its own rusage; MinIO's its process's. " +
			"A sync's total divided by its seconds is how many CPUs it kept busy; other work on the machine takes the rest. ")
		fmt.Fprintf(&b, "Load average (1 minute) %.1f when the measurement started, %.1f when it ended.\n\n", g.Load[0], g.Load[1])
		b.WriteString("| what | workers | seconds | documents/s | rows/s | max RSS | RSS after a quarter | CPU s: PostgreSQL | sync | MinIO | total |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, run := range g.Runs {
			fmt.Fprintf(&b, "| %s | %d | %.1f | %.0f | %.0f | %s | %s | %.1f | %.1f | %.1f | %.1f |\n",
				g.runName(run, "`seshat sync`"), run.Workers, run.Elapsed.Seconds(),
				float64(g.Documents)/run.Elapsed.Seconds(), float64(g.Rows)/run.Elapsed.Seconds(), mib(run.MaxRSS), mib(run.QuarterRSS),
				run.CPU.Postgres.Seconds(), run.CPU.Sync.Seconds(), run.CPU.MinIO.Seconds(), run.CPU.Total().Seconds())
		}
		fmt.Fprintf(&b, "| raw COPY of the same rows, the fastest of %d (%s s) | 1 | %.1f | | %.0f | | | %.1f | | | %.1f |\n",
			len(g.CopyRuns), seconds(g.CopyRuns), g.Copy.Seconds(), float64(g.Rows)/g.Copy.Seconds(), g.CopyCPU.Seconds(), g.CopyCPU.Seconds())
		if g.Note != "" {
			fmt.Fprintf(&b, "\n%s\n", g.Note)
		}
	}
	if v := r.Vulns; v != nil {
		b.WriteString(v.Markdown())
	}
	if l := r.Mixed; l != nil {
		l.markdown(&b)
	}
	b.WriteString("\n" + EndMarker + "\n")
	return b.String()
}

// runName names a sync of the ingestion table: what, or for a baseline
// run what with the baseline's label.
func (g *IngestResult) runName(run IngestRun, what string) string {
	if run.Baseline {
		return fmt.Sprintf("%s before (%s)", what, g.BaselineLabel)
	}
	return what
}

func builtHow(ds *Dataset) string {
	if ds.Cached {
		return "reused from an earlier run"
	}
	return "built in this run"
}

// WriteDoc replaces the generated section of the Markdown file at path
// (or inserts it after the first heading when the markers are missing).
func WriteDoc(path, section string) error {
	return WriteDocSection(path, BeginMarker, EndMarker, section)
}

// WriteDocSection is WriteDoc for the section between begin and end.
func WriteDocSection(path, begin, end, section string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	switch {
	case i >= 0 && j > i:
		s = s[:i] + strings.TrimSuffix(section, "\n") + s[j+len(end):]
	default:
		k := strings.Index(s, "\n\n")
		if k < 0 {
			k = len(s)
		}
		s = s[:k] + "\n\n" + section + s[k:]
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
