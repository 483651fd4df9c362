package demo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

// TestSignedTrustDecidesAsListed opens the signed bundle with the pinned
// operator key and requires every sample to decide as the manifest lists,
// as with the unsigned trust.json; the report names the signed bundle.
func TestSignedTrustDecidesAsListed(t *testing.T) {
	dir := t.TempDir()
	w, err := Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key, err := verifier.ParseOperatorKey(read(w.Man.OperatorKey))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifier.OpenBundle(read(w.Man.SignedTrust), []*verifier.OperatorKey{key})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	revoked := 0
	for _, s := range w.Man.Samples {
		var proof []byte
		if s.Proof != "" {
			proof = read(s.Proof)
		}
		rep := verifier.Verify(read(s.File), verifier.Options{Trust: trust, Time: at, Proof: proof})
		if string(rep.Verdict) != s.Verdict || string(rep.Reason) != s.Reason {
			t.Errorf("%s: got %s/%s, want %s/%s", s.File, rep.Verdict, rep.Reason, s.Verdict, s.Reason)
		}
		if rep.Trust == nil || !rep.Trust.Signed || rep.Trust.Operator != OperatorName || rep.Trust.Sequence != 1 {
			t.Errorf("%s: report trust %+v", s.File, rep.Trust)
		}
		if s.Reason == "revoked" {
			revoked++
		}
	}
	if revoked == 0 {
		t.Fatal("the demo has no revoked sample")
	}
}
