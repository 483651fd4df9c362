package verifier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/statuslist"
	"github.com/veraison/go-cose"
)

// FuzzStatusList parses status list tokens and reads an index from them:
// errors are fine, panics and unbounded work are not (the index read is
// bounded by MaxStatusListBytes).
func FuzzStatusList(f *testing.F) {
	d := sha256.Sum256([]byte("fuzz status list"))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		f.Fatal(err)
	}
	l, _ := statuslist.New(2, 64)
	l.Set(3, statuslist.Invalid)
	tok := statuslist.Token{URI: "https://x.example/1", IssuedAt: time.Unix(1700000000, 0), TTL: time.Hour, Bits: 2, Lst: l.Compressed()}
	jwt, err := statuslist.SignJWT(tok, "ES256", "k", key)
	if err != nil {
		f.Fatal(err)
	}
	cwt, err := statuslist.SignCWT(tok, cose.AlgorithmES256, []byte("k"), key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(jwt, uint64(3))
	f.Add(cwt, uint64(100))
	f.Add([]byte("eyJ0eXAiOiJzdGF0dXNsaXN0K2p3dCJ9.e30.AA"), uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, idx uint64) {
		sl, err := parseStatusList(data, nil)
		if err != nil {
			return
		}
		if sl.bits != 1 && sl.bits != 2 && sl.bits != 4 && sl.bits != 8 {
			t.Fatalf("bits %d accepted", sl.bits)
		}
		if st, err := sl.statusAt(nil, idx%(1<<20)); err == nil && int(st) >= 1<<sl.bits {
			t.Fatalf("status %d does not fit %d bits", st, sl.bits)
		}
		ReadStatusListInfo(data)
	})
}

// FuzzStatusReference reads status claims of any shape.
func FuzzStatusReference(f *testing.F) {
	f.Add([]byte(`{"status":{"status_list":{"idx":3,"uri":"https://x.example/1"}}}`))
	f.Add([]byte(`{"status":{"status_list":{"idx":-1,"uri":""}}}`))
	f.Add([]byte(`{"65535":{"status_list":{"idx":1e300}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, _, err := jwtClaims(data)
		if err != nil || claims == nil {
			return
		}
		ref, ok, err := statusReference(claims)
		if ok && err == nil && (ref.uri == "" || ref.idx > maxIndex) {
			t.Fatalf("accepted %+v", ref)
		}
	})
}
