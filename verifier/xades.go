package verifier

// The XAdES signature of a DigiDoc container (ETSI EN 319 132-1, with the
// BDOC 2.1 profile): one ds:Signature in a signatures*.xml file, read from
// the strict XML tree (xmltree.go). parseXAdES reads what the validation
// needs and refuses what would make the signature mean two things: a
// QualifyingProperties that targets another signature, two
// SignedProperties, a SignedProperties that no reference (or two) signs,
// an unsigned property given twice where one counts. It checks no
// cryptography; asicverify.go does.

import (
	"crypto/x509"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Namespaces of a XAdES signature document.
const (
	dsNS       = "http://www.w3.org/2000/09/xmldsig#"
	xadesNS    = "http://uri.etsi.org/01903/v1.3.2#"
	xades141NS = "http://uri.etsi.org/01903/v1.4.1#"
	asicNS     = "http://uri.etsi.org/02918/v1.2.1#"

	signedPropertiesType = "http://uri.etsi.org/01903#SignedProperties"
	// bdocPolicyOID is the BDOC 2.1 signature policy: a signature under it
	// with an OCSP response and no time stamp is a time mark (BDOC-TM).
	bdocPolicyOID = "1.3.6.1.4.1.10015.1000.3.2.1"
)

// XAdES levels as the report names them.
const (
	levelB      = "B-B"
	levelT      = "B-T"
	levelLT     = "B-LT"
	levelLTA    = "B-LTA"
	levelBDOCTM = "BDOC-TM"
	levelBDOCTS = "BDOC-TS"
)

// xadesSignature is one signature as read.
type xadesSignature struct {
	doc *xmlDocument
	// sig is the ds:Signature element, dsig its XMLDSig reading.
	sig  *xmlElement
	dsig *xmlSignature
	ID   string
	// signedInfo, signatureValue and signedProps are the elements the
	// cryptography covers.
	signedInfo     *xmlElement
	signatureValue *xmlElement
	signedProps    *xmlElement
	// Value is the decoded SignatureValue.
	Value []byte
	// Certificate is the signing certificate: the KeyInfo certificate
	// SigningCertificate names.
	Certificate *x509.Certificate
	keyInfo     []*x509.Certificate
	// memo is the trust's certificate memo (nil without a trust): the
	// certificates a signer's signatures repeat are parsed once.
	memo *certMemo
	// weakKey: the signature verified with an RSA key shorter than the
	// verifier accepts (checkSignedInfo).
	weakKey bool

	ClaimedTime time.Time
	SigningCert []xadesCertRef
	PolicyOID   string
	// MimeTypes are DataObjectFormat MimeTypes by the Id of the reference
	// they describe.
	MimeTypes map[string]string

	TimeStamps        []xadesTimeStamp
	ArchiveTimeStamps []xadesTimeStamp
	CertValues        []*x509.Certificate
	OCSPs             [][]byte
}

// xadesCertRef is one Cert of SigningCertificate(V2): the digest of a
// certificate, and its issuer and serial when given.
type xadesCertRef struct {
	DigestAlg string
	Digest    []byte
	// Serial is nil when the reference gives no issuer and serial.
	Serial *big.Int
	// IssuerDER is the issuer of an IssuerSerialV2 (DER Name), nil for
	// the textual X509IssuerName of version 1.
	IssuerDER []byte
}

// xadesTimeStamp is one EncapsulatedTimeStamp with the canonicalisation of
// what it stamps.
type xadesTimeStamp struct {
	C14N  string
	Token []byte
	el    *xmlElement
}

// Level says what the signature carries, as EN 319 132-1 names it (BDOC
// 2.1's for a time mark). bdoc says the container is a .bdoc, whose
// time-stamped signatures are BDOC-TS.
func (s *xadesSignature) Level(bdoc bool) string {
	switch {
	case len(s.ArchiveTimeStamps) > 0:
		return levelLTA
	case len(s.TimeStamps) > 0 && len(s.OCSPs) > 0 && bdoc:
		return levelBDOCTS
	case len(s.TimeStamps) > 0 && len(s.OCSPs) > 0:
		return levelLT
	case len(s.TimeStamps) > 0:
		return levelT
	case len(s.OCSPs) > 0 && s.PolicyOID == bdocPolicyOID:
		return levelBDOCTM
	}
	return levelB
}

// parseXAdES reads a signatures*.xml file: a XAdESSignatures root holding
// exactly one ds:Signature. xs is the reader's memory (nil: new).
func parseXAdES(data []byte, memo *certMemo, xs *xmlScratch) (*xadesSignature, error) {
	doc, err := xs.readXML(data, xmlLimits{})
	if err != nil {
		return nil, err
	}
	root := doc.Root
	if root.Local != "XAdESSignatures" {
		return nil, readFail(Malformed, "a signature file's root is not XAdESSignatures")
	}
	sig, n := root.firstNamed(dsNS, "Signature")
	if n != 1 || root.elementCount() != 1 {
		return nil, readFail(Malformed, "a signature file holds %d signatures; one is allowed", n)
	}
	s := &xadesSignature{doc: doc, sig: sig, MimeTypes: map[string]string{}, memo: memo}
	return s, s.read()
}

func (s *xadesSignature) read() error {
	var err error
	if s.dsig, err = parseXMLSignature(s.sig); err != nil {
		return err
	}
	s.ID = s.dsig.ID
	s.signedInfo, s.signatureValue, s.Value = s.dsig.SignedInfo, s.dsig.SignatureValueElement, s.dsig.SignatureValue
	if len(s.dsig.Certificates) == 0 {
		return readFail(Malformed, "a signature without a certificate in KeyInfo")
	}
	s.keyInfo = s.dsig.KeyInfoCertificates(s.memo)
	var qp *xmlElement
	nqp := 0
	for _, o := range s.dsig.Objects {
		q, n := o.firstNamed(xadesNS, "QualifyingProperties")
		if nqp == 0 {
			qp = q
		}
		nqp += n
	}
	if nqp != 1 {
		return readFail(Malformed, "a signature with %d QualifyingProperties; one is required", nqp)
	}
	if target, _ := qp.Attr("", "Target"); s.ID == "" || target != "#"+s.ID {
		return readFail(SignatureWrapping, "the QualifyingProperties target another signature")
	}
	if s.signedProps = qp.Child(xadesNS, "SignedProperties"); s.signedProps == nil {
		return readFail(Malformed, "a signature without exactly one SignedProperties")
	}
	if err := s.readSignedProps(); err != nil {
		return err
	}
	switch up, n := qp.firstNamed(xadesNS, "UnsignedProperties"); n {
	case 0:
	case 1:
		if err := s.readUnsigned(up); err != nil {
			return err
		}
	default:
		return readFail(Malformed, "a signature with two UnsignedProperties")
	}
	return nil
}

// pickSigner takes as the signing certificate the KeyInfo certificate
// the signed SigningCertificate names by digest (after parseXAdES, so that
// a signature refused here still reports its level); the others may serve to
// build chains, like CertificateValues. None is key substitution: the key
// that verifies would not be the one the signer committed to.
func (s *xadesSignature) pickSigner(hf HashFunc) error {
	for _, c := range s.keyInfo {
		for _, ref := range s.SigningCert {
			h, err := xmlDigestOf(ref.DigestAlg)
			if err == nil && digestIs(hf, h, c.Raw, ref.Digest) {
				s.Certificate = c
				return nil
			}
		}
	}
	return readFail(KeySubstitution, "no KeyInfo certificate is the one SigningCertificate names")
}

func (s *xadesSignature) readSignedProps() error {
	ssp := s.signedProps.Child(xadesNS, "SignedSignatureProperties")
	if ssp == nil {
		return readFail(Malformed, "SignedProperties without SignedSignatureProperties")
	}
	if st, n := ssp.firstNamed(xadesNS, "SigningTime"); n == 1 {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(st.Text()))
		if err != nil {
			return readFail(Malformed, "SigningTime is not an xsd:dateTime")
		}
		s.ClaimedTime = t.UTC()
	} else if n > 1 {
		return readFail(Malformed, "two SigningTime")
	}
	v1, n1 := ssp.firstNamed(xadesNS, "SigningCertificate")
	v2, n2 := ssp.firstNamed(xadesNS, "SigningCertificateV2")
	if n1+n2 != 1 {
		return readFail(Malformed, "a signature needs exactly one SigningCertificate or SigningCertificateV2")
	}
	sc := v1
	if n2 == 1 {
		sc = v2
	}
	for _, n := range sc.Children {
		c := n.named(xadesNS, "Cert")
		if c == nil {
			continue
		}
		ref, err := readCertRef(c, n2 == 1)
		if err != nil {
			return err
		}
		s.SigningCert = append(s.SigningCert, ref)
	}
	if len(s.SigningCert) == 0 {
		return readFail(Malformed, "SigningCertificate names no certificate")
	}
	if spi, n := ssp.firstNamed(xadesNS, "SignaturePolicyIdentifier"); n == 1 {
		if id := spi.Child(xadesNS, "SignaturePolicyId"); id != nil {
			if pid := id.Child(xadesNS, "SigPolicyId"); pid != nil {
				if ident := pid.Child(xadesNS, "Identifier"); ident != nil {
					s.PolicyOID = strings.TrimPrefix(strings.TrimSpace(ident.Text()), "urn:oid:")
				}
			}
		}
	} else if n > 1 {
		return readFail(Malformed, "two SignaturePolicyIdentifier")
	}
	if sdop := s.signedProps.Child(xadesNS, "SignedDataObjectProperties"); sdop != nil {
		for _, n := range sdop.Children {
			f := n.named(xadesNS, "DataObjectFormat")
			if f == nil {
				continue
			}
			ref, _ := f.Attr("", "ObjectReference")
			if mt := f.Child(xadesNS, "MimeType"); mt != nil {
				s.MimeTypes[strings.TrimPrefix(ref, "#")] = strings.TrimSpace(mt.Text())
			}
		}
	}
	return nil
}

// readCertRef reads one Cert: CertDigest, and IssuerSerial (version 1:
// X509IssuerName and X509SerialNumber) or IssuerSerialV2 (the base64 DER of
// an IssuerSerial of RFC 5035).
func readCertRef(c *xmlElement, v2 bool) (xadesCertRef, error) {
	var ref xadesCertRef
	cd := c.Child(xadesNS, "CertDigest")
	if cd == nil {
		return ref, readFail(Malformed, "a SigningCertificate Cert without CertDigest")
	}
	dm, dv := cd.Child(dsNS, "DigestMethod"), cd.Child(dsNS, "DigestValue")
	if dm == nil || dv == nil {
		return ref, readFail(Malformed, "a CertDigest without DigestMethod and DigestValue")
	}
	ref.DigestAlg, _ = dm.Attr("", "Algorithm")
	var err error
	if ref.Digest, err = decodeBase64XML(dv.Text()); err != nil {
		return ref, err
	}
	if is, n := c.firstNamed(xadesNS, "IssuerSerial"); n == 1 && !v2 {
		sn := is.Child(dsNS, "X509SerialNumber")
		if sn == nil {
			return ref, readFail(Malformed, "IssuerSerial without X509SerialNumber")
		}
		n, ok := new(big.Int).SetString(strings.TrimSpace(sn.Text()), 10)
		if !ok {
			return ref, readFail(Malformed, "X509SerialNumber is not a decimal integer")
		}
		ref.Serial = n
	} else if is, n := c.firstNamed(xadesNS, "IssuerSerialV2"); n == 1 && v2 {
		der, err := decodeBase64XML(is.Text())
		if err != nil {
			return ref, err
		}
		if ref.IssuerDER, ref.Serial, err = parseIssuerSerial(der); err != nil {
			return ref, err
		}
	}
	return ref, nil
}

func (s *xadesSignature) readUnsigned(up *xmlElement) error {
	usp := up.Child(xadesNS, "UnsignedSignatureProperties")
	if usp == nil {
		return readFail(Malformed, "UnsignedProperties without exactly one UnsignedSignatureProperties")
	}
	for _, p := range usp.Elements() {
		var err error
		switch {
		case p.Space == xadesNS && p.Local == "SignatureTimeStamp":
			err = s.readTimeStamp(p, &s.TimeStamps)
		case p.Space == xades141NS && p.Local == "ArchiveTimeStamp", p.Space == xadesNS && p.Local == "ArchiveTimeStamp":
			err = s.readTimeStamp(p, &s.ArchiveTimeStamps)
		case p.Space == xadesNS && p.Local == "CertificateValues":
			for _, n := range p.Children {
				c := n.named(xadesNS, "EncapsulatedX509Certificate")
				if c == nil {
					continue
				}
				der, err := decodeBase64XML(c.Text())
				if err != nil {
					return err
				}
				// A certificate crypto/x509 cannot parse can prove nothing
				// here; it is left out, as der.go's readCertificates does.
				if cert, err := s.memo.parseCertificateLenient(der); err == nil {
					s.CertValues = append(s.CertValues, cert)
				}
			}
		case p.Space == xadesNS && p.Local == "RevocationValues":
			for _, n := range p.Children {
				ov := n.named(xadesNS, "OCSPValues")
				if ov == nil {
					continue
				}
				for _, n := range ov.Children {
					o := n.named(xadesNS, "EncapsulatedOCSPValue")
					if o == nil {
						continue
					}
					der, err := decodeBase64XML(o.Text())
					if err != nil {
						return err
					}
					s.OCSPs = append(s.OCSPs, der)
				}
			}
		}
		// Complete*Refs, AttributeCertificateRefs, SigAndRefsTimeStamp,
		// TimeStampValidationData and the like prove nothing this
		// validation uses: ignored.
		if err != nil {
			return err
		}
	}
	return nil
}

// readTimeStamp reads a XAdESTimeStampType: its CanonicalizationMethod
// (C14N 1.0 when absent, EN 319 132-1 5.1.4.1) and exactly one
// EncapsulatedTimeStamp.
func (s *xadesSignature) readTimeStamp(p *xmlElement, into *[]xadesTimeStamp) error {
	ts := xadesTimeStamp{C14N: c14n10URI, el: p}
	if cm, n := p.firstNamed(dsNS, "CanonicalizationMethod"); n == 1 {
		ts.C14N, _ = cm.Attr("", "Algorithm")
	} else if n > 1 {
		return readFail(Malformed, "a time stamp with two CanonicalizationMethod")
	}
	ets, n := p.firstNamed(xadesNS, "EncapsulatedTimeStamp")
	if n != 1 {
		return readFail(Malformed, "a time stamp with %d EncapsulatedTimeStamp; one is required", n)
	}
	var err error
	if ts.Token, err = decodeBase64XML(ets.Text()); err != nil {
		return err
	}
	*into = append(*into, ts)
	return nil
}

// parseIssuerSerial reads an IssuerSerial (RFC 5035): GeneralNames holding
// one directoryName, and the serial number.
func parseIssuerSerial(der []byte) ([]byte, *big.Int, error) {
	bad := errIssuerSerialDER
	s := cryptobyte.String(der)
	var seq, names, name cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!names.ReadASN1(&name, cbasn1.Tag(4).Constructed().ContextSpecific()) || !names.Empty() {
		return nil, nil, bad
	}
	serial := new(big.Int)
	if !seq.ReadASN1Integer(serial) {
		return nil, nil, bad
	}
	return []byte(name), serial, nil
}

// Failures made once, not on every call: the readers name them at their
// start, and in the WebAssembly module each error made is two allocations.
var (
	errIssuerSerialDER = &readError{Malformed, "IssuerSerialV2 is not DER of an IssuerSerial"}
)
