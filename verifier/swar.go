package verifier

// Eight bytes at a time in the scanning loops that run over long runs of
// plain ASCII: base64 in XML text, JSON strings in the report, a JOSE
// token with a certificate chain. A byte loop with a table lookup costs
// about 2 ns a byte inside the WebAssembly module, five times native; a
// 64-bit word tested for "every byte is plain" with a few integer
// operations takes the common run in one step, and a word that fails goes
// back to the byte loop, which decides as before. Each test here may only
// answer true for a word whose every byte the byte loop's table passes
// (TestSWARAsTables holds them to the tables).
//
// The tests are the "has a zero byte" and "has a byte less than n" words
// of Bit Twiddling Hacks: (v - 0x01…) &^ v has a high bit set if and only
// if some byte of v is zero, and (x - n·0x01…) &^ x if some byte is less
// than n, for bytes below 0x80 and n up to 0x80. Any byte from 0x80 fails
// a word by itself.

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// load64 is s[i:i+8] as a little-endian word: the compiler makes one
// 64-bit load of it (its memcombine pass, on amd64 and wasm alike).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// The tests below are written out with constant operands, not through
// helpers taking the byte as an argument, so that each stays under the
// compiler's inlining budget and costs no call in its loop.

// jsonPlain8 reports whether encoding/json writes every byte of x as it
// is (jsonSafe): 0x20 to 0x7f, but " \ < > &.
func jsonPlain8(x uint64) bool {
	q, b, l, g, a := x^(swarOnes*'"'), x^(swarOnes*'\\'), x^(swarOnes*'<'), x^(swarOnes*'>'), x^(swarOnes*'&')
	return (x|(x-swarOnes*0x20)&^x|(q-swarOnes)&^q|(b-swarOnes)&^b|(l-swarOnes)&^l|(g-swarOnes)&^g|(a-swarOnes)&^a)&swarHighs == 0
}

// xmlText8 reports whether every byte of x is text that needs no look
// (cText) and is ASCII from 0x20: not < & ], no line end.
func xmlText8(x uint64) bool {
	l, a, r := x^(swarOnes*'<'), x^(swarOnes*'&'), x^(swarOnes*']')
	return (x|(x-swarOnes*0x20)&^x|(l-swarOnes)&^l|(a-swarOnes)&^a|(r-swarOnes)&^r)&swarHighs == 0
}

// b64url8 reports whether every byte of x is of the base64url alphabet
// (joseText 1): A-Z a-z 0-9 - _. For bytes below 0x80, b + (0x80-lo) has
// its high bit set when b >= lo and b + (0x7f-hi) when b > hi, and no sum
// carries out of its byte; a byte that is '-' or '_' is 0 in d or u, and
// only such a byte keeps its high bit clear when 0x7f is added.
func b64url8(x uint64) bool {
	d, u := x^(swarOnes*'-'), x^(swarOnes*'_')
	in := (x+swarOnes*(0x80-'A'))&^(x+swarOnes*(0x7f-'Z')) |
		(x+swarOnes*(0x80-'a'))&^(x+swarOnes*(0x7f-'z')) |
		(x+swarOnes*(0x80-'0'))&^(x+swarOnes*(0x7f-'9')) |
		^(d + swarOnes*0x7f) | ^(u + swarOnes*0x7f)
	return x&swarHighs == 0 && in&swarHighs == swarHighs
}

// swarHas reports whether some byte of x, any value, is c: x^c·0x01… has a
// zero byte exactly then (has-zero is exact for any bytes; only the word
// tests above need them below 0x80).
func swarHas(x uint64, c byte) bool {
	v := x ^ swarOnes*uint64(c)
	return (v-swarOnes)&^v&swarHighs != 0
}
