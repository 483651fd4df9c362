package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/statusfetch"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
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
	warned  map[string]bool
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

// isSignedBundle tells a signed bundle (a compact JWS) from the JSON and
// certificates --trust also takes.
func isSignedBundle(data []byte) bool {
	t := bytes.TrimSpace(data)
	return bytes.HasPrefix(t, []byte("eyJ")) && bytes.Count(t, []byte{'.'}) == 2
}

// load reads every --trust source. Signed bundles are opened with the pinned
// keys and the state; one that is refused is remembered (and said on
// stderr) so that every document reports why. Other errors are usage or I/O
// errors.
func (tf *trustFlags) load(paths []string, stderr io.Writer) (*verifier.Trust, error) {
	tf.stderr = stderr
	keys, err := readOperatorKeys(tf.keys)
	if err != nil {
		return nil, err
	}
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
		if !isSignedBundle(data) {
			one, _, err := loadTrust([]string{p})
			if err != nil {
				return nil, err
			}
			t.Add(one)
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

func readOperatorKeys(paths []string) ([]*verifier.OperatorKey, error) {
	var keys []*verifier.OperatorKey
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		k, err := verifier.ParseOperatorKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
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

// verify verifies one document, fetching the status list it refers to when
// none that was handed in decided its status.
func (tf *trustFlags) verify(doc []byte, opts verifier.Options) *verifier.Report {
	if tf.refused != nil {
		return verifier.TrustErrorReport(tf.refused, opts.Time)
	}
	opts.AcceptStaleTrustUnsafe = tf.acceptStale
	opts.StatusLists = append(opts.StatusLists, tf.lists...)
	rep := verifier.Verify(doc, opts)
	uri, ok := verifier.StatusReference(rep)
	if !ok || tf.fetch == nil || !statusUnknown(rep) {
		return rep
	}
	list, err := tf.fetch.Get(context.Background(), uri)
	if err != nil {
		if !tf.warned[uri] {
			tf.warned[uri] = true
			fmt.Fprintf(tf.stderr, "apostille: status list %s: %v\n", uri, err)
		}
		return rep
	}
	opts.StatusLists = append(opts.StatusLists, list)
	return verifier.Verify(doc, opts)
}

func statusUnknown(rep *verifier.Report) bool {
	for _, c := range rep.Checks {
		if c.Check == verifier.CheckRevocation && c.Reason == verifier.StatusUnknown {
			return true
		}
	}
	return false
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
