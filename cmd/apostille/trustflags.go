package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/statusfetch"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// trustFlags are verify's and serve's flags for signed trust and status
// lists; internal/engine loads the trust they name and verifies with it.
type trustFlags struct {
	keys        listFlag
	state       string
	statusCache string
	offline     bool
	ca          string
	acceptStale bool
	statusLists listFlag
}

func addTrustFlags(fs *flag.FlagSet) *trustFlags {
	tf := &trustFlags{}
	fs.Var(&tf.keys, "trust-key", "pinned trust-list operator key (public JWK) that signed bundles given with --trust must verify with (repeatable)")
	fs.StringVar(&tf.state, "trust-state", defaultStatePath(), "file remembering the highest bundle sequence accepted per operator (rollback protection); \"none\" to keep none")
	fs.StringVar(&tf.statusCache, "status-cache", defaultStatusCache(), "directory caching status lists by uri")
	fs.BoolVar(&tf.offline, "offline", false, "never fetch status lists; use the cached ones and those in the bundle")
	fs.StringVar(&tf.ca, "ca", "", "PEM certificates to trust for HTTPS fetches, besides the system's")
	fs.BoolVar(&tf.acceptStale, "accept-stale-trust-unsafe", false, "accept a signed bundle past its next_update (reports say so)")
	fs.Var(&tf.statusLists, "status-list", "a status list token file to use (repeatable)")
	return tf
}

func defaultStatePath() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "apostille", "trust-state.json")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "apostille", "trust-state.json")
	}
	return ""
}

func defaultStatusCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "apostille", "status-lists")
	}
	return ""
}

// loader loads the trust the flags and the --trust paths name, with the
// rollback state of --trust-state: one loader per process.
func (tf *trustFlags) loader(trust []string) (*engine.Loader, error) {
	st, err := engine.OpenState(tf.state)
	if err != nil {
		return nil, err
	}
	return &engine.Loader{Files: engine.Files{Trust: trust, OperatorKeys: tf.keys, StatusLists: tf.statusLists}, State: st}, nil
}

// load loads the trust once, as verify does: every error names the flag
// whose file it is (engine.FileError).
func (tf *trustFlags) load(trust []string) (*engine.Trust, error) {
	l, err := tf.loader(trust)
	if err != nil {
		return nil, fmt.Errorf("--trust-state: %w", err)
	}
	return l.Load()
}

// fetcher fetches status lists as the flags say (--status-cache, --offline,
// --ca).
func (tf *trustFlags) fetcher() (*statusfetch.Fetcher, error) {
	client, err := httpClient(tf.ca)
	if err != nil {
		return nil, err
	}
	return &statusfetch.Fetcher{Client: client, Dir: tf.statusCache, Offline: tf.offline}, nil
}

// warnOnce fetches with f and says on stderr, once per list, why a list
// could not be fetched: documents are verified in parallel, and a batch may
// name one list a thousand times.
func warnOnce(f *statusfetch.Fetcher, stderr io.Writer) engine.Fetch {
	var mu sync.Mutex
	warned := map[string]bool{}
	return func(ctx context.Context, uri string) ([]byte, error) {
		list, err := f.Get(ctx, uri)
		if err != nil {
			mu.Lock()
			if !warned[uri] {
				warned[uri] = true
				fmt.Fprintf(stderr, "apostille: status list %s: %v\n", uri, err)
			}
			mu.Unlock()
		}
		return list, err
	}
}

// httpClient trusts the system's roots and, with ca, those certificates.
func httpClient(ca string) (*http.Client, error) {
	if ca == "" {
		return &http.Client{Timeout: 30 * time.Second}, nil
	}
	b, err := os.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	certs, err := importer.Certificates(b)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}, nil
}
