package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
)

// errUnknownInput is the detail for input that is none of the formats.
var errUnknownInput = errors.New("expected a JWS or JWT (compact or JSON), an SD-JWT, a COSE_Sign1 or CWT (binary, hex or base64), an mdoc (CBOR), an EU DCC (HC1:), a DigiDoc container (ASiC-E, BDOC, ASiC-S) or an attested document")

// detect decides the format of input and returns the bytes that format's
// verifier reads (hex and base64 wrappings of COSE removed). An expected
// format skips detection but not unwrapping.
func detect(input []byte, expect Format) (Format, []byte, error) {
	text := bytes.TrimSpace(input)
	if expect == FormatDetect {
		expect = sniff(input, text)
	}
	switch expect {
	case FormatJWS, FormatSDJWT, FormatDCC:
		return expect, text, nil
	case FormatAttested:
		// Not trimmed: the proof inside ends with a newline that counts.
		return expect, input, nil
	case FormatCOSE, FormatMDoc:
		if isCBORStart(input) {
			return expect, input, nil
		}
		if b, ok := unwrapText(text); ok {
			return expect, b, nil
		}
		return expect, input, nil
	case "":
		return "", nil, errUnknownInput
	}
	return expect, input, nil
}

// sniff guesses the format from the first bytes. It never decides validity:
// a wrong guess ends in malformed from the format's own parser.
func sniff(input, text []byte) Format {
	if isZIP(input) {
		// A ZIP archive: the only ZIP this verifier reads is a container.
		return FormatASiC
	}
	if isCBORStart(input) {
		return cborFormat(input)
	}
	if len(text) == 0 {
		return ""
	}
	switch {
	case bytes.HasPrefix(text, []byte(AttestedHeader+"\n")):
		return FormatAttested
	case bytes.HasPrefix(text, []byte("HC1:")):
		return FormatDCC
	case text[0] == '{' && isSDJWTJSON(text):
		return FormatSDJWT
	case text[0] == '{':
		return FormatJWS
	}
	// One pass over the text: inside the module each of the former three
	// (a search for '~', a count of dots, the character check) cost as much
	// as the rest of detection on a token with an x5c chain.
	switch dots, tildes, jose := joseScan(text); {
	case jose && tildes > 0:
		return FormatSDJWT
	case jose && dots >= 2:
		return FormatJWS
	case isUnencodedJWS(text):
		return FormatJWS
	}
	if b, ok := unwrapText(text); ok && isCBORStart(b) {
		return cborFormat(b)
	}
	return ""
}

// cborFormat tells COSE from an mdoc by the first CBOR item: COSE messages
// are arrays or tags, mdoc documents are maps.
func cborFormat(b []byte) Format {
	if b[0]>>5 == 5 { // major type 5: map
		return FormatMDoc
	}
	return FormatCOSE
}

// isCBORStart reports whether b starts like a COSE message or an mdoc: a
// COSE tag (16, 17, 18, 61, 96, 97, 98), an array of four, or a map.
func isCBORStart(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	switch c := b[0]; {
	case c == 0xd0 || c == 0xd1 || c == 0xd2: // tags 16, 17, 18
		return true
	case c == 0xd8 && (b[1] == 61 || b[1] == 96 || b[1] == 97 || b[1] == 98):
		return true
	case c == 0x84: // untagged COSE_Sign1 / Mac0
		return true
	case c>>5 == 5 && c != 0xbf: // definite-length map
		return true
	}
	return false
}

// isUnencodedJWS reports whether text looks like a compact JWS whose payload
// is not base64url (RFC 7797 b64:false may carry any character but a dot):
// a first segment that is base64url of a JSON object ("ey" is how '{'
// followed by '"', ' ' or a tab encodes), and two more dots.
func isUnencodedJWS(text []byte) bool {
	first, rest, ok := bytes.Cut(text, []byte{'.'})
	return ok && bytes.HasPrefix(first, []byte("ey")) && isJOSEText(first) &&
		bytes.IndexByte(rest, '.') >= 0
}

// isJOSEText reports whether text only holds characters of base64url,
// dots and tildes.
func isJOSEText(text []byte) bool {
	_, _, ok := joseScan(text)
	return ok
}

// joseScan reports whether text only holds characters of base64url, '.'
// and '~', and counts its dots and tildes (as far as it read). One table
// lookup a byte: inside the WebAssembly module the chain of comparisons
// cost as much as the rest of detection on a token of a few KB. The
// common byte (base64url) takes one branch: inside the module a switch on
// every byte made the loop 2.6 times slower (5.3 against 2.0 ns a byte on
// a 1.9 KB token with an x5c chain, docs/PERFORMANCE.md).
func joseScan(text []byte) (dots, tildes int, ok bool) {
	for i := 0; i < len(text); i++ {
		if i+8 <= len(text) && b64url8(binary.LittleEndian.Uint64(text[i:])) {
			i += 7 // eight bytes of base64url (swar.go)
			continue
		}
		if v := joseText[text[i]]; v != 1 {
			switch v {
			case 0:
				return dots, tildes, false
			case 2:
				dots++
			default:
				tildes++
			}
		}
	}
	return dots, tildes, true
}

// joseText marks the bytes of base64url with 1, '.' with 2 and '~' with
// 3, others 0: a literal, which costs the module no code to build (the
// test holds it to the former comparisons).
const joseText = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x01\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// unwrapText decodes hex or base64 (standard or URL, padded or not) text.
func unwrapText(text []byte) ([]byte, bool) {
	if len(text)%2 == 0 {
		if b, err := hex.DecodeString(string(text)); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(string(text)); err == nil {
			return b, true
		}
	}
	return nil, false
}

// isSDJWTJSON tells an SD-JWT in JWS JSON serialization from a plain JWS:
// only the former carries disclosures or kb_jwt in its unprotected header
// (RFC 9901 section 8.1). A false guess ends in malformed.
func isSDJWTJSON(text []byte) bool {
	return bytes.Contains(text, []byte(`"disclosures"`)) || bytes.Contains(text, []byte(`"kb_jwt"`))
}
