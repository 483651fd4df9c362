//go:build wasm

package verifier

// newCRC is a ZIP entry's CRC-32 where no host offers one: in the module,
// the byte-wise table (crcnative.go says why natively it is not), made
// when an archive of z first needs it.
func newCRC(z *inflater) crc32Writer {
	if z.crcs == nil {
		z.crcs = newCRCTable()
	}
	return &crcWriter{t: z.crcs}
}
