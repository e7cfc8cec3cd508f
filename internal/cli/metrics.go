package cli

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

// metrics are what `tgauth serve` exports on /metrics: the engine's steps (an
// machine.Observer), Telegram's calls (a tgapi.Connector wrapper) and the logins by state
// (counted in the store at each scrape).
type metrics struct {
	reg         *prometheus.Registry
	inputs      *prometheus.CounterVec
	timers      *prometheus.CounterVec
	transitions *prometheus.CounterVec
	calls       *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	floodWaits  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		inputs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tgauth_inputs_total",
			Help: "Inputs the engine took, by event."}, []string{"event"}),
		timers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tgauth_timers_total",
			Help: "Timers and recoveries the engine fired, by event."}, []string{"event"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tgauth_transitions_total",
			Help: "States reached (persisted), by state."}, []string{"state"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tgauth_telegram_calls_total",
			Help: "Telegram calls, by method and result (ok, or Telegram's error type, or no_answer)."}, []string{"method", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tgauth_telegram_call_seconds",
			Help: "Telegram call latency, by method.", Buckets: prometheus.DefBuckets}, []string{"method"}),
		floodWaits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tgauth_telegram_flood_waits_total",
			Help: "FLOOD_WAIT answers, by method."}, []string{"method"}),
	}
	m.reg.MustRegister(m.inputs, m.timers, m.transitions, m.calls, m.latency, m.floodWaits,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Input implements machine.Observer.
func (m *metrics) Input(_, event string, _ map[string]string) { m.inputs.WithLabelValues(event).Inc() }

// Timer implements machine.Observer.
func (m *metrics) Timer(_, event string) { m.timers.WithLabelValues(event).Inc() }

// Reached implements machine.Observer.
func (m *metrics) Reached(_, state string) { m.transitions.WithLabelValues(state).Inc() }

// countLogins registers tgauth_logins{state}, counted through the engine at each scrape.
func (m *metrics) countLogins(e *machine.Engine) {
	m.reg.MustRegister(&loginsCollector{engine: e, desc: prometheus.NewDesc("tgauth_logins",
		"Logins in the store, by state.", []string{"state"}, nil)})
}

type loginsCollector struct {
	engine *machine.Engine
	desc   *prometheus.Desc
}

func (c *loginsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *loginsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snaps, err := c.engine.List(ctx, machine.ListOptions{})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	n := map[machine.State]int{}
	for _, s := range snaps {
		n[s.State]++
	}
	for state, count := range n {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(count), string(state))
	}
}

// connector wraps a Connector so that every call is counted and timed. It passes
// Telegram's updates on when the inner connector delivers them.
func (m *metrics) connector(inner tgapi.Connector) tgapi.Connector {
	c := &meteredConnector{m: m, inner: inner}
	if u, ok := inner.(tgapi.Updater); ok {
		return &meteredUpdater{meteredConnector: c, updater: u}
	}
	return c
}

type meteredConnector struct {
	m     *metrics
	inner tgapi.Connector
}

// Unwrap implements tgapi.Unwrapper: the engine finds the inner connector's key pool.
func (c *meteredConnector) Unwrap() tgapi.Connector { return c.inner }

func (c *meteredConnector) Connect(ctx context.Context, id string, s tgapi.SessionStorage) (tgapi.API, error) {
	api, err := c.inner.Connect(ctx, id, s)
	if err != nil {
		return nil, err
	}
	return &meteredAPI{m: c.m, API: api}, nil
}

type meteredUpdater struct {
	*meteredConnector
	updater tgapi.Updater
}

func (c *meteredUpdater) OnUpdate(f func(string, tgapi.Update)) { c.updater.OnUpdate(f) }

type meteredAPI struct {
	tgapi.API
	m *metrics
}

func (a *meteredAPI) Invoke(ctx context.Context, req tgapi.Request) (any, error) {
	start := time.Now()
	res, err := a.API.Invoke(ctx, req)
	method := string(req.Method())
	a.m.latency.WithLabelValues(method).Observe(time.Since(start).Seconds())
	result := "ok"
	var tgErr *tgapi.Error
	switch {
	case errors.As(err, &tgErr):
		result = tgErr.Type
		if tgErr.Type == "FLOOD_WAIT" {
			a.m.floodWaits.WithLabelValues(method).Inc()
		}
	case err != nil:
		result = "no_answer"
	}
	a.m.calls.WithLabelValues(method, result).Inc()
	return res, err
}
