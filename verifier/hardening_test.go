package verifier_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/veraison/go-cose"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/hardening"
	"github.com/apostille/apostille/verifier"
)

// TestHardening holds the verifier to every case of issue 12 and of the
// audit of its classes (internal/hardening, docs/security.md): each must
// get its verdict and reason. The same cases go through the WebAssembly
// module in the differential corpus.
func TestHardening(t *testing.T) {
	cases, err := hardening.Cases()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("%s: two cases of one name", c.Name)
		}
		names[c.Name] = true
		trust, err := verifier.ParseTrust(c.Name, c.Trust)
		if err != nil {
			t.Errorf("%s: trust: %v", c.Name, err)
			continue
		}
		opts := c.Options
		opts.Trust = trust
		r := verifier.Verify(c.Doc, opts)
		if r.Verdict != c.Verdict || r.Reason != c.Reason {
			t.Errorf("%s (case %s): got %s/%s, want %s/%s\n%+v", c.Name, c.Issue, r.Verdict, r.Reason, c.Verdict, c.Reason, r.Checks)
		}
	}
	// Every case of the issue has at least one document.
	issues := map[string]bool{}
	for _, c := range cases {
		issues[c.Issue] = true
	}
	for i := 1; i <= 12; i++ {
		if i == 7 && !issues["7"] {
			continue // trust, below
		}
		if !issues[fmt.Sprint(i)] {
			t.Errorf("no document for case %d", i)
		}
	}
}

// TestHardeningTrust: trust that says two things to two readers, or that
// is not signed although an operator key is pinned, is refused when it is
// loaded (cases 7 and the pinned-key case), natively as in the module
// (wasm/host's TestHardeningTrustInModule).
func TestHardeningTrust(t *testing.T) {
	for _, c := range hardening.TrustCases() {
		var keys []*verifier.OperatorKey
		for _, k := range c.OperatorKeys {
			ok, err := verifier.ParseOperatorKey(k)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, ok)
		}
		if _, err := verifier.LoadTrust(c.Name, c.Data, keys); err == nil {
			t.Errorf("%s (case %s): loaded", c.Name, c.Issue)
		}
	}
}

// TestWorkBoundedByInput holds a verification's work to the bounds of
// docs/security.md whatever the number of trusted issuers: the worst
// certificate chain a document can carry costs one chain build, a document
// that names no key at most MaxUnnamedKeys signature checks.
func TestWorkBoundedByInput(t *testing.T) {
	w := &demo.World{Seed: "work-bound"}
	leafKey, leaf, cas, err := hardening.SharedCAs(verifier.MaxChainCerts - 1)
	if err != nil {
		t.Fatal(err)
	}
	std := base64.StdEncoding.EncodeToString
	x5c := []string{std(leaf)}
	for _, ca := range cas {
		x5c = append(x5c, std(ca))
	}
	claims := []byte(`{"iss":"x","iat":1768467600}`)
	chainDoc, err := demo.SignJWS(claims, "ES256", leafKey, map[string]any{"x5c": x5c})
	if err != nil {
		t.Fatal(err)
	}
	unnamed, err := demo.SignCOSE(claims, cose.AlgorithmES256, w.ECKey("nobody"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	over, err := hardening.SignES256(leafKey, map[string]any{"alg": "ES256", "x5c": append(x5c, x5c[1])}, claims)
	if err != nil {
		t.Fatal(err)
	}
	sharedKid, err := demo.SignJWS(claims, "ES256", w.ECKey("nobody"), map[string]any{"kid": "shared"})
	if err != nil {
		t.Fatal(err)
	}
	// One issuer's key that fails is that issuer's invalid signature;
	// several issuers' keys under one kid cannot say whose it was.
	wantShared := func(n int) verifier.Reason {
		if n == 1 {
			return verifier.SignatureInvalid
		}
		return verifier.IssuerUnknown
	}
	for _, n := range []int{1, 20, 200} {
		var issuers []verifier.BundleIssuer
		for i := 0; i < n; i++ {
			_, der, err := w.CACert(fmt.Sprintf("anchor-%d", i), fmt.Sprintf("Anchor %d", i), "Anchors", "EE", int64(i+1), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			k := w.ECKey(fmt.Sprintf("key-%d", i))
			issuers = append(issuers, verifier.BundleIssuer{ID: fmt.Sprint(i), Name: fmt.Sprint(i),
				Anchors: []string{std(der)}, Keys: []verifier.BundleKey{{JWK: demo.PublicJWK(k.Public(), "shared", "ES256")}}})
		}
		b, _ := json.Marshal(verifier.Bundle{TrustBundle: "v1", Issuers: issuers})
		trust, err := verifier.ParseTrust("work", b)
		if err != nil {
			t.Fatal(err)
		}
		var checks atomic.Int64
		opts := verifier.Options{Trust: trust, Time: hardening.At, Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
			checks.Add(1)
			return false, false
		}}
		r, builds := verifier.ChainBuilds(chainDoc, opts)
		if r.Reason != verifier.ChainUntrusted || builds != 1 || checks.Load() != 0 {
			t.Errorf("%d issuers, %d shared CAs: %s/%s, %d chain builds, %d signature checks; want chain_untrusted, 1, 0", n, len(cas), r.Verdict, r.Reason, builds, checks.Load())
		}
		if r, builds := verifier.ChainBuilds(over, opts); r.Reason != verifier.LimitExceeded || builds != 0 {
			t.Errorf("%d issuers, %d certificates: %s/%s, %d chain builds", n, len(x5c)+1, r.Verdict, r.Reason, builds)
		}
		checks.Store(0)
		r = verifier.Verify(sharedKid, opts)
		if want := min(n, verifier.MaxUnnamedKeys); r.Reason != wantShared(n) || checks.Load() != int64(want) {
			t.Errorf("%d issuers, a kid all share: %s/%s after %d signature checks, want %s after %d", n, r.Verdict, r.Reason, checks.Load(), wantShared(n), want)
		}
		checks.Store(0)
		r = verifier.Verify(unnamed, opts)
		if want := min(n, verifier.MaxUnnamedKeys); r.Reason != verifier.IssuerUnknown || checks.Load() != int64(want) {
			t.Errorf("%d issuers, unnamed: %s/%s after %d signature checks, want issuer_unknown after %d", n, r.Verdict, r.Reason, checks.Load(), want)
		}
	}
}
