package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/tlog"
)

// runEmbassy runs a data embassy: it mirrors issuers' logs, cosigns what
// it holds, and serves the tlog-witness add-checkpoint endpoint and its
// copies.
func runEmbassy(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("embassy", stdout, stderr,
		`usage: apostille embassy --key FILE --state DIR --log "VKEY SOURCE"... [--listen ADDR] [--interval D] [--once]`,
	)
	keyPath := fs.String("key", "", "the embassy's private key file (apostille keys generate --kind embassy)")
	state := fs.String("state", "", "directory for the embassy's state and copies")
	var logs listFlag
	fs.Var(&logs, "log", `a log to mirror: "<log vkey> <directory or http(s) URL>" (repeatable)`)
	listen := fs.String("listen", "127.0.0.1:8470", "address to serve add-checkpoint and the copies on")
	interval := fs.Duration("interval", 10*time.Second, "how often to poll the logs (0: only when pushed)")
	once := fs.Bool("once", false, "follow every log once and exit")
	if code, ok := fs.parse(args, func() string {
		switch {
		case *state == "":
			return "--state is required"
		case len(logs) == 0:
			return "no --log given"
		}
		return fs.operands(0, "")
	}); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "apostille embassy:", err)
		return exitUsage
	}
	skey, err := readKey(*keyPath)
	if err != nil {
		return fail(err)
	}
	cosigner, err := tlog.NewCosigner(skey)
	if err != nil {
		return fail(err)
	}
	var mls []tlog.MirroredLog
	for _, l := range logs {
		f := strings.Fields(l)
		if len(f) != 2 {
			return fail(fmt.Errorf("--log %q: want \"<vkey> <source>\"", l))
		}
		src := tlog.DirSource(f[1])
		if strings.HasPrefix(f[1], "http://") || strings.HasPrefix(f[1], "https://") {
			if src, err = tlog.HTTPSource(f[1], &http.Client{Timeout: 30 * time.Second}); err != nil {
				return fail(err)
			}
		}
		mls = append(mls, tlog.MirroredLog{VKey: f[0], Source: src})
	}
	m, err := tlog.NewMirror(*state, cosigner, mls)
	if err != nil {
		return fail(err)
	}
	var outMu sync.Mutex
	m.Events = func(e tlog.Event) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintln(stdout, e)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	followAll := func() {
		for _, o := range m.Origins() {
			// Refusals are reported as events; the loop goes on.
			_, _ = m.Follow(ctx, o)
		}
	}
	if *once {
		followAll()
		return exitOK
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail(err)
	}
	outMu.Lock()
	fmt.Fprintf(stdout, "embassy %s listening on %s\n", cosigner.Name(), ln.Addr())
	outMu.Unlock()
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if *interval > 0 {
		go func() {
			for {
				followAll()
				select {
				case <-ctx.Done():
					return
				case <-time.After(*interval):
				}
			}
		}()
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(err)
	}
	return exitOK
}
