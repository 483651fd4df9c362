//go:build !wasm

package verifier

import "hash/crc32"

// newCRC is a ZIP entry's CRC-32 where no host offers one. Natively it is
// hash/crc32's, which uses the processor's CRC instructions: on a container
// of tens of MiB the byte-wise table (crcWriter) was half of a native
// verification. The module keeps the table (crcwasm.go), since hash/crc32
// would add 12 KB to its download and its host offers a native CRC anyway
// (Options.Hash). TestCRCTableAsCRC32 holds the two to the same sums. The
// state is the entry's own, so that none is made per entry.
func newCRC(ze *zipEntry) crc32Writer {
	ze.own = crcOwn{}
	return &ze.own
}

// crcOwn is hash/crc32's IEEE CRC-32 (Update with IEEETable takes the
// processor's instructions, as NewIEEE's digest does).
type crcOwn struct{ sum uint32 }

func (c *crcOwn) Write(p []byte) (int, error) {
	c.sum = crc32.Update(c.sum, crc32.IEEETable, p)
	return len(p), nil
}

func (c *crcOwn) Sum32() uint32 { return c.sum }
