package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// metrics are the service's Prometheus metrics, in a registry of its own.
// Every label value comes from a fixed set (verdicts, reason codes, formats,
// routes, status codes): a report's fields are checked against those sets
// before they become a label, so nothing of a document is ever one.
type metrics struct {
	reg            *prometheus.Registry
	verifications  *prometheus.CounterVec
	engineSeconds  prometheus.Histogram
	requests       *prometheus.CounterVec
	requestSeconds *prometheus.HistogramVec
	rejected       *prometheus.CounterVec
	reloads        *prometheus.CounterVec
	statusFetches  *prometheus.CounterVec
	trustSequence  prometheus.Gauge
	trustLoadedAt  prometheus.Gauge
	trustKept      prometheus.Gauge
	connsShed      prometheus.Counter
	tlsReloads     *prometheus.CounterVec
	tlsExpiry      prometheus.Gauge
}

// Label values of the counters that exist from the start, at zero: an
// alert on a series that has never counted would otherwise see nothing
// (docs/deploy.md names the series to alert on; a test holds them to
// this).
var (
	rejectedWhy   = []string{"busy", "queue_full", "queue_timeout", "deadline", "not_ready", "gone", "slow", "idle"}
	reloadResults = []string{"ok", "unchanged", "error"}
	fetchResults  = []string{"ok", "error"}
)

// latencyBuckets span a fast native verification (a fraction of a
// millisecond) to the request deadline.
var latencyBuckets = []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.verifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_verifications_total",
		Help: "Documents verified, by verdict, deciding reason (none when valid) and format.",
	}, []string{"verdict", "reason", "format"})
	m.engineSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "apostille_verification_duration_seconds",
		Help:    "Time the engine took for one document, queueing excluded.",
		Buckets: latencyBuckets,
	})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_http_requests_total",
		Help: "HTTP requests answered, by route and status code.",
	}, []string{"route", "code"})
	m.requestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "apostille_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its last byte, by route.",
		Buckets: latencyBuckets,
	}, []string{"route"})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_rejected_total",
		Help: "Verification requests not taken: busy, queue_full (429); queue_timeout, deadline, not_ready (503); gone (client left while queued); slow (408: the body came below the minimum rate); idle (a batch stream ended: no record within the line timeout).",
	}, []string{"why"})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_trust_reloads_total",
		Help: "Trust reloads by result: ok (swapped), unchanged, error (the current trust stays).",
	}, []string{"result"})
	m.statusFetches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_status_list_fetches_total",
		Help: "Status list fetches for documents the trust's lists did not decide, by result.",
	}, []string{"result"})
	m.trustSequence = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "apostille_trust_sequence",
		Help: "Sequence number of the signed trust bundle in use (0 for unsigned trust).",
	})
	m.trustLoadedAt = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "apostille_trust_loaded_timestamp_seconds",
		Help: "When the trust in use was loaded, Unix time.",
	})
	m.trustKept = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "apostille_trust_kept",
		Help: "1 when the service serves the last good trust kept from an earlier run because the trust given could not be used at start; 0 otherwise.",
	})
	m.connsShed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "apostille_connections_shed_total",
		Help: "Connections beyond the bound (--max-conns), answered 503 with Retry-After before their request was read, and closed.",
	})
	m.tlsReloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apostille_tls_reloads_total",
		Help: "TLS certificate loads and reloads by result: ok (swapped), unchanged, error (the current certificate stays). Zero without --tls-cert.",
	}, []string{"result"})
	m.tlsExpiry = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "apostille_tls_certificate_expiry_timestamp_seconds",
		Help: "When the TLS certificate in use expires (its not_after), Unix time. Present only when the service serves TLS.",
	})
	for _, v := range rejectedWhy {
		m.rejected.WithLabelValues(v)
	}
	for _, v := range reloadResults {
		m.reloads.WithLabelValues(v)
		m.tlsReloads.WithLabelValues(v)
	}
	for _, v := range fetchResults {
		m.statusFetches.WithLabelValues(v)
	}
	pool := func(name, help string, f func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	m.reg.MustRegister(
		m.verifications, m.engineSeconds, m.requests, m.requestSeconds, m.rejected,
		m.reloads, m.statusFetches, m.trustSequence, m.trustLoadedAt, m.trustKept, m.tlsReloads,
		pool("apostille_pool_instances", "Verifications that may run at once (the engine's pool).", s.lim.instances),
		pool("apostille_pool_busy", "Verifications running now.", s.lim.busy),
		pool("apostille_queue_waiting", "Requests waiting for an instance.", s.lim.waiting),
		pool("apostille_batches_active", "Batch streams being served.", func() int { return len(s.batches) }),
		pool("apostille_batches_max", "Batch streams that may be served at once.", func() int { return cap(s.batches) }),
		pool("apostille_requests_reading", "Request bodies being read (before they take a ticket).", func() int { return len(s.reading) }),
		pool("apostille_requests_reading_max", "Request bodies that may be read at once; beyond it 429.", func() int { return cap(s.reading) }),
		pool("apostille_requests_pending", "Requests holding a ticket: queued or being verified.", s.lim.pending),
		pool("apostille_requests_pending_max", "Requests that may hold a ticket at once; beyond it 429.", s.lim.maxPending),
		pool("apostille_connections_open", "Connections the API's listener holds open.", func() int { return int(s.conns.Load()) }),
		pool("apostille_connections_max", "Connections the API's listener may hold open (0: no bound); beyond it 503 at the door.", func() int { return int(s.maxConns.Load()) }),
		m.connsShed,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *metrics) trustLoaded(t *engine.Trust) {
	var seq uint64
	if t.Parsed != nil {
		seq = t.Parsed.Info.Sequence
	}
	m.trustSequence.Set(float64(seq))
	m.trustLoadedAt.SetToCurrentTime()
	kept := 0.0
	if !t.Kept.IsZero() {
		kept = 1
	}
	m.trustKept.Set(kept)
}

// summary is what a report says for logs and metrics, each field from a
// fixed set.
type summary struct {
	verdict, reason, format string
}

func (m *metrics) count(s summary) {
	m.verifications.WithLabelValues(s.verdict, s.reason, s.format).Inc()
}

var (
	knownVerdicts = map[string]bool{string(verifier.Valid): true, string(verifier.Invalid): true, string(verifier.Indeterminate): true}
	knownReasons  = func() map[string]bool {
		m := map[string]bool{}
		for _, r := range verifier.Reasons() {
			m[string(r)] = true
		}
		return m
	}()
	// knownFormats are the formats a report names (document.format).
	knownFormats = map[string]bool{
		"jws-compact": true, "jws-json": true, "jwt": true, "cose-sign1": true, "cwt": true,
		"dcc": true, "mdoc": true, "sd-jwt": true, "sd-jwt-json": true, "attested": true,
		"asice": true, "bdoc": true, "asics": true,
	}
)

// summarize reads a report's verdict, reason and format
// (verifier.ReadSummary, which scans them rather than decoding the report:
// decoding took 7% of the service's time per request, BenchmarkVerify).
// Values outside the known sets become "other", so that a bug or a hostile
// module output cannot mint label values.
func summarize(rep []byte) summary {
	sum, err := verifier.ReadSummary(rep)
	if err != nil {
		return summary{verdict: "other", reason: "other", format: "none"}
	}
	s := summary{verdict: string(sum.Verdict), reason: string(sum.Reason), format: sum.Format}
	if !knownVerdicts[s.verdict] {
		s.verdict = "other"
	}
	if s.reason != "" && !knownReasons[s.reason] {
		s.reason = "other"
	}
	switch {
	case s.format == "":
		s.format = "none"
	case !knownFormats[s.format]:
		s.format = "other"
	}
	return s
}
