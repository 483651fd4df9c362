package verifier

// OCSP responses (RFC 6960) as DigiDoc signatures embed them
// (XAdES RevocationValues/OCSPValues/EncapsulatedOCSPValue): the evidence
// that the signer's certificate was good, and for BDOC-TM, through the
// nonce, the time mark that proves when the signature existed. This file
// reads a response strictly and gives the mechanics to judge it: which
// single response is about a certificate, whether a certificate is the one
// the responder ID names, whether the signature verifies (through the
// verifier's crypto path), in what role the signer may answer for an
// issuer, and whether a BDOC-TM nonce binds a signature value. Whether the
// responder is trusted, and at what time, is the caller's decision.

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const (
	oidOCSPBasic          oid = "\x2b\x06\x01\x05\x05\x07\x30\x01\x01" // 1.3.6.1.5.5.7.48.1.1
	oidOCSPNonce          oid = "\x2b\x06\x01\x05\x05\x07\x30\x01\x02" // 1.3.6.1.5.5.7.48.1.2
	oidOCSPExtendedRevoke oid = "\x2b\x06\x01\x05\x05\x07\x30\x01\x09" // 1.3.6.1.5.5.7.48.1.9
)

// ocspCertStatus is a single response's CertStatus.
type ocspCertStatus int

const (
	ocspGood ocspCertStatus = iota
	ocspRevoked
	ocspUnknown
)

// ocspResponse is a successful OCSP response and its BasicOCSPResponse.
type ocspResponse struct {
	// Raw is the OCSPResponse as given.
	Raw []byte
	// TBS is the exact encoding of tbsResponseData: the signature's input.
	TBS []byte
	// SignatureAlg is the signature algorithm, by the verifier's name
	// (RS1 for sha1WithRSAEncryption; ECDSA signatures are DER, as in
	// Signature, and checkSignature turns them into r||s).
	SignatureAlg Alg
	Signature    []byte
	// ResponderName is the DER Name of a responder ID byName, nil when the
	// responder is named byKey.
	ResponderName []byte
	// ResponderKeyHash is the SHA-1 of the responder's public key when the
	// responder ID is byKey, nil otherwise.
	ResponderKeyHash []byte
	ProducedAt       time.Time
	Responses        []ocspSingleResponse
	// Nonce is the content of the nonce extension's extnValue as received
	// (RFC 8954 makes it a DER OCTET STRING; BDOC-TM puts a DigestInfo
	// there: see tmNonce). Nil when the response has no nonce.
	Nonce []byte
	// Certificates are those the response carries (certs).
	Certificates []*x509.Certificate
}

// ocspCertID identifies the certificate a single response is about.
type ocspCertID struct {
	Hash           crypto.Hash
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	Serial         *big.Int
}

// ocspSingleResponse is one SingleResponse.
type ocspSingleResponse struct {
	CertID ocspCertID
	Status ocspCertStatus
	// RevokedAt and RevocationReason (CRLReason, -1 when absent) are set
	// for a revoked certificate.
	RevokedAt        time.Time
	RevocationReason int
	ThisUpdate       time.Time
	// NextUpdate is zero when the response gives none.
	NextUpdate time.Time
}

// parseOCSPResponse reads a DER OCSPResponse (RFC 6960 4.2.1). It returns
// Malformed for anything that is not DER of the structure, StatusUnknown
// for a response whose status is not successful (it says nothing about any
// certificate), UnsupportedFormat for a response type other than basic,
// UnsupportedAlg for an algorithm the verifier does not check, and
// CritUnsupported for a critical extension it does not know.
func parseOCSPResponse(der []byte, memo *certMemo) (*ocspResponse, error) {
	malformed := errOCSPResponseDER
	s := cryptobyte.String(der)
	var resp, respBytes, basic cryptobyte.String
	var status int
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !s.Empty() || !resp.ReadASN1Enum(&status) {
		return nil, malformed
	}
	if status != 0 {
		return nil, readFail(StatusUnknown, "the OCSP responder answered with status %d, not successful", status)
	}
	var rtype oid
	if !resp.ReadASN1(&respBytes, cbasn1.Tag(0).Constructed().ContextSpecific()) || !resp.Empty() ||
		!respBytes.ReadASN1(&respBytes, cbasn1.SEQUENCE) || !readOID(&respBytes, &rtype) ||
		!respBytes.ReadASN1(&basic, cbasn1.OCTET_STRING) || !respBytes.Empty() {
		return nil, malformed
	}
	if rtype != oidOCSPBasic {
		return nil, readFail(UnsupportedFormat, "OCSP response type %v is not basic", rtype)
	}
	r, err := parseBasicOCSP(basic, memo)
	if err != nil {
		return nil, err
	}
	r.Raw = der
	return r, nil
}

// parseBasicOCSP reads a BasicOCSPResponse.
func parseBasicOCSP(der []byte, memo *certMemo) (*ocspResponse, error) {
	malformed := errBasicOCSPDER
	r := &ocspResponse{}
	s := cryptobyte.String(der)
	var basic, tbs cryptobyte.String
	var sigAlg algID
	var sigBits asn1.BitString
	if !s.ReadASN1(&basic, cbasn1.SEQUENCE) || !s.Empty() ||
		!basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !readAlgID(&basic, &sigAlg) ||
		!basic.ReadASN1BitString(&sigBits) || sigBits.BitLength%8 != 0 {
		return nil, malformed
	}
	r.TBS, r.Signature = tbs, sigBits.Bytes
	if !basic.Empty() {
		var certs, list cryptobyte.String
		if !basic.ReadASN1(&certs, cbasn1.Tag(0).Constructed().ContextSpecific()) || !basic.Empty() ||
			!certs.ReadASN1(&list, cbasn1.SEQUENCE) || !certs.Empty() {
			return nil, malformed
		}
		var err error
		if r.Certificates, err = readCertificates(list, memo); err != nil {
			return nil, err
		}
	}
	var err error
	if r.SignatureAlg, err = signatureAlg(sigAlg, 0); err != nil {
		return nil, err
	}
	if err := r.readTBS(tbs); err != nil {
		return nil, err
	}
	return r, nil
}

// readTBS reads ResponseData.
func (r *ocspResponse) readTBS(tbs cryptobyte.String) error {
	malformed := errOCSPResponseDataDER
	var data, rid, single cryptobyte.String
	if !tbs.ReadASN1(&data, cbasn1.SEQUENCE) {
		return malformed
	}
	if data.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		// Version DEFAULT v1: DER omits v1, and v1 is the only version.
		return readFail(Malformed, "the OCSP response names a version")
	}
	var tag cbasn1.Tag
	if !data.ReadAnyASN1(&rid, &tag) {
		return malformed
	}
	switch tag {
	case cbasn1.Tag(1).Constructed().ContextSpecific():
		var name cryptobyte.String
		if !rid.ReadASN1Element(&name, cbasn1.SEQUENCE) || !rid.Empty() {
			return malformed
		}
		r.ResponderName = name
	case cbasn1.Tag(2).Constructed().ContextSpecific():
		var kh cryptobyte.String
		if !rid.ReadASN1(&kh, cbasn1.OCTET_STRING) || !rid.Empty() || len(kh) != sha1.Size {
			return malformed
		}
		r.ResponderKeyHash = kh
	default:
		return malformed
	}
	if !readGeneralizedTime(&data, &r.ProducedAt, false) || !data.ReadASN1(&single, cbasn1.SEQUENCE) || single.Empty() {
		return malformed
	}
	for !single.Empty() {
		var sr cryptobyte.String
		if !single.ReadASN1(&sr, cbasn1.SEQUENCE) {
			return malformed
		}
		one, err := readSingleResponse(sr)
		if err != nil {
			return err
		}
		r.Responses = append(r.Responses, one)
	}
	if !data.Empty() {
		var exts cryptobyte.String
		if !data.ReadASN1(&exts, cbasn1.Tag(1).Constructed().ContextSpecific()) || !data.Empty() {
			return malformed
		}
		if bytes.Equal(exts, []byte{0x30, 0}) {
			// An empty list breaks Extensions' SIZE (1..MAX) but means no
			// extension; SK's test responder of 2011 sent it for years.
			return nil
		}
		list, err := readExtensions(exts)
		if err != nil {
			return err
		}
		for _, e := range list {
			switch {
			case e.oid == oidOCSPNonce:
				r.Nonce = e.value
			case e.oid == oidOCSPExtendedRevoke:
			case e.critical:
				return readFail(CritUnsupported, "the OCSP response has a critical extension %v", e.oid)
			}
		}
	}
	return nil
}

// readSingleResponse reads one SingleResponse.
func readSingleResponse(sr cryptobyte.String) (ocspSingleResponse, error) {
	malformed := errOCSPSingleDER
	one := ocspSingleResponse{RevocationReason: -1}
	var certID, status cryptobyte.String
	var hashAlg algID
	var tag cbasn1.Tag
	var nameHash, keyHash cryptobyte.String
	one.CertID.Serial = new(big.Int)
	if !sr.ReadASN1(&certID, cbasn1.SEQUENCE) || !readAlgID(&certID, &hashAlg) ||
		!certID.ReadASN1(&nameHash, cbasn1.OCTET_STRING) || !certID.ReadASN1(&keyHash, cbasn1.OCTET_STRING) ||
		!certID.ReadASN1Integer(one.CertID.Serial) || !certID.Empty() ||
		!sr.ReadAnyASN1(&status, &tag) {
		return one, malformed
	}
	h, err := digestHash(hashAlg)
	if err != nil {
		return one, err
	}
	if len(nameHash) != h.Size() || len(keyHash) != h.Size() {
		return one, malformed
	}
	one.CertID.Hash, one.CertID.IssuerNameHash, one.CertID.IssuerKeyHash = h, nameHash, keyHash
	switch tag {
	case cbasn1.Tag(0).ContextSpecific():
		one.Status = ocspGood
		if !status.Empty() {
			return one, malformed
		}
	case cbasn1.Tag(2).ContextSpecific():
		one.Status = ocspUnknown
		if !status.Empty() {
			return one, malformed
		}
	case cbasn1.Tag(1).Constructed().ContextSpecific():
		one.Status = ocspRevoked
		if !readGeneralizedTime(&status, &one.RevokedAt, false) {
			return one, malformed
		}
		if !status.Empty() {
			var reason cryptobyte.String
			var code int
			if !status.ReadASN1(&reason, cbasn1.Tag(0).Constructed().ContextSpecific()) || !status.Empty() ||
				!reason.ReadASN1Enum(&code) || !reason.Empty() || code < 0 || code > 10 || code == 7 {
				return one, malformed
			}
			one.RevocationReason = code
		}
	default:
		return one, malformed
	}
	if !readGeneralizedTime(&sr, &one.ThisUpdate, false) {
		return one, malformed
	}
	var next, exts cryptobyte.String
	var present bool
	if !sr.ReadOptionalASN1(&next, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		(present && (!readGeneralizedTime(&next, &one.NextUpdate, false) || !next.Empty())) ||
		!sr.ReadOptionalASN1(&exts, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !sr.Empty() {
		return one, malformed
	}
	if present {
		list, err := readExtensions(exts)
		if err != nil {
			return one, err
		}
		for _, e := range list {
			if e.critical {
				return one, readFail(CritUnsupported, "an OCSP SingleResponse has a critical extension %v", e.oid)
			}
		}
	}
	return one, nil
}

// about reports whether the CertID identifies cert as issued by issuer,
// under the CertID's own hash algorithm: the hash of the issuer name as
// cert carries it, the hash of issuer's public key, cert's serial number.
func (id *ocspCertID) about(cert, issuer *x509.Certificate) bool {
	key, ok := subjectPublicKeyBits(issuer)
	if !ok || id.Serial.Cmp(cert.SerialNumber) != 0 || !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
		return false
	}
	return digestIs(nil, id.Hash, cert.RawIssuer, id.IssuerNameHash) && digestIs(nil, id.Hash, key, id.IssuerKeyHash)
}

// find returns the single response about cert issued by issuer. None is
// StatusUnknown (the response says nothing about this certificate); two are
// Malformed (which one would count is ambiguous).
func (r *ocspResponse) find(cert, issuer *x509.Certificate) (*ocspSingleResponse, error) {
	var found *ocspSingleResponse
	for i := range r.Responses {
		if r.Responses[i].CertID.about(cert, issuer) {
			if found != nil {
				return nil, readFail(Malformed, "the OCSP response answers twice for the certificate")
			}
			found = &r.Responses[i]
		}
	}
	if found == nil {
		return nil, readFail(StatusUnknown, "the OCSP response is not about the certificate")
	}
	return found, nil
}

// namesResponder reports whether c is the certificate the responder ID
// names: its subject, byte for byte, or the SHA-1 of its public key.
func (r *ocspResponse) namesResponder(c *x509.Certificate) bool {
	if r.ResponderName != nil {
		return bytes.Equal(r.ResponderName, c.RawSubject)
	}
	key, ok := subjectPublicKeyBits(c)
	sum := sha1.Sum(key)
	return ok && bytes.Equal(sum[:], r.ResponderKeyHash)
}

// verifySignature finds the certificate that signed the response among
// the response's own certificates and the candidates the caller gives (the
// signature's CertificateValues, the trust's OCSP services), checks the
// signature over TBS with it through the verifier's crypto path, and
// returns it. Only certificates the responder ID names are tried. No such
// certificate is IssuerUnknown; a signature that none of them verifies is
// SignatureInvalid. Whether the signer may answer is decided apart
// (authority, and the caller's trust).
func (r *ocspResponse) verifySignature(o *Options, candidates []*x509.Certificate) (*x509.Certificate, error) {
	named := false
	for _, c := range append(append([]*x509.Certificate(nil), r.Certificates...), candidates...) {
		if !r.namesResponder(c) {
			continue
		}
		named = true
		if o.checkCertSig(r.SignatureAlg, c, r.TBS, r.Signature) {
			return c, nil
		}
	}
	if !named {
		return nil, readFail(IssuerUnknown, "no certificate of the OCSP responder the response names")
	}
	return nil, readFail(SignatureInvalid, "the OCSP response's signature does not verify")
}

// ocspAuthority is how a response's signer may answer for an issuer's
// certificates (RFC 6960 4.2.2.2).
type ocspAuthority int

const (
	// ocspNotAuthorized: neither the CA nor its delegate. The caller may
	// still trust the signer as a responder its trust names (a trusted
	// list's OCSP service): that decision is the caller's.
	ocspNotAuthorized ocspAuthority = iota
	// ocspByIssuer: the issuing CA signed the response itself.
	ocspByIssuer
	// ocspDelegated: a certificate the issuing CA issued with
	// id-kp-OCSPSigning, valid when the response was produced.
	ocspDelegated
)

// authority says in what role signer may answer for certificates issued by
// issuer. The delegate's certificate signature is checked with crypto/x509,
// like the rest of a chain.
func (r *ocspResponse) authority(signer, issuer *x509.Certificate) ocspAuthority {
	if bytes.Equal(signer.RawSubject, issuer.RawSubject) && bytes.Equal(signer.RawSubjectPublicKeyInfo, issuer.RawSubjectPublicKeyInfo) {
		return ocspByIssuer
	}
	if !bytes.Equal(signer.RawIssuer, issuer.RawSubject) || signer.CheckSignatureFrom(issuer) != nil ||
		r.ProducedAt.Before(signer.NotBefore) || r.ProducedAt.After(signer.NotAfter) {
		return ocspNotAuthorized
	}
	for _, u := range signer.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			return ocspDelegated
		}
	}
	return ocspNotAuthorized
}

// subjectPublicKeyBits returns the bits of a certificate's subjectPublicKey
// (what RFC 6960 key hashes are over: the BIT STRING's value, without tag,
// length and unused-bits count).
func subjectPublicKeyBits(c *x509.Certificate) ([]byte, bool) {
	s := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var spki cryptobyte.String
	var alg algID
	var bits asn1.BitString
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !readAlgID(&spki, &alg) || !spki.ReadASN1BitString(&bits) || bits.BitLength%8 != 0 {
		return nil, false
	}
	return bits.Bytes, true
}

// tmNonce reads a BDOC-TM nonce: the DER of a DigestInfo (RFC 8017 A.2.4:
// a digest AlgorithmIdentifier and an OCTET STRING) of the signature value,
// placed as the whole extnValue content (digidoc4j) or, as OpenSSL-based
// clients sent it, inside one more OCTET STRING (libdigidocpp accepts both).
func tmNonce(nonce []byte) (crypto.Hash, []byte, error) {
	malformed := errTMNonceDER
	s := cryptobyte.String(nonce)
	if s.PeekASN1Tag(cbasn1.OCTET_STRING) {
		var inner cryptobyte.String
		if !s.ReadASN1(&inner, cbasn1.OCTET_STRING) || !s.Empty() {
			return 0, nil, malformed
		}
		s = inner
	}
	var di, digest cryptobyte.String
	var alg algID
	if !s.ReadASN1(&di, cbasn1.SEQUENCE) || !s.Empty() || !readAlgID(&di, &alg) ||
		!di.ReadASN1(&digest, cbasn1.OCTET_STRING) || !di.Empty() {
		return 0, nil, malformed
	}
	h, err := digestHash(alg)
	if err != nil {
		return 0, nil, err
	}
	if len(digest) != h.Size() {
		return 0, nil, malformed
	}
	return h, digest, nil
}

// checkTMNonce checks that the response is a BDOC-TM time mark for the
// signature whose SignatureValue (the decoded bytes of ds:SignatureValue) is
// given: its nonce is the digest of those bytes under the nonce's algorithm.
// No nonce or another digest is TimeProofMismatch.
func (r *ocspResponse) checkTMNonce(signatureValue []byte) (crypto.Hash, error) {
	if r.Nonce == nil {
		return 0, readFail(TimeProofMismatch, "the OCSP response has no nonce: it is not a time mark")
	}
	h, want, err := tmNonce(r.Nonce)
	if err != nil {
		return 0, err
	}
	if !digestIs(nil, h, signatureValue, want) {
		return h, readFail(TimeProofMismatch, "the OCSP nonce is not the digest of this signature's value")
	}
	return h, nil
}

// Failures made once, not on every call: the readers name them at their
// start, and in the WebAssembly module each error made is two allocations.
var (
	errOCSPResponseDER     = &readError{Malformed, "the OCSP response is not DER of RFC 6960"}
	errBasicOCSPDER        = &readError{Malformed, "the BasicOCSPResponse is not DER of RFC 6960"}
	errOCSPResponseDataDER = &readError{Malformed, "the OCSP ResponseData is not DER of RFC 6960"}
	errOCSPSingleDER       = &readError{Malformed, "an OCSP SingleResponse is not DER of RFC 6960"}
	errTMNonceDER          = &readError{Malformed, "the OCSP nonce is not a DigestInfo (BDOC 2.1 time mark)"}
)
