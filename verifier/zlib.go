package verifier

// A zlib (RFC 1950) reader over inflate.go's DEFLATE decoder, for EU DCCs
// (dcc.go); zlibByteAt below reads a status list as far as one byte.
// zlibRead answers as the code it replaced did: compress/zlib over a
// bytes.Reader, read through io.LimitReader(r, limit) with io.ReadAll
// (dcc_zlib_test.go keeps that code as the oracle, and
// TestDCCInflateAsZlib and FuzzDCCInflateAsZlib compare the two).
//
// The header and trailer rules are compress/zlib's: CM 8, CINFO at most 7,
// the FCHECK multiple of 31; with FDICT the DICTID must be the Adler-32 of
// the (absent, so empty) dictionary, 1, and the stream then goes on; after
// the final block the 4-byte big-endian Adler-32 of the output, and
// nothing read after it.
//
// The limit is where the two could differ. The limited reader stops
// asking once it has limit bytes, so what flate finds wrong later is never
// seen, and flate hands out its output only at some points: when its 32
// KiB window fills, at an empty non-final stored block, at the end of the
// final block (with the trailer's check) and at an error (with the error).
// So a failure counts if flate meets it having given at most limit bytes,
// unless a handout ended exactly at limit bytes before it; otherwise the
// read gives limit bytes and no error. inflate.go notes what decides that
// (inflateState.long, past, heldSize). Its decoder finds a truncated
// stream later than flate, but never after passing the limit with the
// passing symbol's bits in the data; flate finds it earlier than the
// symbol's bits alone say, as it has the end-of-block code's length in
// hand before each literal or length code (inflateState.tooLong). A
// window handout at the limit would need flate's exact point of
// truncation, so the limit must not be a multiple of 32 KiB (dcc.go
// asserts it).

import (
	"encoding/binary"
	"errors"
	"hash/adler32"
)

// flateWindow is compress/flate's window, whose fills hand out its output.
const flateWindow = 1 << 15

var (
	errZlibHeader     = errors.New("not a zlib stream")
	errZlibDictionary = errors.New("the zlib stream needs a preset dictionary")
	errZlibCorrupt    = errors.New("the DEFLATE data is corrupt or truncated")
	errZlibChecksum   = errors.New("the zlib checksum does not match")
	errZlibShort      = errors.New("the stream ends before the byte asked for")
	// errZlibLimit: the read gave limit bytes without an error.
	errZlibLimit = errors.New("the stream inflates to the limit or more")
)

// zlibRead decodes the zlib stream at the start of src with z. It fails
// with errZlibLimit where the limited read would give limit bytes without
// an error, with another error where it would fail; otherwise it returns
// the same bytes (fewer than limit) and how many bytes of src follow the
// stream. limit is not a multiple of flateWindow.
func (z *inflater) zlibRead(src []byte, limit int64) (out []byte, rest int, err error) {
	start, err := zlibStart(src)
	if err != nil {
		return nil, 0, err
	}
	var w sliceWriter
	s := &inflateState{src: src[start:], w: &w, size: limit}
	err = z.decode(s)
	switch {
	case s.long && s.past, s.heldSize:
		return nil, 0, errZlibLimit
	case err != nil || s.used() > int64(len(s.src))*8:
		return nil, 0, errZlibCorrupt
	}
	// The final block ended with at most limit bytes: zlib reads the
	// trailer.
	end := start + int((s.used()+7)/8)
	if len(src)-end < 4 {
		return nil, 0, errZlibCorrupt
	}
	if binary.BigEndian.Uint32(src[end:]) != adler32.Checksum(w) {
		return nil, 0, errZlibChecksum
	}
	if int64(len(w)) >= limit {
		return nil, 0, errZlibLimit
	}
	return w, len(src) - end - 4, nil
}

// zlibStart checks the zlib header at the start of src and returns where
// the DEFLATE data begins.
func zlibStart(src []byte) (int, error) {
	if len(src) < 2 {
		return 0, errZlibHeader
	}
	cmf, flg := src[0], src[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint(cmf)<<8|uint(flg))%31 != 0 {
		return 0, errZlibHeader
	}
	if flg&0x20 == 0 {
		return 2, nil
	}
	if len(src) < 6 {
		return 0, errZlibHeader
	}
	if binary.BigEndian.Uint32(src[2:]) != 1 {
		return 0, errZlibDictionary
	}
	return 6, nil
}

// zlibByteAt decodes the zlib stream src as far as the byte at offset at
// (below MaxStatusListBytes) and returns it: a status list is read only as
// far as the index a document asks for (statuslist.go). The byte counts
// once the decoder has written it out, which it does a chunk at a time
// (inflateChunk), and decoding stops there: a stream corrupt beyond that
// point is never read. Otherwise errZlibShort says the stream ends before
// the byte (complete, or cut off), errZlibHeader or errZlibDictionary that
// it is not zlib, errZlibChecksum that a stream ending before the byte
// fails its Adler-32, errZlibCorrupt that the DEFLATE data is wrong
// before the byte.
func (z *inflater) zlibByteAt(src []byte, at int64) (byte, error) {
	start, err := zlibStart(src)
	if err != nil {
		return 0, err
	}
	w := byteAtWriter{at: at}
	// The bound is never reached: the byte is written out, at most a chunk
	// and a window after it was decoded, before the output passes it.
	s := &inflateState{src: src[start:], w: &w, size: MaxStatusListBytes + 2*inflateChunk}
	err = z.decode(s)
	switch {
	case w.found:
		return w.b, nil
	case s.used() > int64(len(s.src))*8:
		return 0, errZlibShort
	case err != nil:
		return 0, errZlibCorrupt
	}
	// The whole stream decoded before the byte: its checksum, when there
	// is one, decides between a short list and a corrupt one. Only this
	// path, an index past the list's end, sums the output, decoding it
	// again into the sum rather than summing every list read.
	end := start + int((s.used()+7)/8)
	if len(src)-end >= 4 {
		sum := adler32.New()
		z.decode(&inflateState{src: src[start:], w: sum, size: s.size})
		if binary.BigEndian.Uint32(src[end:]) != sum.Sum32() {
			return 0, errZlibChecksum
		}
	}
	return 0, errZlibShort
}

// byteAtWriter keeps the byte at offset at of what is written to it, then
// refuses more.
type byteAtWriter struct {
	at    int64
	n     int64
	b     byte
	found bool
}

func (w *byteAtWriter) Write(p []byte) (int, error) {
	if w.n+int64(len(p)) > w.at {
		w.b, w.found = p[w.at-w.n], true
		return 0, errZlibLimit
	}
	w.n += int64(len(p))
	return len(p), nil
}

// sliceWriter collects what is written to it.
type sliceWriter []byte

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}
