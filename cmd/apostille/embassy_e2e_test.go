package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/tlog"
	"github.com/apostille/apostille/verifier"
)

// buildBinary builds bin/apostille for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "apostille")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs the binary and returns its standard output; it fails the test
// unless the exit code is want.
func runBin(t *testing.T, bin string, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("apostille %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, stderr.String())
	}
	return string(out)
}

// embassyProc is a running `apostille embassy`.
type embassyProc struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	out  []string
	done chan struct{}
}

func startEmbassy(t *testing.T, bin string, args ...string) *embassyProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"embassy", "--listen", "127.0.0.1:0", "--interval", "0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &embassyProc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, " listening on "); i >= 0 {
				addr <- line[i+len(" listening on "):]
			}
			p.mu.Lock()
			p.out = append(p.out, line)
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() { p.stop() })
	select {
	case p.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("the embassy did not start")
	}
	return p
}

func (p *embassyProc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
	}
	p.cmd.Wait()
}

// events returns the embassy's event lines that contain all of the words.
func (p *embassyProc) events(words ...string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, l := range p.out {
		ok := strings.HasPrefix(l, "event=")
		for _, w := range words {
			ok = ok && strings.Contains(l, w)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// e2eDoc writes a JWS signed by the test issuer and returns its path.
func e2eDoc(t *testing.T, dir string, n int) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(sha256Sum("e2e issuer"))
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"e2e-1","typ":"JWT"}`))
	pl := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"iss":"e2e","document_number":"E2E-%d"}`, n)))
	sig := base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(hdr+"."+pl)))
	p := filepath.Join(dir, fmt.Sprintf("doc-%d.jwt", n))
	if err := os.WriteFile(p, []byte(hdr+"."+pl+"."+sig), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// verifyDoc runs `apostille verify` on one document and returns its report.
func verifyDoc(t *testing.T, bin, trust, doc string, wantExit int) verifier.Report {
	t.Helper()
	out := runBin(t, bin, wantExit, "verify", "--trust", trust, "--format", "jsonl", doc)
	var rec struct{ Report verifier.Report }
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	return rec.Report
}

// TestEmbassyEndToEnd runs the issuer's log and an embassy as real
// processes on 127.0.0.1: appends are cosigned and verify naming the
// embassy; the embassy restarts from its state; a fork is refused and its
// proof does not verify; with the embassy down, proofs miss the quorum.
func TestEmbassyEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	logDir, state, docs := filepath.Join(dir, "log"), filepath.Join(dir, "embassy"), filepath.Join(dir, "docs")
	os.MkdirAll(docs, 0o755)
	origin := "log.e2e.example/documents"
	logVKey := strings.TrimSpace(runBin(t, bin, 0, "keys", "generate", "--kind", "log", "--name", origin, "--out", filepath.Join(dir, "log.key")))
	embVKey := strings.TrimSpace(runBin(t, bin, 0, "keys", "generate", "--kind", "embassy", "--name", "embassy.e2e.example/lu", "--out", filepath.Join(dir, "embassy.key")))

	pub := ed25519.NewKeyFromSeed(sha256Sum("e2e issuer")).Public().(ed25519.PublicKey)
	bundle := verifier.Bundle{TrustBundle: verifier.TrustBundleVersion,
		Issuers: []verifier.BundleIssuer{{ID: "e2e", Name: "E2E Register", Country: "EE",
			Keys:        []verifier.BundleKey{{JWK: verifier.JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: "e2e-1", Alg: "EdDSA"}}},
			Attestation: &verifier.BundleAttestation{Policy: fmt.Sprintf("log %s\nwitness lu %s\nquorum lu\n", logVKey, embVKey), Required: true}}},
		Embassies: []verifier.BundleEmbassy{{Name: "E2E data embassy", Country: "LU", Key: embVKey}},
	}
	trust := filepath.Join(dir, "trust.json")
	js, _ := json.Marshal(bundle)
	os.WriteFile(trust, js, 0o644)

	embassyArgs := []string{"--key", filepath.Join(dir, "embassy.key"), "--state", state, "--log", logVKey + " " + logDir}
	emb := startEmbassy(t, bin, embassyArgs...)
	policy := func(addr string) string {
		p := filepath.Join(dir, "witness-policy-"+strings.ReplaceAll(addr, ":", "_"))
		os.WriteFile(p, []byte(fmt.Sprintf("log %s\nwitness lu %s http://%s\nquorum lu\n", logVKey, embVKey, addr)), 0o644)
		return p
	}
	appendDocs := func(addr string, extra []string, logd string, paths ...string) {
		args := append([]string{"log", "append", "--key", filepath.Join(dir, "log.key"), "--witness-policy", policy(addr), "--witness-timeout", "20s"}, extra...)
		runBin(t, bin, 0, append(append(args, logd), paths...)...)
	}

	// The issuer appends; the embassy mirrors and cosigns; the proofs
	// written next to the documents verify and name the embassy.
	d1, d2 := e2eDoc(t, docs, 1), e2eDoc(t, docs, 2)
	appendDocs(emb.addr, nil, logDir, d1, d2)
	for i, d := range []string{d1, d2} {
		rep := verifyDoc(t, bin, trust, d, exitOK)
		if rep.Verdict != verifier.Valid || len(rep.Attestations) != 1 || rep.Attestations[0].Embassy != "E2E data embassy" ||
			rep.Attestations[0].Index != uint64(i) || rep.Attestations[0].Origin != origin {
			t.Fatalf("%s: %s/%s %+v", d, rep.Verdict, rep.Reason, rep.Attestations)
		}
	}
	if len(emb.events("event=cosigned", "size=2")) == 0 {
		t.Fatalf("no cosigned event for size 2: %v", emb.events())
	}

	// Restart: the embassy comes back with what it persisted.
	emb.stop()
	emb = startEmbassy(t, bin, embassyArgs...)
	r, err := http.Get("http://" + emb.addr + "/" + tlog.OriginHash(origin) + "/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.HasPrefix(string(served), origin+"\n2\n") || !strings.Contains(string(served), "— embassy.e2e.example/lu ") {
		t.Fatalf("after restart the embassy serves %d %q", r.StatusCode, served)
	}
	d3 := e2eDoc(t, docs, 3)
	appendDocs(emb.addr, nil, logDir, d3)
	if rep := verifyDoc(t, bin, trust, d3, exitOK); rep.Verdict != verifier.Valid || len(rep.Attestations) != 1 || rep.Attestations[0].TreeSize != 3 {
		t.Fatalf("after restart: %s/%s %+v", rep.Verdict, rep.Reason, rep.Attestations)
	}

	// The fork: a copy of the log at size 3 grows differently; the embassy
	// has cosigned the real size 4 and refuses the fork's size 4.
	forkDir := filepath.Join(dir, "fork")
	copyTree(t, logDir, forkDir)
	appendDocs(emb.addr, nil, logDir, e2eDoc(t, docs, 4))
	forkDoc := e2eDoc(t, docs, 666)
	appendDocs(emb.addr, []string{"--fail-open", "--witness-timeout", "5s"}, forkDir, forkDoc)
	if len(emb.events("event=refused", "reason=fork", "size=4")) == 0 {
		t.Fatalf("the embassy did not refuse the fork: %v", emb.events())
	}
	rep := verifyDoc(t, bin, trust, forkDoc, exitInvalid)
	if rep.Verdict != verifier.Indeterminate || rep.Reason != verifier.QuorumNotMet || len(rep.Attestations) != 0 {
		t.Fatalf("proof from the fork: %s/%s", rep.Verdict, rep.Reason)
	}

	// The embassy is unreachable: the log publishes (fail-open) and its
	// proofs miss the quorum.
	dead := emb.addr
	emb.stop()
	d5 := e2eDoc(t, docs, 5)
	appendDocs(dead, []string{"--fail-open", "--witness-timeout", "3s"}, logDir, d5)
	rep = verifyDoc(t, bin, trust, d5, exitInvalid)
	if rep.Verdict != verifier.Indeterminate || rep.Reason != verifier.QuorumNotMet {
		t.Fatalf("embassy down: %s/%s", rep.Verdict, rep.Reason)
	}
	// A document logged before still verifies offline, embassy down.
	if rep := verifyDoc(t, bin, trust, d1, exitOK); rep.Verdict != verifier.Valid {
		t.Fatalf("offline: %s/%s", rep.Verdict, rep.Reason)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestEmbassyFollowBusyLog: an embassy that follows a log every second
// while the log keeps appending (and pushing each checkpoint to it) reads,
// now and then, a checkpoint older than the one it has just cosigned. That
// is the log's publication lagging its push, not a rollback: no rollback
// event, and every append is cosigned.
func TestEmbassyFollowBusyLog(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	logDir, state, docs := filepath.Join(dir, "log"), filepath.Join(dir, "embassy"), filepath.Join(dir, "docs")
	os.MkdirAll(docs, 0o755)
	origin := "log.busy.example/documents"
	logVKey := strings.TrimSpace(runBin(t, bin, 0, "keys", "generate", "--kind", "log", "--name", origin, "--out", filepath.Join(dir, "log.key")))
	embVKey := strings.TrimSpace(runBin(t, bin, 0, "keys", "generate", "--kind", "embassy", "--name", "embassy.busy.example/lu", "--out", filepath.Join(dir, "embassy.key")))
	runBin(t, bin, 0, "log", "init", "--key", filepath.Join(dir, "log.key"), logDir)
	emb := startEmbassy(t, bin, "--key", filepath.Join(dir, "embassy.key"), "--state", state, "--log", logVKey+" "+logDir, "--interval", "1s")
	policy := filepath.Join(dir, "policy")
	os.WriteFile(policy, []byte(fmt.Sprintf("log %s\nwitness lu %s http://%s\nquorum lu\n", logVKey, embVKey, emb.addr)), 0o644)
	const appends = 12
	for i := 0; i < appends; i++ {
		runBin(t, bin, 0, "log", "append", "--key", filepath.Join(dir, "log.key"), "--witness-policy", policy, "--witness-timeout", "20s", logDir, e2eDoc(t, docs, i))
	}
	// Two more polls of the final state.
	deadline := time.Now().Add(30 * time.Second)
	for len(emb.events("event=cosigned", fmt.Sprintf("size=%d", appends))) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2100 * time.Millisecond)
	if ev := emb.events("event=refused"); len(ev) > 0 {
		t.Fatalf("refusals while following a busy log: %v", ev)
	}
	if len(emb.events("event=cosigned", fmt.Sprintf("size=%d", appends))) == 0 {
		t.Fatalf("size %d never cosigned: %v", appends, emb.events())
	}
}
