package verifier

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"math/rand"
	"testing"
)

// Outcomes of reading one byte of a status list.
const (
	byteFound = iota
	byteBeyondEnd
	byteNotZlib
	byteCorrupt
)

// zlibStatusByte is statusAt's read before zlib.go's zlibByteAt, kept as
// the oracle: compress/zlib over the list, as far as the byte.
func zlibStatusByte(lst []byte, at int64) (byte, int) {
	zr, err := zlib.NewReader(bytes.NewReader(lst))
	if err != nil {
		return 0, byteNotZlib
	}
	beyond := func(err error) int {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return byteBeyondEnd
		}
		return byteCorrupt
	}
	if _, err := io.CopyN(io.Discard, zr, at); err != nil {
		return 0, beyond(err)
	}
	var b [1]byte
	if _, err := io.ReadFull(zr, b[:]); err != nil {
		return 0, beyond(err)
	}
	return b[0], byteFound
}

// ourStatusByte is zlibByteAt's answer in the same terms.
func ourStatusByte(lst []byte, at int64) (byte, int) {
	b, err := new(inflater).zlibByteAt(lst, at)
	switch err {
	case nil:
		return b, byteFound
	case errZlibShort:
		return 0, byteBeyondEnd
	case errZlibHeader, errZlibDictionary:
		return 0, byteNotZlib
	}
	return 0, byteCorrupt
}

// zlibComplete says the whole of lst reads through compress/zlib without
// an error: a complete stream with its checksum.
func zlibComplete(lst []byte) bool {
	zr, err := zlib.NewReader(bytes.NewReader(lst))
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, zr)
	return err == nil
}

// checkStatusByte holds zlibByteAt to compress/zlib. On a complete stream
// the two agree on every byte, and past its end. On a broken one they may
// differ in one way only: where the damage lies near after the byte, one
// has handed the byte out before finding it and the other not (flate
// hands out at each 32 KiB of output, inflate.go a chunk at a time), or,
// when neither has it, in saying why (a stream cut inside a code is
// corrupt to inflate.go, cut short to flate): either way the document's
// status is unknown. The byte, when both have it, is the same, and what
// is not zlib is refused by both. TestStatusByteEnds holds the answers
// past the end of a complete stream.
func checkStatusByte(t *testing.T, lst []byte, at int64) {
	t.Helper()
	wantB, want := zlibStatusByte(lst, at)
	gotB, got := ourStatusByte(lst, at)
	if want == byteFound && got == byteFound && gotB != wantB {
		t.Fatalf("byte %d: %#x, compress/zlib %#x", at, gotB, wantB)
	}
	if (want == byteNotZlib) != (got == byteNotZlib) {
		t.Fatalf("byte %d: outcome %d, compress/zlib %d (not zlib)", at, got, want)
	}
	if got != want && zlibComplete(lst) {
		t.Fatalf("byte %d of a complete stream: outcome %d, compress/zlib %d", at, got, want)
	}
}

// statusListSeeds are lists shaped like real ones (mostly zero bits, a few
// set) and like hostile ones, small and past inflate.go's first flush.
func statusListSeeds(t testing.TB) [][]byte {
	rng := rand.New(rand.NewSource(1))
	sparse := make([]byte, 200_000)
	for range 300 {
		sparse[rng.Intn(len(sparse))] = 1 << rng.Intn(8)
	}
	noisy := make([]byte, 70_000)
	rng.Read(noisy)
	lists := [][]byte{
		zlibOf(t, zlib.BestCompression, false, []byte{0x01, 0x00, 0xff}),
		zlibOf(t, zlib.BestCompression, false, sparse),
		zlibOf(t, zlib.NoCompression, false, sparse),
		zlibOf(t, zlib.DefaultCompression, false, noisy),
		zlibOf(t, zlib.DefaultCompression, true, sparse[:40_000], sparse[40_000:]),
	}
	var broken [][]byte
	for _, l := range lists {
		cut := bytes.Clone(l[:len(l)*2/3])
		flipped := bytes.Clone(l)
		flipped[len(l)/2] ^= 0x55
		badSum := bytes.Clone(l)
		badSum[len(l)-1] ^= 1
		broken = append(broken, cut, flipped, badSum, l[:len(l)-2], append(bytes.Clone(l), 0, 1, 2, 3, 4))
	}
	return append(append(lists, broken...), nil, []byte{0x78}, []byte{0x78, 0x9c}, []byte{0x78, 0xbb, 0, 0, 0, 2})
}

// TestStatusByteEnds: past the end of a stream that decodes whole, the
// trailer decides: none, part of one, a right one with bytes after it is
// a short list; a wrong one is a damaged list. Before the end, the byte.
func TestStatusByteEnds(t *testing.T) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	good := zlibOf(t, zlib.BestCompression, false, data)
	badSum := bytes.Clone(good)
	badSum[len(badSum)-1] ^= 1
	for _, c := range []struct {
		name string
		lst  []byte
		past error
	}{
		{"whole", good, errZlibShort},
		{"wrong-checksum", badSum, errZlibChecksum},
		{"no-checksum", good[:len(good)-4], errZlibShort},
		{"part-of-checksum", good[:len(good)-2], errZlibShort},
		{"bytes-after", append(bytes.Clone(good), 1, 2, 3), errZlibShort},
	} {
		if b, err := new(inflater).zlibByteAt(c.lst, 20); err != nil || b != data[20] {
			t.Errorf("%s: byte 20: %#x, %v", c.name, b, err)
		}
		if _, err := new(inflater).zlibByteAt(c.lst, int64(len(data))); err != c.past {
			t.Errorf("%s: past the end: %v, want %v", c.name, err, c.past)
		}
	}
}

func TestStatusByteAsZlib(t *testing.T) {
	for _, l := range statusListSeeds(t) {
		for _, at := range []int64{0, 1, 2, 3, 1000, 32767, 32768, 65535, 65536, 98303, 98304, 98305, 131072, 163840, 199_999, 200_000, 1 << 20} {
			checkStatusByte(t, l, at)
		}
	}
}

func FuzzStatusByteAsZlib(f *testing.F) {
	for _, l := range statusListSeeds(f) {
		f.Add(l, uint32(0))
		f.Add(l, uint32(98_305))
	}
	f.Fuzz(func(t *testing.T, lst []byte, at uint32) {
		checkStatusByte(t, lst, int64(at%(1<<21)))
	})
}
