package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/server"
	"github.com/apostille/apostille/verifier"
)

// apiFlags are the verification service's flags (internal/server).
type apiFlags struct {
	addr            string
	trust           listFlag
	tf              *trustFlags
	ef              *engineFlags
	instances       int
	queue           int
	queueTimeout    time.Duration
	requestTimeout  time.Duration
	reloadEvery     time.Duration
	drainDelay      time.Duration
	shutdownTimeout time.Duration
	logLevel        string
	maxDocument     *int
	tlsCert, tlsKey string
	trustKeep       string
	maxConns        int
	probeAddr       string
	log             *slog.Logger
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	a := &apiFlags{}
	fs.StringVar(&a.addr, "addr", "127.0.0.1:8080", "address to listen on, HOST:PORT (port 0 picks a free one)")
	fs.Var(&a.trust, "trust", "trust: a trust bundle (signed or not), a JWK Set or PEM/DER certificates (repeatable); the page starts with the first, which must be a signed bundle verifying with an operator key the page pins")
	a.tf = addTrustFlags(fs)
	fs.IntVar(&a.instances, "instances", runtime.GOMAXPROCS(0), "verifications that run at once (the engine's pool)")
	fs.IntVar(&a.queue, "queue", 0, "requests that may wait for an instance before the rest get 429 (0: 16 per instance)")
	fs.DurationVar(&a.queueTimeout, "queue-timeout", server.DefaultQueueTimeout, "how long a request may wait for an instance before it gets 503")
	fs.DurationVar(&a.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "deadline of one request, and of each document of a batch")
	fs.DurationVar(&a.reloadEvery, "reload-every", time.Minute, "reload the trust this often when its files changed (0: only on SIGHUP)")
	fs.DurationVar(&a.drainDelay, "drain-delay", 0, "on SIGTERM, fail /readyz this long before closing the listener (let a load balancer notice)")
	fs.DurationVar(&a.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long accepted requests may take to finish")
	fs.StringVar(&a.logLevel, "log-level", "info", "debug, info, warn or error (JSON lines on stderr)")
	a.ef = addEngineFlags(fs)
	a.maxDocument = addMaxDocumentFlag(fs, verifier.DefaultMaxSize)
	fs.StringVar(&a.tlsCert, "tls-cert", "", "serve HTTPS with this certificate chain (PEM), reloaded like the trust (SIGHUP, --reload-every); with --tls-key")
	fs.StringVar(&a.tlsKey, "tls-key", "", "the private key (PEM) of --tls-cert")
	fs.IntVar(&a.maxConns, "max-conns", 0, "connections held open at most; one beyond is answered 503 with Retry-After before its request is read (0: the requests that may be pending, plus batches, plus 32; -1: no bound)")
	fs.StringVar(&a.probeAddr, "probe-addr", "", "serve /livez, /readyz, /startupz and /metrics also on this HOST:PORT, with no connection bound, so that probes answer under any load on --addr")
	fs.StringVar(&a.trustKeep, "trust-keep", "", `file keeping the last trust loaded in full, to start from when --trust cannot be used at start (a bad update must not crash-loop a pod); default: last-good-trust.json beside --trust-state, none with --trust-state none; "none" keeps none`)
	return a
}

// newServer makes the service from the flags, with JSON logs on stderr.
func (a *apiFlags) newServer(stderr io.Writer) (*server.Server, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	a.log = log
	// Unreadable pinned keys are a usage error now, not at the first load.
	if _, _, err := engine.ReadOperatorKeys(a.tf.keys); err != nil {
		return nil, err
	}
	if (a.tlsCert == "") != (a.tlsKey == "") {
		return nil, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	a.ef.maxDocument = *a.maxDocument
	// One loader, so one rollback state for the life of the process: a
	// reload must not accept a bundle older than one this process already
	// served.
	loader, err := a.tf.loader(a.trust)
	if err != nil {
		return nil, err
	}
	loader.Keep = a.keepPath()
	var loadKept func(context.Context) (*engine.Trust, error)
	if loader.Keep != "" {
		if err := os.MkdirAll(filepath.Dir(loader.Keep), 0o755); err != nil {
			return nil, fmt.Errorf("--trust-keep: %w", err)
		}
		loadKept = func(context.Context) (*engine.Trust, error) { return loader.LoadKept() }
	}
	fetcher, err := a.tf.fetcher()
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{
		LoadTrust:              a.loadTrust(loader),
		LoadKept:               loadKept,
		NewEngine:              a.newEngine(log),
		Instances:              a.instances,
		Queue:                  a.queue,
		QueueTimeout:           a.queueTimeout,
		RequestTimeout:         a.requestTimeout,
		MaxDocument:            *a.maxDocument,
		AcceptStaleTrustUnsafe: a.tf.acceptStale,
		Status:                 fetcher,
		Logger:                 log,
	})
}

// keepPath is where the last good trust is kept: --trust-keep, else beside
// the rollback state, else nowhere.
func (a *apiFlags) keepPath() string {
	switch {
	case a.trustKeep == "none":
		return ""
	case a.trustKeep != "":
		return a.trustKeep
	case a.tf.state == "" || a.tf.state == "none":
		return ""
	}
	return filepath.Join(filepath.Dir(a.tf.state), "last-good-trust.json")
}

// serve serves until SIGTERM or SIGINT, reloading the trust on SIGHUP.
func (a *apiFlags) serve(srv *server.Server, ln net.Listener, o *server.ServeOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{})
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	opts := server.ServeOptions{}
	if o != nil {
		opts = *o
	}
	opts.ReloadEvery, opts.Reload = a.reloadEvery, reload
	opts.DrainDelay, opts.ShutdownTimeout = a.drainDelay, a.shutdownTimeout
	opts.TLSCert, opts.TLSKey = a.tlsCert, a.tlsKey
	opts.MaxConns = a.maxConns
	if a.probeAddr != "" {
		pl, err := net.Listen("tcp", a.probeAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--probe-addr: %w", err)
		}
		opts.ProbeListener = pl
	}
	return srv.Serve(ctx, ln, opts)
}

// loadTrust loads the trust as `apostille verify` does (internal/engine):
// every --trust source, signed bundles opened with the pinned keys and the
// rollback state, and the --status-list tokens, each file read once.
func (a *apiFlags) loadTrust(l *engine.Loader) func(context.Context) (*engine.Trust, error) {
	return func(context.Context) (*engine.Trust, error) {
		if len(a.trust) == 0 {
			a.log.Warn("no --trust given: every issuer is unknown, no document is valid")
		}
		return l.Load()
	}
}

// newEngine makes the engine for one trust, as verify does.
func (a *apiFlags) newEngine(log *slog.Logger) func(context.Context, *engine.Trust) (engine.Engine, error) {
	return func(ctx context.Context, t *engine.Trust) (engine.Engine, error) {
		return engine.New(ctx, a.ef.config(a.instances, a.requestTimeout, func(dir string, cacheErr error) {
			if cacheErr != nil {
				// Every start and every trust reload compiles it again.
				log.Warn("compiling the verification module in memory: the cache directory cannot be used", "cache", dir, "error", cacheErr.Error())
				return
			}
			log.Info("compiling the verification module once", "cache", dir)
		}), t)
	}
}
