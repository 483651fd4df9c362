//go:build wasm

package verifier

// newCRC is a ZIP entry's CRC-32 where no host offers one: in the module,
// the byte-wise table (crcnative.go says why natively it is not), made
// when an archive of the inflater first needs it. The state is the entry's
// own, so that none is made per entry.
func newCRC(ze *zipEntry) crc32Writer {
	ze.own = crcWriter{t: ze.inf.crcTable()}
	return &ze.own
}

// crcOwn is the module's CRC-32 state.
type crcOwn = crcWriter
