package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seshat-graph/seshat/graphcache"
)

// Metrics are the gateway's Prometheus metrics, on their own registry.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP and Go runtime metrics; statements, when
// not nil, reports the number of SQL statements run so far.
func NewMetrics(statements func() float64) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seshat_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "seshat_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if statements != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "seshat_sql_statements_total",
			Help: "SQL statements run against the knowledge graph.",
		}, statements))
	}
	return m
}

// RegisterGraphCache exports the graph cache's counters and size:
// seshat_graph_cache_hits_total, _misses_total (answers computed, stored or
// not), _evictions_total by reason (size: room made; invalidated: what
// the answer was read from changed), _skipped_total (requests the cache
// does not keep answers of), _bytes, _entries and _capacity_bytes.
func (m *Metrics) RegisterGraphCache(c *graphcache.Cache) {
	counter := func(name, help string, labels prometheus.Labels, v func(graphcache.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(v(c.Stats())) })
	}
	gauge := func(name, help string, v func(graphcache.Stats) int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(v(c.Stats())) })
	}
	const evictions = "Graph cache answers dropped, by reason: size (to make room), invalidated (what they were read from changed)."
	m.registry.MustRegister(
		counter("seshat_graph_cache_hits_total", "dependencyGraph answers served from the graph cache.", nil,
			func(s graphcache.Stats) int64 { return s.Hits }),
		counter("seshat_graph_cache_misses_total", "dependencyGraph answers the graph cache did not hold, computed afresh.", nil,
			func(s graphcache.Stats) int64 { return s.Misses }),
		counter("seshat_graph_cache_evictions_total", evictions, prometheus.Labels{"reason": "size"},
			func(s graphcache.Stats) int64 { return s.Evicted }),
		counter("seshat_graph_cache_evictions_total", evictions, prometheus.Labels{"reason": "invalidated"},
			func(s graphcache.Stats) int64 { return s.Invalidated }),
		counter("seshat_graph_cache_skipped_total", "dependencyGraph requests whose selection or answer the graph cache does not keep.", nil,
			func(s graphcache.Stats) int64 { return s.Skipped }),
		gauge("seshat_graph_cache_bytes", "Bytes the graph cache's answers are charged.", func(s graphcache.Stats) int64 { return s.Bytes }),
		gauge("seshat_graph_cache_entries", "Answers in the graph cache.", func(s graphcache.Stats) int64 { return s.Entries }),
		gauge("seshat_graph_cache_capacity_bytes", "The graph cache's bound (SESHAT_GRAPH_CACHE_MB).",
			func(graphcache.Stats) int64 { return c.Capacity() }),
	)
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Registry lets other packages register their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Instrument counts and times requests to route (a fixed label, never the raw path).
func (m *Metrics) Instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
