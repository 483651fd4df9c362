package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// route is one path the service answers.
type route struct {
	method, path, name string
	handle             func(*Server) http.HandlerFunc
}

// routeTable is every path the service answers; openapi.json describes
// each (a test holds them to each other).
var routeTable = []route{
	{"POST", "/v1/verify", "verify", func(s *Server) http.HandlerFunc { return s.handleVerify }},
	{"POST", "/v1/verify/batch", "batch", func(s *Server) http.HandlerFunc { return s.handleBatch }},
	{"GET", "/v1/trust", "trust", func(s *Server) http.HandlerFunc { return s.handleTrust }},
	{"GET", "/livez", "livez", func(s *Server) http.HandlerFunc { return s.handleLive }},
	{"GET", "/readyz", "readyz", func(s *Server) http.HandlerFunc { return s.handleReady }},
	{"GET", "/startupz", "startupz", func(s *Server) http.HandlerFunc { return s.handleStartup }},
	{"GET", "/metrics", "metrics", func(s *Server) http.HandlerFunc { return s.met.handler().ServeHTTP }},
	{"GET", "/openapi.json", "openapi", func(s *Server) http.HandlerFunc { return s.handleOpenAPI }},
	{"GET", "/schemas/report.v1.json", "schema", func(s *Server) http.HandlerFunc { return s.handleReportSchema }},
	{"GET", "/schemas/record.v1.json", "schema", func(s *Server) http.HandlerFunc { return s.handleRecordSchema }},
}

// probeHandler serves the probes and the metrics alone, for
// ServeOptions.ProbeListener.
func (s *Server) probeHandler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range routeTable {
		switch r.name {
		case "livez", "readyz", "startupz", "metrics":
			mux.Handle(r.path, methods{r.method: s.wrap(r.name, r.handle(s))})
		}
	}
	return mux
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// Register adds the service's routes to mux, for a caller that serves more
// on the same address (the citizen's page at "/"). Each path is registered
// for every method, so that a method it does not take is answered 405 with
// Allow, whatever else the mux serves at "/".
func (s *Server) Register(mux *http.ServeMux) {
	paths := map[string]methods{}
	for _, r := range routeTable {
		if paths[r.path] == nil {
			paths[r.path] = methods{}
			mux.Handle(r.path, paths[r.path])
		}
		paths[r.path][r.method] = s.wrap(r.name, r.handle(s))
	}
}

// methods serves one path: each method it takes by its handler (HEAD as
// GET), any other with 405 and the methods it takes.
type methods map[string]http.Handler

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = m[http.MethodGet]
	}
	if ok {
		h.ServeHTTP(w, r)
		return
	}
	var allow []string
	for method := range m {
		allow = append(allow, method)
		if method == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeProblem(w, http.StatusMethodNotAllowed, r.Method+" is not taken here; "+strings.Join(allow, ", ")+" is", 0)
}

// outcome is what a request's log line and metrics say about it. Handlers
// fill it in through the request's context.
type outcome struct {
	id       string
	status   int
	summary  summary
	records  int            // batch records written
	verdicts map[string]int // batch records by verdict
	lines    int            // batch input lines read
	end      string         // why a batch stream ended (its trailer's end)
	bytes    int64
}

type outcomeKey struct{}

func outcomeOf(ctx context.Context) *outcome {
	o, _ := ctx.Value(outcomeKey{}).(*outcome)
	return o
}

func requestID(ctx context.Context) string {
	if o := outcomeOf(ctx); o != nil {
		return o.id
	}
	return ""
}

func noteOutcome(ctx context.Context, sum summary) {
	if o := outcomeOf(ctx); o != nil {
		o.summary = sum
	}
}

// wrap gives a handler a request id (the client's X-Request-Id when it is
// a plain token, else a new one), echoes it, and logs and counts the
// request when it ends. The log line names the route, never the path or
// the query as sent, and nothing of the body.
func (s *Server) wrap(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		o := &outcome{id: r.Header.Get("X-Request-Id")}
		if !plainToken(o.id) {
			o.id = newID()
		}
		w.Header().Set("X-Request-Id", o.id)
		rw := &recorder{ResponseWriter: w, o: o}
		r = r.WithContext(context.WithValue(r.Context(), outcomeKey{}, o))
		h(rw, r)
		if o.status == 0 {
			o.status = http.StatusOK
		}
		d := time.Since(start)
		code := strconv.Itoa(o.status)
		s.met.requests.WithLabelValues(route, code).Inc()
		s.met.requestSeconds.WithLabelValues(route).Observe(d.Seconds())
		if route == "metrics" || route == "livez" || route == "readyz" || route == "startupz" {
			return // probes and scrapes every few seconds would drown the log
		}
		attrs := []slog.Attr{
			slog.String("request_id", o.id),
			slog.String("route", route),
			slog.Int("status", o.status),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.Int64("bytes_out", o.bytes),
		}
		if o.summary.verdict != "" {
			attrs = append(attrs, slog.String("verdict", o.summary.verdict))
			if o.summary.reason != "" {
				attrs = append(attrs, slog.String("reason", o.summary.reason))
			}
			attrs = append(attrs, slog.String("format", o.summary.format))
		}
		if route == "batch" {
			attrs = append(attrs, slog.Int("lines", o.lines), slog.Int("records", o.records), slog.String("end", o.end))
			for _, v := range []string{"valid", "invalid", "indeterminate", "other"} {
				if n := o.verdicts[v]; n > 0 {
					attrs = append(attrs, slog.Int(v, n))
				}
			}
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// plainToken accepts a client's request id of 1 to 64 letters, digits,
// '-', '_' and '.', so that what the log repeats is an identifier.
func plainToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder notes the status and the bytes written. It passes Flush and the
// ResponseController's methods through (Unwrap).
type recorder struct {
	http.ResponseWriter
	o *outcome
}

func (rw *recorder) WriteHeader(code int) {
	if rw.o.status == 0 {
		rw.o.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.o.status == 0 {
		rw.o.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.o.bytes += int64(n)
	return n, err
}

func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// problem is an RFC 9457 problem: what the service says when it does not
// judge a request for reasons of its own (overload, shutdown).
type problem struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Status     int    `json:"status"`
	Detail     string `json:"detail,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// refuse answers a request the service will not take now: 429 or 503 with
// Retry-After, and counts why (a fixed set of words).
// It says whether the answer was written in full.
func (s *Server) refuse(w http.ResponseWriter, status int, why, detail string) bool {
	s.met.rejected.WithLabelValues(why).Inc()
	retry := 1
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	return writeProblem(w, status, detail, retry)
}

// writeProblem writes an RFC 9457 problem; it says whether it was written
// in full.
func writeProblem(w http.ResponseWriter, status int, detail string, retry int) bool {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, RetryAfter: retry}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, err := w.Write(b)
	return err == nil && http.NewResponseController(w).Flush() == nil
}
