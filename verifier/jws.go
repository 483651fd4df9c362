package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// jws is a parsed JWS with one signature (RFC 7515), its headers kept as
// received.
type jws struct {
	format      Format
	protectedB  []byte // the protected header segment, base64url, as received
	protected   map[string]json.RawMessage
	unprotected map[string]json.RawMessage
	payloadSeg  []byte // the payload segment as received (empty when detached)
	payload     []byte // the payload, decoded
	sig         []byte
	h           joseHeader
	// noPayload is set for a JSON serialization without a payload member:
	// the content is detached (RFC 7515 appendix F).
	noPayload bool
	// algUnprotected is set when alg is in the unprotected header.
	algUnprotected bool
	// emptyPayload is set when the payload segment is empty and no detached
	// content was given: the content is empty, or detached (appendix F
	// spells both the same); see emptyPayloadFailed.
	emptyPayload bool
	// signedIn, when set, is the signing input as received: in a compact
	// JWS the header and payload segments and the dot between them are
	// already the signing input, a prefix of the input.
	signedIn []byte
	// ownPayload says payload was decoded here, into a buffer nothing
	// else holds or writes: the claims' strings may be views of it.
	ownPayload bool
	// ph is the decoded protected header (headermemo.go), nil without one.
	ph *protectedHeader
	// x5c is the DER of h.X5c when the protected header's memo entry
	// decoded it (jwsSigned decodes it otherwise).
	x5c [][]byte
}

// joseHeader holds the header parameters the verifier acts on: typ, cty,
// crit and b64 from the protected header only; kid and x5c from either
// (they name the key; the signature decides); alg from either, an
// unprotected one only where the trusted key allows that algorithm alone.
type joseHeader struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Typ  string   `json:"typ"`
	Cty  string   `json:"cty"`
	Crit []string `json:"crit"`
	B64  *bool    `json:"b64"`
	X5c  []string `json:"x5c"`
}

// understoodCrit are the extensions this verifier implements (RFC 7797).
var understoodCrit = map[string]bool{"b64": true}

// registeredHeaders are names RFC 7515 and 7518 define; crit must not list
// them (RFC 7515 section 4.1.11).
var registeredHeaders = map[string]bool{
	"alg": true, "jku": true, "jwk": true, "kid": true, "x5u": true, "x5c": true,
	"x5t": true, "x5t#S256": true, "typ": true, "cty": true, "crit": true,
	"enc": true, "zip": true, "epk": true, "apu": true, "apv": true, "iv": true,
	"tag": true, "p2s": true, "p2c": true,
}

// errMalformedJWS wraps what parseJWS rejects.
type jwsError struct{ msg string }

func (e *jwsError) Error() string { return e.msg }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func jwsErr(format string, a ...any) error { return &jwsError{fmt.Sprintf(format, a...)} }

// parseJWS parses a compact or JSON serialization. Errors are syntax errors
// (malformed); crit problems come back as *critError.
func parseJWS(data []byte, detached []byte) (*jws, error) {
	return parseJWSMemo(data, detached, nil)
}

// parseJWSMemo is parseJWS with the trust's memo of protected headers
// (headermemo.go); a nil memo decodes every header.
func parseJWSMemo(data []byte, detached []byte, hm *headerMemo) (*jws, error) {
	var j *jws
	var err error
	if len(data) > 0 && data[0] == '{' {
		j, err = parseJWSJSON(data, hm)
	} else {
		j, err = parseJWSCompact(data, hm)
	}
	if err != nil {
		return nil, err
	}
	if err := j.headers(); err != nil {
		return nil, err
	}
	return j, j.decodePayload(detached)
}

func parseJWSCompact(data []byte, hm *headerMemo) (*jws, error) {
	// The two dots found in one pass (a count and a split were two, and
	// each a loop over every byte inside the module).
	d1 := bytes.IndexByte(data, '.')
	d2 := -1
	if d1 >= 0 {
		if k := bytes.IndexByte(data[d1+1:], '.'); k >= 0 {
			d2 = d1 + 1 + k
		}
	}
	if d2 < 0 || bytes.IndexByte(data[d2+1:], '.') >= 0 {
		return nil, jwsErr("a compact JWS has three parts separated by two dots; this has %d dots", bytes.Count(data, []byte{'.'}))
	}
	p := [3][]byte{data[:d1], data[d1+1 : d2], data[d2+1:]}
	j := &jws{format: formatJWSCompact, protectedB: p[0], payloadSeg: p[1], signedIn: data[:d2:d2]}
	var err error
	if j.ph, err = hm.decode(p[0]); err != nil {
		return nil, err
	}
	j.protected = j.ph.members
	if j.sig, err = b64urlBytes(p[2]); err != nil {
		return nil, jwsErr("the signature is not base64url")
	}
	return j, nil
}

func decodeHeaderSegment(seg []byte) (map[string]json.RawMessage, error) {
	if len(seg) == 0 {
		return nil, jwsErr("the protected header is empty")
	}
	raw, err := b64urlBytes(seg)
	if err != nil {
		return nil, jwsErr("the protected header is not base64url")
	}
	return headerObject(raw, "protected")
}

// headerObject decodes a JOSE header: one JSON object without duplicate
// names (RFC 7515 section 5.2, step 4).
func headerObject(raw []byte, which string) (map[string]json.RawMessage, error) {
	m, err := parseJSONMembers(raw)
	switch {
	case errors.Is(err, errNotObject):
		return nil, jwsErr("the %s header is not a JSON object", which)
	case err != nil:
		return nil, jwsErr("the %s header is not valid JSON: %v", which, err)
	}
	return m, nil
}

// jwsJSON is the JSON serialization, general or flattened.
type jwsJSON struct {
	Payload    *string           `json:"payload"`
	Signatures []json.RawMessage `json:"signatures"`
	jwsJSONSignature
}

type jwsJSONSignature struct {
	Protected *string         `json:"protected"`
	Header    json.RawMessage `json:"header"`
	Signature *string         `json:"signature"`
}

func parseJWSJSON(data []byte, hm *headerMemo) (*jws, error) {
	m, err := parseJSONMembers(data)
	switch {
	case errors.Is(err, errNotObject):
		return nil, jwsErr("not a JSON object")
	case err != nil:
		return nil, jwsErr("not valid JSON: %v", err)
	}
	var w jwsJSON
	if err := unmarshalJSON(data, &w); err != nil {
		return nil, jwsErr("not a JWS JSON serialization")
	}
	// The members are spelled exactly; a near-duplicate ("Payload", or
	// "\u017Fignature" with a long s) would be the member itself to a reader
	// that folds case, and is refused.
	for name := range m {
		switch name {
		case "payload", "signatures", "protected", "header", "signature":
		default:
			switch foldName(name) {
			case "payload", "signatures", "protected", "header", "signature":
				return nil, jwsErr("member %q is misspelled", clip(name))
			}
		}
	}
	if m["signatures"] != nil {
		if m["signature"] != nil || m["protected"] != nil || m["header"] != nil {
			return nil, jwsErr("mixes general and flattened serialization")
		}
		// "Any one signature verified" is a known trap: a document carries
		// exactly one signature or is refused.
		if len(w.Signatures) != 1 {
			return nil, jwsErr("a JWS must carry exactly one signature; this carries %d", len(w.Signatures))
		}
		w.jwsJSONSignature = jwsJSONSignature{}
		if err := unmarshalJSON(w.Signatures[0], &w.jwsJSONSignature); err != nil {
			return nil, jwsErr("the signature entry is not an object")
		}
	}
	if w.Signature == nil {
		return nil, jwsErr("no signature member")
	}
	j := &jws{format: formatJWSJSON}
	if w.Payload != nil {
		j.payloadSeg = []byte(*w.Payload)
	} else {
		j.noPayload = true
	}
	if w.Protected != nil {
		j.protectedB = []byte(*w.Protected)
		if j.ph, err = hm.decode(j.protectedB); err != nil {
			return nil, err
		}
		j.protected = j.ph.members
	}
	if len(w.Header) > 0 {
		if j.unprotected, err = headerObject(w.Header, "unprotected"); err != nil {
			return nil, err
		}
	}
	if j.protected == nil && j.unprotected == nil {
		return nil, jwsErr("no header")
	}
	if j.sig, err = b64url(*w.Signature); err != nil {
		return nil, jwsErr("the signature is not base64url")
	}
	return j, nil
}

// critError is a crit header that names an extension we do not implement.
type critError struct{ name string }

func (e *critError) Error() string {
	return fmt.Sprintf("crit lists %q, which this verifier does not implement", clip(e.name))
}

// headers checks the protected and unprotected headers and fills j.h.
func (j *jws) headers() error {
	for name := range j.unprotected {
		if _, dup := j.protected[name]; dup {
			return jwsErr("header %q is both protected and unprotected", clip(name))
		}
	}
	if _, ok := j.unprotected["crit"]; ok {
		return jwsErr("crit must be in the protected header")
	}
	if _, ok := j.unprotected["b64"]; ok {
		return jwsErr("b64 must be in the protected header")
	}
	if j.ph != nil && j.ph.hOK {
		// Remembered: the parameters these members set, and the x5c
		// certificates decoded.
		j.h, j.x5c = j.ph.h, j.ph.x5c
	} else {
		for name, raw := range j.protected {
			if err := setHeader(&j.h, name, raw); err != nil {
				return err
			}
		}
	}
	for name, raw := range j.unprotected {
		switch name {
		case "alg":
			// Not signed: only a trusted key that allows this one
			// algorithm may accept it (signed.algUnprotected).
			j.algUnprotected = true
		case "typ", "cty":
			// Unsigned, they would decide the document type (issuer
			// restrictions, what is a JWT, a status list or a trust
			// bundle): reported with the headers, never acted on.
			continue
		}
		// kid and x5c only name the key to try; the signature by a
		// trusted key decides.
		if err := setHeader(&j.h, name, raw); err != nil {
			return err
		}
	}
	if _, ok := j.protected["crit"]; ok {
		if len(j.h.Crit) == 0 {
			return jwsErr("crit is empty")
		}
		seen := map[string]bool{}
		for _, name := range j.h.Crit {
			if registeredHeaders[name] || seen[name] {
				return jwsErr("crit lists %q, which it must not", clip(name))
			}
			seen[name] = true
			if _, present := j.protected[name]; !present {
				return jwsErr("crit lists %q, which the header lacks", clip(name))
			}
		}
		for _, name := range j.h.Crit {
			if !understoodCrit[name] {
				return &critError{name}
			}
		}
	}
	if j.h.B64 != nil {
		listed := false
		for _, c := range j.h.Crit {
			listed = listed || c == "b64"
		}
		if !listed {
			return jwsErr("b64 is used without being listed in crit")
		}
	}
	return nil
}

// setHeader decodes the header parameters the verifier uses, checking their
// types; other parameters are kept only for the report.
func setHeader(h *joseHeader, name string, raw json.RawMessage) error {
	var dst any
	switch name {
	case "alg":
		dst = &h.Alg
	case "kid":
		dst = &h.Kid
	case "typ":
		dst = &h.Typ
	case "cty":
		dst = &h.Cty
	case "crit":
		dst = &h.Crit
	case "b64":
		dst = &h.B64
	case "x5c":
		dst = &h.X5c
	default:
		return nil
	}
	if bytes.Equal(raw, []byte("null")) {
		return jwsErr("header %q is null", name)
	}
	if p, ok := dst.(*string); ok {
		// The usual case, without reflection.
		if v, ok := jsonString(raw); ok {
			*p = v
			return nil
		}
	}
	if err := unmarshalJSON(raw, dst); err != nil {
		return jwsErr("header %q has the wrong type", name)
	}
	return nil
}

// errDetached says the payload is detached and none was given.
var errDetached = errors.New("the payload is detached and none was supplied")

// decodePayload decodes the payload, or takes the detached one.
func (j *jws) decodePayload(detached []byte) error {
	b64 := j.h.B64 == nil || *j.h.B64
	switch {
	case len(j.payloadSeg) > 0 && len(detached) > 0:
		// Two contents for one signature: the user's file would never be
		// checked.
		return jwsErr("the JWS carries its payload, and detached content was given too")
	case len(j.payloadSeg) == 0 && len(detached) > 0:
		j.signedIn = nil // the detached payload's segment replaces the empty one
		j.payload = detached
		if b64 {
			j.payloadSeg = []byte(base64.RawURLEncoding.EncodeToString(detached))
		} else {
			j.payloadSeg = detached
		}
	case len(j.payloadSeg) == 0 && j.noPayload:
		return errDetached
	case len(j.payloadSeg) == 0:
		j.payload = []byte{}
		j.emptyPayload = true
	case !b64:
		if j.format == formatJWSCompact && bytes.IndexByte(j.payloadSeg, '.') >= 0 {
			return jwsErr("an unencoded compact payload must not contain a dot")
		}
		j.payload = j.payloadSeg
	default:
		p, err := b64urlBytes(j.payloadSeg)
		if err != nil {
			return jwsErr("the payload is not base64url")
		}
		j.payload, j.ownPayload = p, true
	}
	return nil
}

// signingInputView is signingInput, as received where it can be: a view
// of the input, to be read and not kept beyond the verification.
func (j *jws) signingInputView() []byte {
	if j.signedIn != nil {
		return j.signedIn
	}
	return j.signingInput()
}

// signingInput is ASCII(BASE64URL(protected)) || '.' || payload segment.
func (j *jws) signingInput() []byte {
	in := make([]byte, 0, len(j.protectedB)+1+len(j.payloadSeg))
	in = append(in, j.protectedB...)
	in = append(in, '.')
	return append(in, j.payloadSeg...)
}

// jwsFail reports why parseJWS refused a JWS.
func (v *verification) jwsFail(err error) {
	// parseJWS returns a *critError unwrapped; a type assertion, unlike
	// errors.As, costs no allocation.
	ce, isCrit := err.(*critError)
	switch {
	case isCrit:
		v.rep.fail(CheckDecode, CritUnsupported, ce.Error())
	case errors.Is(err, errDetached):
		v.rep.fail(CheckDecode, PayloadMissing, err.Error())
	default:
		v.rep.fail(CheckDecode, Malformed, err.Error())
	}
}

// jwsDocument fills the report's document from a JWS's headers.
func (v *verification) jwsDocument(j *jws) *Document {
	d := v.rep.doc()
	d.Format = string(j.format)
	d.Type = j.h.Typ
	v.rep.tech().Algorithm = clip(j.h.Alg)
	d.Technical.Headers = j.reportHeaders()
	return d
}

// jwsSigned is what the common checks need of a JWS; false when its x5c
// cannot be read (reported).
func (v *verification) jwsSigned(j *jws, signedAt time.Time) (*signed, bool) {
	s := &signed{alg: j.h.Alg, algUnprotected: j.algUnprotected, kid: j.h.Kid, msg: j.signingInputView(), sig: j.sig, signedAt: signedAt}
	if j.x5c != nil {
		// Decoded once, with the protected header (headermemo.go); the
		// DER is never written (certMemo.parseCertificate copies it).
		s.chain = j.x5c
		return s, true
	}
	for i, c := range j.h.X5c {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			v.rep.fail(CheckDecode, Malformed, fmt.Sprintf("x5c[%d] is not base64", i))
			return nil, false
		}
		s.chain = append(s.chain, der)
	}
	return s, true
}

// verifyJWS verifies a JWS or JWT.
func (v *verification) verifyJWS(data []byte) {
	j, err := parseJWSMemo(data, v.opts.Payload, v.headerMemo())
	if err != nil {
		v.jwsFail(err)
		return
	}
	d := v.jwsDocument(j)

	// Claims are read before the signature only for the signing time; a
	// payload that does not parse is judged after the signature, so that a
	// document altered after signing says so rather than "malformed".
	claims, val, claimsErr := jwtClaims(j.payload)
	if claims == nil && claimsErr == nil && (jwtTyped(j.h.Typ) || jwtTyped(j.h.Cty)) {
		claimsErr = errors.New("the header says JWT, but the payload is not a JSON object")
	}
	v.rep.pass(CheckDecode, string(j.format))
	s, ok := v.jwsSigned(j, val.iat)
	if !ok {
		return
	}
	if v.verifySigned(s) == nil {
		if j.emptyPayload {
			v.emptyPayloadFailed()
		}
		return
	}
	if claimsErr != nil {
		v.rep.fail(CheckClaims, Malformed, claimsErr.Error())
		return
	}
	if claims != nil {
		if vct, ok := claims["vct"].(string); ok {
			d.Type = vct
		}
		d.Claims = claims
		d.Subject = subjectFromClaims(claims)
	}
	v.checkDocumentType(d.Type)
	if claims != nil {
		v.checkValidity(val)
		v.checkStatus(claims) // status.go: revocation, from the status lists the host supplied
	}
}

// emptyPayloadFailed turns the signature failure of a JWS with an empty
// payload segment into payload_missing: the signature does not cover empty
// content, so the content is most likely detached and was not supplied, and
// the document cannot be judged without it. Other failures (algorithm,
// issuer) stand.
func (v *verification) emptyPayloadFailed() {
	cs := v.rep.r.Checks
	n := len(cs)
	if n == 0 || cs[n-1].Check != CheckSignature || cs[n-1].Reason != SignatureInvalid {
		return
	}
	v.rep.r.Checks = cs[:n-1]
	v.rep.fail(CheckSignature, PayloadMissing, "the payload is empty or detached: the signature does not cover empty content, and no detached content was supplied")
}

// headerReport merges the headers for the report, leaving out certificates
// (they are reported decoded), within the bounds of reportbound.go.
//
// The raw headers must be the verifier's own bytes, never written again
// (decoded from base64url, or copied by encoding/json): their strings are
// views of them rather than copies.
func headerReport(ms ...map[string]json.RawMessage) map[string]any {
	var names []string
	for _, m := range ms {
		for k := range m {
			if k != "x5c" {
				names = append(names, k)
			}
		}
	}
	return boundedHeaders(names, func(name string) (any, []byte, bool) {
		for _, m := range ms {
			if raw, ok := m[name]; ok {
				val, err := decodeJSONViews(raw)
				return val, raw, err == nil
			}
		}
		return nil, nil, false
	})
}
