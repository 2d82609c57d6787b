package server

import (
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seshat-graph/seshat/persistence"
)

// GraphStats exports the knowledge graph's figures (persistence.Stats) as
// Prometheus gauges, from a snapshot Run refreshes in the background: a
// scrape reads the snapshot and never scans a table.
type GraphStats struct {
	compute func(context.Context) (persistence.Stats, error)
	logger  *slog.Logger
	version string

	mu   sync.Mutex
	last persistence.Stats
	at   time.Time
	err  error
}

// NewGraphStats registers the gauges on m; compute is Store.Stats.
func NewGraphStats(m *Metrics, compute func(context.Context) (persistence.Stats, error), logger *slog.Logger, version string) *GraphStats {
	g := &GraphStats{compute: compute, logger: logger, version: version}
	m.registry.MustRegister(g)
	return g
}

// Refresh computes a new snapshot now.
func (g *GraphStats) Refresh(ctx context.Context) error {
	st, err := g.compute(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.err = err
	if err == nil {
		g.last, g.at = st, time.Now()
	}
	return err
}

// Run refreshes the snapshot every interval until ctx ends, the first
// time at once.
func (g *GraphStats) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := g.Refresh(ctx); err != nil && ctx.Err() == nil {
			g.logger.Warn("graph statistics not refreshed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var (
	envLabels = []string{"os_name", "os_version", "python_version"}
	descs     = map[string]*prometheus.Desc{
		"packages":        prometheus.NewDesc("seshat_graph_packages", "Packages in the knowledge graph.", nil, nil),
		"versions":        prometheus.NewDesc("seshat_graph_versions", "Package versions in the knowledge graph.", nil, nil),
		"solved":          prometheus.NewDesc("seshat_graph_solved_versions", "Versions solved without error, per environment.", envLabels, nil),
		"errors":          prometheus.NewDesc("seshat_graph_solver_errors", "Versions whose solver run failed, per environment.", envLabels, nil),
		"unsolved":        prometheus.NewDesc("seshat_graph_unsolved_versions", "The solvers' backlog per environment: versions on enabled indexes, not missing, not ruled out, not solved there.", envLabels, nil),
		"documents":       prometheus.NewDesc("seshat_graph_documents", "Documents by kind and status.", []string{"kind", "status"}, nil),
		"vulnerabilities": prometheus.NewDesc("seshat_graph_vulnerabilities", "OSV vulnerability records.", nil, nil),
		"vulnUpdated":     prometheus.NewDesc("seshat_graph_vulnerability_data_updated_timestamp_seconds", "When the vulnerability data last changed (Thoth's CVE timestamp).", nil, nil),
		"lastSolver":      prometheus.NewDesc("seshat_graph_last_solver_run_timestamp_seconds", "The newest solver run's time.", nil, nil),
		"dbBytes":         prometheus.NewDesc("seshat_graph_database_bytes", "The database's size on disk.", nil, nil),
		"age":             prometheus.NewDesc("seshat_graph_stats_age_seconds", "How old the exported graph figures are.", nil, nil),
		"took":            prometheus.NewDesc("seshat_graph_stats_duration_seconds", "How long computing the graph figures took.", nil, nil),
		"build":           prometheus.NewDesc("seshat_build_info", "The running build: version, Go version and the database's schema version.", []string{"version", "go_version", "schema_version"}, nil),
	}
)

// Describe implements prometheus.Collector.
func (g *GraphStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the last snapshot, nothing
// (but the build) before the first.
func (g *GraphStats) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	st, at := g.last, g.at
	g.mu.Unlock()
	schema := ""
	if !at.IsZero() {
		schema = strconv.FormatUint(uint64(st.SchemaVersion), 10)
	}
	ch <- prometheus.MustNewConstMetric(descs["build"], prometheus.GaugeValue, 1, g.version, runtime.Version(), schema)
	if at.IsZero() {
		return
	}
	gauge := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(descs[name], prometheus.GaugeValue, v, labels...)
	}
	gauge("packages", float64(st.Packages))
	gauge("versions", float64(st.Versions))
	for _, e := range st.Environments {
		env := e.Environment
		gauge("solved", float64(e.Solved), env.OSName, env.OSVersion, env.PythonVersion)
		gauge("errors", float64(e.Errors), env.OSName, env.OSVersion, env.PythonVersion)
		gauge("unsolved", float64(e.Unsolved), env.OSName, env.OSVersion, env.PythonVersion)
	}
	for _, d := range st.Documents {
		gauge("documents", float64(d.Count), d.Kind, string(d.Status))
	}
	gauge("vulnerabilities", float64(st.Vulnerabilities))
	if st.VulnerabilitiesUpdatedAt != nil {
		gauge("vulnUpdated", float64(st.VulnerabilitiesUpdatedAt.Unix()))
	}
	if st.LastSolverRun != nil {
		gauge("lastSolver", float64(st.LastSolverRun.Unix()))
	}
	gauge("dbBytes", float64(st.DatabaseBytes))
	gauge("age", time.Since(at).Seconds())
	gauge("took", st.Took.Seconds())
}
