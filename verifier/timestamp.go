package verifier

// RFC 3161 time-stamp tokens as DigiDoc signatures embed them (XAdES
// SignatureTimeStamp, ArchiveTimeStamp: EncapsulatedTimeStamp): a CMS
// SignedData (RFC 5652) by a time-stamping authority over a TSTInfo that
// binds a digest (the message imprint) to a time. This file reads a token
// strictly and gives the mechanics: the imprint against given bytes, the
// message-digest attribute against the TSTInfo, the signing certificate
// (by the signer identifier, held to the ESS signing-certificate
// attribute), the signature over the DER signed attributes through the
// verifier's crypto path, and the TSA certificate's critical
// id-kp-timeStamping usage. Whether the TSA is trusted at genTime is the
// caller's decision.

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const (
	oidSignedData        oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"         // 1.2.840.113549.1.7.2
	oidTSTInfo           oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x04" // 1.2.840.113549.1.9.16.1.4
	oidAttrContentType   oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03"         // 1.2.840.113549.1.9.3
	oidAttrMessageDigest oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04"         // 1.2.840.113549.1.9.4
	oidAttrSigningCert   oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0c" // 1.2.840.113549.1.9.16.2.12
	oidAttrSigningCertV2 oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x2f" // 1.2.840.113549.1.9.16.2.47
	oidAttrAlgProtection oid = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x34"         // 1.2.840.113549.1.9.52
	oidExtKeyUsage       oid = "\x55\x1d\x25"                                 // 2.5.29.37
)

// timeStampToken is a time-stamp token: TSTInfo, its one signer, and the
// certificates it carries.
type timeStampToken struct {
	// Raw is the token (ContentInfo) as given.
	Raw []byte
	// TSTInfo is the encapsulated content, the DER TSTInfo: what the
	// message-digest attribute is over.
	TSTInfo []byte

	// The TSTInfo's fields (RFC 3161 2.4.2).
	Policy      oid
	ImprintHash crypto.Hash
	Imprint     []byte
	Serial      *big.Int
	GenTime     time.Time
	// Accuracy is zero when the token gives none.
	Accuracy time.Duration
	Ordering bool
	// Nonce is nil when the token has none.
	Nonce *big.Int
	// TSAName is the DER GeneralName of the tsa field, nil when absent.
	TSAName []byte

	// Certificates are those the token carries.
	Certificates []*x509.Certificate

	// The SignerInfo (RFC 5652 5.3). The signer is named by issuer and
	// serial number, or by subject key identifier.
	SignerIssuer []byte // DER Name
	SignerSerial *big.Int
	SignerKeyID  []byte
	DigestHash   crypto.Hash
	// SignedAttrs is the DER of the signed attributes with the SET OF tag
	// (RFC 5652 5.4): the signature's input.
	SignedAttrs  []byte
	SignatureAlg Alg
	Signature    []byte

	messageDigest []byte
	essCerts      []essCertID
	// protection is the CMSAlgorithmProtection attribute (RFC 6211), when
	// present: the digest and signature algorithms as signed.
	protection *[2]algID
	digestAlg  algID
	sigAlg     algID
}

// parseTimeStampToken reads a DER TimeStampToken. It returns Malformed for
// anything that is not DER of RFC 3161 and RFC 5652 with exactly one signer
// and the attributes RFC 3161 requires (content-type id-ct-TSTInfo,
// message-digest, signing-certificate or signing-certificate-v2),
// UnsupportedAlg for an algorithm the verifier does not check, and
// CritUnsupported for a critical TSTInfo extension.
func parseTimeStampToken(der []byte, memo *certMemo) (*timeStampToken, error) {
	malformed := errTimeStampDER
	t := &timeStampToken{Raw: der}
	sd, ok := signedDataOf(der)
	if !ok {
		return nil, readFail(Malformed, "the time stamp is not a ContentInfo holding a SignedData")
	}
	var digestAlgs, encap, eContent, signerInfos cryptobyte.String
	var etype oid
	var version int64
	if !sd.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 3 ||
		!sd.ReadASN1(&digestAlgs, cbasn1.SET) ||
		!sd.ReadASN1(&encap, cbasn1.SEQUENCE) || !readOID(&encap, &etype) ||
		!encap.ReadASN1(&eContent, cbasn1.Tag(0).Constructed().ContextSpecific()) || !encap.Empty() ||
		!eContent.ReadASN1((*cryptobyte.String)(&t.TSTInfo), cbasn1.OCTET_STRING) || !eContent.Empty() {
		return nil, malformed
	}
	for !digestAlgs.Empty() {
		var a algID
		if !readAlgID(&digestAlgs, &a) {
			return nil, malformed
		}
	}
	if etype != oidTSTInfo {
		return nil, readFail(Malformed, "the time stamp's content is not a TSTInfo")
	}
	var certs, crls cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformed
	}
	if present {
		var err error
		if t.Certificates, err = readCertificates(certs, memo); err != nil {
			return nil, err
		}
	}
	if !sd.ReadOptionalASN1(&crls, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&signerInfos, cbasn1.SET) || !sd.Empty() {
		return nil, malformed
	}
	var si cryptobyte.String
	if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) || !signerInfos.Empty() {
		return nil, readFail(Malformed, "a time stamp has exactly one signer")
	}
	if err := t.readSignerInfo(si); err != nil {
		return nil, err
	}
	if err := t.readTSTInfo(cryptobyte.String(t.TSTInfo)); err != nil {
		return nil, err
	}
	return t, nil
}

// berShell is how SK's time-stamping authorities of 2014 wrapped their
// tokens: the ContentInfo SEQUENCE and its [0] in BER indefinite lengths,
// around a SignedData in DER.
var berShell = []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80}

// signedDataOf returns the SignedData (its contents) of a ContentInfo of
// type signed-data: DER, or the one BER shell above with a DER SignedData
// and the two end-of-contents markers after it, nothing else. Only the
// SignedData is interpreted, and it is DER throughout, so the shell's
// encoding changes nothing of what was signed.
func signedDataOf(der []byte) (cryptobyte.String, bool) {
	var sd cryptobyte.String
	if rest, ok := bytes.CutPrefix(der, berShell); ok {
		s := cryptobyte.String(rest)
		if !s.ReadASN1(&sd, cbasn1.SEQUENCE) || !bytes.Equal(s, []byte{0, 0, 0, 0}) {
			return nil, false
		}
		return sd, true
	}
	s := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ctype oid
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !s.Empty() || !readOID(&ci, &ctype) || ctype != oidSignedData ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, false
	}
	return sd, true
}

// readTSTInfo reads the TSTInfo (RFC 3161 2.4.2).
func (t *timeStampToken) readTSTInfo(s cryptobyte.String) error {
	malformed := errTSTInfoDER
	var info, imprint, imprintValue cryptobyte.String
	var version int64
	var hashAlg algID
	t.Serial = new(big.Int)
	if !s.ReadASN1(&info, cbasn1.SEQUENCE) || !s.Empty() ||
		!info.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 1 ||
		!readOID(&info, &t.Policy) ||
		!info.ReadASN1(&imprint, cbasn1.SEQUENCE) || !readAlgID(&imprint, &hashAlg) ||
		!imprint.ReadASN1(&imprintValue, cbasn1.OCTET_STRING) || !imprint.Empty() ||
		!info.ReadASN1Integer(t.Serial) || !readGeneralizedTime(&info, &t.GenTime, true) {
		return malformed
	}
	h, err := digestHash(hashAlg)
	if err != nil {
		return err
	}
	if len(imprintValue) != h.Size() {
		return malformed
	}
	t.ImprintHash, t.Imprint = h, imprintValue
	if info.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		if !info.ReadASN1(&acc, cbasn1.SEQUENCE) || !t.readAccuracy(acc) {
			return malformed
		}
	}
	if info.PeekASN1Tag(cbasn1.BOOLEAN) {
		if !info.ReadASN1Boolean(&t.Ordering) || !t.Ordering { // DEFAULT FALSE: DER omits false
			return malformed
		}
	}
	if info.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		if !info.ReadASN1Integer(t.Nonce) {
			return malformed
		}
	}
	var tsa, exts cryptobyte.String
	var present bool
	if !info.ReadOptionalASN1(&tsa, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed
	}
	if present {
		var tag cbasn1.Tag
		var gn cryptobyte.String
		if !tsa.ReadAnyASN1Element(&gn, &tag) || !tsa.Empty() {
			return malformed
		}
		t.TSAName = gn
	}
	if !info.ReadOptionalASN1(&exts, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !info.Empty() {
		return malformed
	}
	if present {
		// [1] IMPLICIT Extensions: the SEQUENCE tag is replaced.
		list, err := readExtensions(asSequence(exts))
		if err != nil {
			return err
		}
		for _, e := range list {
			if e.critical {
				return readFail(CritUnsupported, "the time stamp has a critical extension %v", e.oid)
			}
		}
	}
	return nil
}

// readAccuracy reads Accuracy: seconds, millis [0] and micros [1] (1..999),
// each optional.
func (t *timeStampToken) readAccuracy(acc cryptobyte.String) bool {
	var secs, millis, micros int64
	if acc.PeekASN1Tag(cbasn1.INTEGER) && (!acc.ReadASN1Int64WithTag(&secs, cbasn1.INTEGER) || secs < 0 || secs > 1<<31) {
		return false
	}
	for _, f := range []struct {
		tag cbasn1.Tag
		v   *int64
	}{{cbasn1.Tag(0).ContextSpecific(), &millis}, {cbasn1.Tag(1).ContextSpecific(), &micros}} {
		if acc.PeekASN1Tag(f.tag) && (!acc.ReadASN1Int64WithTag(f.v, f.tag) || *f.v < 1 || *f.v > 999) {
			return false
		}
	}
	t.Accuracy = time.Duration(secs)*time.Second + time.Duration(millis)*time.Millisecond + time.Duration(micros)*time.Microsecond
	return acc.Empty()
}

// checkImprint checks that the token time-stamps data: its message imprint
// is the digest of data under the imprint's algorithm. Otherwise the token
// is about other bytes: TimeProofMismatch.
func (t *timeStampToken) checkImprint(data []byte, hf HashFunc) error {
	if !digestIs(hf, t.ImprintHash, data, t.Imprint) {
		return readFail(TimeProofMismatch, "the time stamp's message imprint is not the digest of the time-stamped data")
	}
	return nil
}

// Failures made once, not on every call: the readers name them at their
// start, and in the WebAssembly module each error made is two allocations.
var (
	errTimeStampDER = &readError{Malformed, "the time stamp is not DER of a CMS SignedData (RFC 5652)"}
	errTSTInfoDER   = &readError{Malformed, "the time stamp's TSTInfo is not DER of RFC 3161"}
)
