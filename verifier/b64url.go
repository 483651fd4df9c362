package verifier

// A base64url decoder for the JOSE formats' segments: a JWS's payload and
// signature, an SD-JWT's disclosures and key binding JWT. encoding/base64
// decodes eight characters through two calls the WebAssembly module does
// not inline, which made decoding the largest single cost of a JWS inside
// the module; this loop decodes four characters inline. It accepts exactly
// what base64.RawURLEncoding.Strict() accepts, with the same output: any
// byte outside the alphabet (a stray CR or LF, which encoding/base64
// skips, included) hands the whole input to encoding/base64, whose
// answer stands.

// b64urlValues maps a base64url character (A-Z a-z 0-9 - _) to its
// value, other bytes to 0xff: a literal, which costs the module no code to
// build (the test holds it to the alphabet).
const b64urlValues = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x3e\xff\xff\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\xff\xff\xff\xff\xff\xff\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\xff\xff\xff\xff\x3f\xff\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// decodeB64URL decodes src, unpadded base64url with zero trailing bits,
// into dst (at least len(src)*6/8 bytes). It returns false, having
// decided nothing, for any other input.
func decodeB64URL(dst, src []byte) (int, bool) {
	const t = b64urlValues
	si, di := 0, 0
	for ; len(src)-si >= 4 && len(dst)-di >= 3; si, di = si+4, di+3 {
		a, b, c, d := t[src[si]], t[src[si+1]], t[src[si+2]], t[src[si+3]]
		if (a|b|c|d)&0xc0 != 0 {
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		dst[di], dst[di+1], dst[di+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	switch len(src) - si {
	case 0:
		return di, true
	case 2:
		if len(dst)-di < 1 {
			return 0, false
		}
		a, b := t[src[si]], t[src[si+1]]
		if (a|b)&0xc0 != 0 || b&0x0f != 0 {
			return 0, false
		}
		dst[di] = a<<2 | b>>4
		return di + 1, true
	case 3:
		if len(dst)-di < 2 {
			return 0, false
		}
		a, b, c := t[src[si]], t[src[si+1]], t[src[si+2]]
		if (a|b|c)&0xc0 != 0 || c&0x03 != 0 {
			return 0, false
		}
		dst[di], dst[di+1] = a<<2|b>>4, b<<4|c>>2
		return di + 2, true
	}
	return 0, false
}
