package verifier

// Digests a host may compute for the verifier. Inside the WebAssembly
// module the verifier's SHA-2 and CRC-32 are Go code compiled to wasm, many
// times slower than a host's native SHA-NI/AVX2 and CRC instructions: for a
// container of tens of MiB the data files' digests and the entries' CRCs
// are most of the verification. A host offers its own through
// Options.Hash; only the heavy call sites (container entries, attested
// documents) take them, and every decision stays with the verifier.

import (
	"crypto"
	"hash"
)

// HashFunc makes a digest for a host, or returns nil to let the verifier
// use its own. alg is "SHA-256", "SHA-384" or "SHA-512" (crypto.Hash's
// names), or "CRC-32" (IEEE, as ZIP uses it), whose digest must be a
// hash.Hash32. A digest it returns must compute exactly alg: its sums
// decide whether data files and documents match what was signed and
// whether an archive is intact. The wazero host's are native Go
// (wasm/host, docs/abi.md).
type HashFunc func(alg string) hash.Hash

// crc32Name is the algorithm name of ZIP's CRC-32 for a HashFunc.
const crc32Name = "CRC-32"

// new returns the host's digest for h when f offers one, else h.New().
func (f HashFunc) new(h crypto.Hash) hash.Hash {
	if f != nil {
		if d := f(h.String()); d != nil {
			return d
		}
	}
	return h.New()
}

// crc32 returns the host's CRC-32 when f offers one, else nil.
func (f HashFunc) crc32() hash.Hash32 {
	if f == nil {
		return nil
	}
	d, _ := f(crc32Name).(hash.Hash32)
	return d
}
