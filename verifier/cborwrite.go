package verifier

import "errors"

// The verifier writes CBOR only for the structures a signature or a MAC is
// computed over (Sig_structure, DeviceAuthentication, MAC_structure): a
// few heads around bytes it already has. It writes them by hand, as
// fxamacker/cbor's canonical encoder (RFC 8949 core deterministic
// encoding) wrote them before: linking that encoder would cost the
// WebAssembly module about 70 KB of its 1.5 MB brotli budget. Tests hold
// every structure to the encoder.

// appendCBORHead appends the head of a data item of major type major with
// argument n, in the shortest form (RFC 8949 section 4.2.1).
func appendCBORHead(b []byte, major byte, n uint64) []byte {
	major <<= 5
	switch {
	case n < 24:
		return append(b, major|byte(n))
	case n <= 0xff:
		return append(b, major|24, byte(n))
	case n <= 0xffff:
		return append(b, major|25, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(b, major|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, major|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// CBOR major types.
const (
	cborBytes = 2
	cborText  = 3
	cborArray = 4
	cborTag   = 6
)

// cborNull is null, which the encoder writes for a nil []byte and an empty
// cbor.RawMessage.
const cborNull = 0xf6

// appendCBORText appends a text string.
func appendCBORText(b []byte, s string) []byte {
	return append(appendCBORHead(b, cborText, uint64(len(s))), s...)
}

// appendCBORByteString appends a byte string, or null for a nil slice.
func appendCBORByteString(b, v []byte) []byte {
	if v == nil {
		return append(b, cborNull)
	}
	return appendCBORBytes(b, v)
}

// appendCBORTag24 appends v as encoded CBOR data (tag 24 of a byte string).
func appendCBORTag24(b, v []byte) []byte {
	return appendCBORByteString(appendCBORHead(b, cborTag, tagEncodedCBOR), v)
}

// errCBORRaw is an embedded CBOR item that is not one well-formed item.
var errCBORRaw = errors.New("embedded CBOR is not one well-formed item")

// appendCBORRaw appends raw, an encoded data item, as the encoder embeds a
// cbor.RawMessage: null when empty, else only when raw is one well-formed
// item (cborWellFormed).
func appendCBORRaw(b, raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return append(b, cborNull), nil
	}
	if !cborWellFormed(raw) {
		return nil, errCBORRaw
	}
	return append(b, raw...), nil
}

// maxCBORWellFormedDepth is the nesting the encoder's check allows.
const maxCBORWellFormedDepth = 65535

// cborWellFormed reports whether data is exactly one well-formed CBOR data
// item without indefinite lengths whose tags 0 to 3 hold what RFC 8949
// section 3.4 says they hold: what fxamacker/cbor checks of a Marshaler's
// output before embedding it.
func cborWellFormed(data []byte) bool {
	w := cborChecker{data: data}
	return len(data) > 0 && w.item(0) == nil && w.i == len(data)
}

type cborChecker struct {
	data []byte
	i    int
}

var errCBORMalformed = errors.New("malformed CBOR")

// head reads a head: major type, additional information and argument.
func (w *cborChecker) head() (major, ai byte, val uint64, err error) {
	if w.i >= len(w.data) {
		return 0, 0, 0, errCBORMalformed
	}
	major, ai = w.data[w.i]>>5, w.data[w.i]&0x1f
	w.i++
	size := 0
	switch {
	case ai < 24:
		return major, ai, uint64(ai), nil
	case ai <= 27:
		size = 1 << (ai - 24)
	default: // reserved, or indefinite length (forbidden) or break
		return 0, 0, 0, errCBORMalformed
	}
	if len(w.data)-w.i < size {
		return 0, 0, 0, errCBORMalformed
	}
	for _, c := range w.data[w.i : w.i+size] {
		val = val<<8 | uint64(c)
	}
	w.i += size
	if major == 7 && ai == 24 && val < 32 {
		return 0, 0, 0, errCBORMalformed // a simple value in two bytes must be 32 or more
	}
	return major, ai, val, nil
}

func (w *cborChecker) item(depth int) error {
	major, _, val, err := w.head()
	if err != nil {
		return err
	}
	switch major {
	case 2, 3:
		if val > uint64(len(w.data)-w.i) {
			return errCBORMalformed
		}
		w.i += int(val)
	case 4, 5:
		if depth++; depth > maxCBORWellFormedDepth {
			return errCBORMalformed
		}
		n := val
		if major == 5 {
			if n > uint64(len(w.data)) {
				return errCBORMalformed
			}
			n *= 2
		}
		for ; n > 0; n-- {
			if err := w.item(depth); err != nil {
				return err
			}
		}
	case 6:
		for tag := val; ; {
			if w.i >= len(w.data) || !cborTagContentFits(tag, w.data[w.i]) {
				return errCBORMalformed
			}
			if w.data[w.i]>>5 != 6 {
				break
			}
			if _, _, tag, err = w.head(); err != nil {
				return err
			}
			if depth++; depth > maxCBORWellFormedDepth {
				return errCBORMalformed
			}
		}
		return w.item(depth)
	}
	return nil
}

// cborTagContentFits checks the first byte of a tag's content for tags 0
// to 3: a date text string, an epoch integer or float, a bignum byte
// string.
func cborTagContentFits(tag uint64, first byte) bool {
	switch major := first >> 5; tag {
	case 0:
		return major == 3
	case 1:
		return major == 0 || major == 1 || first >= 0xf9 && first <= 0xfb
	case 2, 3:
		return major == 2
	}
	return true
}
