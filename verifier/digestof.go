package verifier

import "crypto"

// digestOf is h's digest of b. (The packages' Sum functions would save
// the digest's allocation, but each call of one inlines its hash into the
// module: kilobytes of the download for a few allocations.) h must be
// available.
func digestOf(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// digestIs says whether h's digest of b is want, the sum made on the stack.
func digestIs(h crypto.Hash, b, want []byte) bool {
	d := h.New()
	d.Write(b)
	var sum [64]byte
	return string(d.Sum(sum[:0])) == string(want)
}
