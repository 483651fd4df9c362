// Package crc32ieee is the CRC-32 of ZIP (IEEE 802.3, reflected polynomial
// 0xedb88320) computed with a byte-wise table. hash/crc32 computes the same
// with processor instructions natively, but adds 12 KB of code to the
// WebAssembly module; the module uses this one twice: the verifier checks
// ZIP entries with it (verifier/crcwasm.go), and the module's host hashing
// (wasm/abi) continues a CRC with it when the host stops answering.
package crc32ieee

// Table is the byte-wise table; MakeTable fills one. A caller keeps its own
// rather than a package-level one, so that nothing is global state.
type Table [256]uint32

// MakeTable returns the table of the IEEE polynomial.
func MakeTable() *Table {
	t := new(Table)
	for i := range t {
		c := uint32(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xedb88320
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}

// Update returns the CRC-32 of the bytes whose checksum is crc followed by
// p, as hash/crc32.Update does (crc is 0 before the first byte).
func Update(crc uint32, t *Table, p []byte) uint32 {
	c := ^crc
	for _, b := range p {
		c = t[byte(c)^b] ^ c>>8
	}
	return ^c
}
