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
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/server"
	"github.com/apostille/apostille/internal/statusfetch"
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
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	a := &apiFlags{}
	fs.StringVar(&a.addr, "addr", "127.0.0.1:8080", "address to listen on, HOST:PORT (port 0 picks a free one)")
	fs.Var(&a.trust, "trust", "trust: a trust bundle (signed or not), a JWK Set or PEM/DER certificates (repeatable)")
	a.tf = addTrustFlags(fs)
	fs.IntVar(&a.instances, "instances", runtime.GOMAXPROCS(0), "verifications that run at once (the engine's pool)")
	fs.IntVar(&a.queue, "queue", 0, "requests that may wait for an instance before the rest get 429 (0: 16 per instance)")
	fs.DurationVar(&a.queueTimeout, "queue-timeout", server.DefaultQueueTimeout, "how long a request may wait for an instance before it gets 503")
	fs.DurationVar(&a.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "deadline of one request, and of each document of a batch")
	fs.DurationVar(&a.reloadEvery, "reload-every", time.Minute, "reload the trust this often when its files changed (0: only on SIGHUP)")
	fs.DurationVar(&a.drainDelay, "drain-delay", 0, "on SIGTERM, fail /readyz this long before closing the listener (let a load balancer notice)")
	fs.DurationVar(&a.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long accepted requests may take to finish")
	fs.StringVar(&a.logLevel, "log-level", "info", "debug, info, warn or error (JSON lines on stderr)")
	return a
}

// runServeAPI is `apostille serve` until the citizen's page (issue 7) and
// the API share the command: then serve.go wires these flags and mounts the
// API next to the site.
func runServeAPI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	a := addAPIFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: apostille serve [--addr HOST:PORT] [--trust PATH]... [flags]")
		fmt.Fprintln(stderr, "Serves the verification API: POST /v1/verify, POST /v1/verify/batch, GET /v1/trust,")
		fmt.Fprintln(stderr, "/livez, /readyz, /metrics, /openapi.json. SIGHUP reloads the trust; SIGTERM stops")
		fmt.Fprintln(stderr, "after answering every accepted request.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 0 || len(a.trust) == 0 {
		fs.Usage()
		return exitUsage
	}
	srv, err := a.newServer(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	// Tests and scripts read this line to learn the port.
	fmt.Fprintf(stdout, "apostille serve: listening on http://%s/\n", ln.Addr())
	if err := a.serve(srv, ln, nil); err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	return exitOK
}

// newServer makes the service from the flags, with JSON logs on stderr.
func (a *apiFlags) newServer(stderr io.Writer) (*server.Server, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	// Unreadable pinned keys are a usage error now, not at the first load.
	if _, err := readOperatorKeys(a.tf.keys); err != nil {
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
		NewEngine:              newServeEngine,
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
		set := &server.TrustSet{}
		fp := sha256.New()
		for i, group := range [][]string{a.trust, a.tf.keys, a.tf.statusLists} {
			for _, p := range group {
				data, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				sum := sha256.Sum256(data)
				fmt.Fprintf(fp, "%q %x\n", p, sum)
				if i == 0 {
					set.Sources = append(set.Sources, server.TrustSource{
						Name: filepath.Base(p), SHA256: hex.EncodeToString(sum[:]), Signed: isSignedBundle(data), Data: data,
					})
				}
			}
		}
		set.Fingerprint = "sha256:" + hex.EncodeToString(fp.Sum(nil))
		// A copy, so that what one load finds (a refusal, the lists) is
		// not seen by the next; the rollback state is shared on purpose.
		tf := *a.tf
		tf.refused, tf.lists = nil, nil
		t, err := tf.load(a.trust, io.Discard)
		if err != nil {
			return nil, err
		}
		set.Trust, set.Refused, set.StatusLists = t, tf.refused, tf.lists
		return set, nil
	}
}

// newServeEngine makes the engine for one trust.
func newServeEngine(_ context.Context, t *server.TrustSet) (server.Engine, error) {
	return server.NativeEngine{Trust: t.Trust}, nil
}
