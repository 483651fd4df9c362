package verifier

// Digests a host may compute for the verifier. Inside the WebAssembly
// module the verifier's SHA-2 is Go's generic code compiled to wasm, 20-40
// times slower than a native SHA-NI/AVX2 implementation: for a container of
// tens of MiB the data files' digests are most of the verification. A host
// offers its own digests through Options.Hash; only the heavy call sites
// (container entries, attested documents) take them, and every decision
// stays with the verifier.

import (
	"crypto"
	"hash"
)

// HashFunc makes a digest of algorithm h for a host, or returns nil to let
// the verifier use its own (h.New()). A digest it returns must compute
// exactly h: its sums decide whether data files and documents match what
// was signed. The wazero host's digests are native Go crypto
// (wasm/host, docs/abi.md).
type HashFunc func(h crypto.Hash) hash.Hash

// new returns the host's digest for h when f offers one, else h.New().
func (f HashFunc) new(h crypto.Hash) hash.Hash {
	if f != nil {
		if d := f(h); d != nil {
			return d
		}
	}
	return h.New()
}
