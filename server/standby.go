package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seshat-graph/seshat/persistence"
)

var standbyDescs = struct {
	up, serving, lag, lagBytes, reads, fallbacks *prometheus.Desc
}{
	up:        prometheus.NewDesc("seshat_db_standby_up", "1 when the hot standby (SESHAT_DATABASE_READ_URL) answered its last check.", nil, nil),
	serving:   prometheus.NewDesc("seshat_db_standby_serving", "1 when queries read from the hot standby: up and within SESHAT_DATABASE_READ_MAX_LAG.", nil, nil),
	lag:       prometheus.NewDesc("seshat_db_standby_lag_seconds", "How long ago the primary reached the oldest WAL position the standby has not replayed (0: caught up).", nil, nil),
	lagBytes:  prometheus.NewDesc("seshat_db_standby_lag_bytes", "WAL the standby has not replayed: the primary's insert position minus the standby's replay position.", nil, nil),
	reads:     prometheus.NewDesc("seshat_db_standby_reads_total", "Reads of queries that may use the standby, by the database they were sent to (standby or primary).", []string{"database"}, nil),
	fallbacks: prometheus.NewDesc("seshat_db_standby_fallbacks_total", "Reads the standby failed (connection lost, conflict with recovery) that the primary answered.", nil, nil),
}

// standbyCollector exports persistence.StandbyStatus: what the store's
// monitor last saw, so a scrape runs no SQL.
type standbyCollector struct {
	status func() persistence.StandbyStatus
}

// RegisterStandby exports the hot standby's state and lag on m; status is
// Store.StandbyStatus.
func (m *Metrics) RegisterStandby(status func() persistence.StandbyStatus) {
	m.registry.MustRegister(standbyCollector{status: status})
}

func (c standbyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- standbyDescs.up
	ch <- standbyDescs.serving
	ch <- standbyDescs.lag
	ch <- standbyDescs.lagBytes
	ch <- standbyDescs.reads
	ch <- standbyDescs.fallbacks
}

func (c standbyCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.status()
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(standbyDescs.up, prometheus.GaugeValue, b(st.Up))
	ch <- prometheus.MustNewConstMetric(standbyDescs.serving, prometheus.GaugeValue, b(st.Serving))
	ch <- prometheus.MustNewConstMetric(standbyDescs.lag, prometheus.GaugeValue, st.Lag.Seconds())
	ch <- prometheus.MustNewConstMetric(standbyDescs.lagBytes, prometheus.GaugeValue, float64(st.LagBytes))
	ch <- prometheus.MustNewConstMetric(standbyDescs.reads, prometheus.CounterValue, float64(st.StandbyReads), "standby")
	ch <- prometheus.MustNewConstMetric(standbyDescs.reads, prometheus.CounterValue, float64(st.PrimaryReads), "primary")
	ch <- prometheus.MustNewConstMetric(standbyDescs.fallbacks, prometheus.CounterValue, float64(st.Fallbacks))
}

// standbyReport is the standby's part of /readyz.
func standbyReport(st persistence.StandbyStatus) map[string]any {
	out := map[string]any{
		"up": st.Up, "serving": st.Serving, "lag_seconds": st.Lag.Seconds(), "lag_bytes": st.LagBytes,
	}
	if st.Err != nil {
		out["error"] = persistence.ErrorMessage(st.Err)
	}
	return out
}
