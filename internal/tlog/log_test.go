package tlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/apostille/apostille/verifier"
)

var testTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func seed(label string) []byte {
	s := sha256.Sum256([]byte(label))
	return s[:]
}

// issuerDoc is a compact JWS signed by the test issuer ("iss-1", EdDSA).
func issuerDoc(i int) []byte {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"iss-1"}`))
	pl := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"iss":"test","n":%d}`, i)))
	sig := ed25519.Sign(ed25519.NewKeyFromSeed(seed("issuer")), []byte(hdr+"."+pl))
	return []byte(hdr + "." + pl + "." + base64.RawURLEncoding.EncodeToString(sig))
}

// testTrust trusts the test issuer with an attestation policy.
func testTrust(t testing.TB, policy string) *verifier.Trust {
	t.Helper()
	pub := ed25519.NewKeyFromSeed(seed("issuer")).Public().(ed25519.PublicKey)
	b := verifier.Bundle{TrustBundle: verifier.TrustBundleVersion, Issuers: []verifier.BundleIssuer{{
		ID: "test", Name: "Test issuer",
		Keys:        []verifier.BundleKey{{JWK: verifier.JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: "iss-1", Alg: "EdDSA"}}},
		Attestation: &verifier.BundleAttestation{Policy: policy, Required: true},
	}}}
	js, _ := json.Marshal(b)
	tr, err := verifier.ParseTrust("test", js)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

type testKeys struct {
	logSigner note.Signer
	logVKey   string
	embassy   *Cosigner
}

func newTestKeys(t testing.TB, origin string) testKeys {
	t.Helper()
	skey := SKey(origin, seed("log "+origin))
	s, err := NewLogSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	vk, _ := VKey(skey, KindLog)
	c, err := NewCosigner(SKey("embassy.example/test", seed("embassy")))
	if err != nil {
		t.Fatal(err)
	}
	c.Clock = func() time.Time { return testTime.Add(-time.Hour) }
	return testKeys{logSigner: s, logVKey: vk, embassy: c}
}

// TestThousandProofs appends 1,000 documents with Tessera and checks the
// proof of every index with the verifier; the checkpoint and the
// cosignature we write also verify with x/mod's note package and with
// transparency-dev/formats' independent cosignature verifier.
func TestThousandProofs(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/thousand")
	dir := t.TempDir()
	l, err := OpenLog(ctx, dir, k.logSigner, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	docs := make([][]byte, 1000)
	for i := range docs {
		docs[i] = issuerDoc(i)
	}
	idx, cp, err := l.Append(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i, x := range idx {
		if x != uint64(i) {
			t.Fatalf("document %d got index %d", i, x)
		}
	}
	// Interop: x/mod verifies the log's checkpoint signature.
	if _, err := OpenCheckpoint(cp, k.logVKey); err != nil {
		t.Fatalf("x/mod note: %v", err)
	}
	line, err := k.embassy.SignatureLine([]byte(textOf(cp)))
	if err != nil {
		t.Fatal(err)
	}
	cosigned := append(append([]byte{}, cp...), line...)
	fv, err := fnote.NewVerifierForCosignatureV1(k.embassy.VKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cosigned, note.VerifierList(fv))
	if err != nil || len(n.Sigs) != 1 {
		t.Fatalf("formats cosignature verifier: %v", err)
	}
	if ts, err := fnote.CoSigV1Timestamp(n.Sigs[0]); err != nil || !ts.Equal(testTime.Add(-time.Hour)) {
		t.Fatalf("timestamp %v, %v", ts, err)
	}

	policy := fmt.Sprintf("log %s\nwitness e %s\nquorum e\n", k.logVKey, k.embassy.VKey())
	trust := testTrust(t, policy)
	p, err := NewProver(ctx, DirSource(dir), cosigned)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		pr, err := p.Proof(ctx, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		rep := verifier.Verify(d, verifier.Options{Trust: trust, Time: testTime, Proof: pr})
		if rep.Verdict != verifier.Valid || len(rep.Attestations) != 1 {
			t.Fatalf("document %d: %s/%s", i, rep.Verdict, rep.Reason)
		}
	}
	// FindEntry locates a document by its bytes.
	if i, ok, err := FindEntry(ctx, DirSource(dir), docs[777], 1000); err != nil || !ok || i != 777 {
		t.Fatalf("FindEntry: %d %v %v", i, ok, err)
	}
	if _, ok, _ := FindEntry(ctx, DirSource(dir), []byte("not logged"), 1000); ok {
		t.Fatal("FindEntry found a document that was never logged")
	}
}

func TestKeys(t *testing.T) {
	for _, kind := range []Kind{KindLog, KindEmbassy, KindOperator} {
		skey, vkey, err := GenerateKey(bytes.NewReader(seed(string(kind))), kind, "keys.example/"+string(kind))
		if err != nil {
			t.Fatal(err)
		}
		switch kind {
		case KindEmbassy:
			if _, err := fnote.NewVerifierForCosignatureV1(vkey); err != nil {
				t.Fatalf("embassy vkey: %v", err)
			}
			c, err := NewCosigner(skey)
			if err != nil || c.VKey() != vkey {
				t.Fatalf("cosigner vkey %v", err)
			}
		default:
			if _, err := note.NewVerifier(vkey); err != nil {
				t.Fatalf("%s vkey: %v", kind, err)
			}
			if _, err := note.NewSigner(skey); err != nil {
				t.Fatalf("%s skey: %v", kind, err)
			}
		}
	}
	if _, _, err := GenerateKey(bytes.NewReader(seed("x")), KindLog, "bad name"); err == nil {
		t.Fatal("a name with a space was accepted")
	}
	if _, err := NewCosigner("PRIVATE+KEY+x+00000000+AQ=="); err == nil {
		t.Fatal("a malformed skey was accepted")
	}
}

// TestAppendIdempotent: appending documents the log already holds (an
// earlier run, perhaps killed before it wrote its proofs) returns their
// existing entries and adds none; new documents in the same call are
// appended after the log's end, and every index proves.
func TestAppendIdempotent(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/again")
	dir := t.TempDir()
	docs := make([][]byte, 300) // more than one entry bundle
	for i := range docs {
		docs[i] = issuerDoc(i)
	}
	l, err := OpenLog(ctx, dir, k.logSigner, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Append(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// A new process appends some of them again, in another order, with
	// two new documents and one twice.
	l, err = OpenLog(ctx, dir, k.logSigner, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again := [][]byte{docs[299], issuerDoc(1000), docs[0], docs[257], issuerDoc(1001), docs[0]}
	want := []uint64{299, 300, 0, 257, 301, 0}
	idx, cp, err := l.Append(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(idx) != fmt.Sprint(want) {
		t.Fatalf("indices %v, want %v", idx, want)
	}
	if size, err := CheckpointSize(cp); err != nil || size != 302 {
		t.Fatalf("checkpoint size %d (%v), want 302: a document was logged twice", size, err)
	}
	p, err := NewProver(ctx, DirSource(dir), cp)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range again {
		pr, err := p.Proof(ctx, idx[i])
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := FindEntry(ctx, DirSource(dir), d, 302)
		if err != nil || !ok || got != idx[i] || len(pr) == 0 {
			t.Fatalf("document %d: found at %d (%v, %v), appended at %d", i, got, ok, err, idx[i])
		}
	}
}
