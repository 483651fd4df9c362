package verifier

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// b64urlOracle is base64.RawURLEncoding.Strict(), which b64url and
// b64urlBytes were before decodeB64URL.
func b64urlOracle(src []byte) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(string(src))
}

func checkB64URL(t *testing.T, src []byte) {
	t.Helper()
	want, wantErr := b64urlOracle(src)
	got, gotErr := b64urlBytes(src)
	got2, gotErr2 := b64url(string(src))
	if (gotErr != nil) != (wantErr != nil) || (gotErr2 != nil) != (wantErr != nil) {
		t.Fatalf("%q: errors %v %v, want %v", src, gotErr, gotErr2, wantErr)
	}
	if wantErr == nil && (!bytes.Equal(got, want) || !bytes.Equal(got2, want)) {
		t.Fatalf("%q: got %x %x, want %x", src, got, got2, want)
	}
}

func TestB64URLDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for n := range 70 {
		for range 30 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			enc := []byte(base64.RawURLEncoding.EncodeToString(b))
			checkB64URL(t, enc)
			for _, mut := range []func([]byte) []byte{
				func(e []byte) []byte { return append(e, '=') },
				func(e []byte) []byte { return append(e, 'A') },
				func(e []byte) []byte { return append(bytes.Clone(e), "\r\n"...) },
				func(e []byte) []byte {
					if len(e) == 0 {
						return e
					}
					c := bytes.Clone(e)
					const odd = "\n\r+/=.~ \x00\xff"
					c[r.IntN(len(c))] = odd[r.IntN(len(odd))]
					return c
				},
				func(e []byte) []byte {
					if len(e) == 0 {
						return e
					}
					c := bytes.Clone(e)
					c[len(c)-1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[r.IntN(64)]
					return c
				},
				func(e []byte) []byte { return []byte(base64.URLEncoding.EncodeToString(b)) },
				func(e []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) },
			} {
				checkB64URL(t, mut(enc))
			}
		}
	}
	checkB64URL(t, nil)
	checkB64URL(t, []byte{})
}

func FuzzB64URL(f *testing.F) {
	f.Add([]byte("eyJhbGciOiJFUzI1NiJ9"))
	f.Add([]byte("AQ"))
	f.Add([]byte("AR"))
	f.Add([]byte("AQI"))
	f.Add([]byte("AQJ"))
	f.Add([]byte("A\nQ"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkB64URL(t, src)
	})
}

func TestB64URLValues(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for c := range 256 {
		want := byte(0xff)
		if i := bytes.IndexByte([]byte(alphabet), byte(c)); i >= 0 {
			want = byte(i)
		}
		if b64urlValues[c] != want {
			t.Fatalf("byte %#x: %#x, want %#x", c, b64urlValues[c], want)
		}
	}
}
