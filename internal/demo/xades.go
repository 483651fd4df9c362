package demo

// XAdES signatures (ETSI EN 319 132-1) as DigiDoc clients write them into
// an ASiC-E container's META-INF/signatures*.xml: one ds:Signature in an
// asic:XAdESSignatures root, detached references to the data files and a
// reference to its SignedProperties, ECDSA P-256 with SHA-256, Exclusive
// C14N throughout. The levels: B-B; B-T (a SignatureTimeStamp over the
// canonical ds:SignatureValue); B-LT (CertificateValues and the OCSP
// response in RevocationValues); B-LTA (an ArchiveTimeStamp, EN 319 132-1
// 5.5.2); BDOC-TM (the BDOC 2.1 policy and an OCSP time mark whose nonce
// is the DigestInfo of SHA-256 over the signature value).

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"
)

const (
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	typeSignedProp = "http://uri.etsi.org/01903#SignedProperties"
	// The BDOC 2.1 signature policy (SK's bdoc-spec21.pdf) and the SHA-256
	// of that document, as every BDOC-TM signature names it.
	bdocPolicyOID    = "urn:oid:1.3.6.1.4.1.10015.1000.3.2.1"
	bdocPolicyDigest = "7pudpH4eXlguSZY2e/pNbKzGsq+fu//woYL1SZFws1A="
	bdocPolicySPURI  = "https://www.sk.ee/repository/bdoc-spec21.pdf"
)

// dataFile is a container's data file.
type dataFile struct {
	name, mediaType string
	data            []byte
}

// eeProvider is the demo Estonian provider of the demo trusted list: its
// CA, its OCSP responder (the CA's delegate) and its TSA.
type eeProvider struct {
	caKey, ocspKey, tsaKey *ecdsa.PrivateKey
	ca, ocsp, tsa          *x509.Certificate
}

// idCard is a signer: an ID card's signing key and certificate.
type idCard struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	// revokedAt, when set, is when the CA revoked the certificate; the
	// responder says so.
	revokedAt time.Time
}

// xadesSpec says what one signature is.
type xadesSpec struct {
	id     string // the ds:Signature Id: S0, S1, …
	level  string // B-B, B-T, B-LT, B-LTA or BDOC-TM
	files  []dataFile
	signer idCard
	at     time.Time // the claimed signing time; evidence follows in seconds
	// Broken variants.
	timestampOver []byte // the signature time stamp's imprint is over these bytes instead
	nonceOver     []byte // the time mark's nonce is over these bytes instead
	wrap          bool   // the signed SignedProperties moved out of QualifyingProperties, unsigned ones in their place
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return b64(s[:])
}

func digestPair(value string) []*xnode {
	return []*xnode{el("ds:DigestMethod", "Algorithm", algSHA256), el("ds:DigestValue").txt(value)}
}

// xadesSignature writes one signatures*.xml.
func (p *eeProvider) xadesSignature(s xadesSpec) ([]byte, error) {
	id := s.id
	var refs []*xnode
	formats := el("xades:SignedDataObjectProperties")
	for i, f := range s.files {
		rid := id + "-RefId" + strconv.Itoa(i)
		refs = append(refs, el("ds:Reference", "Id", rid, "URI", (&url.URL{Path: f.name}).EscapedPath()).add(digestPair(digestOf(f.data))...))
		formats.add(el("xades:DataObjectFormat", "ObjectReference", "#"+rid).add(el("xades:MimeType").txt(f.mediaType)))
	}
	sp := p.signedProperties(s, s.at, formats)
	refs = append(refs, el("ds:Reference", "Id", id+"-RefId"+strconv.Itoa(len(s.files)), "Type", typeSignedProp, "URI", "#"+id+"-SignedProperties").add(
		el("ds:Transforms").add(el("ds:Transform", "Algorithm", algExcC14N))).add(digestPair(digestOf(sp.excC14N()))...))
	si := el("ds:SignedInfo").add(el("ds:CanonicalizationMethod", "Algorithm", algExcC14N), el("ds:SignatureMethod", "Algorithm", algECDSASHA256)).add(refs...)
	sum := sha256.Sum256(si.excC14N())
	value, err := rawECDSA{s.signer.key}.Sign(nil, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	sv := el("ds:SignatureValue", "Id", id+"-SIG").txt(b64(value))
	ki := el("ds:KeyInfo", "Id", id+"-KeyInfo").add(el("ds:X509Data").add(el("ds:X509Certificate").txt(b64(s.signer.cert.Raw))))

	usp := el("xades:UnsignedSignatureProperties")
	tsTime, ocspTime := s.at.Add(3*time.Second), s.at.Add(5*time.Second)
	if s.level != "B-B" && s.level != "BDOC-TM" {
		over := sv.excC14N()
		if s.timestampOver != nil {
			over = s.timestampOver
		}
		tst, err := timeStampToken(p.tsaKey, p.tsa, over, tsTime, tsSerial(id, s.at))
		if err != nil {
			return nil, err
		}
		usp.add(el("xades:SignatureTimeStamp", "Id", id+"-T0").add(
			el("ds:CanonicalizationMethod", "Algorithm", algExcC14N),
			el("xades:EncapsulatedTimeStamp", "Id", id+"-T0-TS").txt(b64(tst))))
	}
	if s.level == "B-LT" || s.level == "B-LTA" || s.level == "BDOC-TM" {
		answer := ocspAnswer{cert: s.signer.cert, issuer: p.ca, producedAt: ocspTime, revokedAt: s.signer.revokedAt}
		if s.level == "BDOC-TM" {
			over := value
			if s.nonceOver != nil {
				over = s.nonceOver
			}
			answer.nonce = digestInfo(over)
		}
		resp, err := ocspResponse(p.ocspKey, p.ocsp, answer)
		if err != nil {
			return nil, err
		}
		usp.add(el("xades:CertificateValues").add(el("xades:EncapsulatedX509Certificate", "Id", id+"-CA-CERT").txt(b64(p.ca.Raw))))
		usp.add(el("xades:RevocationValues").add(el("xades:OCSPValues").add(el("xades:EncapsulatedOCSPValue", "Id", id+"-N0").txt(b64(resp)))))
	}
	if s.level == "B-LTA" {
		in := archiveInput(s.files, sp, si, sv, ki, usp)
		tst, err := timeStampToken(p.tsaKey, p.tsa, in, s.at.Add(time.Hour), tsSerial(id+"-A", s.at))
		if err != nil {
			return nil, err
		}
		usp.add(el("xades141:ArchiveTimeStamp", "Id", id+"-A0").add(
			el("ds:CanonicalizationMethod", "Algorithm", algExcC14N),
			el("xades:EncapsulatedTimeStamp", "Id", id+"-A0-TS").txt(b64(tst))))
	}
	qp := el("xades:QualifyingProperties", "Target", "#"+id)
	sig := el("ds:Signature", "Id", id).add(si, sv, ki)
	if s.wrap {
		// The attack (XAdES wrapping): the signed SignedProperties moved
		// to an object of its own, where the reference still finds it by
		// Id and its digest still holds, while the QualifyingProperties a
		// reader interprets hold unsigned ones, under another Id, that
		// claim another signing time.
		sig.add(el("ds:Object").add(sp))
		forged := p.signedProperties(s, s.at.AddDate(-1, 0, 0), formats)
		forged.attrs[0][1] = id + "-SignedProperties-1"
		qp.add(forged)
	} else {
		qp.add(sp)
	}
	if len(usp.kids) > 0 {
		qp.add(el("xades:UnsignedProperties").add(usp))
	}
	sig.add(el("ds:Object").add(qp))
	prefixes := []string{"asic", "ds", "xades"}
	if s.level == "B-LTA" {
		prefixes = append(prefixes, "xades141")
	}
	return el("asic:XAdESSignatures").add(sig).document(prefixes...), nil
}

// signedProperties is the signature's xades:SignedProperties.
func (p *eeProvider) signedProperties(s xadesSpec, at time.Time, formats *xnode) *xnode {
	cert := s.signer.cert
	ssp := el("xades:SignedSignatureProperties").add(
		el("xades:SigningTime").txt(at.UTC().Format("2006-01-02T15:04:05Z")),
		el("xades:SigningCertificateV2").add(el("xades:Cert").add(
			el("xades:CertDigest").add(digestPair(digestOf(cert.Raw))...),
			el("xades:IssuerSerialV2").txt(b64(issuerSerial(cert))))))
	if s.level == "BDOC-TM" {
		ssp.add(el("xades:SignaturePolicyIdentifier").add(el("xades:SignaturePolicyId").add(
			el("xades:SigPolicyId").add(el("xades:Identifier", "Qualifier", "OIDAsURN").txt(bdocPolicyOID)),
			el("xades:SigPolicyHash").add(digestPair(bdocPolicyDigest)...),
			el("xades:SigPolicyQualifiers").add(el("xades:SigPolicyQualifier").add(el("xades:SPURI").txt(bdocPolicySPURI))))))
	}
	return el("xades:SignedProperties", "Id", s.id+"-SignedProperties").add(ssp, formats)
}

// archiveInput is what an ArchiveTimeStamp time-stamps (EN 319 132-1
// 5.5.2.2, with ds:CanonicalizationMethod): every reference's data after
// its transforms in SignedInfo's order (detached files as they are, the
// SignedProperties canonical), then the canonical SignedInfo,
// SignatureValue and KeyInfo, then each unsigned signature property before
// the archive time stamp. The signature has no other ds:Object.
func archiveInput(files []dataFile, sp, si, sv, ki, usp *xnode) []byte {
	var in []byte
	for _, f := range files {
		in = append(in, f.data...)
	}
	// SignedInfo's last reference is the SignedProperties.
	in = append(in, sp.excC14N()...)
	for _, n := range []*xnode{si, sv, ki} {
		in = append(in, n.excC14N()...)
	}
	for _, n := range usp.kids {
		in = append(in, n.excC14N()...)
	}
	return in
}

// tsSerial is a time-stamp serial number unique per signature.
func tsSerial(id string, at time.Time) int64 {
	s := sha256.Sum256([]byte(id + at.String()))
	return int64(s[0])<<24 | int64(s[1])<<16 | int64(s[2])<<8 | int64(s[3]) | 1
}
