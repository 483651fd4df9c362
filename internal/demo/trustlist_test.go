package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/trustlist"
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

// TestOperatorPrivateKeySignsEditions signs a new edition with the key
// OperatorPrivateKey gives (what `apostille demo --operator-key` writes):
// it opens with the pinned operator.pub.jwk, and the key is not in the
// world's folder.
func TestOperatorPrivateKeySignsEditions(t *testing.T) {
	dir := t.TempDir()
	w, err := Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := w.OperatorPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := trustlist.ParsePrivate(pem)
	if err != nil {
		t.Fatal(err)
	}
	b := w.Bundle
	b.Operator, b.Sequence = OperatorName, 7
	b.IssuedAt, b.NextUpdate = Issued.Format(time.RFC3339), Until.Format(time.RFC3339)
	signed, err := trustlist.Sign(&b, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, w.Man.OperatorKey))
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := verifier.ParseOperatorKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifier.OpenBundle(signed, []*verifier.OperatorKey{pinned})
	if err != nil {
		t.Fatal(err)
	}
	if trust.Info.Sequence != 7 || trust.Info.Operator != OperatorName {
		t.Errorf("opened %+v", trust.Info)
	}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("PRIVATE KEY")) {
				t.Errorf("%s holds a private key", p)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
