package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// TestGracefulStop: requests in flight when the service is told to stop
// are answered in full; /readyz fails from that moment; Serve returns once
// they are, and says how many it accepted and answered.
func TestGracefulStop(t *testing.T) {
	started := make(chan struct{}, 8)
	gate := &gate{c: make(chan struct{})}
	es := &engines{make: func(e *testEngine) { e.gate, e.started = gate.c, started }}
	srv := start(t, Config{NewEngine: es.new, Instances: 3}, ServeOptions{})
	t.Cleanup(gate.open) // after start: it runs before the server stops

	codes := make(chan int, 4)
	for i := 0; i < 3; i++ {
		go func() {
			resp, err := http.Post(srv.url+"/v1/verify", "text/plain", bytes.NewReader(doc(good)))
			if err != nil {
				codes <- -1
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && decide(t, b).Verdict != verifier.Valid {
				codes <- -2
				return
			}
			codes <- resp.StatusCode
		}()
	}
	for i := 0; i < 3; i++ {
		<-started
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	waitFor(t, "draining", func() bool { ok, _ := srv.ready(); return !ok })
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned with requests in flight: %v", err)
	default:
	}
	gate.open()
	for i := 0; i < 3; i++ {
		if c := <-codes; c != 200 {
			t.Errorf("a request in flight at stop: %d", c)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.url + "/livez"); err == nil {
		t.Error("still listening after Serve returned")
	}
	var last map[string]any
	for _, l := range srv.logs.lines(t) {
		if l["msg"] == "stopped" {
			last = l
		}
	}
	if last == nil || last["accepted"] != float64(3) || last["answered"] != float64(3) || last["abandoned"] != float64(0) {
		t.Errorf("stop log: %v", last)
	}
	waitFor(t, "the engine closed after its last request", func() bool { return es.get(0).closed.Load() })
	if es.get(0).late.Load() {
		t.Error("the engine was closed under a running verification")
	}
}

// TestNotReadyUntilTrust: while the first trust loads (the module
// compiles), /livez answers, /readyz fails, and verification requests get
// 503 with Retry-After; then everything is served.
func TestNotReadyUntilTrust(t *testing.T) {
	release := make(chan struct{})
	ts := trustSet(t, "trust.json", world.trust)
	load := func(ctx context.Context) (*engine.Trust, error) {
		<-release
		return ts, nil
	}
	ready := make(chan struct{})
	srv := start(t, Config{LoadTrust: load}, ServeOptions{Ready: func() { close(ready) }})
	if code, _ := get(t, srv.url+"/livez"); code != 200 {
		t.Errorf("livez %d", code)
	}
	if code, body := get(t, srv.url+"/readyz"); code != 503 {
		t.Errorf("readyz before trust: %d %s", code, body)
	}
	for _, path := range []string{"/v1/verify", "/v1/verify/batch"} {
		code, hdr, _ := post(t, srv.url+path, "text/plain", doc(good))
		if code != 503 || hdr.Get("Retry-After") == "" {
			t.Errorf("%s before trust: %d", path, code)
		}
	}
	if code, _ := get(t, srv.url+"/v1/trust"); code != 503 {
		t.Errorf("trust before load: %d", code)
	}
	close(release)
	<-ready
	if code, _ := get(t, srv.url+"/readyz"); code != 200 {
		t.Errorf("readyz after trust: %d", code)
	}
	if code, _, _ := post(t, srv.url+"/v1/verify", "text/plain", doc(good)); code != 200 {
		t.Errorf("verify after trust: %d", code)
	}
}

// TestTrustUnloadable: a trust that cannot be read at all ends Serve with
// the error (a usage error for the command), rather than serving nothing.
func TestTrustUnloadable(t *testing.T) {
	s, err := New(Config{
		LoadTrust: func(context.Context) (*engine.Trust, error) { return nil, fs.ErrNotExist },
		NewEngine: func(context.Context, *engine.Trust) (engine.Engine, error) { return engine.Native{}, nil },
		Logger:    slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background(), ln, ServeOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Serve: %v", err)
	}
}

// TestTrustRefusedAtStart: a signed bundle refused at start (tampered,
// rolled back) leaves the service up but not ready, and every document is
// answered with the refusal's reason.
func TestTrustRefusedAtStart(t *testing.T) {
	ts := trustSet(t, "trust.json", world.trust)
	ts.Refused = &verifier.BundleError{Reason: verifier.TrustRollback, Detail: "sequence 1 is older than the accepted 2"}
	srv := start(t, Config{LoadTrust: func(context.Context) (*engine.Trust, error) { return ts, nil }}, ServeOptions{})
	if code, body := get(t, srv.url+"/readyz"); code != 503 || !strings.Contains(string(body), "refused") {
		t.Errorf("readyz: %d %s", code, body)
	}
	_, body := get(t, srv.url+"/v1/trust")
	var v trustView
	json.Unmarshal(body, &v)
	if v.Refused == nil || v.Refused.Reason != verifier.TrustRollback {
		t.Errorf("trust view: %s", body)
	}
	// Verification still answers: a client that reaches this replica
	// learns why nothing verifies.
	code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
	if got := decide(t, rep); code != 200 || got.Reason != verifier.TrustRollback || got.Verdict != verifier.TrustRollback.Verdict() {
		t.Errorf("a document under refused trust: %d %+v", code, got)
	}
}

// swapTrust is a LoadTrust whose answer a test changes.
type swapTrust struct {
	mu    sync.Mutex
	set   *engine.Trust
	err   error
	calls atomic.Int64
}

func (s *swapTrust) load(context.Context) (*engine.Trust, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set, s.err
}

func (s *swapTrust) put(set *engine.Trust, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set, s.err = set, err
}

// withoutIssuer is the demo trust without one issuer.
func withoutIssuer(t testing.TB, id string) *engine.Trust {
	var b verifier.Bundle
	if err := json.Unmarshal(world.trust, &b); err != nil {
		t.Fatal(err)
	}
	var keep []verifier.BundleIssuer
	for _, is := range b.Issuers {
		if is.ID != id {
			keep = append(keep, is)
		}
	}
	b.Issuers = keep
	data, _ := json.Marshal(b)
	return trustSet(t, "trust.json", data)
}

// TestReloadUnderLoad: trust reloaded (SIGHUP) while clients verify
// without pause: every request is answered, each client sees the old trust
// and then the new one, never back, and the old engine is closed only
// after its last verification.
func TestReloadUnderLoad(t *testing.T) {
	st := &swapTrust{}
	st.put(trustSet(t, "trust.json", world.trust), nil)
	es := &engines{}
	reload := make(chan struct{})
	srv := start(t, Config{LoadTrust: st.load, NewEngine: es.new}, ServeOptions{Reload: reload})
	d := doc(good)

	var swapped atomic.Bool
	var wg sync.WaitGroup
	var total atomic.Int64
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sawNew := false
			for i := 0; ; i++ {
				if swapped.Load() && i > 400 {
					return
				}
				code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", d)
				if code != 200 {
					t.Errorf("status %d during reload", code)
					return
				}
				total.Add(1)
				switch got := decide(t, rep); {
				case got.Verdict == verifier.Valid && !sawNew:
				case got.Reason == verifier.IssuerUnknown:
					sawNew = true
				default:
					t.Errorf("after the new trust was seen: %+v", got)
					return
				}
				if i == 100 && !swapped.Swap(true) {
					st.put(withoutIssuer(t, goodIssuer), nil)
					reload <- struct{}{}
				}
			}
		}()
	}
	wg.Wait()
	if es.count() != 2 {
		t.Fatalf("%d engines, want 2", es.count())
	}
	old := es.get(0)
	waitFor(t, "the old engine closed", func() bool { return old.closed.Load() })
	if old.late.Load() {
		t.Error("the old engine verified after, or was closed during, a verification")
	}
	if n := settled(t, srv); n.Abandoned != 0 || n.Accepted != total.Load() {
		t.Errorf("%+v, clients got %d", n, total.Load())
	}
}

// TestReloadInterval: on the interval, a trust whose inputs have not
// changed keeps its engine; a changed one is swapped in.
func TestReloadInterval(t *testing.T) {
	st := &swapTrust{}
	st.put(trustSet(t, "trust.json", world.trust), nil)
	es := &engines{}
	srv := start(t, Config{LoadTrust: st.load, NewEngine: es.new}, ServeOptions{ReloadEvery: 5 * time.Millisecond})
	waitFor(t, "a few reloads", func() bool { return st.calls.Load() > 5 })
	if n := es.count(); n != 1 {
		t.Fatalf("%d engines for an unchanged trust", n)
	}
	if v := testutil.ToFloat64(srv.met.reloads.WithLabelValues("unchanged")); v < 4 {
		t.Errorf("unchanged reloads counted: %v", v)
	}
	next := withoutIssuer(t, goodIssuer)
	st.put(next, nil)
	waitFor(t, "the changed trust swapped in", func() bool { return es.count() == 2 })
	_, body := get(t, srv.url+"/v1/trust")
	var v trustView
	json.Unmarshal(body, &v)
	if v.Fingerprint != next.Fingerprint {
		t.Errorf("fingerprint %s, want %s", v.Fingerprint, next.Fingerprint)
	}
}

// TestReloadFailureKeepsTrust: a reload that cannot read the trust, or
// whose signed bundle is refused, keeps the trust in use: still ready,
// still verifying, the failure counted and logged.
func TestReloadFailureKeepsTrust(t *testing.T) {
	st := &swapTrust{}
	st.put(trustSet(t, "trust.json", world.trust), nil)
	es := &engines{}
	srv := start(t, Config{LoadTrust: st.load, NewEngine: es.new}, ServeOptions{})
	refused := withoutIssuer(t, goodIssuer)
	refused.Refused = &verifier.BundleError{Reason: verifier.TrustInvalid, Detail: "the signature does not verify"}
	for i, bad := range []struct {
		set *engine.Trust
		err error
	}{{nil, errors.New("unreadable")}, {refused, nil}} {
		st.put(bad.set, bad.err)
		if err := srv.Reload(context.Background(), true); err == nil {
			t.Fatalf("case %d: reload succeeded", i)
		}
		if code, _ := get(t, srv.url+"/readyz"); code != 200 {
			t.Errorf("case %d: readyz %d", i, code)
		}
		_, _, rep := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
		if got := decide(t, rep); got.Verdict != verifier.Valid {
			t.Errorf("case %d: %+v", i, got)
		}
	}
	if es.count() != 1 {
		t.Errorf("%d engines", es.count())
	}
	if v := testutil.ToFloat64(srv.met.reloads.WithLabelValues("error")); v != 2 {
		t.Errorf("failed reloads counted: %v", v)
	}
	if n := strings.Count(srv.logs.String(), "trust reload failed"); n != 2 {
		t.Errorf("%d failure log lines", n)
	}
}

// TestSlowClients: a client that sends its headers, a body or a batch
// line too slowly loses its connection or its stream; it holds no
// instance meanwhile.
func TestSlowClients(t *testing.T) {
	srv := start(t, Config{LineTimeout: 100 * time.Millisecond, BodyGrace: 100 * time.Millisecond},
		ServeOptions{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond})
	dial := func(what string) (net.Conn, func() string) {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		return c, func() string {
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			b, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("%s: the server held the connection: %v; read %q", what, err, b)
			}
			return string(b)
		}
	}
	// Headers never finished: the connection is closed.
	c, readAll := dial("headers")
	io.WriteString(c, "POST /v1/verify HTTP/1.1\r\nHost: test\r\n")
	readAll()
	c.Close()

	// A body that stops short: 408, then the connection is closed.
	c, readAll = dial("body")
	io.WriteString(c, "POST /v1/verify HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\neyJhbGci")
	if got := readAll(); !strings.Contains(got, " 408 ") {
		t.Errorf("short body: %.200q", got)
	}
	c.Close()

	// A batch that stalls after one line: that line is answered and the
	// stream ends.
	c, readAll = dial("batch")
	line, _ := json.Marshal(map[string]any{"id": "only", "document": b64(doc(good))})
	fmt.Fprintf(c, "POST /v1/verify/batch HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\n\r\n", len(line)+1, line)
	if got := readAll(); strings.Count(got, `"line":`) != 1 || !strings.Contains(got, `"id":"only"`) {
		t.Errorf("stalled batch: %.300q", got)
	}
	c.Close()
	if srv.lim.busy() != 0 || len(srv.batches) != 0 {
		t.Error("a slow client still holds the service")
	}
}
