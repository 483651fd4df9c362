package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"

	"github.com/apostille/apostille/internal/server"
)

// defaultSiteDir is where `make site` writes the citizen's page. The site is
// served from a directory rather than embedded so that `go build` works on a
// clean checkout, before any npm or wasm build has run.
const defaultSiteDir = "build/site"

// serveConfig is what `apostille serve` was asked to do for the page.
type serveConfig struct {
	site  string
	trust []string
}

// addServeFlags defines serve's flags: the API's (--addr, --trust and the
// rest, serveapi.go) and the page's.
func addServeFlags(fs *flag.FlagSet) (*apiFlags, *string) {
	a := addAPIFlags(fs)
	site := fs.String("site", defaultSiteDir, `directory of the built site (make site); "" serves the API only`)
	return a, site
}

// runServe serves the citizen's page and the verification API
// (internal/server; its flags and life cycle are in serveapi.go) on one
// address. Without a built site the API is served alone: a container
// image need not carry the page.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stdout, stderr,
		"usage: apostille serve [--addr HOST:PORT] [--site DIR] [--trust PATH]... [flags]",
		"Serves the citizen's page and the verification API: POST /v1/verify, POST /v1/verify/batch,",
		"GET /v1/trust, /livez, /readyz, /metrics, /openapi.json. SIGHUP reloads the trust; SIGTERM",
		"stops after answering every accepted request. The page takes the first --trust file.",
	)
	a, site := addServeFlags(fs.FlagSet)
	if code, ok := fs.parse(args, func() string { return fs.operands(0, "") }); !ok {
		return code
	}
	siteSet := false
	fs.Visit(func(f *flag.Flag) { siteSet = siteSet || f.Name == "site" })
	srv, err := a.newServer(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	switch page, err := newServer(serveConfig{site: *site, trust: a.trust}); {
	case *site == "":
	case err == nil:
		mux.Handle("/", page)
	case siteSet:
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	default:
		a.log.Info("no site at " + *site + ": serving the API only (make site builds the page)")
	}
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		return exitUsage
	}
	// Tests and scripts read this line to learn the port.
	fmt.Fprintf(stdout, "apostille serve: listening on http://%s/\n", ln.Addr())
	if err := a.serve(srv, ln, &server.ServeOptions{Handler: mux}); err != nil {
		fmt.Fprintln(stderr, "apostille serve:", err)
		if errors.Is(err, server.ErrUnfinished) {
			// It served, but stopped before answering all it accepted.
			return exitInvalid
		}
		return exitUsage
	}
	return exitOK
}

// newServer returns the page's handler, mounted at "/"; the verification
// API's routes go next to it (runServe).
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
