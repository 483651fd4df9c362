package verifier

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestCRCTableAsCRC32 holds the module's byte-wise CRC-32 (crcWriter, with
// the table an inflater makes once) and the native one (newCRC, hash/crc32)
// to hash/crc32's IEEE checksum, written whole and in pieces.
func TestCRCTableAsCRC32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	z := &inflater{}
	ze := &zipEntry{inf: z}
	for _, n := range []int{0, 1, 7, 64, 1000, 70000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		want := crc32.ChecksumIEEE(b)
		table := &crcWriter{t: z.crcTable()}
		own := newCRC(ze)
		for p := 0; p < n; p += 333 {
			table.Write(b[p:min(p+333, n)])
			own.Write(b[p:min(p+333, n)])
		}
		if table.Sum32() != want || own.Sum32() != want {
			t.Errorf("%d bytes: table %08x, newCRC %08x, hash/crc32 %08x", n, table.Sum32(), own.Sum32(), want)
		}
	}
	if first := z.crcTable(); z.crcTable() != first {
		t.Error("the table is made again")
	}
}
