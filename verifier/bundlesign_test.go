package verifier_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
)

// fixture is one issuer, an operator and a verification time.
type fixture struct {
	t        testing.TB
	issuer   *ecdsa.PrivateKey
	other    *ecdsa.PrivateKey // a second trusted issuer
	operator *trustlist.Key
	at       time.Time
}

var (
	fxIssued = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fxAt     = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return &fixture{t: t, issuer: ecKey("issuer"), other: ecKey("other"), operator: edOperator("operator"), at: fxAt}
}

// ecKey derives a P-256 key from a label, so that tests are reproducible.
func ecKey(label string) *ecdsa.PrivateKey {
	for i := byte(0); ; i++ {
		d := sha256.Sum256(append([]byte("verifier test "+label), i))
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:]); err == nil {
			return k
		}
	}
}

func edOperator(label string) *trustlist.Key {
	seed := sha256.Sum256([]byte("verifier test operator " + label))
	k, err := trustlist.NewKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		panic(err)
	}
	return k
}

// bundle is a trust bundle with the fixture's two issuers.
func (f *fixture) bundle(seq uint64, nextUpdate time.Time) *verifier.Bundle {
	return &verifier.Bundle{
		TrustBundle: verifier.TrustBundleVersion, Operator: "Test trust list", Sequence: seq,
		IssuedAt: fxIssued.Format(time.RFC3339), NextUpdate: nextUpdate.Format(time.RFC3339),
		Issuers: []verifier.BundleIssuer{
			{ID: "iss", Name: "Test Issuer", Country: "EE", Keys: []verifier.BundleKey{{JWK: importer.PublicJWK(f.issuer.Public(), "iss-1", "ES256")}}},
			{ID: "other", Name: "Other Issuer", Country: "LU", Keys: []verifier.BundleKey{{JWK: importer.PublicJWK(f.other.Public(), "other-1", "ES256")}}},
		},
	}
}

func (f *fixture) sign(b *verifier.Bundle) []byte {
	f.t.Helper()
	jws, err := trustlist.Sign(b, f.operator, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return jws
}

func (f *fixture) pinned() []*verifier.OperatorKey {
	f.t.Helper()
	k, err := f.operator.Operator()
	if err != nil {
		f.t.Fatal(err)
	}
	return []*verifier.OperatorKey{k}
}

// document signs claims as a JWT by the fixture's issuer.
func (f *fixture) document(claims map[string]any) []byte {
	f.t.Helper()
	base := map[string]any{"iss": "https://issuer.example", "iat": fxIssued.Unix(), "exp": fxIssued.AddDate(1, 0, 0).Unix(), "given_name": "Mari"}
	for k, v := range claims {
		base[k] = v
	}
	payload, _ := json.Marshal(base)
	tok, err := demo.SignJWS(payload, "ES256", f.issuer, map[string]any{"kid": "iss-1", "typ": "JWT"})
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func reasonOf(err error) verifier.Reason {
	var be *verifier.BundleError
	if errors.As(err, &be) {
		return be.Reason
	}
	return ""
}

func TestSignedBundleRoundTrip(t *testing.T) {
	f := newFixture(t)
	signed := f.sign(f.bundle(7, fxIssued.AddDate(0, 1, 0)))
	trust, err := verifier.OpenBundle(signed, f.pinned())
	if err != nil {
		t.Fatal(err)
	}
	rep := verifier.Verify(f.document(nil), verifier.Options{Trust: trust, Time: f.at})
	if rep.Verdict != verifier.Valid {
		t.Fatalf("verdict %s/%s: %+v", rep.Verdict, rep.Reason, rep.Checks)
	}
	want := verifier.TrustInfo{Operator: "Test trust list", OperatorKey: f.operator.Kid, Sequence: 7, Signed: true,
		IssuedAt: fxIssued.Format(time.RFC3339), NextUpdate: fxIssued.AddDate(0, 1, 0).Format(time.RFC3339),
		AgeSeconds: int64(f.at.Sub(fxIssued) / time.Second)}
	if rep.Trust == nil || *rep.Trust != want {
		t.Fatalf("report trust %+v, want %+v", rep.Trust, want)
	}
	if !hasCheck(rep, verifier.CheckTrustBundle, verifier.Passed, "") {
		t.Fatalf("no passed trust_bundle check: %+v", rep.Checks)
	}
}

func hasCheck(rep *verifier.Report, check string, st verifier.Status, reason verifier.Reason) bool {
	for _, c := range rep.Checks {
		if c.Check == check && c.Status == st && c.Reason == reason {
			return true
		}
	}
	return false
}

// TestSignedBundleEveryByteFlipped flips each byte of a signed bundle in
// turn: every variant is refused with trust_invalid.
func TestSignedBundleEveryByteFlipped(t *testing.T) {
	f := newFixture(t)
	signed := f.sign(f.bundle(1, fxIssued.AddDate(0, 1, 0)))
	keys := f.pinned()
	for i := range signed {
		bad := bytes.Clone(signed)
		bad[i] ^= 0x01
		if _, err := verifier.OpenBundle(bad, keys); reasonOf(err) != verifier.TrustInvalid {
			t.Fatalf("byte %d flipped: got %v, want trust_invalid", i, err)
		}
	}
	rep := verifier.TrustErrorReport(&verifier.BundleError{Reason: verifier.TrustInvalid}, f.at)
	if rep.Verdict != verifier.Indeterminate || rep.Reason != verifier.TrustInvalid {
		t.Fatalf("refused trust report: %s/%s", rep.Verdict, rep.Reason)
	}
}

func TestSignedBundleWrongOperatorKey(t *testing.T) {
	f := newFixture(t)
	signed := f.sign(f.bundle(1, fxIssued.AddDate(0, 1, 0)))
	impostor := edOperator("impostor")
	// A different key under the same kid: the signature does not verify.
	impostor.Kid = f.operator.Kid
	k, err := impostor.Operator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.OpenBundle(signed, []*verifier.OperatorKey{k}); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("same kid, other key: got %v", err)
	}
	// A different key altogether: no pinned key matches.
	k, _ = edOperator("impostor").Operator()
	if _, err := verifier.OpenBundle(signed, []*verifier.OperatorKey{k}); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("other kid: got %v", err)
	}
	// No pinned key at all.
	if _, err := verifier.OpenBundle(signed, nil); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("no keys: got %v", err)
	}
}

// TestSignedBundleNotADocument refuses a JWS of another type signed by the
// operator key, and an unsigned bundle.
func TestSignedBundleWrongType(t *testing.T) {
	f := newFixture(t)
	payload, _ := json.Marshal(f.bundle(1, fxIssued.AddDate(0, 1, 0)))
	jwt, err := trustlist.SignJWS(payload, "JWT", f.operator, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.OpenBundle(jwt, f.pinned()); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("typ JWT: got %v", err)
	}
	if _, err := verifier.OpenBundle(payload, f.pinned()); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("unsigned: got %v", err)
	}
	// Signed, but without a sequence.
	b := f.bundle(1, fxIssued.AddDate(0, 1, 0))
	b.Sequence = 0
	payload, _ = json.Marshal(b)
	jws, _ := trustlist.SignJWS(payload, verifier.BundleType, f.operator, nil)
	if _, err := verifier.OpenBundle(jws, f.pinned()); reasonOf(err) != verifier.TrustInvalid {
		t.Fatalf("no sequence: got %v", err)
	}
}

func TestSignedBundleRollback(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "state.json")
	state, err := trustlist.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	next := fxIssued.AddDate(0, 1, 0)
	if _, err := trustlist.Open(f.sign(f.bundle(5, next)), f.pinned(), state, f.at); err != nil {
		t.Fatal(err)
	}
	// The state survives on disk.
	state, err = trustlist.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trustlist.Open(f.sign(f.bundle(4, next)), f.pinned(), state, f.at); reasonOf(err) != verifier.TrustRollback {
		t.Fatalf("older sequence: got %v, want trust_rollback", err)
	}
	other := f.bundle(5, next)
	other.Issuers = other.Issuers[:1]
	if _, err := trustlist.Open(f.sign(other), f.pinned(), state, f.at); reasonOf(err) != verifier.TrustRollback {
		t.Fatalf("same sequence, other content: got %v, want trust_rollback", err)
	}
	if _, err := trustlist.Open(f.sign(f.bundle(5, next)), f.pinned(), state, f.at); err != nil {
		t.Fatalf("the accepted bundle again: %v", err)
	}
	if _, err := trustlist.Open(f.sign(f.bundle(6, next)), f.pinned(), state, f.at); err != nil {
		t.Fatalf("newer sequence: %v", err)
	}
	if _, err := trustlist.Open(f.sign(f.bundle(5, next)), f.pinned(), state, f.at); reasonOf(err) != verifier.TrustRollback {
		t.Fatalf("back to 5 after 6: got %v", err)
	}
}

func TestSignedBundleStale(t *testing.T) {
	f := newFixture(t)
	signed := f.sign(f.bundle(1, fxIssued.AddDate(0, 0, 7))) // next_update before f.at
	trust, err := verifier.OpenBundle(signed, f.pinned())
	if err != nil {
		t.Fatal(err)
	}
	good := f.document(nil)
	tampered := bytes.Clone(good)
	tampered[len(tampered)-5] ^= 0x01
	for name, doc := range map[string][]byte{"good": good, "tampered": tampered} {
		rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: f.at})
		if rep.Verdict != verifier.Indeterminate || rep.Reason != verifier.TrustStale {
			t.Errorf("%s: %s/%s, want indeterminate/trust_stale", name, rep.Verdict, rep.Reason)
		}
	}
	rep := verifier.Verify(good, verifier.Options{Trust: trust, Time: f.at, AcceptStaleTrustUnsafe: true})
	if rep.Verdict != verifier.Valid || rep.Trust == nil || !rep.Trust.StaleAcceptedUnsafe {
		t.Fatalf("accepted stale: %s/%s trust %+v", rep.Verdict, rep.Reason, rep.Trust)
	}
	if len(rep.Warnings) == 0 || rep.Warnings[0].Reason != verifier.TrustStale {
		t.Fatalf("accepted stale trust is not shown as a warning: %+v", rep.Warnings)
	}
	// Before next_update the same bundle decides.
	rep = verifier.Verify(good, verifier.Options{Trust: trust, Time: fxIssued.AddDate(0, 0, 2)})
	if rep.Verdict != verifier.Valid {
		t.Fatalf("fresh: %s/%s", rep.Verdict, rep.Reason)
	}
}
