package verifier

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// EU Digital COVID Certificate (eu-dcc-hcert-spec): "HC1:" + base45(zlib(
// COSE_Sign1(CWT with the hcert claim))). This file undoes the transport
// encoding; hcert.go reads the claim.

// dccPrefix is the context identifier of version 1 (hcert section 4.1).
const dccPrefix = "HC1:"

// MaxDCCInflated bounds the decompressed COSE message. A QR code holds at
// most about 3 KB, and real certificates inflate to well under 2 KB; the
// bound stops a small zlib stream from expanding into megabytes.
const MaxDCCInflated = 64 << 10

// dccKIDLength is the length of a DCC key identifier: the first 8 bytes of
// the SHA-256 of the signer certificate (hcert section 3.3.1).
const dccKIDLength = 8

// dccUnprefix removes the "HC1:" context identifier. Any other prefix
// (another version, "HL0:", none at all) is refused: a verifier that guessed
// would accept encodings no issuer produced.
func dccUnprefix(text []byte) ([]byte, error) {
	if !bytes.HasPrefix(text, []byte(dccPrefix)) {
		return nil, coseMalformed("an EU DCC starts with %q", dccPrefix)
	}
	return text[len(dccPrefix):], nil
}

// dccInflate decompresses a zlib stream (RFC 1950) of at most
// MaxDCCInflated bytes. A stream that is not zlib, is corrupt or has
// trailing data fails; the raw bytes are never used in its place. The
// decoder comes from pool (nil: a new one).
//
// It answers as compress/zlib read to its end through a reader limited to
// MaxDCCInflated+1 bytes did (zlib.go): the bound stops the work, not only
// the result, and a stream that passes it is refused as too large even if
// it is corrupt further on.
func dccInflate(pool *inflaters, z []byte) ([]byte, error) {
	inf := pool.inflater()
	defer pool.putInflater(inf)
	out, rest, err := inf.zlibRead(z, MaxDCCInflated+1)
	switch {
	case err == errZlibLimit:
		return nil, &coseError{LimitExceeded, fmt.Sprintf("the certificate inflates to more than %d bytes", MaxDCCInflated)}
	case err == errZlibHeader || err == errZlibDictionary:
		return nil, coseMalformed("the certificate is not zlib-compressed: %v", err)
	case err != nil:
		return nil, coseMalformed("the compressed certificate is corrupt: %v", err)
	}
	// The Adler-32 checksum matched. Bytes after the stream are refused:
	// nothing in them is signed, and they make one certificate have many
	// encodings.
	if rest > 0 {
		return nil, coseMalformed("%d bytes follow the compressed certificate", rest)
	}
	return out, nil
}

// zlibRead needs its limit off compress/flate's window size (zlib.go).
const _ uint = (MaxDCCInflated+1)%flateWindow - 1

// dccDecode undoes the QR transport: prefix, base45 and zlib (inflating
// with a reader from pool).
func dccDecode(pool *inflaters, text []byte) ([]byte, error) {
	b45, err := dccUnprefix(text)
	if err != nil {
		return nil, err
	}
	z, err := base45Decode(b45)
	if err != nil {
		return nil, coseMalformed("%v", err)
	}
	return dccInflate(pool, z)
}

// verifyDCC verifies an "HC1:" string.
func (v *verification) verifyDCC(text []byte) {
	msg, err := dccDecode(v.inflaters(), text)
	if err != nil {
		v.coseFail(err)
		return
	}
	v.verifyHCert(msg)
}

// dccKID returns the kid as the trust indexes it (base64 of the 8 bytes),
// taken from the protected header, else the unprotected one: the DCC
// specification allows either, and a protected kid wins (hcert 3.3.1).
func dccKID(m *coseSign1) (string, error) {
	raw, ok := m.protected[int64(labelKid)]
	if !ok {
		if raw, ok = m.unprotected[int64(labelKid)]; !ok {
			return "", coseMalformed("an EU DCC names its signer by kid, and this one has none")
		}
	}
	b, ok := raw.([]byte)
	if !ok {
		return "", coseMalformed("kid is not a byte string")
	}
	if len(b) != dccKIDLength {
		return "", coseMalformed("a DCC kid has %d bytes, not %d", dccKIDLength, len(b))
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// verifyHCert verifies the COSE_Sign1 of a DCC and its hcert claim.
func (v *verification) verifyHCert(data []byte) {
	m, err := parseSign1(data, sign1Profile{kidTwice: true})
	if err != nil {
		v.coseFail(err)
		return
	}
	alg, ok := v.coseDocument(m, string(FormatDCC))
	if !ok {
		return
	}
	d := v.rep.doc()
	kid, err := dccKID(m)
	if err != nil {
		v.coseFail(err)
		return
	}
	if m.detached {
		v.rep.fail(CheckDecode, Malformed, "an EU DCC carries its payload")
		return
	}
	msg, err := m.sigStructure(m.payload, v.opts.ExternalAAD)
	if err != nil {
		v.rep.fail(CheckDecode, Malformed, "cannot build the signed structure")
		return
	}
	// The claims are read before the signature only to know the
	// certificate type, on which the signer's key usage depends; they are
	// judged after it.
	claims, val, claimsErr, h, hcertErr := dccClaims(m.payload)
	v.rep.pass(CheckDecode, d.Format)
	s := &signed{alg: alg, algUnprotected: m.algUnprotected(), kid: kid, msg: msg, sig: m.signature, signedAt: val.iat}
	if h != nil {
		s.usage = dccUsage(h.kind)
	}
	k := v.verifySigned(s)
	if k == nil {
		return
	}
	switch {
	case claimsErr != nil:
		v.rep.fail(CheckClaims, Malformed, claimsErr.Error())
		return
	case claims == nil:
		v.rep.fail(CheckClaims, Malformed, "the payload is not a CWT claims set")
		return
	case hcertErr != nil:
		v.rep.fail(CheckClaims, Malformed, hcertErr.Error())
		return
	}
	v.rep.pass(CheckClaims, h.kind)
	h.report(d, claims)
	v.checkDocumentType(d.Type)
	if c := k.Certificate; c != nil && !val.exp.IsZero() && val.exp.After(c.NotAfter) {
		v.rep.fail(CheckCertificateChain, CertificateExpired, fmt.Sprintf("the certificate claims validity until %s, past its signer certificate's %s", timeString(val.exp), timeString(c.NotAfter)))
		return
	}
	v.checkValidity(val)
}

// dccClaims reads a DCC's CWT claims and its certificate from the
// payload. Where the claims read straight into the report's shape
// (cwtClaimsPlain) the certificate is taken from them; otherwise both read
// the one general decoding of the payload.
func dccClaims(payload []byte) (claims map[string]any, val validity, claimsErr error, h *hcert, hcertErr error) {
	if looksLikeCBORMap(payload) {
		if claims, val, ok := cwtClaimsPlain(payload); ok {
			h, hcertErr = hcertFromClaims(claims)
			return claims, val, nil, h, hcertErr
		}
	}
	var raw map[any]any
	rawErr := cborUnmarshal(payload, &raw)
	claims, val, claimsErr = cwtClaimsDecoded(payload, raw, rawErr)
	h, hcertErr = hcertFromDecoded(raw, rawErr, claims)
	return claims, val, claimsErr, h, hcertErr
}

// errNoHCert is a CWT without the hcert claim.
var errNoHCert = errors.New("the CWT has no hcert claim (-260)")
