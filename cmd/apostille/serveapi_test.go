package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// servedBinary is `apostille serve` running as a process.
type servedBinary struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	exited chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveBinary starts `apostille serve` on 127.0.0.1 at a free port and waits
// until it is ready.
func serveBinary(t *testing.T, bin string, args ...string) *servedBinary {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--cache-dir", cacheDir}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &servedBinary{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	_, url, ok := strings.Cut(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("no address on stdout (%q, %v); stderr:\n%s", line, err, p.stderr)
	}
	p.url = strings.TrimSuffix(url, "/")
	waitUntil(t, "ready", func() bool {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	// The binary verifies with the module it embeds (wasm/module, committed),
	// whatever built it.
	want := "wasm"
	waitUntil(t, "the trust's log line", func() bool { return len(p.logLines(t, "trust loaded")) > 0 })
	if loaded := p.logLines(t, "trust loaded"); len(loaded) != 1 || loaded[0]["engine"] != want {
		t.Fatalf("trust loaded with engine %v, want %s", loaded, want)
	}
	return p
}

// waitUntil polls cond until it holds: a wait for something that must
// happen, not a measure of speed.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logLines returns the process's JSON log lines with this message.
func (p *servedBinary) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stderr line is not JSON: %q", l)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func (p *servedBinary) verify(t *testing.T, doc []byte) (int, verifier.Verdict, verifier.Reason) {
	t.Helper()
	resp, err := http.Post(p.url+"/v1/verify", "application/octet-stream", bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r verifier.Report
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r.Verdict, r.Reason
}

func (p *servedBinary) trustSequence(t *testing.T) uint64 {
	t.Helper()
	resp, err := http.Get(p.url + "/v1/trust")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Bundle  verifier.TrustInfo `json:"bundle"`
		Sources []struct {
			Signed bool `json:"signed"`
		} `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Sources) != 1 || !v.Sources[0].Signed || !v.Bundle.Signed {
		t.Fatalf("trust view: %+v", v)
	}
	return v.Bundle.Sequence
}

// TestServeSignedTrustReload runs the binary with a signed bundle and a
// pinned operator key: documents verify; SIGHUP loads a newer bundle; a
// rolled-back bundle is refused on reload and the newer one stays in use;
// SIGTERM stops it with exit status 0.
func TestServeSignedTrustReload(t *testing.T) {
	bin := buildBinary(t)
	w := newCLIWorld(t)
	trust := w.write("trust.jws", w.signedBundle(1))
	doc := w.document(nil)
	p := serveBinary(t, bin, "--trust", trust, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", "none", "--reload-every", "0")

	if code, v, r := p.verify(t, doc); code != 200 || v != verifier.Valid {
		t.Fatalf("verify: %d %s/%s", code, v, r)
	}
	if seq := p.trustSequence(t); seq != 1 {
		t.Fatalf("sequence %d", seq)
	}
	w.write("trust.jws", w.signedBundle(2))
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitUntil(t, "sequence 2 in use", func() bool { return p.trustSequence(t) == 2 })

	w.write("trust.jws", w.signedBundle(1)) // a rollback
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitUntil(t, "the rollback refused", func() bool { return len(p.logLines(t, "trust reload failed; the current trust stays in use")) == 1 })
	if seq := p.trustSequence(t); seq != 2 {
		t.Errorf("after a rollback: sequence %d", seq)
	}
	if code, v, r := p.verify(t, doc); code != 200 || v != verifier.Valid {
		t.Errorf("after a rollback: %d %s/%s", code, v, r)
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.exited; err != nil {
		t.Fatalf("exit: %v\n%s", err, p.stderr)
	}
	p.exited <- nil // for the cleanup
	if len(p.logLines(t, "stopped")) != 1 {
		t.Errorf("no stop line:\n%s", p.stderr)
	}
}

// TestServeSIGTERMUnderLoad: clients verify without pause and the process
// gets SIGTERM. Every request it accepted is answered in full (the count it
// logs equals the reports the clients received); what arrives after is
// refused (503) or finds the port closed; the process exits 0.
func TestServeSIGTERMUnderLoad(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	if _, err := demo.Build(dir, ""); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(dir, "documents", "lu-residence-attestation.cwt"))
	if err != nil {
		t.Fatal(err)
	}
	const clients = 16
	p := serveBinary(t, bin, "--trust", filepath.Join(dir, "trust.json"), "--trust-state", "none",
		"--instances", "2", "--queue", "32", "--queue-timeout", "30s")

	var reports, refused, truncated atomic.Int64
	var started sync.WaitGroup
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}}
			for i := 0; ; i++ {
				if i == 20 {
					started.Done()
				}
				resp, err := client.Post(p.url+"/v1/verify", "application/octet-stream", bytes.NewReader(doc))
				if err != nil {
					if i < 20 {
						started.Done()
					}
					return // the server is gone: this request was never accepted
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					truncated.Add(1)
				case resp.StatusCode == 200:
					var r verifier.Report
					if json.Unmarshal(body, &r) != nil || r.Verdict != verifier.Valid {
						truncated.Add(1)
					} else {
						reports.Add(1)
					}
				case resp.StatusCode == 503:
					refused.Add(1)
				default:
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		}()
	}
	started.Wait() // every client is in its loop
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := <-p.exited; err != nil {
		t.Fatalf("exit: %v\n%s", err, p.stderr)
	}
	p.exited <- nil

	stops := p.logLines(t, "stopped")
	if len(stops) != 1 {
		t.Fatalf("stop lines: %v", stops)
	}
	s := stops[0]
	t.Logf("clients: %d reports, %d refused after SIGTERM; server: %v", reports.Load(), refused.Load(), s)
	if truncated.Load() != 0 {
		t.Errorf("%d answers cut short", truncated.Load())
	}
	if s["accepted"] != float64(reports.Load()) || s["answered"] != s["accepted"] || s["abandoned"] != float64(0) {
		t.Errorf("accepted %v, answered %v, abandoned %v; clients received %d reports", s["accepted"], s["answered"], s["abandoned"], reports.Load())
	}
	if reports.Load() < clients*20 {
		t.Errorf("only %d reports", reports.Load())
	}
}

// TestServeUsage: flags that cannot work are usage errors (exit 2), found
// before serving or at the first trust load; no --trust is not one (every
// issuer is then unknown).
func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "--log-level", "loud"},
		{"serve", "--addr", "127.0.0.1:0", "--engine", "quantum"},
		{"serve", "--addr", "127.0.0.1:0", "--trust", filepath.Join(dir, "missing.json")},
		{"serve", "--addr", "127.0.0.1:0", "--trust-key", filepath.Join(dir, "missing.jwk")},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, errb.String())
		}
	}
}

// TestServeWithoutTrust: with no --trust the service runs and every
// document's issuer is unknown.
func TestServeWithoutTrust(t *testing.T) {
	p := serveBinary(t, buildBinary(t), "--trust-state", "none")
	w := newCLIWorld(t)
	if code, v, r := p.verify(t, w.document(nil)); code != 200 || v != verifier.Indeterminate || r != verifier.IssuerUnknown {
		t.Errorf("%d %s/%s", code, v, r)
	}
	if len(p.logLines(t, "no --trust given: every issuer is unknown, no document is valid")) != 1 {
		t.Errorf("no warning:\n%s", p.stderr)
	}
}

// TestServePageAndAPI: with a built site the page and the API share the
// address: the page at "/" with its security headers, the API next to it.
func TestServePageAndAPI(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Build(dir, ""); err != nil {
		t.Fatal(err)
	}
	p := serveBinary(t, buildBinary(t), "--site", testSite(t), "--trust", filepath.Join(dir, "trust.json"), "--trust-state", "none")
	resp, err := http.Get(p.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(string(page), "<title>") {
		t.Errorf("the page: %d %q %.100s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
	doc, _ := os.ReadFile(filepath.Join(dir, "documents", "lu-residence-attestation.cwt"))
	if code, v, r := p.verify(t, doc); code != 200 || v != verifier.Valid {
		t.Errorf("the API: %d %s/%s", code, v, r)
	}
	for _, path := range []string{"/readyz", "/metrics", "/openapi.json", "/v1/trust"} {
		resp, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

// TestServeStartsFromKeptTrust: a service restarted with a --trust that
// cannot be used (garbage from a bad update) starts from the last good
// trust it kept beside its state, says so (/readyz, the metric, the log)
// and verifies with it; without a kept trust it exits 2.
func TestServeStartsFromKeptTrust(t *testing.T) {
	bin := buildBinary(t)
	w := newCLIWorld(t)
	trust := w.write("trust.jws", w.signedBundle(1))
	doc := w.document(nil)
	state := filepath.Join(t.TempDir(), "state", "trust-state.json")
	args := []string{"--trust", trust, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", state, "--reload-every", "0", "--site", ""}
	p := serveBinary(t, bin, args...)
	if code, v, _ := p.verify(t, doc); code != 200 || v != verifier.Valid {
		t.Fatalf("verify: %d %s", code, v)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.exited; err != nil {
		t.Fatalf("exit: %v", err)
	}
	p.exited <- nil

	w.write("trust.jws", []byte("this is not a trust bundle\n"))
	p = serveBinary(t, bin, args...) // waits for /readyz
	code, body := httpGet(t, p.url+"/readyz")
	if code != 200 || !strings.Contains(body, "last good trust") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if _, m := httpGet(t, p.url+"/metrics"); !strings.Contains(m, "\napostille_trust_kept 1\n") {
		t.Error("apostille_trust_kept is not 1")
	}
	if len(p.logLines(t, "the trust given cannot be used; serving the last good trust kept")) != 1 {
		t.Errorf("no log line for the kept trust:\n%s", p.stderr)
	}
	if code, v, r := p.verify(t, doc); code != 200 || v != verifier.Valid {
		t.Fatalf("verify with the kept trust: %d %s/%s", code, v, r)
	}
	if seq := p.trustSequence(t); seq != 1 {
		t.Errorf("sequence %d", seq)
	}

	// Nothing kept: exit 2.
	fresh := filepath.Join(t.TempDir(), "trust-state.json")
	runBin(t, bin, exitUsage, "serve", "--addr", "127.0.0.1:0", "--cache-dir", cacheDir, "--trust", trust, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", fresh, "--site", "")
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
