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

// findEndBytewise is findEnd as it was, one place at a time: the reference
// the eight-at-a-time search is held to.
func findEndBytewise(data []byte) (int, bool, bool) {
	found := -1
	for i := len(data) - zipEndLen; i >= max(0, len(data)-zipEndLen-zipMaxCommentLen); i-- {
		if binary.LittleEndian.Uint32(data[i:]) == zipEndSig && i+zipEndLen+int(binary.LittleEndian.Uint16(data[i+20:])) == len(data) {
			if found >= 0 {
				return 0, false, true // two records
			}
			found = i
		}
	}
	return found, found >= 0, false
}

// TestFindEndAsBytewise holds findEnd to the bytewise search on random
// archives' tails: records planted at every distance from the end and
// from the 64 KiB window's edge, second records inside comments, lone
// signatures and their first byte strewn about.
func TestFindEndAsBytewise(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	plant := func(b []byte, at, comment int) {
		if at < 0 || at+zipEndLen > len(b) {
			return
		}
		binary.LittleEndian.PutUint32(b[at:], zipEndSig)
		binary.LittleEndian.PutUint16(b[at+20:], uint16(comment))
	}
	found := 0
	for n := range 3000 {
		size := zipEndLen + rng.IntN(300)
		if n%10 == 0 {
			size = zipEndLen + zipMaxCommentLen - 40 + rng.IntN(80)
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		for range rng.IntN(20) {
			b[rng.IntN(len(b))] = 'P'
		}
		for range rng.IntN(3) {
			comment := rng.IntN(min(len(b)-zipEndLen, zipMaxCommentLen) + 1)
			if rng.IntN(4) == 0 {
				comment = rng.IntN(1 << 16)
			}
			plant(b, len(b)-zipEndLen-comment, comment)
		}
		if rng.IntN(4) == 0 {
			plant(b, rng.IntN(len(b)), rng.IntN(1<<16))
		}
		want, ok, two := findEndBytewise(b)
		got, err := findEnd(b)
		switch {
		case ok && !two && (err != nil || got != want):
			t.Fatalf("size %d: findEnd %d %v, bytewise %d", len(b), got, err, want)
		case (!ok || two) && err == nil:
			t.Fatalf("size %d: findEnd %d, bytewise found none or two", len(b), got)
		}
		if ok && !two {
			found++
		}
	}
	if found < 1000 {
		t.Errorf("only %d of 3000 tails had one record", found)
	}
}

// TestSWARHas holds swarHas to a byte search on words of any bytes.
func TestSWARHas(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 1_000_000 {
		var w [8]byte
		for i := range w {
			w[i] = byte(rng.IntN(256))
		}
		c := byte(rng.IntN(256))
		if rng.IntN(2) == 0 {
			w[rng.IntN(8)] = c
		}
		want := false
		for _, x := range w {
			want = want || x == c
		}
		if got := swarHas(binary.LittleEndian.Uint64(w[:]), c); got != want {
			t.Fatalf("swarHas(% x, %#x) = %v", w, c, got)
		}
	}
}
