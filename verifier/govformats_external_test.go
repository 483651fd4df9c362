package verifier_test

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// These tests issue documents with the demo's issuer code (an
// implementation independent of the verifier: go-cose, jwx) and verify
// them.

func demoWorld(t *testing.T) (*demo.World, *verifier.Trust) {
	dir := t.TempDir()
	w, err := demo.Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := verifier.ParseTrust("demo", b)
	if err != nil {
		t.Fatal(err)
	}
	return w, tr
}

var demoTime = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func holderStatus(r *verifier.Report) verifier.Status {
	for _, c := range r.Checks {
		if c.Check == verifier.CheckHolderBinding {
			return c.Status
		}
	}
	return ""
}

// TestMDocDeviceSignature verifies the demo mDL's device signature with the
// session transcript it was made for, and refuses it for another.
func TestMDocDeviceSignature(t *testing.T) {
	w, tr := demoWorld(t)
	key, der, err := w.MDLSigner()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := demo.IssueMDoc(demo.TypeMDL, demo.MDLItems(), demo.Issued, demo.Until, key, der, w.MDLDeviceKey(), demo.MDocSessionTranscript, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), demo.MDocSessionTranscript...)
	other[len(other)-1] ^= 1
	for _, tc := range []struct {
		name    string
		holder  verifier.HolderOptions
		verdict verifier.Verdict
		reason  verifier.Reason
		binding verifier.Status
	}{
		{"no transcript", verifier.HolderOptions{}, verifier.Valid, "", verifier.Skipped},
		{"its transcript", verifier.HolderOptions{SessionTranscript: demo.MDocSessionTranscript}, verifier.Valid, "", verifier.Passed},
		{"another transcript", verifier.HolderOptions{SessionTranscript: other}, verifier.Invalid, verifier.HolderBindingInvalid, verifier.Failed},
		// Demanded but uncheckable: never valid, and not the document's
		// fault (issue 12, cases 1 and 2).
		{"binding required, no transcript", verifier.HolderOptions{RequireBinding: true}, verifier.Indeterminate, verifier.HolderBindingUnchecked, verifier.StatusIndeterminate},
		{"nonce, no transcript", verifier.HolderOptions{Nonce: "n-1"}, verifier.Indeterminate, verifier.HolderBindingUnchecked, verifier.StatusIndeterminate},
	} {
		r := verifier.Verify(doc, verifier.Options{Trust: tr, Time: demoTime, Holder: tc.holder})
		if r.Verdict != tc.verdict || r.Reason != tc.reason || holderStatus(r) != tc.binding {
			t.Errorf("%s: %s/%s binding %s", tc.name, r.Verdict, r.Reason, holderStatus(r))
		}
	}
}

// TestDCCLimits checks the transport layer on crafted inputs: a zlib
// stream inflating past the cap, one with trailing bytes, and raw
// (uncompressed) COSE, which is never taken in place of a zlib stream.
func TestDCCLimits(t *testing.T) {
	zl := func(b []byte) []byte {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	random := make([]byte, 200)
	rand.Read(random)
	for _, tc := range []struct {
		name    string
		in      string
		verdict verifier.Verdict
		reason  verifier.Reason
	}{
		{"inflates past the cap", "HC1:" + demo.Base45(zl(make([]byte, verifier.MaxDCCInflated+1))), verifier.Indeterminate, verifier.LimitExceeded},
		{"at the cap, not COSE", "HC1:" + demo.Base45(zl(make([]byte, verifier.MaxDCCInflated))), verifier.Invalid, verifier.Malformed},
		{"trailing bytes after zlib", "HC1:" + demo.Base45(append(zl(random), 0)), verifier.Invalid, verifier.Malformed},
		{"not compressed", "HC1:" + demo.Base45(random), verifier.Invalid, verifier.Malformed},
		{"bad base45", "HC1:AB~", verifier.Invalid, verifier.Malformed},
		{"other prefix", "HC2:" + demo.Base45(zl(random)), verifier.Invalid, verifier.Malformed},
	} {
		r := verifier.Verify([]byte(tc.in), verifier.Options{Time: demoTime, Format: verifier.FormatDCC})
		if r.Verdict != tc.verdict || r.Reason != tc.reason {
			t.Errorf("%s: %s/%s, want %s/%s", tc.name, r.Verdict, r.Reason, tc.verdict, tc.reason)
		}
	}
}
