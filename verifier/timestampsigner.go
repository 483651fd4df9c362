package verifier

// The signer of an RFC 3161 time-stamp token (timestamp.go): its
// SignerInfo and signed attributes (RFC 5652 5.3, 5.4; ESS
// signing-certificate, RFC 2634 and RFC 5035; CMS algorithm protection,
// RFC 6211), and the verification of the token's signature.

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"math/big"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// essCertID is the first ESSCertID(v2) of a signing-certificate attribute
// (RFC 2634 5.4, RFC 5035 3): the TSA's certificate by hash, optionally by
// issuer and serial.
type essCertID struct {
	hash   crypto.Hash
	digest []byte
	issuer []byte // DER Name of the directoryName, nil without issuerSerial
	serial *big.Int
}

// readSignerInfo reads the one SignerInfo and its signed attributes.
func (t *timeStampToken) readSignerInfo(si cryptobyte.String) error {
	malformed := errSignerInfoDER
	var version int64
	var sid, attrs, sig cryptobyte.String
	var tag cbasn1.Tag
	if !si.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || !si.ReadAnyASN1Element(&sid, &tag) {
		return malformed
	}
	switch {
	case version == 1 && tag == cbasn1.SEQUENCE:
		var ias, name cryptobyte.String
		t.SignerSerial = new(big.Int)
		if !sid.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(t.SignerSerial) || !ias.Empty() {
			return malformed
		}
		t.SignerIssuer = name
	case version == 3 && tag == cbasn1.Tag(0).ContextSpecific():
		var ski cryptobyte.String
		if !sid.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) || len(ski) == 0 {
			return malformed
		}
		t.SignerKeyID = ski
	default:
		return malformed
	}
	if !readAlgID(&si, &t.digestAlg) || !si.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!readAlgID(&si, &t.sigAlg) || !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return malformed
	}
	if !si.Empty() {
		var unsigned cryptobyte.String
		if !si.ReadASN1(&unsigned, cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
			return malformed
		}
	}
	var err error
	if t.DigestHash, err = digestHash(t.digestAlg); err != nil {
		return err
	}
	if t.SignatureAlg, err = signatureAlg(t.sigAlg, t.DigestHash); err != nil {
		return err
	}
	t.Signature = sig
	// The signature is over the DER of the attributes as a SET OF: the
	// received [0] IMPLICIT encoding with the universal SET tag.
	t.SignedAttrs = append([]byte{0x31}, attrs[1:]...)
	return t.readSignedAttrs(cryptobyte.String(t.SignedAttrs))
}

// readSignedAttrs reads the signed attributes, which must be DER: in SET OF
// order, each type once, each of the ones read here with one value.
func (t *timeStampToken) readSignedAttrs(s cryptobyte.String) error {
	malformed := errSignedAttrsDER
	var set cryptobyte.String
	if !s.ReadASN1(&set, cbasn1.SET) || !s.Empty() {
		return malformed
	}
	var prev []byte
	var seen []oid
	var contentType bool
	for !set.Empty() {
		var attr, a, values, value cryptobyte.String
		var typ oid
		if !set.ReadASN1Element(&attr, cbasn1.SEQUENCE) || (prev != nil && !derSetOrder(prev, attr)) {
			return malformed
		}
		prev = attr
		if !attr.ReadASN1(&a, cbasn1.SEQUENCE) || !readOID(&a, &typ) ||
			!a.ReadASN1(&values, cbasn1.SET) || !a.Empty() {
			return malformed
		}
		if slices.Contains(seen, typ) {
			return readFail(Malformed, "the time stamp's signed attribute %v appears twice", typ)
		}
		seen = append(seen, typ)
		known := typ == oidAttrContentType || typ == oidAttrMessageDigest || typ == oidAttrSigningCert ||
			typ == oidAttrSigningCertV2 || typ == oidAttrAlgProtection
		if !known {
			continue
		}
		var tag cbasn1.Tag
		if !values.ReadAnyASN1Element(&value, &tag) || !values.Empty() {
			return readFail(Malformed, "the time stamp's signed attribute %v has other than one value", typ)
		}
		var ok bool
		switch {
		case typ == oidAttrContentType:
			var ct oid
			ok = readOID(&value, &ct) && ct == oidTSTInfo
			contentType = ok
		case typ == oidAttrMessageDigest:
			ok = value.ReadASN1((*cryptobyte.String)(&t.messageDigest), cbasn1.OCTET_STRING)
		case typ == oidAttrSigningCert, typ == oidAttrSigningCertV2:
			var id essCertID
			ok = readESSCertID(value, typ == oidAttrSigningCertV2, &id)
			t.essCerts = append(t.essCerts, id)
		case typ == oidAttrAlgProtection:
			ok = t.readProtection(value)
		}
		if !ok {
			return readFail(Malformed, "the time stamp's signed attribute %v cannot be read", typ)
		}
	}
	if !contentType || t.messageDigest == nil || len(t.essCerts) == 0 {
		return readFail(Malformed, "the time stamp lacks content-type, message-digest or signing-certificate")
	}
	return nil
}

// derSetOrder reports whether b may follow a in a DER SET OF: encodings in
// ascending order, the shorter one padded with zeros (X.690 11.6).
func derSetOrder(a, b []byte) bool {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c < 0
	}
	for _, x := range a[n:] {
		if x != 0 {
			return false
		}
	}
	return true
}

// readESSCertID reads a SigningCertificate(V2) and keeps its first ESSCertID,
// which names the signer's certificate.
func readESSCertID(s cryptobyte.String, v2 bool, id *essCertID) bool {
	var sc, list, one, digest cryptobyte.String
	if !s.ReadASN1(&sc, cbasn1.SEQUENCE) || !s.Empty() || !sc.ReadASN1(&list, cbasn1.SEQUENCE) ||
		!list.ReadASN1(&one, cbasn1.SEQUENCE) {
		return false
	}
	id.hash = crypto.SHA1
	if v2 {
		id.hash = crypto.SHA256
		if one.PeekASN1Tag(cbasn1.SEQUENCE) {
			var a algID
			var err error
			if !readAlgID(&one, &a) {
				return false
			}
			if id.hash, err = digestHash(a); err != nil {
				return false
			}
		}
	}
	if !one.ReadASN1(&digest, cbasn1.OCTET_STRING) || len(digest) != id.hash.Size() {
		return false
	}
	id.digest = digest
	if one.Empty() {
		return true
	}
	var is, names, dn, name cryptobyte.String
	id.serial = new(big.Int)
	if !one.ReadASN1(&is, cbasn1.SEQUENCE) || !one.Empty() || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!names.ReadASN1(&dn, cbasn1.Tag(4).Constructed().ContextSpecific()) || !names.Empty() ||
		!dn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !dn.Empty() ||
		!is.ReadASN1Integer(id.serial) || !is.Empty() {
		return false
	}
	id.issuer = name
	return true
}

// readProtection reads CMSAlgorithmProtection (RFC 6211 2).
func (t *timeStampToken) readProtection(s cryptobyte.String) bool {
	var p cryptobyte.String
	var d, sig algID
	var sigField cryptobyte.String
	if !s.ReadASN1(&p, cbasn1.SEQUENCE) || !s.Empty() || !readAlgID(&p, &d) ||
		!p.ReadASN1(&sigField, cbasn1.Tag(1).Constructed().ContextSpecific()) || !p.Empty() {
		return false
	}
	// signatureAlgorithm is [1] IMPLICIT AlgorithmIdentifier: read its
	// body as the SEQUENCE it replaces.
	es := cryptobyte.String(asSequence(sigField))
	if !readAlgID(&es, &sig) || !es.Empty() {
		return false
	}
	t.protection = &[2]algID{d, sig}
	return true
}

// asSequence encodes body as a SEQUENCE: the reading of an IMPLICIT-tagged
// SEQUENCE whose tag was replaced.
func asSequence(body []byte) cryptobyte.String {
	b := cryptobyte.NewBuilder(make([]byte, 0, len(body)+6))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

// verify checks the token's signature and returns the TSA certificate that
// made it, found among the token's certificates and the candidates the
// caller gives (the trust's time-stamping services): the certificate the
// signer identifier names and the first ESSCertID of each signing-
// certificate attribute names (by hash, and by issuer and serial when
// given). Failures: IssuerUnknown when no certificate is named so;
// SignatureInvalid when the message-digest attribute is not the digest of
// the TSTInfo, the algorithm protection attribute disagrees with the
// algorithms used, or the signature does not verify; KeyUsage when the
// certificate's extended key usage is not exactly a critical
// id-kp-timeStamping (RFC 3161 2.3).
func (t *timeStampToken) verify(o *Options, candidates []*x509.Certificate) (*x509.Certificate, error) {
	if !digestIs(o.Hash, t.DigestHash, t.TSTInfo, t.messageDigest) {
		return nil, readFail(SignatureInvalid, "the time stamp's message-digest is not the digest of its TSTInfo")
	}
	if p := t.protection; p != nil && (!sameAlg(p[0], t.digestAlg) || !sameAlg(p[1], t.sigAlg)) {
		return nil, readFail(SignatureInvalid, "the time stamp's algorithm protection names other algorithms than it uses")
	}
	var signer *x509.Certificate
	identified := false
	for _, c := range append(append([]*x509.Certificate(nil), t.Certificates...), candidates...) {
		if t.identifies(c) {
			identified = true
			if t.essNames(c, o.Hash) {
				signer = c
				break
			}
		}
	}
	switch {
	case signer == nil && identified:
		return nil, readFail(SignatureInvalid, "the time stamp's signing-certificate attribute names another certificate than its signer")
	case signer == nil:
		return nil, readFail(IssuerUnknown, "no certificate of the time-stamping authority the token names")
	}
	if !o.checkCertSig(t.SignatureAlg, signer, t.SignedAttrs, t.Signature) {
		return nil, readFail(SignatureInvalid, "the time stamp's signature does not verify")
	}
	if !timeStampingOnly(signer) {
		return nil, readFail(KeyUsage, "the time-stamping certificate's extended key usage is not exactly a critical id-kp-timeStamping")
	}
	return signer, nil
}

// identifies reports whether c is the certificate the signer identifier
// names.
func (t *timeStampToken) identifies(c *x509.Certificate) bool {
	if t.SignerKeyID != nil {
		return bytes.Equal(t.SignerKeyID, c.SubjectKeyId)
	}
	return bytes.Equal(t.SignerIssuer, c.RawIssuer) && t.SignerSerial.Cmp(c.SerialNumber) == 0
}

// essNames reports whether every signing-certificate attribute names c.
func (t *timeStampToken) essNames(c *x509.Certificate, hf HashFunc) bool {
	for _, id := range t.essCerts {
		if !digestIs(hf, id.hash, c.Raw, id.digest) {
			return false
		}
		if id.issuer != nil && (!bytes.Equal(id.issuer, c.RawIssuer) || id.serial.Cmp(c.SerialNumber) != 0) {
			return false
		}
	}
	return true
}

// sameAlg compares two algorithm identifiers, NULL and absent parameters
// counting as the same (both are in use for digests and RSA).
func sameAlg(a, b algID) bool {
	return a.oid == b.oid && (bytes.Equal(a.params, b.params) || (a.nullOrAbsent() && b.nullOrAbsent()))
}

// timeStampingOnly reports whether c's extended key usage extension is
// critical and holds id-kp-timeStamping alone.
func timeStampingOnly(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if slices.Equal(e.Id, []int{2, 5, 29, 37}) { // id-ce-extKeyUsage
			return e.Critical && len(c.UnknownExtKeyUsage) == 0 &&
				len(c.ExtKeyUsage) == 1 && c.ExtKeyUsage[0] == x509.ExtKeyUsageTimeStamping
		}
	}
	return false
}

// Failures made once, not on every call: the readers name them at their
// start, and in the WebAssembly module each error made is two allocations.
var (
	errSignerInfoDER  = &readError{Malformed, "the time stamp's SignerInfo is not DER of RFC 5652"}
	errSignedAttrsDER = &readError{Malformed, "the time stamp's signed attributes are not DER of RFC 5652"}
)
