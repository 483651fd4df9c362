package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/server"
	"github.com/apostille/apostille/internal/statusfetch"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// apiFlags are the verification service's flags (internal/server).
type apiFlags struct {
	addr            string
	trust           listFlag
	tf              *trustFlags
	instances       int
	queue           int
	queueTimeout    time.Duration
	requestTimeout  time.Duration
	reloadEvery     time.Duration
	drainDelay      time.Duration
	shutdownTimeout time.Duration
	logLevel        string
	engine          string
	engineSet       bool // --engine was given
	log             *slog.Logger
	hostCrypto      bool
	cacheDir        string
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
	fs.StringVar(&a.engine, "engine", "wasm", "wasm (the WebAssembly module, as in the browser) or native (for comparison)")
	fs.BoolVar(&a.hostCrypto, "host-crypto", true, "let the module check signature primitives with native crypto (false: its own, as in a browser)")
	fs.StringVar(&a.cacheDir, "cache-dir", "", "where the compiled module is cached (default: the user cache directory)")
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
	if _, _, err := readOperatorKeys(a.tf.keys); err != nil {
		return nil, err
	}
	var err error
	// One rollback state for the life of the process: a reload must not
	// accept a bundle older than one this process already served.
	if a.tf.st, err = loadTrustState(a.tf.state); err != nil {
		return nil, err
	}
	client, err := httpClient(a.tf.ca)
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{
		LoadTrust:              a.loadTrust(),
		NewEngine:              a.newEngine(log),
		Instances:              a.instances,
		Queue:                  a.queue,
		QueueTimeout:           a.queueTimeout,
		RequestTimeout:         a.requestTimeout,
		AcceptStaleTrustUnsafe: a.tf.acceptStale,
		Status:                 &statusfetch.Fetcher{Client: client, Dir: a.tf.statusCache, Offline: a.tf.offline},
		Logger:                 log,
	})
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
	return srv.Serve(ctx, ln, opts)
}

// loadTrust reads the trust as `apostille verify` does (trustverify.go):
// every --trust source, signed bundles opened with the pinned keys and the
// rollback state, and the --status-list tokens. The fingerprint covers
// every file read, so that a reload on an interval swaps only when one
// changed. It is taken before the trust is read: a file that changes in
// between is read again at the next interval, never missed.
func (a *apiFlags) loadTrust() func(context.Context) (*server.TrustSet, error) {
	return func(context.Context) (*server.TrustSet, error) {
		fp := sha256.New()
		for _, group := range [][]string{a.trust, a.tf.keys, a.tf.statusLists} {
			for _, p := range group {
				data, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				fmt.Fprintf(fp, "%q %x\n", p, sha256.Sum256(data))
			}
		}
		if len(a.trust) == 0 {
			a.log.Warn("no --trust given: every issuer is unknown, no document is valid")
		}
		tf := a.tf.fresh()
		t, err := tf.load(a.trust, io.Discard)
		if err != nil {
			return nil, err
		}
		set := &server.TrustSet{
			Trust: t, Refused: tf.refused, StatusLists: tf.lists, OperatorKeys: tf.operatorKeys,
			Fingerprint: "sha256:" + hex.EncodeToString(fp.Sum(nil)),
		}
		for _, src := range tf.sources {
			sum := sha256.Sum256(src.Data)
			set.Sources = append(set.Sources, server.TrustSource{
				Name: src.Name, SHA256: hex.EncodeToString(sum[:]), Signed: verifier.IsSignedBundle(src.Data), Data: src.Data,
			})
		}
		return set, nil
	}
}

// fresh is a trustFlags with the same flags and rollback state and nothing
// that a load found: what one load finds (a refusal, the lists, the
// sources) must not be seen by the next, and requests still use it.
func (tf *trustFlags) fresh() *trustFlags {
	return &trustFlags{
		keys: tf.keys, state: tf.state, statusCache: tf.statusCache, offline: tf.offline, ca: tf.ca,
		acceptStale: tf.acceptStale, statusLists: tf.statusLists, st: tf.st, warned: map[string]bool{},
	}
}

// newEngine makes the engine for one trust: the module (as verify does,
// newEngine in engines.go) or the native verifier.
func (a *apiFlags) newEngine(log *slog.Logger) func(context.Context, *server.TrustSet) (server.Engine, error) {
	return func(_ context.Context, t *server.TrustSet) (server.Engine, error) {
		cfg := engineConfig{name: a.engine, explicit: a.engineSet, jobs: a.instances, hostCrypto: a.hostCrypto,
			cacheDir: a.cacheDir, operatorKeys: t.OperatorKeys, parsed: t.Trust, timeout: a.requestTimeout}
		for _, src := range t.Sources {
			cfg.trust = append(cfg.trust, host.TrustSource{Name: src.Name, Data: src.Data})
		}
		e, err := newEngine(cfg, logWriter{log})
		if err != nil {
			return nil, err
		}
		return serveEngine{e}, nil
	}
}

// serveEngine is an engine as the service takes it.
type serveEngine struct{ e engine }

func (s serveEngine) Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte {
	return s.e.verify(ctx, doc, opts)
}

// Name says which engine verifies: the module, or the native verifier
// (asked for, or because this build embeds no module).
func (s serveEngine) Name() string {
	if _, ok := s.e.(wasmEngine); ok {
		return "wasm"
	}
	return "native"
}

func (s serveEngine) Close(context.Context) error {
	s.e.close()
	return nil
}

// logWriter turns what newEngine says on a terminal (a first compilation,
// no embedded module) into log lines.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info(strings.TrimSpace(strings.TrimPrefix(string(p), "apostille verify: ")))
	return len(p), nil
}
