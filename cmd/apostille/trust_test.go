package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/statuslist"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
)

var cliIssued = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// cliWorld is an operator, one issuer and files for the CLI.
type cliWorld struct {
	t        *testing.T
	dir      string
	operator *trustlist.Key
	issuer   *ecdsa.PrivateKey
}

func newCLIWorld(t *testing.T) *cliWorld {
	seed := sha256.Sum256([]byte("cli test operator"))
	op, err := trustlist.NewKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("cli test issuer"))
	iss, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	w := &cliWorld{t: t, dir: t.TempDir(), operator: op, issuer: iss}
	pub, _ := op.PublicJWK()
	w.write("operator.pub.jwk", pub)
	return w
}

func (w *cliWorld) path(name string) string { return filepath.Join(w.dir, name) }

func (w *cliWorld) write(name string, data []byte) string {
	w.t.Helper()
	if err := os.WriteFile(w.path(name), data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return w.path(name)
}

func (w *cliWorld) signedBundle(seq uint64) []byte {
	w.t.Helper()
	b := &verifier.Bundle{TrustBundle: verifier.TrustBundleVersion, Operator: "CLI test list", Sequence: seq,
		IssuedAt: cliIssued.Format(time.RFC3339), NextUpdate: cliIssued.AddDate(20, 0, 0).Format(time.RFC3339),
		Issuers: []verifier.BundleIssuer{{ID: "iss", Name: "CLI Issuer", Keys: []verifier.BundleKey{{JWK: importer.PublicJWK(w.issuer.Public(), "iss-1", "ES256")}}}}}
	s, err := trustlist.Sign(b, w.operator, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *cliWorld) document(status map[string]any) []byte {
	w.t.Helper()
	c := map[string]any{"iss": "https://issuer.example", "iat": cliIssued.Unix(), "given_name": "Mari"}
	if status != nil {
		c["status"] = map[string]any{"status_list": status}
	}
	payload, _ := json.Marshal(c)
	tok, err := demo.SignJWS(payload, "ES256", w.issuer, map[string]any{"kid": "iss-1", "typ": "JWT"})
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// tlsServer serves whatever body is set, with an ETag, over HTTPS on
// 127.0.0.1; its self-signed certificate is written for --ca.
type tlsServer struct {
	srv      *httptest.Server
	mu       sync.Mutex
	body     []byte
	requests int
	notMod   int
}

func newTLSServer(t *testing.T, w *cliWorld) (*tlsServer, string) {
	s := &tlsServer{}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests++
		sum := sha256.Sum256(s.body)
		etag := `"` + strings.ToLower(string(rune('a'+sum[0]%26))) + string(rune('a'+sum[1]%26)) + `"`
		if r.Header.Get("If-None-Match") == etag {
			s.notMod++
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("ETag", etag)
		rw.Write(s.body)
	}))
	t.Cleanup(s.srv.Close)
	ca := w.write("server-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw}))
	return s, ca
}

// counts returns the requests served and those answered 304.
func (s *tlsServer) counts() (requests, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.notMod
}

func (s *tlsServer) serve(b []byte) {
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

func TestTrustUpdateOverHTTPS(t *testing.T) {
	w := newCLIWorld(t)
	srv, ca := newTLSServer(t, w)
	out := w.path("trust.jws")
	state := w.path("state.json")
	update := func() (int, string, string) {
		return runCLI("trust", "update", "--url", srv.srv.URL+"/trust.jws", "--trust-key", w.path("operator.pub.jwk"),
			"--out", out, "--trust-state", state, "--ca", ca)
	}
	kept := func() uint64 {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := w.operator.Operator()
		tr, err := verifier.OpenBundle(b, []*verifier.OperatorKey{key})
		if err != nil {
			t.Fatal(err)
		}
		return tr.Info.Sequence
	}

	srv.serve(w.signedBundle(2))
	if code, _, errOut := update(); code != exitOK || kept() != 2 {
		t.Fatalf("first update: exit %d: %s", code, errOut)
	}
	// Unchanged on the server: 304, the kept bundle stands.
	if code, stdout, _ := update(); code != exitOK || !strings.Contains(stdout, "not modified") {
		t.Fatalf("second update: exit %d: %s", code, stdout)
	}
	if _, nm := srv.counts(); nm != 1 {
		t.Fatalf("%d not-modified answers", nm)
	}
	// The server rolls back to sequence 1: refused, sequence 2 kept.
	srv.serve(w.signedBundle(1))
	if code, _, errOut := update(); code != exitInvalid || !strings.Contains(errOut, string(verifier.TrustRollback)) || kept() != 2 {
		t.Fatalf("rollback: exit %d, kept %d: %s", code, kept(), errOut)
	}
	// A bundle with one byte changed: refused, sequence 2 kept.
	bad := w.signedBundle(3)
	bad[len(bad)/2] ^= 0x01
	srv.serve(bad)
	if code, _, errOut := update(); code != exitInvalid || !strings.Contains(errOut, string(verifier.TrustInvalid)) || kept() != 2 {
		t.Fatalf("tampered: exit %d, kept %d: %s", code, kept(), errOut)
	}
	// A newer good one is taken.
	srv.serve(w.signedBundle(3))
	if code, _, errOut := update(); code != exitOK || kept() != 3 {
		t.Fatalf("newer: exit %d: %s", code, errOut)
	}
	// Plain http is never used for trust.
	if code, _, _ := runCLI("trust", "update", "--url", "http://127.0.0.1:1/x", "--trust-key", w.path("operator.pub.jwk"), "--out", out); code != exitUsage {
		t.Fatalf("http URL: exit %d", code)
	}
}

// TestVerifySignedTrustRollback: verify refuses an older bundle than the
// state remembers, with a trust_rollback report for every document.
func TestVerifySignedTrustRollback(t *testing.T) {
	w := newCLIWorld(t)
	doc := w.write("doc.jwt", w.document(nil))
	state := w.path("state.json")
	verify := func(bundle []byte) (int, string, []map[string]any) {
		b := w.write("trust.jws", bundle)
		code, out, errOut := runCLI("verify", "--trust", b, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", state,
			"--offline", "--status-cache", w.path("cache"), "--at", "2026-04-01T00:00:00Z", "--format", "jsonl", doc, doc)
		if strings.TrimSpace(out) == "" {
			return code, errOut, nil
		}
		return code, errOut, jsonlRecords(t, out)
	}
	code, _, reps := verify(w.signedBundle(4))
	if code != exitOK || reps[0]["verdict"] != "valid" || reps[0]["trust"].(map[string]any)["sequence"] != 4.0 {
		t.Fatalf("sequence 4: exit %d %v", code, reps)
	}
	// An older bundle is a trust that cannot be used: exit 2 before any
	// document is read, saying why.
	code, errOut, reps := verify(w.signedBundle(3))
	if code != exitUsage || len(reps) != 0 || !strings.Contains(errOut, string(verifier.TrustRollback)) {
		t.Fatalf("sequence 3 after 4: exit %d %v %s", code, reps, errOut)
	}
	// Without a pinned key a signed bundle is a usage error.
	if code, _, _ := runCLI("verify", "--trust", w.path("trust.jws"), doc); code != exitUsage {
		t.Fatalf("no --trust-key: exit %d", code)
	}
}

// TestVerifyFetchesStatusList: a document's status list is fetched over
// HTTPS, cached, and used offline from the cache afterwards; the text
// output says what it decided.
func TestVerifyFetchesStatusList(t *testing.T) {
	w := newCLIWorld(t)
	srv, ca := newTLSServer(t, w)
	uri := srv.srv.URL + "/statuslists/1"
	l, _ := statuslist.New(1, 64)
	l.Set(9, statuslist.Invalid)
	list, err := statuslist.SignJWT(statuslist.Token{URI: uri, IssuedAt: cliIssued, TTL: time.Hour, Bits: 1, Lst: l.Compressed()}, "ES256", "iss-1", w.issuer)
	if err != nil {
		t.Fatal(err)
	}
	srv.serve(list)
	bundle := w.write("trust.jws", w.signedBundle(1))
	revoked := w.write("revoked.jwt", w.document(map[string]any{"idx": 9, "uri": uri}))
	valid := w.write("valid.jwt", w.document(map[string]any{"idx": 8, "uri": uri}))
	verify := func(extra ...string) (int, string, string) {
		args := append([]string{"verify", "--trust", bundle, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", "none",
			"--status-cache", w.path("cache"), "--ca", ca, "--at", "2026-04-01T00:00:00Z", "--format", "text"}, extra...)
		return runCLI(append(args, revoked, valid)...)
	}
	code, out, errOut := verify()
	if code != exitInvalid || !strings.Contains(out, "revoked.jwt: INVALID (revoked)") || !strings.Contains(out, "valid.jwt: VALID") || !strings.Contains(out, "status:    REVOKED") {
		t.Fatalf("online: exit %d\n%s\n%s", code, out, errOut)
	}
	if n, _ := srv.counts(); n != 1 {
		t.Fatalf("the list was fetched %d times for two documents", n)
	}
	srv.serve(nil) // the server is gone as far as the cache is concerned
	code, out, _ = verify("--offline")
	if n, _ := srv.counts(); code != exitInvalid || !strings.Contains(out, "revoked.jwt: INVALID (revoked)") || n != 1 {
		t.Fatalf("offline from cache: exit %d, %d requests\n%s", code, n, out)
	}
	// Offline without a cache: the status is unknown.
	code, out, _ = runCLI("verify", "--trust", bundle, "--trust-key", w.path("operator.pub.jwk"), "--trust-state", "none",
		"--status-cache", w.path("empty"), "--offline", "--at", "2026-04-01T00:00:00Z", revoked)
	if code != exitInvalid || !strings.Contains(out, "COULD NOT VERIFY (status_unknown)") {
		t.Fatalf("offline, nothing cached: exit %d\n%s", code, out)
	}
}
