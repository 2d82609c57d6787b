package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/osv"
	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence"
)

// VulnConfig is the vulnerability measurement: the OSV records under Dir
// (the PyPA Advisory Database's vulns/) imported twice into a copy of the
// walks' 1x dataset, then the tf walk with and without the overlay.
type VulnConfig struct {
	Dir string
}

// VulnResult is what the vulnerability measurement found.
type VulnResult struct {
	Dir     string
	Dataset string
	// Records are the records read, Invalid those refused, Affects the
	// versions of the dataset the imported records affect.
	Records, Invalid, Affects int
	Import, Reimport          time.Duration
	// Unchanged is how many records the re-import found unchanged (all
	// valid ones, or the measurement fails).
	Unchanged int
	// Nodes and Vulnerable: the closure's nodes and those the overlay marks.
	Nodes, Vulnerable int
	// Plain and Overlay are the HTTP walk without and with
	// DependencyGraph.vulnerable, timed alternately; SQL and SQLOverlay the
	// best closure statement without and with the affected versions joined.
	Plain, Overlay                     Dist
	PlainStatements, OverlayStatements float64
	SQL, SQLOverlay                    Dist
	Missing                            string // why nothing was measured, when the records are not there
}

// overlaySelection is what the overlay walk adds to WalkQuery: the
// vulnerable nodes with their records, as an adviser's CVE step reads them.
const overlaySelection = `vulnerable { id name version vulnerabilities { id aliases severity { type score } fixedIn } }`

// RunVulnerabilities imports the records of cfg.Vulns.Dir into a copy of
// ds (ds.DB + "_vuln", dropped afterwards), twice, and measures the
// overlay on ds's root walk.
func RunVulnerabilities(ctx context.Context, cfg Config, ds *Dataset, logf func(string, ...any)) (*VulnResult, error) {
	res := &VulnResult{Dir: cfg.Vulns.Dir, Dataset: ds.Size}
	if _, err := os.Stat(cfg.Vulns.Dir); err != nil {
		res.Missing = fmt.Sprintf("no OSV records at %s (%v)", cfg.Vulns.Dir, err)
		logf("vulnerabilities: %s", res.Missing)
		return res, nil
	}
	name := ds.DB + "_vuln"
	dbURL, err := copyDatabase(ctx, cfg.AdminURL, ds.DB, name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = DropDatabase(context.WithoutCancel(ctx), cfg.AdminURL, name) }()

	store, err := persistence.Open(ctx, dbURL, persistence.Options{})
	if err != nil {
		return nil, err
	}
	walk := func(fn func(string, []byte) error) error { return osv.Walk(cfg.Vulns.Dir, fn) }
	logf("vulnerabilities: importing %s into %s", cfg.Vulns.Dir, name)
	start := time.Now()
	first, err := ingest.ImportVulnerabilities(ctx, store, cfg.Vulns.Dir, walk, nil)
	res.Import = time.Since(start)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("import: %w", err)
	}
	start = time.Now()
	again, err := ingest.ImportVulnerabilities(ctx, store, cfg.Vulns.Dir, walk, nil)
	res.Reimport = time.Since(start)
	store.Close()
	if err != nil {
		return nil, fmt.Errorf("re-import: %w", err)
	}
	res.Records = first.New + first.Updated + first.Unchanged + first.Withdrawn + first.Invalid
	res.Invalid, res.Affects, res.Unchanged = first.Invalid, first.Affects, again.Unchanged
	if res.Unchanged != res.Records-res.Invalid {
		return nil, fmt.Errorf("re-import: %d of %d valid records unchanged, want all", res.Unchanged, res.Records-res.Invalid)
	}
	logf("vulnerabilities: %d records in %.1f s, again in %.1f s; %d versions affected", res.Records,
		res.Import.Seconds(), res.Reimport.Seconds(), res.Affects)
	if err := vacuumAnalyze(ctx, dbURL); err != nil {
		return nil, err
	}

	logf("vulnerabilities: the overlay on the %s walk, SQL", ds.Size)
	if err := measureOverlaySQL(ctx, dbURL, ds.Marker.Root, cfg.WalkIters, res); err != nil {
		return nil, err
	}
	logf("vulnerabilities: the overlay on the %s walk, HTTP", ds.Size)
	p, err := StartSeshat(ctx, cfg.Seshat, dbURL)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	if err := measureOverlayHTTP(ctx, p.URL, ds.Marker.Root, cfg.WalkIters, res); err != nil {
		return nil, err
	}
	logf("vulnerabilities: %d of %d nodes vulnerable; HTTP p50 %s ms plain, %s ms with the overlay",
		res.Vulnerable, res.Nodes, ms(res.Plain.P50), ms(res.Overlay.P50))
	return res, nil
}

// copyDatabase creates name as a copy of the database src (which must have
// no other connection) and returns its URL.
func copyDatabase(ctx context.Context, adminURL, src, name string) (string, error) {
	if err := DropDatabase(ctx, adminURL, name); err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{src}.Sanitize()); err != nil {
		return "", fmt.Errorf("copy database %s to %s: %w", src, name, err)
	}
	return services.DatabaseURL(adminURL, name)
}

// measureOverlaySQL times persistence.ClosureEdgesSQL and
// ClosureEdgesVulnerabilitiesSQL alternately on one connection.
func measureOverlaySQL(ctx context.Context, dbURL string, root Root, iters int, res *VulnResult) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	vid, envID, err := rootIDs(ctx, conn, root)
	if err != nil {
		return err
	}
	plain, overlay := make([]time.Duration, 0, iters), make([]time.Duration, 0, iters)
	for i := -1; i < iters; i++ {
		for _, q := range []struct {
			sql string
			to  *[]time.Duration
		}{{persistence.ClosureEdgesSQL, &plain}, {persistence.ClosureEdgesVulnerabilitiesSQL, &overlay}} {
			start := time.Now()
			if _, err := readRows(ctx, conn, q.sql, vid, envID); err != nil {
				return err
			}
			if i >= 0 {
				*q.to = append(*q.to, time.Since(start))
			}
		}
	}
	res.SQL, res.SQLOverlay = Summarize(plain), Summarize(overlay)
	return nil
}

// measureOverlayHTTP times the walk without and with the overlay
// alternately against a running gateway, after checking the overlay's
// answer and counting each one's statements.
func measureOverlayHTTP(ctx context.Context, base string, root Root, iters int, res *VulnResult) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	plain, overlay := WalkQuery(root), walkRequest(root, overlaySelection)
	b, err := PostGraphQL(ctx, client, base+"/graphql", overlay)
	if err != nil {
		return err
	}
	var out struct {
		Data struct {
			DependencyGraph struct {
				Nodes      []struct{ ID string } `json:"nodes"`
				Vulnerable []struct {
					ID              string
					Vulnerabilities []struct{ ID string }
				} `json:"vulnerable"`
			} `json:"dependencyGraph"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("overlay response: %w", err)
	}
	g := out.Data.DependencyGraph
	res.Nodes, res.Vulnerable = len(g.Nodes), len(g.Vulnerable)
	for _, n := range g.Vulnerable {
		if len(n.Vulnerabilities) == 0 {
			return fmt.Errorf("overlay: node %s is vulnerable without a record", n.ID)
		}
	}
	if res.PlainStatements, err = RequestStatements(ctx, client, base, plain); err != nil {
		return err
	}
	if res.OverlayStatements, err = RequestStatements(ctx, client, base, overlay); err != nil {
		return err
	}
	ps, ov := make([]time.Duration, 0, iters), make([]time.Duration, 0, iters)
	for range iters {
		for _, q := range []struct {
			body string
			to   *[]time.Duration
		}{{plain, &ps}, {overlay, &ov}} {
			start := time.Now()
			if _, err := StreamGraphQL(ctx, client, base+"/graphql", q.body); err != nil {
				return err
			}
			*q.to = append(*q.to, time.Since(start))
		}
	}
	res.Plain, res.Overlay = Summarize(ps), Summarize(ov)
	return nil
}

// RecordsPerSecond is the import's rate, and the re-import's.
func (v *VulnResult) RecordsPerSecond() (importing, reimporting float64) {
	return ratio(float64(v.Records), v.Import.Seconds()), ratio(float64(v.Records), v.Reimport.Seconds())
}

// Markdown is the section of docs/benchmarks.md on vulnerabilities.
func (v *VulnResult) Markdown() string {
	if v.Missing != "" {
		return "\n### Vulnerabilities\n\nNot measured: " + v.Missing + ".\n"
	}
	imp, re := v.RecordsPerSecond()
	extra := v.Overlay.P50 - v.Plain.P50
	sqlExtra := v.SQLOverlay.P50 - v.SQL.P50
	return fmt.Sprintf(`
### Vulnerabilities: %d OSV records imported, the overlay on the %s walk

`+"`ingest.ImportVulnerabilities`"+` (what `+"`seshat vulnerabilities import`"+` runs, one transaction per record, each matched against every version of the packages it names) over %s, into a copy of the %s database, then the same records again; afterwards %d timed calls of each walk, alternating, after a warm-up.

| what | records | seconds | records/s | outcome |
|---|---|---|---|---|
| import | %d | %.2f | %.0f | %d invalid; %d versions of the graph affected |
| re-import | %d | %.2f | %.0f | %d unchanged, no row written |

| walk of the %s root (%d nodes, %d vulnerable) | HTTP p50 / p95 ms | statements | best single SQL statement p50 / p95 ms |
|---|---|---|---|
| plain (the walk above) | %s / %s | %.0f | %s / %s (closure and edges) |
| with `+"`vulnerable { ... vulnerabilities { ... } }`"+` | %s / %s | %.0f | %s / %s (closure, edges and the affected versions joined) |
| extra for the overlay | %s ms | %.0f | %s ms |
`, v.Records, v.Dataset, "`"+v.Dir+"`", v.Dataset, v.Plain.N,
		v.Records, v.Import.Seconds(), imp, v.Invalid, v.Affects,
		v.Records, v.Reimport.Seconds(), re, v.Unchanged,
		v.Dataset, v.Nodes, v.Vulnerable,
		ms(v.Plain.P50), ms(v.Plain.P95), v.PlainStatements, ms(v.SQL.P50), ms(v.SQL.P95),
		ms(v.Overlay.P50), ms(v.Overlay.P95), v.OverlayStatements, ms(v.SQLOverlay.P50), ms(v.SQLOverlay.P95),
		ms(extra), v.OverlayStatements-v.PlainStatements, ms(sqlExtra))
}
