package verifier

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// TestPublicKeySPKI holds publicKeySPKI to x509.MarshalPKIXPublicKey on
// keys of every curve it writes by hand and on keys it leaves to crypto/x509.
func TestPublicKeySPKI(t *testing.T) {
	var keys []crypto.PublicKey
	for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		for range 20 {
			k, err := ecdsa.GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, &k.PublicKey)
		}
	}
	for range 20 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, pub)
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, &r.PublicKey, ed25519.PublicKey{1, 2, 3}, "not a key")
	for i, k := range keys {
		got, gerr := publicKeySPKI(k)
		want, werr := x509.MarshalPKIXPublicKey(k)
		if (gerr == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Errorf("key %d (%T): % x, %v; crypto/x509 % x, %v", i, k, got, gerr, want, werr)
		}
	}
}
