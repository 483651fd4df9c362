// Package server is the verification service behind `apostille serve`: an
// HTTP API that verifies documents one at a time (POST /v1/verify) or as a
// stream (POST /v1/verify/batch), says which trust it uses (GET /v1/trust),
// and can be watched (/livez, /readyz, /metrics) and described
// (/openapi.json).
//
// The service is stateless: every request carries all it needs, so any
// number of replicas can stand behind any load balancer. It bounds what a
// client can make it do: body and line sizes, concurrent verifications (the
// engine's pool) with a short queue, then 429 or 503 with Retry-After, a
// deadline per request, and header, read and write timeouts. It finishes
// every request it accepted before it stops, and reloads its trust (and its
// TLS certificate) without dropping one.
//
// Nothing of a document reaches a log line or a metric label: logs carry a
// request id, the verdict, the reason code and durations; labels take their
// values from fixed sets.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// Defaults for a zero Config.
const (
	DefaultQueueTimeout   = time.Second
	DefaultRequestTimeout = 10 * time.Second
	// DefaultLineTimeout is how long a batch may take to send its next
	// record (blank lines do not count): a slow client holds a
	// connection, not an instance.
	DefaultLineTimeout = 30 * time.Second
	// DefaultMinBodyRate and DefaultBodyGrace: a body must arrive at 4
	// KiB/s once 2 s have passed. A 4 MiB request takes 17 minutes at
	// that rate; one byte a second is cut after 2 s.
	DefaultMinBodyRate = 4 << 10
	DefaultBodyGrace   = 2 * time.Second
)

// Config configures a Server. LoadTrust and NewEngine are required; the
// rest has defaults.
type Config struct {
	// LoadTrust reads the trust to verify against (engine.Loader.Load).
	// It is called at start and at every reload, and must not modify what
	// an earlier call returned: requests still use it.
	LoadTrust func(ctx context.Context) (*engine.Trust, error)
	// LoadKept, when set, loads the last good trust kept from an earlier
	// load (engine.Loader.LoadKept). When the first load fails or its
	// signed bundle is refused, the service starts from it rather than
	// stopping or refusing every document, and says so (log, the
	// apostille_trust_kept metric, /readyz).
	LoadKept func(ctx context.Context) (*engine.Trust, error)
	// NewEngine makes an engine for one trust (engine.New). The server
	// closes it once the trust is replaced and its last request has
	// finished.
	NewEngine func(ctx context.Context, t *engine.Trust) (engine.Engine, error)

	// Instances bounds concurrent verifications; it should equal the
	// engine's pool. 0 means GOMAXPROCS.
	Instances int
	// Queue is how many requests may wait for an instance; beyond it a
	// request gets 429. 0 means 16 per instance: a verification takes
	// about a millisecond, so a full queue is some 16 ms of waiting, and
	// it absorbs the bursts that independent clients send (measured in
	// docs/PERFORMANCE.md: 4 per instance refused requests at half load).
	// Negative means none.
	Queue int
	// QueueTimeout is how long a request may wait in the queue before it
	// gets 503. 0 means DefaultQueueTimeout.
	QueueTimeout time.Duration
	// RequestTimeout bounds one POST /v1/verify, queue included, and each
	// document of a batch. 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// LineTimeout bounds the wait for each line of a batch. 0 means
	// DefaultLineTimeout.
	LineTimeout time.Duration
	// MaxDocument bounds a document in bytes, of every format; 0 means
	// verifier.DefaultMaxSize, containers included: unlike the CLI the
	// service does not follow the format (verifier.MaxSizeFor), because
	// its memory is bounded by connections × this (docs/deploy.md). A JSON
	// request or a batch line may be up to four times larger (a base64
	// document with its payload and proof).
	MaxDocument int
	// MaxPending bounds the single requests being read, queued or
	// verified at once, and so the memory their bodies take; beyond it a
	// request gets 429 before its body is read. 0 means twice Instances
	// plus Queue, and at least 64.
	MaxPending int
	// MaxBatches bounds the batch streams served at once; 0 means 2 per
	// instance.
	MaxBatches int
	// MaxReading bounds the request bodies being read at once, before
	// they take a ticket (MaxPending): a client that is still sending
	// holds no place in the queue. Beyond it a request gets 429. 0 means
	// four times MaxPending.
	MaxReading int
	// MinBodyRate is the rate, in bytes a second, below which a request
	// body (or a batch line) is cut off once BodyGrace has passed: a client
	// that trickles its body loses its request (408) rather than holding
	// the service. 0 means DefaultMinBodyRate.
	MinBodyRate int
	// BodyGrace is the time a body may take before MinBodyRate applies.
	// 0 means DefaultBodyGrace.
	BodyGrace time.Duration

	// AcceptStaleTrustUnsafe accepts a signed bundle past its next_update
	// (reports say so).
	AcceptStaleTrustUnsafe bool
	// Status, when set, fetches the status lists that documents refer to
	// and the trust does not hold.
	Status StatusFetcher

	// Logger receives one line per request and the service's events;
	// nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for verification times; nil means time.Now.
	Now func() time.Time
}

// StatusFetcher gets a status list token by uri (internal/statusfetch).
type StatusFetcher interface {
	Get(ctx context.Context, uri string) ([]byte, error)
}

// Server is the verification service. Create it with New, load its trust
// with Reload (Serve does), and serve Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	lim     *limiter
	met     *metrics
	mux     *http.ServeMux
	batches chan struct{}
	reading chan struct{} // a token per request body being read

	mu  sync.RWMutex // guards gen; held for reading only to take a reference
	gen *generation

	reloadMu   sync.Mutex
	lastReload atomic.Pointer[reloadResult]
	// keptBecause is why the trust given could not be used when the
	// service started from the last good trust kept.
	keptBecause atomic.Pointer[error]
	draining    atomic.Bool

	// tally counts verification requests, for the log line at shutdown:
	// every accepted request is answered, unless its client left first.
	accepted, answered, abandoned atomic.Int64
	// cut counts batch streams that shutdown ended early, each with a
	// trailer that says so.
	cut atomic.Int64
	// conns counts the API's connections held open; maxConns is their
	// bound (0: none).
	conns, maxConns atomic.Int64
	// stopping closes when shutdown begins: batch streams stop reading.
	stopping     chan struct{}
	stoppingOnce sync.Once
}

type reloadResult struct {
	at  time.Time
	err error
}

// New returns a server with no trust loaded yet: /readyz says so until the
// first Reload succeeds, and verification requests get 503.
func New(cfg Config) (*Server, error) {
	if cfg.LoadTrust == nil || cfg.NewEngine == nil {
		return nil, errors.New("server: LoadTrust and NewEngine are required")
	}
	if cfg.Instances <= 0 {
		cfg.Instances = runtime.GOMAXPROCS(0)
	}
	switch {
	case cfg.Queue == 0:
		cfg.Queue = 16 * cfg.Instances
	case cfg.Queue < 0:
		cfg.Queue = 0
	}
	if cfg.QueueTimeout <= 0 {
		cfg.QueueTimeout = DefaultQueueTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.LineTimeout <= 0 {
		cfg.LineTimeout = DefaultLineTimeout
	}
	if cfg.MaxDocument <= 0 {
		cfg.MaxDocument = verifier.DefaultMaxSize
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = max(64, 2*(cfg.Instances+cfg.Queue))
	}
	if cfg.MaxBatches <= 0 {
		cfg.MaxBatches = 2 * cfg.Instances
	}
	if cfg.MaxReading <= 0 {
		cfg.MaxReading = 4 * cfg.MaxPending
	}
	if cfg.MinBodyRate <= 0 {
		cfg.MinBodyRate = DefaultMinBodyRate
	}
	if cfg.BodyGrace <= 0 {
		cfg.BodyGrace = DefaultBodyGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		lim:     newLimiter(cfg.Instances, cfg.Queue, cfg.MaxPending),
		batches: make(chan struct{}, cfg.MaxBatches),
		reading: make(chan struct{}, cfg.MaxReading),

		stopping: make(chan struct{}),
	}
	s.met = newMetrics(s)
	s.mux = s.routes()
	return s, nil
}

// maxRequest bounds a JSON request body or a batch line: a document,
// payload and proof, base64 (4/3 each), and the JSON around them.
func (s *Server) maxRequest() int { return 4*s.cfg.MaxDocument + 4096 }

// Handler serves the API. Mount it at "/" or under a mux that passes /v1/,
// /livez, /readyz, /metrics and /openapi.json through.
func (s *Server) Handler() http.Handler { return s.mux }

// Drain makes /readyz fail, so that a load balancer stops sending requests;
// those that still arrive are served as before (a rolling update drops
// nothing while endpoints update). Serve calls it when its context ends,
// DrainDelay before it closes the listener.
func (s *Server) Drain() { s.draining.Store(true) }

// Close releases the engine once its last request has finished.
func (s *Server) Close() {
	s.mu.Lock()
	g := s.gen
	s.gen = nil
	s.mu.Unlock()
	if g != nil {
		g.retire()
	}
}

// Tally is what became of the verification requests the service took on
// (past the checks that refuse one at once): Answered had their whole
// answer written; Abandoned lost their client first (or were cut off by a
// shutdown that timed out); Cut are batch streams that shutdown ended
// before their body did, each answered up to a trailer that says so.
// Accepted is their sum once no request is in flight.
type Tally struct {
	Accepted, Answered, Abandoned, Cut int64
}

// Tally returns the counts so far.
func (s *Server) Tally() Tally {
	return Tally{s.accepted.Load(), s.answered.Load(), s.abandoned.Load(), s.cut.Load()}
}

// Unfinished is how many requests taken on have not ended.
func (t Tally) Unfinished() int64 { return t.Accepted - t.Answered - t.Abandoned - t.Cut }

// took counts a request taken on; the returned func counts how it ended:
// answered when its answer was written in full.
func (s *Server) took() func(answered bool) {
	s.accepted.Add(1)
	return func(answered bool) {
		if answered {
			s.answered.Add(1)
		} else {
			s.abandoned.Add(1)
		}
	}
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }
