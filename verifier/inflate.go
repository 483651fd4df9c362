package verifier

// A DEFLATE (RFC 1951) decoder for ZIP entries (zipread.go), also behind
// the zlib readers of EU DCCs and status lists (zlib.go): the verifier's
// only one, which keeps compress/flate out of the module. In the
// WebAssembly module compress/flate inflates at about 16 MB/s: it reads
// every input byte through an io.ByteReader interface call and copies
// through small helper calls, and in wasm each call is expensive. Here the
// input is a slice held in memory and the output size is known (or
// bounded), so bits are read from the slice into a 64-bit buffer by index,
// Huffman codes are decoded by table lookups and the output is built in
// one buffer that keeps the last 32 KiB as the window and is written out
// in chunks.
//
// It accepts exactly what zipEntry.stream accepted with compress/flate
// (inflate_test.go keeps that code as flateInflate, and TestInflateAsFlate
// and FuzzInflateAsFlate compare the two): the validity rules below are flate's, including its two
// exceptions to complete Huffman codes (an empty code, which fails when it
// is used, and a single code of one bit), its refusal of length symbols
// 286 and 287, distance symbols 30 and 31, 286 < HLIT and 30 < HDIST, and
// of a distance beyond the bytes written so far. flate never reads a byte
// whose bits it does not need (it holds fewer than 8 unused bits after
// each code), so "the stream fills exactly the stored bytes" is: the last
// bit of the final block is in the last byte of the data.
//
// Its work is bounded by the input and the declared size: every code takes
// at least one bit, the output stops with a refusal as soon as it would
// pass the declared size, and bits read past the end of the data are
// refused at the next refill.

import (
	"encoding/binary"
	"io"
)

const (
	inflateWindow = 1 << 15 // the farthest a distance reaches back
	inflateChunk  = 1 << 16 // how much is written to w at a time
	inflateMaxLen = 258     // the longest match
	// huffRootBits is the size of the first lookup: codes up to 9 bits
	// (all literals of most blocks) take one lookup, longer ones two.
	huffRootBits = 9
	huffLink     = 0x100 // a root entry leading to a second table
)

// inflater is one archive's decoder, reused for its entries: the output
// buffer (96 KiB) and the tables would otherwise be made for each entry
// (and, from a trust's pool, for each archive: containerscratch.go).
type inflater struct {
	buf  []byte
	crcs *crcTable // the CRC-32 table of the archives (crcwasm.go), made once

	lit, dist  huffTable
	fixedLit   huffTable
	fixedDist  huffTable
	fixedReady bool
	lens       [286 + 30]uint8
}

// huffTable decodes one Huffman code. An entry is symbol<<16 | code
// length; a root entry for codes longer than huffRootBits is instead
// offset<<16 | huffLink | the second table's index bits. A zero entry is
// a bit sequence that is no code.
type huffTable struct {
	root [1 << huffRootBits]uint32
	sub  []uint32
}

// build makes the table of a code given by its lengths (RFC 1951 3.2.2).
// As flate, it refuses over-subscribed and incomplete codes except an
// empty one (every lookup then fails) and a single code of one bit.
func (h *huffTable) build(lengths []uint8) bool {
	var count [16]int
	max := 0
	for _, n := range lengths {
		count[n]++
		if int(n) > max {
			max = int(n)
		}
	}
	h.root = [1 << huffRootBits]uint32{}
	h.sub = h.sub[:0]
	if max == 0 {
		return true
	}
	count[0] = 0
	var next [16]int
	code := 0
	for l := 1; l <= max; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	if code+count[max] != 1<<max && !(max == 1 && count[1] == 1) {
		return false
	}
	subBits := max - huffRootBits
	for sym, n := range lengths {
		if n == 0 {
			continue
		}
		c := next[n]
		next[n]++
		r := 0 // the code bit-reversed: DEFLATE sends codes first bit first
		for range n {
			r = r<<1 | c&1
			c >>= 1
		}
		e := uint32(sym)<<16 | uint32(n)
		if int(n) <= huffRootBits {
			for i := r; i < len(h.root); i += 1 << n {
				h.root[i] = e
			}
			continue
		}
		link := h.root[r&(1<<huffRootBits-1)]
		if link == 0 {
			link = uint32(len(h.sub))<<16 | huffLink | uint32(subBits)
			h.root[r&(1<<huffRootBits-1)] = link
			h.sub = append(h.sub, make([]uint32, 1<<subBits)...)
		}
		t := h.sub[link>>16:][:1<<subBits]
		for i := r >> huffRootBits; i < len(t); i += 1 << (int(n) - huffRootBits) {
			t[i] = e
		}
	}
	return true
}

// lookup returns the entry of the code at the bottom of b; the caller has
// at least 15 bits in b.
func (h *huffTable) lookup(b uint64) uint32 {
	e := h.root[b&(1<<huffRootBits-1)]
	if e&huffLink != 0 {
		e = h.sub[e>>16+uint32(b>>huffRootBits)&(1<<(e&0xff)-1)]
	}
	return e
}

var (
	// The base and extra bits of length symbols 257..285 and of distance
	// symbols 0..29 (RFC 1951 3.2.5).
	inflateLenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	inflateLenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	inflateDistBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	inflateDistExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// The order of the code length code's lengths (RFC 1951 3.2.7).
	inflateCLOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inflateState is the decoding of one stream. Bits come from src by index:
// pos is the next byte to load into b, nb the number of loaded bits not
// yet used. Past the end of src zero bytes are loaded (so the decoding
// loop needs no bounds test) and counted in pos; using one of their bits
// means the stream is truncated, which refill and the final test catch.
type inflateState struct {
	src   []byte
	pos   int
	b     uint64
	nb    uint
	w     io.Writer
	buf   []byte
	at    int   // where the next output byte goes in buf
	from  int   // buf[from:at] is not yet written to w
	out   int64 // bytes decoded so far
	size  int64 // bytes the stream must decode to (inflate), or at most (zlib.go)
	short bool  // a write to w failed
	// What zlib.go needs to answer as compress/flate behind a reader
	// limited to size would (see there); inflate ignores it.
	long     bool // the output would pass size
	past     bool // ... and flate would give more than size bytes before failing
	heldSize bool // a non-final empty stored block ended at size bytes
}

// refill loads bits until b holds at least 56; it fails once the stream
// has used a bit past the end of src.
func (s *inflateState) refill() bool {
	if s.pos+8 <= len(s.src) {
		s.b |= binary.LittleEndian.Uint64(s.src[s.pos:]) << s.nb
		s.pos += int(63-s.nb) >> 3
		s.nb |= 56
		return true
	}
	if over := s.pos - len(s.src); over > 0 && uint(over)*8 > s.nb {
		return false
	}
	for s.nb <= 56 {
		if s.pos < len(s.src) {
			s.b |= uint64(s.src[s.pos]) << s.nb
		}
		s.pos++
		s.nb += 8
	}
	return true
}

// bits takes n (at most 32) bits.
func (s *inflateState) bits(n uint) (uint32, bool) {
	if s.nb < n && !s.refill() {
		return 0, false
	}
	v := uint32(s.b & (1<<n - 1))
	s.b >>= n
	s.nb -= n
	return v, true
}

// sym decodes one symbol of h; -1 for a bit sequence that is no code.
func (s *inflateState) sym(h *huffTable) int {
	if s.nb < 15 && !s.refill() {
		return -1
	}
	e := h.lookup(s.b)
	n := uint(e & 0xff)
	if n == 0 {
		return -1
	}
	s.b >>= n
	s.nb -= n
	return int(e >> 16)
}

// flush writes what is decoded and not yet written, then, when the buffer
// is full, moves the window to its start.
func (s *inflateState) flush() {
	if s.at > s.from {
		if k, err := s.w.Write(s.buf[s.from:s.at]); err != nil || k != s.at-s.from {
			s.short = true
		}
	}
	s.from = s.at
	if s.at >= inflateWindow+inflateChunk {
		copy(s.buf, s.buf[s.at-inflateWindow:s.at])
		s.at, s.from = inflateWindow, inflateWindow
	}
}

// inflate decodes src, which must be one complete DEFLATE stream ending in
// its last byte and decoding to exactly size bytes, writing them to w. It
// stops as soon as the stream is wrong; what it wrote is then to be
// discarded. A write error fails it too, as io.Copy did.
func (z *inflater) inflate(w io.Writer, src []byte, size int64) error {
	s := &inflateState{src: src, w: w, size: size}
	if err := z.decode(s); err != nil {
		return err
	}
	used := s.used()
	if used > int64(len(src))*8 || s.out != size {
		return inflateShort()
	}
	if (used+7)/8 != int64(len(src)) {
		return readFail(Malformed, "an entry has bytes after its DEFLATE stream")
	}
	return nil
}

// used is the number of bits of the stream decoded so far; more than
// len(s.src)*8 when the stream is truncated.
func (s *inflateState) used() int64 {
	return int64(s.pos)*8 - int64(s.nb)
}

// decode decodes the blocks of the stream at the start of s.src up to the
// final one, writing at most s.size bytes to s.w. Without an error, bits
// past the end of src may still have been used (s.used tells).
func (z *inflater) decode(s *inflateState) error {
	if z.buf == nil {
		z.buf = make([]byte, inflateWindow+inflateChunk+inflateMaxLen)
	}
	s.buf = z.buf
	for final := false; !final; {
		h, ok := s.bits(3)
		if !ok {
			return inflateShort()
		}
		final = h&1 == 1
		var err error
		switch h >> 1 {
		case 0:
			before := s.out
			err = s.stored()
			// flate hands out what it holds at an empty stored block
			// (zlib.go).
			if err == nil && !final && s.out == before && s.out == s.size {
				s.heldSize = true
			}
		case 1:
			z.fixed()
			err = s.huffman(&z.fixedLit, &z.fixedDist, 7)
		case 2:
			if err = z.dynamic(s); err == nil {
				err = s.huffman(&z.lit, &z.dist, uint(z.lens[256]))
			}
		default:
			err = readFail(Malformed, "an entry's DEFLATE stream has a block of type 3")
		}
		if err != nil {
			return err
		}
		if s.short {
			return inflateShort()
		}
	}
	s.flush()
	if s.short {
		return inflateShort()
	}
	return nil
}

func inflateShort() error {
	return readFail(Malformed, "an entry's data is shorter than its declared size, or not DEFLATE")
}

func inflateLong() error {
	return readFail(Malformed, "an entry's data is longer than its declared size")
}

// tooLong fails a stream whose output would pass s.size, noting for
// zlib.go whether flate would have given more than s.size bytes before
// failing: whether src holds the bits of the symbol passing it (the last
// n used) and, from its start, flate's lookahead: the length of the
// block's end-of-block code (eob), which flate has in hand before it
// decodes a literal or length code. The caller has put its bit state
// back into s.
func (s *inflateState) tooLong(n, eob uint) error {
	s.long = true
	used, have := s.used(), int64(len(s.src))*8
	s.past = used <= have && used-int64(n)+int64(eob) <= have
	return inflateLong()
}

func inflateBad() error {
	return readFail(Malformed, "an entry's DEFLATE stream is not valid")
}

// stored copies a stored block (RFC 1951 3.2.4): the unused bits of the
// current byte are dropped, then LEN, NLEN and LEN bytes follow.
func (s *inflateState) stored() error {
	s.nb &^= 7
	s.pos -= int(s.nb >> 3)
	s.b, s.nb = 0, 0
	if s.pos+4 > len(s.src) {
		return inflateShort()
	}
	n := int(binary.LittleEndian.Uint16(s.src[s.pos:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(s.src[s.pos+2:]) {
		return inflateBad()
	}
	s.pos += 4
	if int64(n) > s.size-s.out {
		// flate copies what src holds of the block, failing after it if
		// that is not all of it.
		held := len(s.src) - s.pos
		s.long = true
		s.past = n <= held || s.out+int64(held) > s.size
		return inflateLong()
	}
	if n > len(s.src)-s.pos {
		return inflateShort()
	}
	for n > 0 {
		k := copy(s.buf[s.at:], s.src[s.pos:s.pos+n])
		s.pos += k
		s.at += k
		s.out += int64(k)
		n -= k
		if s.at >= inflateWindow+inflateChunk {
			s.flush()
		}
	}
	return nil
}

// fixed makes the tables of the fixed codes (RFC 1951 3.2.6) once. The
// distance code has all 32 five-bit codes, 30 and 31 being refused when
// met, as flate does.
func (z *inflater) fixed() {
	if z.fixedReady {
		return
	}
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	z.fixedLit.build(l[:])
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	z.fixedDist.build(d[:])
	z.fixedReady = true
}

// dynamic reads the codes of a dynamic block (RFC 1951 3.2.7) into z.lit
// and z.dist.
func (z *inflater) dynamic(s *inflateState) error {
	h, ok := s.bits(14)
	if !ok {
		return inflateShort()
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return inflateBad()
	}
	var cl [19]uint8
	for i := range nclen {
		v, ok := s.bits(3)
		if !ok {
			return inflateShort()
		}
		cl[inflateCLOrder[i]] = uint8(v)
	}
	if !z.lit.build(cl[:]) {
		return inflateBad()
	}
	lens := z.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		x := s.sym(&z.lit)
		if x < 0 {
			return inflateBad()
		}
		if x < 16 {
			lens[i] = uint8(x)
			i++
			continue
		}
		var rep int
		var v uint8
		var extra uint
		switch x {
		case 16:
			if i == 0 {
				return inflateBad()
			}
			rep, extra, v = 3, 2, lens[i-1]
		case 17:
			rep, extra = 3, 3
		default: // 18: the code length code has 19 symbols
			rep, extra = 11, 7
		}
		e, ok := s.bits(extra)
		if !ok {
			return inflateShort()
		}
		rep += int(e)
		if i+rep > len(lens) {
			return inflateBad()
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if !z.lit.build(lens[:nlit]) || !z.dist.build(lens[nlit:]) {
		return inflateBad()
	}
	return nil
}

// huffman decodes the data of a Huffman block up to its end code, whose
// length is eob. Each turn loads the bits of a whole literal or match (at
// most 15+5+15+13).
// The state it changes is kept in locals, which the wasm compiler keeps in
// its own locals rather than in memory, and put back for s's methods.
func (s *inflateState) huffman(lit, dist *huffTable, eob uint) error {
	buf, src := s.buf, s.src
	b, nb, pos, at := s.b, s.nb, s.pos, s.at
	// The output so far is base+at; at may not pass end, where it
	// reaches the declared size.
	base := s.out - int64(at)
	end := int(min(s.size-base, 1<<40))
	for {
		if nb < 48 {
			if pos+8 <= len(src) {
				b |= binary.LittleEndian.Uint64(src[pos:]) << nb
				pos += int(63-nb) >> 3
				nb |= 56
			} else {
				s.b, s.nb, s.pos = b, nb, pos
				if !s.refill() {
					return inflateShort()
				}
				b, nb, pos = s.b, s.nb, s.pos
			}
		}
		e := lit.root[b&(1<<huffRootBits-1)]
		if e&huffLink != 0 {
			e = lit.sub[e>>16+uint32(b>>huffRootBits)&(1<<(e&0xff)-1)]
		}
		n := uint(e & 0xff)
		if n == 0 {
			return inflateBad()
		}
		b >>= n
		nb -= n
		v := int(e >> 16)
		if v < 256 {
			if at >= end {
				s.b, s.nb, s.pos = b, nb, pos
				return s.tooLong(n, eob)
			}
			buf[at] = byte(v)
			at++
			// Literals whose code fits the first lookup follow while the
			// buffer holds their bits (most of a text's symbols): one
			// refill serves several. The buffer's slack holds the at most
			// 63 bytes written before the flush test.
			for nb >= huffRootBits {
				e = lit.root[b&(1<<huffRootBits-1)]
				if e&huffLink != 0 || e&0xff == 0 || e>>16 >= 256 {
					break
				}
				n = uint(e & 0xff)
				b >>= n
				nb -= n
				if at >= end {
					s.b, s.nb, s.pos = b, nb, pos
					return s.tooLong(n, eob)
				}
				buf[at] = byte(e >> 16)
				at++
			}
		} else {
			if v == 256 {
				s.b, s.nb, s.pos, s.at, s.out = b, nb, pos, at, base+int64(at)
				return nil
			}
			v -= 257
			if v >= len(inflateLenBase) {
				return inflateBad()
			}
			x := uint(inflateLenExtra[v])
			length := int(inflateLenBase[v]) + int(b&(1<<x-1))
			b >>= x
			nb -= x
			took := n + x // the match's bits so far
			e = dist.root[b&(1<<huffRootBits-1)]
			if e&huffLink != 0 {
				e = dist.sub[e>>16+uint32(b>>huffRootBits)&(1<<(e&0xff)-1)]
			}
			n = uint(e & 0xff)
			if n == 0 {
				return inflateBad()
			}
			b >>= n
			nb -= n
			d := int(e >> 16)
			if d >= len(inflateDistBase) {
				return inflateBad()
			}
			x = uint(inflateDistExtra[d])
			d = int(inflateDistBase[d]) + int(b&(1<<x-1))
			b >>= x
			nb -= x
			if int64(d) > base+int64(at) {
				return inflateBad()
			}
			if length > end-at {
				s.b, s.nb, s.pos = b, nb, pos
				return s.tooLong(took+n+x, eob)
			}
			if d >= length {
				copy(buf[at:at+length], buf[at-d:])
			} else {
				// Overlapping: each byte may be one this match wrote.
				for i := at; i < at+length; i++ {
					buf[i] = buf[i-d]
				}
			}
			at += length
		}
		if at >= inflateWindow+inflateChunk {
			s.at, s.out = at, base+int64(at)
			s.flush()
			if s.short {
				// The writer wants no more (zlibByteAt has its byte).
				return inflateShort()
			}
			base -= int64(s.at - at)
			end += s.at - at
			at = s.at
		}
	}
}
