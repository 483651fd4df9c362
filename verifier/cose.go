package verifier

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// COSE tags (RFC 9052 section 2, RFC 8392 section 6).
const (
	tagCOSESign1    = 18
	tagCOSEEncrypt0 = 16
	tagCOSEMac0     = 17
	tagCOSEEncrypt  = 96
	tagCOSEMac      = 97
	tagCOSESign     = 98
	tagCWT          = 61
)

// COSE header labels (RFC 9052 section 3.1, RFC 9360, RFC 9596).
const (
	labelAlg       = 1
	labelCrit      = 2
	labelCty       = 3
	labelKid       = 4
	labelCWTClaims = 15 // RFC 9597
	labelTyp       = 16
	labelX5Chain   = 33
)

// coseAlgs maps COSE algorithm numbers to the verifier's algorithms
// (RFC 9053, RFC 8812, RFC 9864).
var coseAlgs = map[int64]Alg{
	-7: ES256, -35: ES384, -36: ES512,
	-8: EdDSA, -19: EdDSA,
	-37: PS256, -38: PS384, -39: PS512,
	-257: RS256, -258: RS384, -259: RS512,
}

// coseHMAC are the COSE MAC algorithms (RFC 9053 section 3.1): a MAC key
// would let its holder forge, so they are never accepted for a signature.
var coseHMAC = map[int64]bool{4: true, 5: true, 6: true, 7: true}

// coseSign1 is a parsed COSE_Sign1 (RFC 9052 section 4.2).
type coseSign1 struct {
	protectedRaw []byte // bstr contents exactly as received
	protected    map[any]any
	unprotected  map[any]any
	payload      []byte
	detached     bool
	signature    []byte
	cwt          bool // wrapped in the CWT tag 61
}

type coseArray struct {
	_           struct{} `cbor:",toarray"`
	Protected   cbor.RawMessage
	Unprotected cbor.RawMessage
	Payload     cbor.RawMessage
	Signature   cbor.RawMessage
}

// CBOR major types of the COSE_Sign1 members.
const (
	majorBytes = 2
	majorMap   = 5
)

// plainBytes decodes a member that must be a plain byte string (RFC 9052
// section 4.2: bstr). A tagged one (tag 24, or any other) decodes to the
// same bytes from other bytes: one signed document would have two
// encodings, so it is refused.
func plainBytes(raw cbor.RawMessage, what string) ([]byte, error) {
	if b, ok := plainBytesPlain(raw); ok {
		return b, nil
	}
	var b []byte
	if len(raw) == 0 || raw[0]>>5 != majorBytes || cborUnmarshal(raw, &b) != nil {
		return nil, coseMalformed("the %s is not a plain byte string", what)
	}
	return b, nil
}

// coseError is a COSE input the verifier recognises but does not verify.
type coseError struct {
	reason Reason
	msg    string
}

func (e *coseError) Error() string { return e.msg }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func coseMalformed(format string, a ...any) error {
	return &coseError{Malformed, fmt.Sprintf(format, a...)}
}

// parseCOSESign1 parses a tagged or untagged COSE_Sign1, optionally inside
// the CWT tag, as a COSE or CWT document: CWT claims in the protected
// header are read (cwtClaimsOf).
func parseCOSESign1(data []byte) (*coseSign1, error) {
	return parseSign1(data, sign1Profile{claimsHeader: true})
}

// sign1Profile is what a format makes of a COSE_Sign1's headers.
type sign1Profile struct {
	// kidTwice accepts a kid in both header buckets, the protected one
	// winning: the EU DCC specification allows it (hcert section 3.3.1),
	// where RFC 9052 does not.
	kidTwice bool
	// claimsHeader says the format reads CWT claims from the protected
	// header (label 15, RFC 9597). Where it does not, a protected label 15
	// is refused: signed claims such as exp must never go unread.
	claimsHeader bool
}

// understoodCrit reports whether a header label may be critical: only
// those this verifier processes (RFC 9052 section 3.1).
func (p sign1Profile) understoodCrit(label int64) bool {
	switch label {
	case labelAlg, labelCty, labelKid, labelTyp, labelX5Chain:
		return true
	case labelCWTClaims:
		return p.claimsHeader
	}
	return false
}

// parseSign1 parses a COSE_Sign1 for a format's profile.
func parseSign1(data []byte, profile sign1Profile) (*coseSign1, error) {
	return parseSign1With(data, profile, sign1Envelope)
}

// parseSign1With is parseSign1 with the envelope read by envelope (tests
// hold the hand-read one to the library's).
func parseSign1With(data []byte, profile sign1Profile, envelope func([]byte) (bool, coseArray, error)) (*coseSign1, error) {
	kidTwice := profile.kidTwice
	if rest, ok := preferredItem(data, 0); ok && len(rest) == 0 {
		// well-formed and preferred; the strict decoder below reads it
	} else if cborProbe.Wellformed(data) == nil {
		return nil, coseMalformed("the COSE_Sign1 is not in preferred CBOR serialization (a length or number in a longer form than needed)")
	}
	m := &coseSign1{}
	cwt, a, err := envelope(data)
	if err != nil {
		return nil, err
	}
	m.cwt = cwt
	if a.Protected == nil || a.Signature == nil || a.Unprotected == nil || a.Payload == nil {
		return nil, coseMalformed("COSE_Sign1 needs protected, unprotected, payload and signature")
	}
	if m.protectedRaw, err = plainBytes(a.Protected, "protected header"); err != nil {
		return nil, err
	}
	if m.signature, err = plainBytes(a.Signature, "signature"); err != nil {
		return nil, err
	}
	m.protected = map[any]any{}
	if len(m.protectedRaw) > 0 {
		if err := cborUnmarshal(m.protectedRaw, &m.protected); err != nil || m.protected == nil {
			return nil, coseMalformed("the protected header is not a CBOR map")
		}
	}
	if a.Unprotected[0]>>5 != majorMap || cborUnmarshal(a.Unprotected, &m.unprotected) != nil || m.unprotected == nil {
		return nil, coseMalformed("the unprotected header is not a CBOR map")
	}
	if len(a.Payload) == 1 && a.Payload[0] == 0xf6 { // null: detached content
		m.detached = true
	} else if m.payload, err = plainBytes(a.Payload, "payload"); err != nil {
		return nil, coseMalformed("the payload is neither a plain byte string nor null")
	}
	for k := range m.unprotected {
		if n, ok := intKey(k); ok && n == labelKid && kidTwice {
			continue
		}
		if _, dup := m.protected[k]; dup {
			return nil, coseMalformed("header %v is both protected and unprotected", clip(fmt.Sprint(k)))
		}
	}
	if _, ok := m.unprotected[int64(labelCrit)]; ok {
		return nil, coseMalformed("crit must be protected")
	}
	if c, ok := m.protected[int64(labelCrit)]; ok {
		list, ok := c.([]any)
		if !ok || len(list) == 0 {
			return nil, coseMalformed("crit must be a non-empty array")
		}
		for _, l := range list {
			if _, present := m.protected[l]; !present {
				return nil, coseMalformed("crit lists %v, which the header lacks", clip(fmt.Sprint(l)))
			}
			if n, ok := intKey(l); !ok || !profile.understoodCrit(n) {
				return nil, &coseError{CritUnsupported, fmt.Sprintf("crit lists %v, which this verifier does not implement", clip(fmt.Sprint(l)))}
			}
		}
	}
	if _, ok := m.protected[int64(labelCWTClaims)]; ok && !profile.claimsHeader {
		return nil, &coseError{UnsupportedFormat, "CWT claims in the protected header (label 15) are not read for this document"}
	}
	return m, nil
}

// sign1Envelope reads the tags and the four-member array of a COSE_Sign1:
// the usual shapes by hand (sign1EnvelopePlain), any other through the
// library, which decides it as it always has. Where the library would
// refuse a member the hand path passed (a tag 0 on a number inside the
// unprotected header), parseSign1's own decoding of that member refuses
// it, as malformed as well.
func sign1Envelope(data []byte) (cwt bool, a coseArray, err error) {
	if cwt, a, ok := sign1EnvelopePlain(data); ok {
		return cwt, a, nil
	}
	return sign1EnvelopeLibrary(data)
}

// sign1EnvelopeLibrary is sign1Envelope through fxamacker/cbor alone.
func sign1EnvelopeLibrary(data []byte) (cwt bool, a coseArray, err error) {
	var top cbor.RawTag
	body := data
	for depth := 0; len(body) > 0 && body[0]>>5 == 6 && depth < 2; depth++ { // major type 6: tag
		if err := cborUnmarshal(body, &top); err != nil {
			return false, a, coseMalformed("not well-formed CBOR: %v", err)
		}
		switch top.Number {
		case tagCWT:
			if cwt {
				return false, a, coseMalformed("nested CWT tags")
			}
			cwt = true
		case tagCOSESign1:
		case tagCOSEMac0, tagCOSEMac:
			return false, a, &coseError{UnsupportedFormat, "a COSE MAC is not a signature: only the holder of the secret key can check it"}
		case tagCOSEEncrypt0, tagCOSEEncrypt:
			return false, a, &coseError{UnsupportedFormat, "COSE encrypted content cannot be verified without the key"}
		case tagCOSESign:
			return false, a, &coseError{UnsupportedFormat, "COSE_Sign with several signers is not accepted; expected COSE_Sign1"}
		default:
			return false, a, coseMalformed("CBOR tag %d is not a COSE_Sign1 tag", top.Number)
		}
		body = top.Content
		if top.Number == tagCOSESign1 {
			break
		}
	}
	if err := cborUnmarshal(body, &a); err != nil {
		return false, a, coseMalformed("not a COSE_Sign1 array: %v", err)
	}
	return cwt, a, nil
}

// header returns a header parameter, protected first.
func (m *coseSign1) header(label int64) (any, bool) {
	if v, ok := m.protected[label]; ok {
		return v, true
	}
	v, ok := m.unprotected[label]
	return v, ok
}

// alg returns the algorithm as a JOSE name, or the reason it has none. An
// unprotected alg (RFC 9052 section 3.1 wants it authenticated "where the
// ability to do so exists"; EU DCC vectors and the COSE WG's sign-pass-01
// leave it out) is accepted only by a trusted key that allows that one
// algorithm alone (algUnprotected): the trust decides it, not the header.
func (m *coseSign1) alg() (string, error) {
	v, ok := m.header(labelAlg)
	if !ok {
		return "", coseMalformed("no alg header")
	}
	n, ok := intKey(v)
	if !ok {
		if s, isText := v.(string); isText {
			return "", &coseError{UnsupportedAlg, fmt.Sprintf("algorithm %q is not supported", clip(s))}
		}
		return "", coseMalformed("alg is neither an integer nor text")
	}
	if coseHMAC[n] {
		return "", &coseError{AlgNotAllowed, fmt.Sprintf("MAC algorithm %d is never accepted for a signature", n)}
	}
	a, ok := coseAlgs[n]
	if !ok {
		return "", &coseError{UnsupportedAlg, fmt.Sprintf("COSE algorithm %d is not supported", n)}
	}
	return string(a), nil
}

// algUnprotected reports whether alg is in the unprotected header.
func (m *coseSign1) algUnprotected() bool {
	_, ok := m.protected[int64(labelAlg)]
	return !ok
}

// kid returns the key identifier as the trust indexes it. COSE kids are
// bytes: trust written as text ("11") matches printable kids; binary kids
// (the 8-byte EU DCC kid) match their base64 form.
func (m *coseSign1) kid(t *Trust) (string, error) {
	v, ok := m.header(labelKid)
	if !ok {
		return "", nil
	}
	b, ok := v.([]byte)
	if !ok {
		return "", coseMalformed("kid is not a byte string")
	}
	if printable(b) && len(t.KeysByID(string(b))) > 0 {
		return string(b), nil
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return len(b) > 0
}

// x5chain returns the certificates of label 33: one bstr or an array.
func (m *coseSign1) x5chain() ([][]byte, error) {
	v, ok := m.header(labelX5Chain)
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case []byte:
		return [][]byte{x}, nil
	case []any:
		out := make([][]byte, 0, len(x))
		for _, e := range x {
			b, ok := e.([]byte)
			if !ok {
				return nil, coseMalformed("x5chain holds a non-bstr")
			}
			out = append(out, b)
		}
		if len(out) == 0 {
			return nil, coseMalformed("x5chain is empty")
		}
		return out, nil
	}
	return nil, coseMalformed("x5chain is neither a bstr nor an array")
}

// sigStructure builds Sig_structure for COSE_Sign1 (RFC 9052 section 4.4),
// with the protected header exactly as received. The one exception is a
// protected header that holds no attributes but is sent as an encoded empty
// map (h'A0') rather than as a zero-length bstr: section 4.4 says "if there
// are no protected attributes, a zero-length byte string is used", and the
// COSE WG's sign-pass-01 example is signed that way. Both spellings mean
// the same empty header, so nothing a signer protected is dropped.
func (m *coseSign1) sigStructure(payload, externalAAD []byte) ([]byte, error) {
	// Written out rather than through the CBOR encoder's reflection, which
	// costs more than the rest of the envelope inside the WebAssembly
	// module; a test holds it to cborEnc.
	protected := m.protectedRaw
	if len(m.protected) == 0 {
		protected = nil // h'A0' is signed as h'' (see above)
	}
	n := len(sigStructurePrefix) + 3*9 + len(protected) + len(externalAAD) + len(payload)
	b := append(make([]byte, 0, n), sigStructurePrefix...)
	b = appendCBORBytes(b, protected)
	b = appendCBORBytes(b, externalAAD)
	return appendCBORBytes(b, payload), nil
}

// sigStructurePrefix is a CBOR array of four followed by the text
// "Signature1".
var sigStructurePrefix = []byte("\x84\x6aSignature1")

// appendCBORBytes appends a definite-length byte string with the shortest
// length encoding (RFC 8949 section 4.2.1).
func appendCBORBytes(b, v []byte) []byte {
	return append(appendCBORHead(b, cborBytes, uint64(len(v))), v...)
}

// verifyCOSE verifies a COSE_Sign1, and its CWT claims when the payload is
// a CBOR map.
func (v *verification) verifyCOSE(data []byte) {
	m, err := parseCOSESign1(data)
	if err != nil {
		v.coseFail(err)
		return
	}
	format := string(formatCOSESign1)
	if m.cwt {
		format = "cwt"
	}
	alg, ok := v.coseDocument(m, format)
	if !ok {
		return
	}
	d := v.rep.doc()
	kid, err := m.kid(v.opts.Trust)
	if err != nil {
		v.coseFail(err)
		return
	}
	chain, err := m.x5chain()
	if err != nil {
		v.coseFail(err)
		return
	}
	payload := m.payload
	if !m.detached && len(v.opts.Payload) > 0 {
		// Two contents for one signature: the user's file would never be
		// checked.
		v.rep.fail(CheckDecode, Malformed, "the COSE_Sign1 carries its payload, and detached content was given too")
		return
	}
	if m.detached {
		if len(v.opts.Payload) == 0 {
			v.rep.fail(CheckDecode, PayloadMissing, "the payload is detached and none was supplied")
			return
		}
		payload = v.opts.Payload
	}
	claims, val, claimsErr := cwtClaimsOf(m, payload)
	if claims != nil && !m.cwt {
		d.Format = "cwt"
	}
	d.Type = coseType(m)
	if claims == nil && claimsErr == nil && (m.cwt || cwtTyped(d.Type)) {
		claimsErr = errors.New("the document says it is a CWT, but its payload is not a CBOR map")
	}
	msg, err := m.sigStructure(payload, v.opts.ExternalAAD)
	if err != nil {
		v.rep.fail(CheckDecode, Malformed, "cannot build the signed structure")
		return
	}
	v.rep.pass(CheckDecode, d.Format)
	s := &signed{alg: alg, algUnprotected: m.algUnprotected(), kid: kid, chain: chain, msg: msg, sig: m.signature, signedAt: val.iat, allowUnnamed: true}
	if v.verifySigned(s) == nil {
		return
	}
	if claimsErr != nil {
		v.rep.fail(CheckClaims, Malformed, claimsErr.Error())
		return
	}
	if claims != nil {
		d.Claims = claims
		d.Subject = subjectFromClaims(claims)
	}
	v.checkDocumentType(d.Type)
	if claims != nil {
		v.checkValidity(val)
		v.checkStatus(claims) // status.go: revocation, from the status lists the host supplied
	}
}

// coseDocument starts the report of every COSE_Sign1-based format (COSE,
// CWT, DCC, mdoc): its format, protected and unprotected headers and
// algorithm. false: the algorithm header is unusable, and the report says so.
func (v *verification) coseDocument(m *coseSign1, format string) (alg string, ok bool) {
	d := v.rep.doc()
	d.Format = format
	d.technical().Headers = coseHeaderReport(m)
	alg, err := m.alg()
	if err != nil {
		v.coseFail(err)
		return "", false
	}
	d.Technical.Algorithm = alg
	return alg, true
}

func (v *verification) coseFail(err error) {
	var ce *coseError
	if errors.As(err, &ce) {
		v.rep.fail(CheckDecode, ce.reason, ce.msg)
		return
	}
	v.rep.fail(CheckDecode, Malformed, err.Error())
}

// coseType is the document type: the protected typ header (RFC 9596) or
// the protected content type. Unprotected ones are reported with the
// headers but never decide a type: an issuer's document_types, what is a
// CWT and what is a status list are signed decisions.
func coseType(m *coseSign1) string {
	for _, l := range []int64{labelTyp, labelCty} {
		if v, ok := m.protected[l]; ok {
			switch x := v.(type) {
			case string:
				return x
			case int64:
				return fmt.Sprintf("%d", x)
			}
		}
	}
	return ""
}

// coseHeaderReport merges the headers for the report, leaving out
// certificates (they are reported decoded), within the bounds of
// reportbound.go.
func coseHeaderReport(m *coseSign1) map[string]any {
	byName := map[string]any{}
	intLabel := map[string]bool{}
	// Protected last, so that it wins where both carry a label (DCC kid).
	for _, h := range []map[any]any{m.unprotected, m.protected} {
		for k, val := range h {
			n, isInt := intKey(k)
			if isInt && n == labelX5Chain {
				continue
			}
			// Label 4 and text "4" read alike; the integer label wins,
			// whatever the map's order, so every host reports the same.
			name := cborKeyString(k)
			if _, seen := byName[name]; seen && intLabel[name] && !isInt {
				continue
			}
			byName[name], intLabel[name] = val, isInt
		}
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	return boundedHeaders(names, func(name string) (any, []byte, bool) {
		return cborToJSON(byName[name]), nil, true
	})
}

// CWT claim keys (RFC 8392 section 3).
var cwtClaimNames = map[int64]string{1: "iss", 2: "sub", 3: "aud", 4: "exp", 5: "nbf", 6: "iat", 7: "cti", 8: "cnf"}

// cwtClaimsOf reads a COSE document's CWT claims: those of its payload
// (cwtClaims) and those of its protected header (label 15, RFC 9597), which
// are as signed as the payload's. A claim in both must say the same. An
// unprotected label 15 is not signed and is never read.
func cwtClaimsOf(m *coseSign1, payload []byte) (map[string]any, validity, error) {
	hdr, inHeader := m.protected[int64(labelCWTClaims)]
	if !inHeader {
		return cwtClaims(payload)
	}
	h, ok := hdr.(map[any]any)
	if !ok {
		return nil, validity{}, errors.New("the CWT claims header (15) is not a map")
	}
	var raw map[any]any
	if looksLikeCBORMap(payload) {
		if err := cborUnmarshal(payload, &raw); err != nil {
			return nil, validity{}, fmt.Errorf("the CWT claims are not well-formed CBOR: %v", err)
		}
	}
	merged := make(map[any]any, len(raw)+len(h))
	for k, x := range raw {
		merged[k] = x
	}
	for k, x := range h {
		if p, both := merged[k]; both && !reflect.DeepEqual(p, x) {
			return nil, validity{}, fmt.Errorf("claim %s says one thing in the header and another in the payload", clip(cborKeyString(k)))
		}
		merged[k] = x
	}
	return cwtClaimsFrom(merged)
}

// cwtClaims reads a payload as CWT claims when it is a CBOR map; other
// payloads are opaque content (content.go says how the two are told apart).
func cwtClaims(payload []byte) (map[string]any, validity, error) {
	if !looksLikeCBORMap(payload) {
		return nil, validity{}, nil
	}
	if claims, val, ok := cwtClaimsPlain(payload); ok {
		return claims, val, nil
	}
	var raw map[any]any
	err := cborUnmarshal(payload, &raw)
	return cwtClaimsDecoded(payload, raw, err)
}

// cwtClaimsDecoded is cwtClaims given the payload decoded into a map and
// the decoding's error (for a caller that reads the map too).
func cwtClaimsDecoded(payload []byte, raw map[any]any, err error) (map[string]any, validity, error) {
	if !looksLikeCBORMap(payload) {
		return nil, validity{}, nil
	}
	if err != nil {
		return nil, validity{}, fmt.Errorf("the CWT claims are not well-formed CBOR: %v", err)
	}
	return cwtClaimsFrom(raw)
}

// cwtClaimsFrom names decoded CWT claims as the report shows them. Two
// keys that would be one name (the integer 4 and the text "exp", or 7 and
// "7") make a claim say two things: refused, as duplicate names are.
func cwtClaimsFrom(raw map[any]any) (map[string]any, validity, error) {
	if cborKeysCollide(raw) {
		return nil, validity{}, errors.New("two CWT claims have one name (an integer key and its text, or a nested map's)")
	}
	claims := make(map[string]any, len(raw))
	var val validity
	for k, x := range raw {
		name := cborKeyString(k)
		if n, ok := intKey(k); ok {
			if s, known := cwtClaimNames[n]; known {
				name = s
			}
		}
		if _, dup := claims[name]; dup {
			return nil, validity{}, fmt.Errorf("claim %s is given twice (as an integer key and as text)", clip(name))
		}
		if n, ok := intKey(k); ok {
			if dst := val.cwtDate(n); dst != nil {
				t, ok := cborTime(x)
				if !ok {
					return nil, validity{}, fmt.Errorf("CWT claim %s is not a NumericDate", name)
				}
				*dst = t
			}
		}
		claims[name] = cborToJSON(x)
	}
	return claims, val, nil
}

// cwtDate is where the claim of integer key k goes in val: exp (4), nbf
// (5) and iat (6) are NumericDates; other claims, nil.
func (val *validity) cwtDate(k int64) *time.Time {
	switch k {
	case 4:
		return &val.exp
	case 5:
		return &val.nbf
	case 6:
		return &val.iat
	}
	return nil
}

// cborTime reads a NumericDate: an integer or float, optionally with tag 1.
func cborTime(x any) (time.Time, bool) {
	if t, ok := x.(cbor.Tag); ok && t.Number == 1 {
		x = t.Content
	}
	switch n := x.(type) {
	case int64:
		return numericDate(float64(n))
	case uint64:
		return numericDate(float64(n))
	case float64:
		return numericDate(n)
	case float32:
		return numericDate(float64(n))
	}
	return time.Time{}, false
}
