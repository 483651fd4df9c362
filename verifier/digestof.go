package verifier

import "crypto"

// digestOf is h's digest of b, made by hf when it offers h (digestIs says
// why). (The packages' Sum functions would save
// the digest's allocation, but each call of one inlines its hash into the
// module: kilobytes of the download for a few allocations.) h must be
// available.
func digestOf(hf HashFunc, h crypto.Hash, b []byte) []byte {
	d := hf.new(h)
	d.Write(b)
	return d.Sum(nil)
}

// digestIs says whether h's digest of b is want, the sum made on the stack.
// hf, when it offers h, hashes: in the module its digest crosses to the
// host whole (wasm/abi's HostHasher), where the module's own SHA-256 costs
// about 3 µs a block.
func digestIs(hf HashFunc, h crypto.Hash, b, want []byte) bool {
	d := hf.new(h)
	d.Write(b)
	var sum [64]byte
	return string(d.Sum(sum[:0])) == string(want)
}
