package verifier

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
)

// SD-JWT and SD-JWT VC (RFC 9901; draft-ietf-oauth-sd-jwt-vc): an
// issuer-signed JWT, disclosures and optionally a key binding JWT.

// Formats as reported.
const (
	formatSDJWT     = "sd-jwt"
	formatSDJWTJSON = "sd-jwt-json"
)

// sdJWT is a parsed SD-JWT or SD-JWT+KB, compact or JWS JSON.
type sdJWT struct {
	format      string
	issuer      *jws
	disclosures [][]byte // as received
	kb          []byte   // the key binding JWT; nil when none
	// presented is the SD-JWT as sd_hash covers it: the compact form up to
	// and including the last '~' (RFC 9901 sections 4.3.1 and 8.1).
	presented []byte
}

// parseSDJWT splits an SD-JWT. The compact form is
// <issuer JWT>~<disclosure>~…~[<KB-JWT>] (RFC 9901 section 4); the JSON form
// carries disclosures and kb_jwt in the unprotected header (section 8).
//
// hm is the trust's memo of protected headers (headermemo.go), or nil.
func parseSDJWT(data []byte, hm *headerMemo) (*sdJWT, error) {
	if len(data) > 0 && data[0] == '{' {
		return parseSDJWTJSON(data, hm)
	}
	parts, last := splitSD(data)
	if last < 0 {
		return nil, jwsErr("an SD-JWT has at least one '~'; this has none")
	}
	j, err := parseJWSMemo(parts[0], nil, hm)
	if err != nil {
		return nil, err
	}
	if j.format != formatJWSCompact {
		return nil, jwsErr("the issuer-signed JWT of an SD-JWT is compact")
	}
	sd := &sdJWT{format: formatSDJWT, issuer: j, presented: data[:last+1]}
	for i, d := range parts[1:] {
		if len(d) == 0 {
			return nil, jwsErr("disclosure %d is empty", i)
		}
	}
	if len(parts) > 1 {
		sd.disclosures = parts[1:]
	}
	if kb := data[last+1:]; len(kb) > 0 {
		sd.kb = kb
	}
	return sd, nil
}

// splitSD returns the parts of a compact SD-JWT before its last '~' (the
// issuer-signed JWT and the disclosures) and the index of that '~', or -1
// when there is none: bytes.Split(data[:last], "~") and
// bytes.LastIndexByte(data, '~') in one pass, each part's capacity ending
// with it (an append to a part cannot reach the next). Inside the module those were
// three passes (a count, a search per part, a search backwards) at a few
// ns a byte.
func splitSD(data []byte) (parts [][]byte, last int) {
	parts = make([][]byte, 0, 8)
	start, last := 0, -1
	for i, c := range data {
		if c == '~' {
			parts = append(parts, data[start:i:i])
			start, last = i+1, i
		}
	}
	return parts, last
}

func parseSDJWTJSON(data []byte, hm *headerMemo) (*sdJWT, error) {
	j, err := parseJWSMemo(data, nil, hm)
	if err != nil {
		return nil, err
	}
	sd := &sdJWT{format: formatSDJWTJSON, issuer: j}
	if raw, ok := j.unprotected["disclosures"]; ok {
		var ds []string
		if err := unmarshalJSON(raw, &ds); err != nil {
			return nil, jwsErr("disclosures is not an array of strings")
		}
		for i, d := range ds {
			if d == "" {
				return nil, jwsErr("disclosure %d is empty", i)
			}
			sd.disclosures = append(sd.disclosures, []byte(d))
		}
	}
	if raw, ok := j.unprotected["kb_jwt"]; ok {
		var kb string
		if err := unmarshalJSON(raw, &kb); err != nil || kb == "" {
			return nil, jwsErr("kb_jwt is not a string")
		}
		sd.kb = []byte(kb)
	}
	// sd_hash covers the compact form even here (RFC 9901 section 8.1).
	var b bytes.Buffer
	b.Write(j.protectedB)
	b.WriteByte('.')
	b.Write(j.payloadSeg)
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(j.sig))
	b.WriteByte('~')
	for _, d := range sd.disclosures {
		b.Write(d)
		b.WriteByte('~')
	}
	sd.presented = b.Bytes()
	return sd, nil
}

// sdVCTypes are the typ values of an SD-JWT VC: the current one and the
// one of earlier drafts still issued.
var sdVCTypes = map[string]bool{"dc+sd-jwt": true, "vc+sd-jwt": true}

// verifySDJWT verifies an SD-JWT (VC): the issuer's signature, every
// disclosure against the signed digests, the key binding JWT when present
// or required, and the validity of the processed claims.
func (v *verification) verifySDJWT(data []byte) {
	sd, err := parseSDJWT(data, v.headerMemo())
	if err != nil {
		v.jwsFail(err)
		return
	}
	j := sd.issuer
	d := v.jwsDocument(j)
	d.Format = sd.format
	payload, claimsErr := sdPayload(j.payload, j.ownPayload)
	var signedAt validity
	if payload != nil {
		signedAt, _ = claimsValidity(payload)
	}
	v.rep.pass(CheckDecode, sd.format)
	s, ok := v.jwsSigned(j, signedAt.iat)
	if !ok {
		return
	}
	// Issuers of SD-JWT VCs commonly name no kid (keys are found through
	// the issuer's metadata); such a JWT is tried against the trusted keys
	// of its algorithm, a bounded few.
	s.allowUnnamed = true
	if v.verifySigned(s) == nil {
		return
	}
	if claimsErr != nil {
		v.rep.fail(CheckClaims, Malformed, claimsErr.Error())
		return
	}
	newHash, err := sdHashAlg(payload)
	if err != nil {
		v.sdFail(err)
		return
	}
	if hf, id := v.opts.Hash, sdHashID(payload); hf != nil {
		// The host's digest, reset for each disclosure (digestIs says why).
		newHash = func() hash.Hash { return hf.new(id) }
	}
	disclosures, err := decodeDisclosures(sd.disclosures, newHash)
	if err != nil {
		v.sdFail(err)
		return
	}
	processed, undisclosed, err := processSD(payload, disclosures)
	if err != nil {
		v.sdFail(err)
		return
	}
	delete(processed, "_sd_alg")
	v.rep.pass(CheckDisclosures, strconv.Itoa(len(disclosures))+" disclosed, "+strconv.Itoa(undisclosed)+" withheld or decoy")
	vct, hasVCT := processed["vct"].(string)
	if sdVCTypes[j.h.Typ] && (!hasVCT || vct == "") {
		v.rep.fail(CheckClaims, Malformed, "an SD-JWT VC names its type in vct")
		return
	}
	if hasVCT {
		d.Type = vct
	}
	d.Claims = processed
	d.Subject = subjectFromClaims(processed)
	v.checkDocumentType(d.Type)
	val, err := claimsValidity(processed)
	if err != nil {
		v.rep.fail(CheckClaims, Malformed, err.Error())
		return
	}
	v.checkValidity(val)
	v.checkStatus(processed) // status.go: revocation, from the status lists the host supplied
	v.checkKeyBinding(sd, processed, sdHashID(payload))
}

// sdPayload decodes the issuer-signed payload, which must be a JSON object.
// owned says the caller decoded payload and never writes it again
// (parseJSONOwned).
func sdPayload(payload []byte, owned bool) (map[string]any, error) {
	parse := parseJSON
	if owned {
		parse = parseJSONOwned
	}
	v, err := parse(payload, true)
	if err != nil {
		return nil, fmt.Errorf("the claims are not valid JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the claims are not a JSON object")
	}
	return m, nil
}

// sdHashID is sdHashAlg's hash as a crypto.Hash, for a payload sdHashAlg
// accepted.
func sdHashID(payload map[string]any) crypto.Hash {
	name, _ := payload["_sd_alg"].(string)
	if name == "" {
		name = "sha-256"
	}
	return sdHashIDOf(name)
}

// sdHashAlg is the payload's _sd_alg, SHA-256 when absent.
func sdHashAlg(payload map[string]any) (func() hash.Hash, error) {
	raw, ok := payload["_sd_alg"]
	if !ok {
		return sdHashes["sha-256"], nil
	}
	name, ok := raw.(string)
	if !ok {
		return nil, sdMalformed("_sd_alg is not text")
	}
	h, ok := sdHashes[name]
	if !ok {
		return nil, &sdError{UnsupportedAlg, fmt.Sprintf("_sd_alg %q is not supported", clip(name))}
	}
	return h, nil
}

func (v *verification) sdFail(err error) {
	if e, ok := err.(*sdError); ok {
		v.rep.fail(CheckDisclosures, e.reason, e.msg)
		return
	}
	v.rep.fail(CheckDisclosures, Malformed, err.Error())
}
