package verifier

import "bytes"

// The module decodes CBOR through fxamacker/cbor's reflection, whose fixed
// cost per call dominates small items inside WebAssembly; an mdoc has two
// such calls per disclosed element only to unwrap its tag 24. The usual
// shape of that wrapper is read here by hand, and anything else goes to
// the library as before, so every input decodes as it did.

const majorTag = 6

// readCBORHead reads the head of a data item of major type major: its
// argument (a length or a tag number) and what follows the head. Only
// definite heads (additional information 0 to 27) are read.
func readCBORHead(b []byte, major byte) (arg uint64, rest []byte, ok bool) {
	if len(b) == 0 || b[0]>>5 != major {
		return 0, nil, false
	}
	ai := b[0] & 0x1f
	b = b[1:]
	var n int
	switch {
	case ai < 24:
		return uint64(ai), b, true
	case ai == 24:
		n = 1
	case ai == 25:
		n = 2
	case ai == 26:
		n = 4
	case ai == 27:
		n = 8
	default:
		return 0, nil, false
	}
	if len(b) < n {
		return 0, nil, false
	}
	for _, c := range b[:n] {
		arg = arg<<8 | uint64(c)
	}
	return arg, b[n:], true
}

// unwrap24Plain reads a tag-24 item that is tag 24 on a definite-length
// byte string reaching exactly to the end of raw, and returns a copy of
// the string's bytes, as the library's decoding would. ok is false for
// any other shape.
func unwrap24Plain(raw []byte) (inner []byte, ok bool) {
	tag, rest, ok := readCBORHead(raw, majorTag)
	if !ok || tag != tagEncodedCBOR {
		return nil, false
	}
	n, body, ok := readCBORHead(rest, majorBytes)
	if !ok || n != uint64(len(body)) {
		return nil, false
	}
	return bytes.Clone(body), true
}
