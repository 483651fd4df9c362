package verifier

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// swarTests are the word tests with the byte predicate each must agree
// with exactly: the byte loop's table, narrowed to what the word test is
// meant to take (ASCII from 0x20 for the XML text; the tables of JSON and
// base64url hold only such bytes already).
var swarTests = []struct {
	name  string
	word  func(uint64) bool
	table func(byte) bool // what the byte loop passes
	plain func(byte) bool // what the word test takes
}{
	{"jsonPlain8", jsonPlain8, func(c byte) bool { return jsonSafe[c] }, func(c byte) bool { return jsonSafe[c] }},
	{"xmlText8", xmlText8, func(c byte) bool { return xmlByteClass[c]&cText != 0 },
		func(c byte) bool { return xmlByteClass[c]&cText != 0 && c >= 0x20 && c < 0x80 }},
	{"b64url8", b64url8, func(c byte) bool { return joseText[c] == 1 }, func(c byte) bool { return joseText[c] == 1 }},
}

// TestSWARAsTables requires each word test to answer true exactly for the
// words whose eight bytes it is meant to take, and those to be bytes the
// byte loop's table passes: every byte value at every place among plain
// bytes, two odd bytes among plain ones, and a million random words built
// from plain bytes, their neighbours and the rest.
func TestSWARAsTables(t *testing.T) {
	for _, tc := range swarTests {
		var plain, near []byte
		for c := range 256 {
			if tc.plain(byte(c)) {
				if !tc.table(byte(c)) {
					t.Fatalf("%s: byte %#x taken by the word test, refused by the table", tc.name, c)
				}
				plain = append(plain, byte(c))
			} else if c > 0 && tc.plain(byte(c-1)) || c < 255 && tc.plain(byte(c+1)) {
				near = append(near, byte(c))
			}
		}
		check := func(w [8]byte) {
			want := true
			for _, c := range w {
				want = want && tc.plain(c)
			}
			if got := tc.word(binary.LittleEndian.Uint64(w[:])); got != want {
				t.Fatalf("%s(%q) = %v, want %v", tc.name, w[:], got, want)
			}
		}
		rng := rand.New(rand.NewPCG(8, uint64(len(tc.name))))
		fill := func() (w [8]byte) {
			for i := range w {
				w[i] = plain[rng.IntN(len(plain))]
			}
			return w
		}
		for c := range 256 {
			for at := range 8 {
				w := fill()
				w[at] = byte(c)
				check(w)
				w[(at+3)%8] = near[rng.IntN(len(near))]
				check(w)
			}
		}
		for range 1_000_000 {
			w := fill()
			for range rng.IntN(3) {
				switch at := rng.IntN(8); rng.IntN(2) {
				case 0:
					w[at] = near[rng.IntN(len(near))]
				default:
					w[at] = byte(rng.IntN(256))
				}
			}
			check(w)
		}
	}
}

// TestLoad64 holds load64 to the little-endian reading of the same bytes.
func TestLoad64(t *testing.T) {
	s := "\x01\x02\x03\x04\x05\x06\x07\x08\x09\xfe\xff"
	for i := 0; i+8 <= len(s); i++ {
		if got, want := load64(s, i), binary.LittleEndian.Uint64([]byte(s[i:])); got != want {
			t.Errorf("load64(s, %d) = %#x, want %#x", i, got, want)
		}
	}
}
