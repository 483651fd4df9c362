package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// world is the demo world every test verifies: its trust, its documents and
// what each must decide.
var world struct {
	dir   string
	trust []byte
	man   demo.Manifest
	docs  map[string][]byte // by file name, e.g. "ee-birth-certificate.jwt"
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apostille-server-test-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if _, err := demo.Build(dir, ""); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		world.dir = dir
		world.trust, _ = os.ReadFile(filepath.Join(dir, "trust.json"))
		b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err := json.Unmarshal(b, &world.man); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		world.docs = map[string][]byte{}
		for _, s := range world.man.Samples {
			d, err := os.ReadFile(filepath.Join(dir, s.File))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			world.docs[filepath.Base(s.File)] = d
		}
		return m.Run()
	}()
	os.Exit(code)
}

// good is the demo document the tests use where any valid one will do (it
// needs no detached proof), and goodIssuer the issuer that signed it.
const (
	good       = "lu-residence-attestation.cwt"
	goodIssuer = "lu-ctie"
)

// b64 is a byte value for a JSON request.
func b64(b []byte) string { return "base64:" + base64.StdEncoding.EncodeToString(b) }

// sampleRequest is the JSON request for a demo sample: its document with
// its detached proof and payload, if it has them.
func sampleRequest(t testing.TB, s demo.Sample) []byte {
	t.Helper()
	req := map[string]any{"document": b64(doc(filepath.Base(s.File)))}
	for member, file := range map[string]string{"proof": s.Proof, "payload": s.Payload} {
		if file == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(world.dir, file))
		if err != nil {
			t.Fatal(err)
		}
		req[member] = b64(b)
	}
	b, _ := json.Marshal(req)
	return b
}

func doc(name string) []byte {
	d, ok := world.docs[name]
	if !ok {
		panic("no demo document " + name)
	}
	return d
}

// trustSet parses bundle JSON into a trust, as engine.Loader does for an
// unsigned bundle.
func trustSet(t testing.TB, name string, data []byte) *engine.Trust {
	t.Helper()
	tr, err := verifier.ParseTrust(name, data)
	if err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(data))
	return &engine.Trust{Parsed: tr, Sources: []host.TrustSource{{Name: name, Data: data}}, Fingerprint: "sha256:" + sum}
}

// logBuffer collects the service's JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns every log line decoded.
func (l *logBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ln := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if ln == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ln), &m); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		out = append(out, m)
	}
	return out
}

// running is a server under test, serving on 127.0.0.1 at a random port.
type running struct {
	*Server
	url  string
	logs *logBuffer
	stop func() error // ends Serve as SIGTERM would and returns its error
}

// start serves cfg on 127.0.0.1:0 with the real Serve and waits until the
// first trust is loaded. LoadTrust and NewEngine default to the demo trust
// and the native engine.
func start(t testing.TB, cfg Config, o ServeOptions) *running {
	t.Helper()
	if cfg.LoadTrust == nil {
		ts := trustSet(t, "trust.json", world.trust)
		cfg.LoadTrust = func(context.Context) (*engine.Trust, error) { return ts, nil }
	}
	if cfg.NewEngine == nil {
		cfg.NewEngine = func(_ context.Context, t *engine.Trust) (engine.Engine, error) {
			return engine.Native{Trust: t.Parsed}, nil
		}
	}
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	if o.Ready == nil {
		o.Ready = func() { close(ready) }
	} else {
		close(ready)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, o) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Serve ended before it was ready: %v", err)
	}
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() { stop() })
	return &running{Server: s, url: "http://" + ln.Addr().String(), logs: logs, stop: stop}
}

// post sends body to path and returns the status, the headers and the body.
func post(t testing.TB, url, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func get(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// decision is what a test reads of a report.
type decision struct {
	Verdict  verifier.Verdict `json:"verdict"`
	Reason   verifier.Reason  `json:"reason"`
	Document *struct {
		Format string `json:"format"`
	} `json:"document"`
}

func decide(t testing.TB, rep []byte) decision {
	t.Helper()
	var d decision
	if err := json.Unmarshal(rep, &d); err != nil {
		t.Fatalf("not a report: %v: %.200s", err, rep)
	}
	if d.Verdict == "" {
		t.Fatalf("report without verdict: %.200s", rep)
	}
	return d
}

// waitFor polls cond until it holds. It bounds a wait for something that
// must happen (a handler finishing after its client left), not a speed.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settled waits until every request the service took on has ended (a
// request is counted just after its answer is written, so a client can
// read the answer first) and returns the tally.
func settled(t testing.TB, srv *running) Tally {
	t.Helper()
	waitFor(t, "every request taken on to end", func() bool {
		n := srv.Tally()
		return n.Accepted == n.Answered+n.Abandoned
	})
	return srv.Tally()
}
