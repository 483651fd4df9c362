package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// defaultSiteDir is where `make site` writes the citizen's page. The site is
// served from a directory rather than embedded so that `go build` works on a
// clean checkout, before any npm or wasm build has run.
const defaultSiteDir = "build/site"

// serveConfig is what `apostille serve` was asked to do.
type serveConfig struct {
	addr  string
	site  string
	trust []string
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	var trust listFlag
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (HOST:PORT; port 0 picks a free one)")
	fs.StringVar(&cfg.site, "site", defaultSiteDir, "directory of the built site (make site)")
	fs.Var(&trust, "trust", "signed trust bundle the page starts with, instead of the one it was built with; it must verify with an operator key the page pins (repeatable; the page uses the first)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: apostille serve [--addr HOST:PORT] [--site DIR] [--trust PATH]...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	cfg.trust = trust
	h, err := newServer(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	// Tests and scripts read this line to learn the port.
	fmt.Fprintf(stdout, "apostille serve: listening on http://%s/\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	return exitOK
}

// newServer returns the handler for everything `serve` answers. The site is
// mounted at "/"; the verification API (issue 8) goes next to it on the
// same mux under /v1/.
func newServer(cfg serveConfig) (http.Handler, error) {
	st, err := os.Stat(cfg.site)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no site at %s: run `make site` or pass --site DIR", cfg.site)
	}
	site := os.DirFS(cfg.site)
	if _, err := fs.Stat(site, "index.html"); err != nil {
		return nil, fmt.Errorf("%s has no index.html: run `make site`", cfg.site)
	}
	var trust []byte
	if len(cfg.trust) > 0 {
		// The page takes one bundle; the API will take them all.
		if trust, err = os.ReadFile(cfg.trust[0]); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/", &siteHandler{fsys: site, trust: trust})
	return mux, nil
}
