package crc32ieee

import (
	"hash/crc32"
	"testing"
)

// TestAsHashCRC32 holds the table to hash/crc32, which native builds of the
// verifier use, written whole and in uneven pieces.
func TestAsHashCRC32(t *testing.T) {
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	tab := MakeTable()
	for _, n := range []int{0, 1, 7, 64, 1000, len(data)} {
		var sum uint32
		for rest := data[:n]; len(rest) > 0; {
			k := min(len(rest), 1+len(rest)%13)
			sum = Update(sum, tab, rest[:k])
			rest = rest[k:]
		}
		if want := crc32.ChecksumIEEE(data[:n]); sum != want {
			t.Errorf("%d bytes: table %08x, hash/crc32 %08x", n, sum, want)
		}
	}
}
