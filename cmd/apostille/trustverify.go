package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/statusfetch"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// trustFlags are verify's flags for signed trust and status lists.
type trustFlags struct {
	keys        listFlag
	state       string
	statusCache string
	offline     bool
	ca          string
	acceptStale bool
	statusLists listFlag

	stderr  io.Writer
	st      *trustlist.State // loaded once; serve reloads trust with the same state
	refused error            // a signed bundle that was refused: every document says so
	fetch   *statusfetch.Fetcher
	lists   [][]byte
	mu      sync.Mutex // guards warned: documents are verified in parallel
	warned  map[string]bool

	// sources and operatorKeys are what the WebAssembly module loads: the
	// accepted trust sources as read, and the pinned keys that signed
	// ones verify with (the rollback state stays with this host).
	sources      []host.TrustSource
	operatorKeys [][]byte
}

func addTrustFlags(fs *flag.FlagSet) *trustFlags {
	tf := &trustFlags{warned: map[string]bool{}}
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

// load reads every --trust source. Signed bundles are opened with the pinned
// keys and the state; one that is refused is remembered (and said on
// stderr) so that every document reports why. Other errors are usage or I/O
// errors.
func (tf *trustFlags) load(paths []string, stderr io.Writer) (*verifier.Trust, error) {
	tf.stderr = stderr
	keys, rawKeys, err := readOperatorKeys(tf.keys)
	if err != nil {
		return nil, err
	}
	tf.operatorKeys = rawKeys
	if tf.st == nil {
		if tf.st, err = loadTrustState(tf.state); err != nil {
			return nil, err
		}
	}
	state := tf.st
	t := &verifier.Trust{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if !verifier.IsSignedBundle(data) {
			one, _, err := loadTrust([]string{p})
			if err != nil {
				return nil, err
			}
			t.Add(one)
			tf.sources = append(tf.sources, host.TrustSource{Name: baseName(p), Data: data})
			continue
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s is a signed trust bundle: pin its operator with --trust-key", p)
		}
		one, err := trustlist.Open(data, keys, state, time.Now())
		if _, refused := trustlist.IsRefusal(err); refused {
			fmt.Fprintf(stderr, "apostille: trust bundle %s refused: %v\n", p, err)
			tf.refused = err
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		t.Add(one)
		tf.sources = append(tf.sources, host.TrustSource{Name: baseName(p), Data: data})
	}
	for _, p := range tf.statusLists {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		tf.lists = append(tf.lists, b)
	}
	client, err := httpClient(tf.ca)
	if err != nil {
		return nil, err
	}
	tf.fetch = &statusfetch.Fetcher{Client: client, Dir: tf.statusCache, Offline: tf.offline}
	return t, nil
}

func readOperatorKeys(paths []string) ([]*verifier.OperatorKey, [][]byte, error) {
	var keys []*verifier.OperatorKey
	var raw [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		k, err := verifier.ParseOperatorKey(b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		keys = append(keys, k)
		raw = append(raw, b)
	}
	return keys, raw, nil
}

func loadTrustState(path string) (*trustlist.State, error) {
	if path == "none" {
		path = ""
	}
	return trustlist.LoadState(path)
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

// verifyWith verifies one document with an engine (the module or the
// native verifier), fetching the status list it refers to when none that
// was handed in decided its status, and verifying it again with that list.
func (tf *trustFlags) verifyWith(ctx context.Context, eng engine, doc []byte, opts verifier.Options) []byte {
	if tf.refused != nil {
		return verifier.TrustErrorReport(tf.refused, opts.Time).AppendJSON(nil)
	}
	opts.AcceptStaleTrustUnsafe = tf.acceptStale
	opts.StatusLists = append(opts.StatusLists[:len(opts.StatusLists):len(opts.StatusLists)], tf.lists...)
	out := eng.verify(ctx, doc, opts)
	if tf.fetch == nil {
		return out
	}
	sum, err := verifier.ReadSummary(out)
	if err != nil || sum.MissingStatusList == nil {
		return out
	}
	uri := sum.MissingStatusList.URI
	list, err := tf.fetch.Get(ctx, uri)
	if err != nil {
		tf.mu.Lock()
		if !tf.warned[uri] {
			tf.warned[uri] = true
			fmt.Fprintf(tf.stderr, "apostille: status list %s: %v\n", uri, err)
		}
		tf.mu.Unlock()
		return out
	}
	opts.StatusLists = append(opts.StatusLists, list)
	return eng.verify(ctx, doc, opts)
}

// writeTrustText says in text output which trust decided and what the
// status list said.
func writeTrustText(w *bufio.Writer, rep *verifier.Report) {
	if t := rep.Trust; t != nil && t.Signed {
		fmt.Fprintf(w, "  trust:     %s, sequence %d, signed by %s, %s old", t.Operator, t.Sequence, t.OperatorKey, age(t.AgeSeconds))
		if t.StaleAcceptedUnsafe {
			w.WriteString(", STALE (accepted unsafe)")
		}
		w.WriteByte('\n')
	}
	for _, c := range rep.Checks {
		if c.Check != verifier.CheckRevocation {
			continue
		}
		switch {
		case c.Status == verifier.Passed:
			fmt.Fprintf(w, "  status:    %s\n", c.Detail)
		case c.Reason == verifier.Revoked:
			fmt.Fprintf(w, "  status:    REVOKED — %s\n", c.Detail)
		default:
			fmt.Fprintf(w, "  status:    unknown — %s\n", c.Detail)
		}
	}
}

func age(sec int64) string {
	d := time.Duration(sec) * time.Second
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
