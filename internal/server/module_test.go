package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// moduleEngines makes the service's engines from the WebAssembly module
// built from this source, with cfg's limits and hooks: the engine
// `apostille serve` runs by default.
func moduleEngines(t testing.TB, cfg host.Config) func(context.Context, *engine.Trust) (engine.Engine, error) {
	mod := wasmbuild.ForTest(t)
	dir := t.TempDir()
	return func(ctx context.Context, ts *engine.Trust) (engine.Engine, error) {
		c := cfg
		c.Module, c.CacheDir = mod, dir
		return engine.NewModule(ctx, c, ts)
	}
}

// hungryJWS names a key the demo trusts and carries claims that are small
// on the wire but tens of MiB once decoded.
func hungryJWS() []byte {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"ee-pr-2026"}`))
	claims := `{"a":[` + strings.Repeat("0,", 340000) + `0]}`
	return []byte(hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".AAAA")
}

// TestModuleFaults: a module instance that traps during a request (its
// host call fails) or runs out of memory on a hostile document costs that
// document an internal or limit_exceeded report; the instance is replaced
// and the requests after it, alone and in a batch, verify as before.
func TestModuleFaults(t *testing.T) {
	var armed atomic.Bool
	trap := func(alg string, spki, msg, sig []byte) (bool, bool) {
		if armed.Swap(false) {
			panic("host crypto failed") // wazero turns it into a failed call
		}
		return false, false // the module checks it itself
	}
	srv := start(t, Config{Instances: 1, NewEngine: moduleEngines(t, host.Config{Instances: 1, Crypto: trap, MemoryLimit: 16 << 20})}, ServeOptions{})

	verify := func(d []byte) decision {
		code, _, rep := post(t, srv.url+"/v1/verify", "application/octet-stream", d)
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		return decide(t, rep)
	}
	for i, c := range []struct {
		arm    bool
		doc    []byte
		reason verifier.Reason
	}{
		{false, doc(good), ""},
		{true, doc(good), verifier.Internal},
		{false, doc(good), ""},
		{false, hungryJWS(), verifier.LimitExceeded},
		{false, doc(good), ""},
	} {
		armed.Store(c.arm)
		got := verify(c.doc)
		want := verifier.Valid
		if c.reason != "" {
			want = c.reason.Verdict()
		}
		if got.Verdict != want || got.Reason != c.reason {
			t.Errorf("request %d: %s/%s, want %s/%s", i, got.Verdict, got.Reason, want, c.reason)
		}
	}

	// In a batch: the fault costs one line.
	var body strings.Builder
	for i := 0; i < 6; i++ {
		d := doc(good)
		if i == 3 {
			d = hungryJWS()
		}
		line, _ := json.Marshal(map[string]any{"id": i, "document": b64(d)})
		body.Write(append(line, '\n'))
	}
	armed.Store(true) // the first line's signature check
	resp, err := http.Post(srv.url+"/v1/verify/batch", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, resp.Body)
	resp.Body.Close()
	want := []verifier.Reason{verifier.Internal, "", "", verifier.LimitExceeded, "", ""}
	if len(recs) != len(want) {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if got := decide(t, r.Report); got.Reason != want[i] || string(r.ID) != strconv.Itoa(i) {
			t.Errorf("line %d (id %s): %s/%s, want %q", r.Line, r.ID, got.Verdict, got.Reason, want[i])
		}
	}
	if code, _ := get(t, srv.url+"/readyz"); code != 200 {
		t.Errorf("readyz after the faults: %d", code)
	}
}

// TestModuleEverySample: through the module, as `apostille serve` runs by
// default, every demo document decides as the demo lists, its detached
// proof and payload carried by the JSON request into the module.
func TestModuleEverySample(t *testing.T) {
	srv := start(t, Config{NewEngine: moduleEngines(t, host.Config{})}, ServeOptions{})
	for _, s := range world.man.Samples {
		code, _, rep := post(t, srv.url+"/v1/verify", "application/json", sampleRequest(t, s))
		got := decide(t, rep)
		if code != http.StatusOK || string(got.Verdict) != s.Verdict || string(got.Reason) != s.Reason {
			t.Errorf("%s: %d %s/%s, want %s/%s", s.File, code, got.Verdict, got.Reason, s.Verdict, s.Reason)
		}
	}
}
