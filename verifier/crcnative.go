//go:build !wasm

package verifier

import "hash/crc32"

// newCRC is a ZIP entry's CRC-32 where no host offers one. Natively it is
// hash/crc32, which uses the processor's CRC instructions: on a container
// of tens of MiB the byte-wise table (crcWriter) was half of a native
// verification. The module keeps the table (crcwasm.go), since hash/crc32
// would add 12 KB to its download and its host offers a native CRC anyway
// (Options.Hash). TestCRCTableAsCRC32 holds the two to the same sums.
func newCRC(*inflater) crc32Writer { return crc32.NewIEEE() }
