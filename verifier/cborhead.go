package verifier

import "bytes"

// The module decodes CBOR through fxamacker/cbor's reflection, whose fixed
// cost per call dominates small items inside WebAssembly; an mdoc has two
// such calls per disclosed element only to unwrap its tag 24. The usual
// shape of that wrapper is read here by hand, and anything else goes to
// the library as before, so every input decodes as it did.

const (
	majorArray = 4
	majorTag   = 6
)

// readCBORHead reads the head of a data item of major type major: its
// argument (a length or a tag number) and what follows the head. Only
// definite heads (additional information 0 to 27) are read.
func readCBORHead(b []byte, major byte) (arg uint64, rest []byte, ok bool) {
	m, _, arg, rest, ok := cborPlain{}.head(b)
	if !ok || m != major {
		return 0, nil, false
	}
	return arg, rest, true
}

// unwrap24Plain reads a tag-24 item that is tag 24 on a definite-length
// byte string reaching exactly to the end of raw, and returns the string's
// bytes. They are raw's own: every caller decodes them at once, and the
// decoding copies what it keeps. ok is false for any other shape.
func unwrap24Plain(raw []byte) (inner []byte, ok bool) {
	tag, rest, ok := readCBORHead(raw, majorTag)
	if !ok || tag != tagEncodedCBOR {
		return nil, false
	}
	n, body, ok := readCBORHead(rest, majorBytes)
	if !ok || n != uint64(len(body)) {
		return nil, false
	}
	return body[:n:n], true
}

// sign1EnvelopePlain reads a COSE_Sign1 envelope in its usual shapes: an
// array of four, untagged, under tag 18, under tag 61 (CWT), or under 61
// then 18, reaching exactly to the end of data. The whole item must be
// well-formed for the strict decoder, so it accepts what the library would;
// the members are copies, as the library's RawMessage are. ok is false for
// any other shape, which the library then decides. Unlike the library it
// does not check the content of tags inside members (tag 0 on a number);
// parseSign1 decodes every member that is not a plain byte string, which
// does.
func sign1EnvelopePlain(data []byte) (cwt bool, a coseArray, ok bool) {
	if cborDec.Wellformed(data) != nil {
		return false, a, false
	}
	body := data
	if tag, rest, ok := readCBORHead(body, majorTag); ok && tag == tagCWT {
		cwt, body = true, rest
	}
	if tag, rest, ok := readCBORHead(body, majorTag); ok && tag == tagCOSESign1 {
		body = rest
	}
	n, body, ok := readCBORHead(body, majorArray)
	if !ok || n != 4 {
		return false, a, false
	}
	var members [4][]byte
	for i := range members {
		rest, ok := preferredItem(body, 1)
		if !ok {
			return false, a, false
		}
		members[i] = bytes.Clone(body[:len(body)-len(rest)])
		body = rest
	}
	if len(body) != 0 {
		return false, a, false
	}
	a.Protected, a.Unprotected, a.Payload, a.Signature = members[0], members[1], members[2], members[3]
	return cwt, a, true
}

// plainBytesPlain reads a definite-length byte string that is all of raw
// and returns a copy of its bytes; ok is false for any other shape.
func plainBytesPlain(raw []byte) (b []byte, ok bool) {
	n, body, ok := readCBORHead(raw, majorBytes)
	if !ok || n != uint64(len(body)) {
		return nil, false
	}
	return bytes.Clone(body), true
}
