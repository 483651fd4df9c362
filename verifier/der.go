package verifier

// DER building blocks shared by the OCSP (ocsp.go) and time-stamp
// (timestamp.go) readers: algorithm identifiers, GeneralizedTime,
// extensions, ECDSA signature shapes. Every reader here is strict DER
// through golang.org/x/crypto/cryptobyte (minimal lengths and integers,
// nothing left over), because a lenient ASN.1 reader is where two verifiers
// start to disagree about what was signed.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// oid is an object identifier as the contents of its DER encoding: the
// readers compare it with constants as a string, which needs no
// initialisation code or allocation in the module (asn1.ObjectIdentifier
// values would need both).
type oid string

// readOID reads an OBJECT IDENTIFIER in minimal encoding (X.690 8.19.2: no
// subidentifier starts with 0x80, the last octet ends one).
func readOID(s *cryptobyte.String, out *oid) bool {
	var o cryptobyte.String
	if !s.ReadASN1(&o, cbasn1.OBJECT_IDENTIFIER) || len(o) == 0 || o[len(o)-1]&0x80 != 0 {
		return false
	}
	for i, b := range o {
		if b == 0x80 && (i == 0 || o[i-1]&0x80 == 0) {
			return false
		}
	}
	for _, k := range knownOIDs {
		if string(o) == string(k) {
			*out = k
			return true
		}
	}
	*out = oid(o)
	return true
}

// knownOIDs are the identifiers the readers compare with: one of them read
// is given the constant, not a copy (an allocation for each OID read, a
// dozen in every OCSP response and time stamp).
var knownOIDs = [...]oid{
	oidSHA1, oidSHA224, oidSHA256, oidSHA384, oidSHA512, oidRSA, oidRSASHA1, oidRSASHA256, oidRSASHA384,
	oidRSASHA512, oidRSAPSS, oidMGF1, oidECDSA256, oidECDSA384, oidECDSA512, oidEd25519,
	oidOCSPBasic, oidOCSPNonce, oidOCSPExtendedRevoke,
	oidSignedData, oidTSTInfo, oidAttrContentType, oidAttrMessageDigest, oidAttrSigningCert,
	oidAttrSigningCertV2, oidAttrAlgProtection, oidExtKeyUsage,
	oidQcCompliance, oidQcSSCD,
}

// String is the dotted form, for messages and reports.
func (o oid) String() string {
	var b []byte
	var v uint64
	for i := 0; i < len(o); i++ {
		v = v<<7 | uint64(o[i]&0x7f)
		if o[i]&0x80 != 0 {
			continue
		}
		if len(b) == 0 {
			first := min(v/40, 2)
			b = strconv.AppendUint(b, first, 10)
			v -= first * 40
		}
		b = strconv.AppendUint(append(b, '.'), v, 10)
		v = 0
	}
	return string(b)
}

// Object identifiers of algorithms read here.
const (
	oidSHA1      oid = "\x2b\x0e\x03\x02\x1a"                 // 1.3.14.3.2.26
	oidSHA224    oid = "\x60\x86\x48\x01\x65\x03\x04\x02\x04" // 2.16.840.1.101.3.4.2.4
	oidSHA256    oid = "\x60\x86\x48\x01\x65\x03\x04\x02\x01" // 2.16.840.1.101.3.4.2.1
	oidSHA384    oid = "\x60\x86\x48\x01\x65\x03\x04\x02\x02" // 2.16.840.1.101.3.4.2.2
	oidSHA512    oid = "\x60\x86\x48\x01\x65\x03\x04\x02\x03" // 2.16.840.1.101.3.4.2.3
	oidRSA       oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" // 1.2.840.113549.1.1.1
	oidRSASHA1   oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05" // 1.2.840.113549.1.1.5
	oidRSASHA256 oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b" // 1.2.840.113549.1.1.11
	oidRSASHA384 oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c" // 1.2.840.113549.1.1.12
	oidRSASHA512 oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d" // 1.2.840.113549.1.1.13
	oidRSAPSS    oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a" // 1.2.840.113549.1.1.10
	oidMGF1      oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08" // 1.2.840.113549.1.1.8
	oidECDSA256  oid = "\x2a\x86\x48\xce\x3d\x04\x03\x02"     // 1.2.840.10045.4.3.2
	oidECDSA384  oid = "\x2a\x86\x48\xce\x3d\x04\x03\x03"     // 1.2.840.10045.4.3.3
	oidECDSA512  oid = "\x2a\x86\x48\xce\x3d\x04\x03\x04"     // 1.2.840.10045.4.3.4
	oidEd25519   oid = "\x2b\x65\x70"                         // 1.3.101.112
)

// digestOIDs are the digest algorithms these readers accept (SHA-1 only
// for what old tokens carry; the caller warns, per the policy).
var digestOIDs = []struct {
	oid  oid
	hash crypto.Hash
}{
	{oidSHA1, crypto.SHA1}, {oidSHA224, crypto.SHA224}, {oidSHA256, crypto.SHA256},
	{oidSHA384, crypto.SHA384}, {oidSHA512, crypto.SHA512},
}

// algID is an AlgorithmIdentifier as read: its OID and the complete
// encoding of its parameters (nil when absent).
type algID struct {
	oid    oid
	params []byte
}

// readAlgID reads an AlgorithmIdentifier (RFC 5280 4.1.1.2).
func readAlgID(s *cryptobyte.String, a *algID) bool {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !readOID(&seq, &a.oid) {
		return false
	}
	a.params = nil
	if !seq.Empty() {
		var tag cbasn1.Tag
		var p cryptobyte.String
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return false
		}
		a.params = p
	}
	return true
}

// nullOrAbsent reports whether the parameters are absent or NULL, the two
// encodings in use for digest and RSA PKCS#1 v1.5 algorithms.
func (a algID) nullOrAbsent() bool {
	return a.params == nil || (len(a.params) == 2 && a.params[0] == 0x05 && a.params[1] == 0)
}

// digestHash maps a digest AlgorithmIdentifier to its hash.
func digestHash(a algID) (crypto.Hash, error) {
	for _, d := range digestOIDs {
		if a.oid == d.oid {
			if !a.nullOrAbsent() {
				return 0, readFail(Malformed, "the digest algorithm %v has parameters", a.oid)
			}
			return d.hash, nil
		}
	}
	return 0, readFail(UnsupportedAlg, "digest algorithm %v is not supported", a.oid)
}

// signatureAlg maps a signature AlgorithmIdentifier to the verifier's
// algorithm name (crypto.go). digest is the separately named digest where
// the structure has one (a CMS SignerInfo) and 0 where it has none (OCSP):
// rsaEncryption takes its hash from it, and a named hash must agree with it.
func signatureAlg(a algID, digest crypto.Hash) (Alg, error) {
	var alg Alg
	switch a.oid {
	case oidRSA:
		alg = map[crypto.Hash]Alg{crypto.SHA1: RS1, crypto.SHA256: RS256, crypto.SHA384: RS384, crypto.SHA512: RS512}[digest]
	case oidRSASHA1:
		alg = RS1
	case oidRSASHA256:
		alg = RS256
	case oidRSASHA384:
		alg = RS384
	case oidRSASHA512:
		alg = RS512
	case oidECDSA256:
		alg = ES256
	case oidECDSA384:
		alg = ES384
	case oidECDSA512:
		alg = ES512
	case oidRSAPSS:
		return pssAlg(a.params, digest)
	case oidEd25519:
		if a.params != nil {
			return "", readFail(Malformed, "Ed25519 has parameters")
		}
		return EdDSA, nil
	}
	info, ok := algInfoOf(alg)
	if !ok {
		return "", readFail(UnsupportedAlg, "signature algorithm %v is not supported", a.oid)
	}
	if digest != 0 && digest != info.hash {
		return "", readFail(Malformed, "the signature algorithm's hash differs from the digest algorithm")
	}
	if info.family == 'E' {
		if a.params != nil { // RFC 5758 3.2: parameters MUST be omitted
			return "", readFail(Malformed, "ECDSA algorithm with parameters")
		}
	} else if !a.nullOrAbsent() {
		return "", readFail(Malformed, "RSA algorithm with parameters other than NULL")
	}
	return alg, nil
}

// pssAlg reads RSASSA-PSS-params (RFC 4055 3.1) and accepts exactly the
// shapes the verifier's PSS algorithms check: one SHA-2 hash for the
// message and MGF1, a salt as long as the hash, trailer 1.
func pssAlg(params []byte, digest crypto.Hash) (Alg, error) {
	bad := readFail(UnsupportedAlg, "RSASSA-PSS parameters other than SHA-2 with MGF1 of the same hash and a salt of the hash's length")
	s := cryptobyte.String(params)
	var seq, hashField, mgfField cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return "", readFail(Malformed, "RSASSA-PSS without parameters")
	}
	var hashAlg, mgf, mgfHash algID
	if !seq.ReadASN1(&hashField, cbasn1.Tag(0).Constructed().ContextSpecific()) || !readAlgID(&hashField, &hashAlg) || !hashField.Empty() ||
		!seq.ReadASN1(&mgfField, cbasn1.Tag(1).Constructed().ContextSpecific()) || !readAlgID(&mgfField, &mgf) || !mgfField.Empty() {
		return "", bad // default SHA-1 and MGF1-SHA-1 are not offered
	}
	var salt int64 = 20
	var saltField, trailerField cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&saltField, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) ||
		(present && (!saltField.ReadASN1Int64WithTag(&salt, cbasn1.INTEGER) || !saltField.Empty())) {
		return "", readFail(Malformed, "RSASSA-PSS salt length")
	}
	var trailer int64 = 1
	if !seq.ReadOptionalASN1(&trailerField, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) ||
		(present && (!trailerField.ReadASN1Int64WithTag(&trailer, cbasn1.INTEGER) || !trailerField.Empty())) || !seq.Empty() {
		return "", readFail(Malformed, "RSASSA-PSS parameters")
	}
	h, err := digestHash(hashAlg)
	if err != nil {
		return "", err
	}
	mp := cryptobyte.String(mgf.params)
	if mgf.oid != oidMGF1 || !readAlgID(&mp, &mgfHash) || !mp.Empty() {
		return "", bad
	}
	if mh, err := digestHash(mgfHash); err != nil || mh != h || salt != int64(h.Size()) || trailer != 1 {
		return "", bad
	}
	if digest != 0 && digest != h {
		return "", readFail(Malformed, "the signature algorithm's hash differs from the digest algorithm")
	}
	alg := map[crypto.Hash]Alg{crypto.SHA256: PS256, crypto.SHA384: PS384, crypto.SHA512: PS512}[h]
	if alg == "" {
		return "", bad
	}
	return alg, nil
}

// readGeneralizedTime reads a GeneralizedTime in the one form DER allows:
// UTC with a Z, seconds present, and, where fraction is true (RFC 3161
// genTime), an optional fraction without trailing zeros.
func readGeneralizedTime(s *cryptobyte.String, t *time.Time, fraction bool) bool {
	var b cryptobyte.String
	if !s.ReadASN1(&b, cbasn1.GeneralizedTime) || len(b) < 15 || b[len(b)-1] != 'Z' {
		return false
	}
	body := string(b[:len(b)-1])
	whole, frac := body[:14], body[14:]
	nanos := 0
	if frac != "" {
		if !fraction || len(frac) < 2 || len(frac) > 10 || frac[0] != '.' || frac[len(frac)-1] == '0' {
			return false
		}
		scale := 100000000
		for _, c := range frac[1:] {
			if c < '0' || c > '9' {
				return false
			}
			nanos += int(c-'0') * scale
			scale /= 10
		}
	}
	for _, c := range whole {
		if c < '0' || c > '9' {
			return false
		}
	}
	v, err := time.Parse("20060102150405", whole)
	if err != nil {
		return false
	}
	*t = v.Add(time.Duration(nanos))
	return true
}

// extension is one X.509-style Extension (RFC 5280 4.1).
type extension struct {
	oid      oid
	critical bool
	value    []byte // the contents of extnValue
}

// readExtensions reads Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension.
// An extension named twice is refused (RFC 5280 4.2); DER forbids an
// explicit critical FALSE.
func readExtensions(s cryptobyte.String) ([]extension, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || seq.Empty() {
		return nil, readFail(Malformed, "extensions are not a non-empty SEQUENCE")
	}
	var out []extension
	for !seq.Empty() {
		var e extension
		var ext, val cryptobyte.String
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !readOID(&ext, &e.oid) {
			return nil, readFail(Malformed, "an extension cannot be read")
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			if !ext.ReadASN1Boolean(&e.critical) || !e.critical {
				return nil, readFail(Malformed, "an extension's critical flag is not DER")
			}
		}
		if !ext.ReadASN1(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, readFail(Malformed, "an extension cannot be read")
		}
		e.value = val
		for _, o := range out {
			if o.oid == e.oid {
				return nil, readFail(Malformed, "extension %v appears twice", e.oid)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ecdsaRaw turns an ECDSA-Sig-Value (DER SEQUENCE of r and s, RFC 5480
// section 2.2, as CMS and OCSP carry it) into the fixed-width r||s that the
// verifier's signature check takes (JWS and COSE use it). Integers must be
// positive and fit the key's curve.
func ecdsaRaw(der []byte, k *ecdsa.PublicKey) ([]byte, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	r, ss := new(big.Int), new(big.Int)
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(ss) || !seq.Empty() {
		return nil, readFail(SignatureInvalid, "the ECDSA signature is not a DER SEQUENCE of two integers")
	}
	size := (k.Curve.Params().BitSize + 7) / 8
	if r.Sign() <= 0 || ss.Sign() <= 0 || r.BitLen() > size*8 || ss.BitLen() > size*8 {
		return nil, readFail(SignatureInvalid, "the ECDSA signature's integers are out of range")
	}
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	ss.FillBytes(out[size:])
	return out, nil
}

// checkCertSig checks sig over msg under alg with the certificate's key,
// through the verifier's crypto path (Options.checkSig: the host's native
// crypto first, then the verifier's own). DER ECDSA signatures are turned
// into r||s first.
func (o *Options) checkCertSig(alg Alg, c *x509.Certificate, msg, sig []byte) bool {
	info, ok := algInfoOf(alg)
	if !ok || keyFits(info, c.PublicKey) != nil {
		return false
	}
	if info.family == 'E' {
		raw, err := ecdsaRaw(sig, c.PublicKey.(*ecdsa.PublicKey))
		if err != nil {
			return false
		}
		sig = raw
	}
	return o.checkSig(alg, &Key{Public: c.PublicKey, spki: c.RawSubjectPublicKeyInfo}, msg, sig)
}

// certHash is the digest of a certificate's DER under h.
func certHash(h crypto.Hash, c *x509.Certificate) []byte {
	return digestOf(nil, h, c.Raw)
}

// readCertificates reads a SET or SEQUENCE body of certificates, refusing
// any other CertificateChoices (attribute certificates, "other"). A
// certificate crypto/x509 cannot parse is left out rather than failing the
// whole structure: some real Estonian certificates of 2011 encode their RSA
// modulus as a negative INTEGER, which crypto/x509 refuses and OpenSSL
// accepts. Left out, it can sign nothing here; the signer is then looked
// for among the caller's certificates. The certificates are parsed
// through the trust's memo (nil without a trust): a responder's or a
// TSA's certificate recurs in every container it served.
func readCertificates(s cryptobyte.String, memo *certMemo) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for !s.Empty() {
		var der cryptobyte.String
		if !s.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return nil, readFail(Malformed, "a certificate entry is not a Certificate")
		}
		if e, err := memo.parseCertificate(der); err == nil {
			out = append(out, e.cert)
		}
	}
	return out, nil
}
