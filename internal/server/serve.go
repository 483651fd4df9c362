package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeOptions are the HTTP server's timeouts and the service's life cycle.
// Zero values take the defaults in brackets.
type ServeOptions struct {
	// Handler is what the HTTP server serves [s.Handler()]: a caller that
	// serves more (the citizen's page) mounts s.Handler() in its own mux.
	Handler http.Handler

	ReadHeaderTimeout time.Duration // [5s] slow headers hold a connection, nothing more
	ReadTimeout       time.Duration // [30s] a whole request body; a batch extends it line by line
	WriteTimeout      time.Duration // [60s] a whole answer; a batch extends it record by record
	IdleTimeout       time.Duration // [120s] a keep-alive connection between requests

	// DrainDelay is how long /readyz fails before the listener closes, so
	// that a load balancer stops sending requests first [0].
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for accepted requests to finish
	// once the context ends [30s]; past it connections are closed.
	ShutdownTimeout time.Duration

	// ReloadEvery reloads the trust when its inputs changed, this often
	// [0: never]. Reload reloads it whenever a value arrives (SIGHUP).
	ReloadEvery time.Duration
	Reload      <-chan struct{}

	// Ready, when set, is called once the first trust is loaded.
	Ready func()

	// MaxConns bounds the connections held open and not idle
	// [MaxPending + MaxBatches + 32]; one beyond it is answered 503 with
	// Retry-After and closed, unless its request is a probe (GET /livez,
	// /readyz, /startupz), which is answered. Negative means no bound.
	MaxConns int
	// ProbeListener, when set, serves /livez, /readyz, /startupz and
	// /metrics apart from the API, with no connection bound: probes and
	// scrapes answer whatever the load on the API's listener.
	ProbeListener net.Listener

	// TLSCert and TLSKey, when set, are PEM files of the certificate chain
	// and its key: the service then answers HTTPS (HTTP/2 and HTTP/1.1)
	// only. They are reloaded with the trust, when they changed.
	TLSCert, TLSKey string
}

func (o *ServeOptions) defaults(s *Server) {
	if o.Handler == nil {
		o.Handler = s.Handler()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ReadHeaderTimeout, 5*time.Second)
	def(&o.ReadTimeout, 30*time.Second)
	def(&o.WriteTimeout, 60*time.Second)
	def(&o.IdleTimeout, 120*time.Second)
	def(&o.ShutdownTimeout, 30*time.Second)
}

// Serve serves on ln until ctx ends, then stops gracefully: /readyz fails
// while requests are still served as before, the listener closes after
// DrainDelay, and every request already accepted is answered before Serve
// returns (within ShutdownTimeout). The trust is
// loaded in the background once listening starts, so that /livez answers
// while the engine is made; a trust that cannot be loaded at all ends
// Serve with the error. A refused signed bundle does not: /readyz fails and
// every document is answered with the refusal.
func (s *Server) Serve(ctx context.Context, ln net.Listener, o ServeOptions) error {
	o.defaults(s)
	srv := &http.Server{
		Handler:           o.Handler,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	var cert *certificate
	if o.TLSCert != "" || o.TLSKey != "" {
		cert = &certificate{certFile: o.TLSCert, keyFile: o.TLSKey}
		if _, err := cert.load(true); err != nil {
			ln.Close()
			return fmt.Errorf("TLS certificate: %w", err)
		}
		s.certLoaded(cert)
		srv.TLSConfig = cert.config()
	}
	if o.MaxConns == 0 {
		// A connection per ticket and per batch, and a few for requests
		// being read and probes: more would only wait for a ticket (and
		// under overload, as goroutines, delay every other one, probes
		// included: docs/PERFORMANCE.md measured 2x capacity on one CPU
		// with 96 connections and with 322).
		o.MaxConns = s.cfg.MaxPending + s.cfg.MaxBatches + 32
	}
	if o.MaxConns > 0 {
		s.maxConns.Store(int64(o.MaxConns))
		d := &door{Listener: ln, max: int64(o.MaxConns), tls: cert != nil, open: &s.conns,
			shed: func() { s.met.connsShed.Inc() }, probe: s.probeAnswer}
		srv.ConnState = d.track
		ln = d
	}
	var probes *http.Server
	if o.ProbeListener != nil {
		probes = &http.Server{
			Handler:           s.probeHandler(),
			ReadHeaderTimeout: o.ReadHeaderTimeout,
			ReadTimeout:       o.ReadTimeout,
			WriteTimeout:      o.WriteTimeout,
			IdleTimeout:       o.IdleTimeout,
			MaxHeaderBytes:    8 << 10,
			ErrorLog:          srv.ErrorLog,
		}
		go probes.Serve(o.ProbeListener)
		defer probes.Close()
		s.log.Info("probes listening", "addr", o.ProbeListener.Addr().String())
	}
	served := make(chan error, 1)
	go func() {
		if cert != nil {
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(ln)
	}()
	s.log.Info("listening", "addr", ln.Addr().String(), "tls", cert != nil)

	loaded := make(chan error, 1)
	go func() { loaded <- s.Reload(ctx, true) }()

	var tick <-chan time.Time
	if o.ReloadEvery > 0 {
		t := time.NewTicker(o.ReloadEvery)
		defer t.Stop()
		tick = t.C
	}
	var err error
loop:
	for {
		select {
		case err = <-served:
			break loop
		case err = <-loaded:
			if err != nil {
				break loop
			}
			if o.Ready != nil {
				o.Ready()
			}
		case <-o.Reload:
			s.Reload(ctx, true)
			if cert != nil {
				s.reloadTLS(cert, true)
			}
		case <-tick:
			s.Reload(ctx, false)
			if cert != nil {
				s.reloadTLS(cert, false)
			}
		case <-ctx.Done():
			break loop
		}
	}
	stopErr := s.shutdown(srv, o)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, stopErr)
}

func (s *Server) shutdown(srv *http.Server, o ServeOptions) error {
	s.Drain()
	if o.DrainDelay > 0 {
		// Requests go on being served; each answer closes its connection,
		// so that a client's next request opens one through the load
		// balancer, which by then sends it elsewhere.
		srv.SetKeepAlivesEnabled(false)
		s.log.Info("draining: /readyz fails, requests are still served", "delay", o.DrainDelay.String())
		time.Sleep(o.DrainDelay)
	}
	// Batch streams stop reading their bodies: the lines read are
	// answered and each stream ends with a trailer that says it was cut.
	s.stoppingOnce.Do(func() { close(s.stopping) })
	ctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	var err error
	var forced int64 // requests the forced close cut off
	if err := srv.Shutdown(ctx); err != nil {
		before := s.Tally()
		s.log.Error("shutdown timed out; closing the connections still open", "error", err.Error())
		srv.Close()
		// Handlers end once their connections are closed; wait for them
		// (boundedly), so that the tally says what became of each.
		deadline := time.Now().Add(5 * time.Second)
		for s.Tally().Unfinished() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		after := s.Tally()
		forced = before.Unfinished() - (after.Answered - before.Answered) - (after.Cut - before.Cut)
	}
	s.Close()
	n := s.Tally()
	s.log.Info("stopped", "accepted", n.Accepted, "answered", n.Answered, "abandoned", n.Abandoned,
		"batches_cut", n.Cut, "unfinished", n.Unfinished())
	if n.Cut > 0 {
		s.log.Warn("shutdown cut batch streams short; each ended with a trailer saying so", "batches_cut", n.Cut)
	}
	if forced > 0 {
		err = fmt.Errorf("%w: %d requests cut off when the shutdown timeout passed", ErrUnfinished, forced)
	}
	return err
}

// ErrUnfinished is Serve's error when the shutdown timeout passed with
// requests in flight and their connections were closed under them: their
// clients got no complete answer (a batch, no trailer).
var ErrUnfinished = errors.New("stopped with requests unfinished")
