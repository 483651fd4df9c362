package verifier

// XML Signature core (XMLDSig 1.1, W3C REC 2013) for one ds:Signature
// element of a XAdES signature document: its SignedInfo is read and
// canonicalised from the tree readXML built, its references are digested
// (detached ones through the caller, same-document ones only inside this
// Signature), and its SignatureValue is checked through the verifier's
// crypto path (Options.checkSig: the host's native crypto first), as JWS
// and COSE signatures are.
//
// API (kept stable for the XAdES code):
//
//	parseXMLSignature(sig *xmlElement) (*xmlSignature, error)
//	(*xmlSignature).KeyInfoCertificates(*certMemo) []*x509.Certificate  (certMemo.parseCertificateLenient, certmemo.go)
//	(*xmlSignature).WeakAlg() bool                            SHA-1 signature method (warn); xmlRefResult.WeakDigest per reference
//	(*xmlSignature).VerifyValue(o *Options, cert *x509.Certificate) error
//	(*xmlSignature).CheckReferences(resolve xmlResolver, hf HashFunc) []xmlRefResult
//	c14nOf(e) (c14nMethod, error)           a CanonicalizationMethod or Transform element (XAdES time stamps name one)
//	xmlDigestOf(uri) (crypto.Hash, error)   digest method URIs (also for XAdES CertDigest)
//	decodeBase64XML(s) ([]byte, error)      xs:base64Binary with white space
//
// Failures: Malformed for a structure XMLDSig does not allow (and for a
// same-document reference that is not a bare Id inside this Signature);
// UnsupportedAlg for an algorithm or transform not implemented;
// AlgNotAllowed for a key the method cannot use (an RSA key under 2048
// bits, crypto.go); SignatureInvalid for a
// SignatureValue that does not verify (a reference whose digest differs is
// reported per reference, xmlRefResult.Match false, so the caller can tell
// ETSI's HASH_FAILURE from SIG_CRYPTO_FAILURE).

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"net/url"
	"strings"
)

// dsNamespace is the XML Signature namespace.
const dsNamespace = "http://www.w3.org/2000/09/xmldsig#"

// Limits on one SignedInfo: a XAdES signature has one reference per data
// file and one to its SignedProperties.
const (
	maxXMLReferences = 1000
	maxXMLTransforms = 4
)

// xmlSignature is one ds:Signature as read.
type xmlSignature struct {
	// Element is the ds:Signature element; ID its Id attribute.
	Element *xmlElement
	ID      string
	// SignedInfo and its canonical form under CanonicalizationMethod,
	// the bytes SignatureValue signs.
	SignedInfo     *xmlElement
	SignedInfoC14N []byte
	C14N           c14nMethod
	// SignatureMethod is the algorithm's URI; Alg the verifier's name for
	// it (RS256, ES384, PS256, ...).
	SignatureMethod string
	Alg             Alg
	References      []xmlReference
	// SignatureValue is the decoded value; SignatureValueElement the
	// element (XAdES time stamps are over its canonical form).
	SignatureValue        []byte
	SignatureValueElement *xmlElement
	// Certificates are the DER of KeyInfo's X509Data/X509Certificate
	// elements, in document order; KeyInfo is nil when there is none.
	KeyInfo      *xmlElement
	Certificates [][]byte
	// Objects are the ds:Object children (XAdES QualifyingProperties).
	Objects []*xmlElement
}

// xmlReference is one ds:Reference of SignedInfo.
type xmlReference struct {
	Element    *xmlElement
	URI        string // as written
	ID, Type   string
	Transforms []string // Algorithm URIs, in order
	// c14n is the canonicalisation the transforms end with; enveloped
	// says the enveloped-signature transform is among them.
	c14n         *c14nMethod
	enveloped    bool
	DigestMethod string
	Hash         crypto.Hash
	DigestValue  []byte
}

// xmlRefResult is the outcome of one reference.
type xmlRefResult struct {
	Index int
	// URI is the decoded URI of a detached reference, the Id (without
	// "#") of a same-document one.
	URI          string
	SameDocument bool
	// Target is the element a same-document reference names.
	Target *xmlElement
	// Digest is the digest computed; Match says it equals DigestValue.
	Digest []byte
	Match  bool
	// WeakDigest says the digest is SHA-1 (the caller warns).
	WeakDigest bool
	// Err is why the digest could not be computed (Match false): a
	// reference outside the signature, an unknown transform, a data file
	// the resolver does not have. errReason gives its reason.
	Err error
}

// xmlResolver returns the digest under h of the container entry a detached
// reference names, by its URI decoded (RFC 3986 percent-decoding; "+" is a
// plus sign). An error carries the reason (PayloadMissing for a name the
// container lacks).
type xmlResolver func(name string, h crypto.Hash) ([]byte, error)

// parseXMLSignature reads a ds:Signature element.
func parseXMLSignature(sig *xmlElement) (*xmlSignature, error) {
	if sig == nil || sig.Space != dsNamespace || sig.Local != "Signature" {
		return nil, readFail(Malformed, "not a ds:Signature element")
	}
	s := &xmlSignature{Element: sig}
	s.ID, _ = sig.Attr("", "Id")
	var kb [8]*xmlElement
	kids, err := elementChildren(sig, kb[:])
	if err != nil {
		return nil, err
	}
	if len(kids) < 2 || !isDS(kids[0], "SignedInfo") || !isDS(kids[1], "SignatureValue") {
		return nil, readFail(Malformed, "ds:Signature does not begin with SignedInfo and SignatureValue")
	}
	s.SignedInfo, s.SignatureValueElement = kids[0], kids[1]
	rest := kids[2:]
	if len(rest) > 0 && isDS(rest[0], "KeyInfo") {
		s.KeyInfo, rest = rest[0], rest[1:]
	}
	for _, o := range rest {
		if !isDS(o, "Object") {
			return nil, readFail(Malformed, "unexpected element in ds:Signature")
		}
		s.Objects = append(s.Objects, o)
	}
	if s.SignatureValue, err = decodeBase64XML(s.SignatureValueElement.Text()); err != nil {
		return nil, err
	}
	if s.SignatureValueElement.elementCount() != 0 {
		return nil, readFail(Malformed, "ds:SignatureValue holds elements")
	}
	if err := s.readSignedInfo(); err != nil {
		return nil, err
	}
	if err := s.readKeyInfo(); err != nil {
		return nil, err
	}
	return s, nil
}

func isDS(e *xmlElement, local string) bool { return e.Space == dsNamespace && e.Local == local }

// elementChildren returns e's element children, refusing text other than
// white space between them. They are put in buf when it has room (the
// callers' arrays on the stack: a list made for each element read was a
// good part of a signature's allocations).
func elementChildren(e *xmlElement, buf []*xmlElement) ([]*xmlElement, error) {
	out := buf[:0]
	if n := e.elementCount(); n > cap(out) {
		out = make([]*xmlElement, 0, n)
	}
	for _, c := range e.Children {
		switch c.Kind {
		case xmlElementNode:
			out = append(out, c.Elem)
		case xmlTextNode:
			if strings.Trim(c.Text, " \t\r\n") != "" {
				return nil, readFail(Malformed, "text where XML Signature allows only elements")
			}
		}
	}
	return out, nil
}

// algorithmOf returns the Algorithm attribute, which must be there.
func algorithmOf(e *xmlElement) (string, error) {
	a, ok := e.Attr("", "Algorithm")
	if !ok || a == "" {
		return "", readFail(Malformed, "XML Signature element without Algorithm")
	}
	return a, nil
}

func (s *xmlSignature) readSignedInfo() error {
	var kb [8]*xmlElement
	kids, err := elementChildren(s.SignedInfo, kb[:])
	if err != nil {
		return err
	}
	if len(kids) < 3 || !isDS(kids[0], "CanonicalizationMethod") || !isDS(kids[1], "SignatureMethod") {
		return readFail(Malformed, "ds:SignedInfo without CanonicalizationMethod, SignatureMethod and a Reference")
	}
	if s.C14N, err = c14nOf(kids[0]); err != nil {
		return err
	}
	if s.SignatureMethod, err = algorithmOf(kids[1]); err != nil {
		return err
	}
	if kids[1].elementCount() != 0 {
		return readFail(UnsupportedAlg, "signature method parameters are not supported")
	}
	alg, ok := xmlSignatureAlgs[s.SignatureMethod]
	if !ok {
		return readFail(UnsupportedAlg, "signature method not supported")
	}
	s.Alg = alg
	if len(kids)-2 > maxXMLReferences {
		return readFail(LimitExceeded, "more than %d references", maxXMLReferences)
	}
	for _, r := range kids[2:] {
		if !isDS(r, "Reference") {
			return readFail(Malformed, "unexpected element in ds:SignedInfo")
		}
		ref, err := readReference(r)
		if err != nil {
			return err
		}
		s.References = append(s.References, ref)
	}
	s.SignedInfoC14N, err = canonicalize(s.SignedInfo, s.C14N, nil)
	return err
}

// c14nOf reads a CanonicalizationMethod or Transform naming a
// canonicalisation, with an exclusive method's InclusiveNamespaces.
func c14nOf(e *xmlElement) (c14nMethod, error) {
	uri, err := algorithmOf(e)
	if err != nil {
		return c14nMethod{}, err
	}
	var kb [2]*xmlElement
	kids, err := elementChildren(e, kb[:])
	if err != nil {
		return c14nMethod{}, err
	}
	prefixes := ""
	switch {
	case len(kids) == 0:
	case len(kids) == 1 && (uri == excC14NURI || uri == excC14NCommentsURI) &&
		kids[0].Space == excC14NURI && kids[0].Local == "InclusiveNamespaces":
		p, ok := kids[0].Attr("", "PrefixList")
		if !ok {
			return c14nMethod{}, readFail(Malformed, "InclusiveNamespaces without PrefixList")
		}
		// xmlsec1 (and so libdigidocpp) splits the list at spaces only
		// and reads a trailing space as one more, empty, prefix: the
		// default namespace. A list it would read otherwise than XML
		// Schema's NMTOKENS is refused rather than hashed one way.
		if strings.HasSuffix(p, " ") || strings.ContainsAny(p, "\t\r\n") {
			return c14nMethod{}, readFail(Malformed, "InclusiveNamespaces PrefixList that implementations read differently")
		}
		prefixes = p
	default:
		return c14nMethod{}, readFail(Malformed, "unexpected parameters of a canonicalisation method")
	}
	return c14nMethodOf(uri, prefixes)
}

func readReference(r *xmlElement) (xmlReference, error) {
	ref := xmlReference{Element: r}
	var ok bool
	if ref.URI, ok = r.Attr("", "URI"); !ok {
		return ref, readFail(Malformed, "ds:Reference without URI")
	}
	ref.ID, _ = r.Attr("", "Id")
	ref.Type, _ = r.Attr("", "Type")
	var kb [4]*xmlElement
	kids, err := elementChildren(r, kb[:])
	if err != nil {
		return ref, err
	}
	if len(kids) > 0 && isDS(kids[0], "Transforms") {
		var tb [4]*xmlElement
		ts, err := elementChildren(kids[0], tb[:])
		if err != nil {
			return ref, err
		}
		if len(ts) == 0 || len(ts) > maxXMLTransforms {
			return ref, readFail(Malformed, "ds:Transforms with no or too many transforms")
		}
		for i, t := range ts {
			if !isDS(t, "Transform") {
				return ref, readFail(Malformed, "unexpected element in ds:Transforms")
			}
			uri, err := algorithmOf(t)
			if err != nil {
				return ref, err
			}
			ref.Transforms = append(ref.Transforms, uri)
			switch {
			case uri == envelopedSignatureURI && ref.c14n == nil && t.elementCount() == 0:
				ref.enveloped = true
			case uri != envelopedSignatureURI && ref.c14n == nil && i == len(ts)-1:
				m, err := c14nOf(t)
				if err != nil {
					return ref, err
				}
				ref.c14n = &m
			default:
				return ref, readFail(UnsupportedAlg, "transform not supported in this position")
			}
		}
		kids = kids[1:]
	}
	if len(kids) != 2 || !isDS(kids[0], "DigestMethod") || !isDS(kids[1], "DigestValue") {
		return ref, readFail(Malformed, "ds:Reference without DigestMethod and DigestValue")
	}
	if ref.DigestMethod, err = algorithmOf(kids[0]); err != nil {
		return ref, err
	}
	if ref.Hash, err = xmlDigestOf(ref.DigestMethod); err != nil {
		return ref, err
	}
	if kids[1].elementCount() != 0 {
		return ref, readFail(Malformed, "ds:DigestValue holds elements")
	}
	ref.DigestValue, err = decodeBase64XML(kids[1].Text())
	return ref, err
}

func (s *xmlSignature) readKeyInfo() error {
	if s.KeyInfo == nil {
		return nil
	}
	for _, n := range s.KeyInfo.Children {
		xd := n.named(dsNamespace, "X509Data")
		if xd == nil {
			continue
		}
		for _, n := range xd.Children {
			c := n.named(dsNamespace, "X509Certificate")
			if c == nil {
				continue
			}
			der, err := decodeBase64XML(c.Text())
			if err != nil {
				return err
			}
			s.Certificates = append(s.Certificates, der)
		}
	}
	return nil
}

// KeyInfoCertificates parses KeyInfo's certificates through the trust's
// memo m (nil without a trust) (certlenient.go: the negative RSA moduli
// of 2011 ID cards are read); one that still does not parse is left out
// (the caller matches the signer against SigningCertificate, and finds
// none then).
func (s *xmlSignature) KeyInfoCertificates(m *certMemo) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range s.Certificates {
		if c, err := m.parseCertificateLenient(der); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// decodeBase64XML decodes xs:base64Binary, which may hold XML white space
// anywhere (certificates and signature values are wrapped at 64 or 76).
//
// The white space goes in a loop over bytes, not strings.Map: that calls
// its function once per rune, which in the module cost more than the
// decoding. A byte that is not ASCII fails the decoding either way.
//
// One pass: each byte is looked up once (a sextet, white space, padding or
// neither) and quanta are decoded as they fill, into the one slice
// returned. Inside the module the former two passes (white space out
// into a buffer, then encoding/base64 on it) cost twice as much. The
// result is held to that of base64.StdEncoding.Strict() on the value
// without its white space (TestDecodeBase64XMLAsMapped, the fuzz target).
func decodeBase64XML(s string) ([]byte, error) {
	out := make([]byte, len(s)/4*3) // every 3 bytes out take 4 in
	j := 0
	var q uint32 // the sextets of the quantum being read
	n := 0       // how many
	i := 0
	for ; i < len(s); i++ {
		v := base64XMLValues[s[i]]
		if v < 64 {
			q = q<<6 | uint32(v)
			if n++; n == 4 {
				out[j], out[j+1], out[j+2] = byte(q>>16), byte(q>>8), byte(q)
				j, q, n = j+3, 0, 0
			}
			continue
		}
		if v == base64XMLSpace {
			continue
		}
		if v != base64XMLPad {
			return nil, errBase64XML()
		}
		break
	}
	if i < len(s) {
		// Padding ends the last quantum: "==" after two sextets, "=" after
		// three, then only white space; the bits it leaves out are zero.
		pads := 1
		for i++; i < len(s); i++ {
			switch v := base64XMLValues[s[i]]; {
			case v == base64XMLSpace:
			case v == base64XMLPad && n == 2 && pads == 1:
				pads++
			default:
				return nil, errBase64XML()
			}
		}
		switch {
		case n == 2 && pads == 2 && q&0xf == 0:
			out[j] = byte(q >> 4)
			j++
		case n == 3 && pads == 1 && q&0x3 == 0:
			out[j], out[j+1] = byte(q>>10), byte(q>>2)
			j += 2
		default:
			return nil, errBase64XML()
		}
	} else if n != 0 {
		return nil, errBase64XML()
	}
	if j == 0 {
		return nil, errBase64XML()
	}
	return out[:j], nil
}

// base64XMLValues maps the standard base64 alphabet to its sextets, XML
// white space to base64XMLSpace, '=' to base64XMLPad and the rest to 0xff.
const base64XMLValues = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x40\x40\xff\xff\x40\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x40\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x3e\xff\xff\xff\x3f\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\xff\xff\xff\x41\xff\xff\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\xff\xff\xff\xff\xff\xff\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

const (
	base64XMLSpace = 0x40
	base64XMLPad   = 0x41
)

func errBase64XML() error { return readFail(Malformed, "XML base64 value does not decode") }

// xmlDigests are the digest methods (XMLDSig 1.1 section 6.2, RFC 6931).
var xmlDigests = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmldsig-more#sha224": crypto.SHA224,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// xmlDigestOf returns the hash a digest method URI names.
func xmlDigestOf(uri string) (crypto.Hash, error) {
	h, ok := xmlDigests[uri]
	if !ok || !h.Available() {
		return 0, readFail(UnsupportedAlg, "digest method not supported")
	}
	return h, nil
}

// xmlSignatureAlgs map signature method URIs (XMLDSig 1.1 section 6.4,
// RFC 6931 sections 2.3 and 2.3.10) to the verifier's algorithm names.
// RSA-PSS without parameters uses MGF1 with the same hash and a salt as
// long as the digest.
var xmlSignatureAlgs = map[string]Alg{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":             RS1,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224":      RS224,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      RS256,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":      RS384,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":      RS512,
	"http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1": PS224,
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": PS256,
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": PS384,
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": PS512,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1":      ES1,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224":    ES224,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    ES256,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":    ES384,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    ES512,
}

// WeakAlg says the signature method hashes with SHA-1 (the caller warns).
func (s *xmlSignature) WeakAlg() bool {
	info, _ := algInfoOf(s.Alg)
	return info.hash == crypto.SHA1
}

// VerifyValue checks SignatureValue over the canonical SignedInfo with
// cert's key. The caller chooses cert (the signing certificate XAdES
// binds); an algorithm the key cannot do is AlgNotAllowed, a value that
// does not verify SignatureInvalid. ECDSA values are r||s (RFC 4050, as
// XMLDSig 1.1 says); a DER SEQUENCE, which some producers wrote, is read
// too.
func (s *xmlSignature) VerifyValue(o *Options, cert *x509.Certificate) error {
	info, ok := algInfoOf(s.Alg)
	if !ok {
		return readFail(UnsupportedAlg, "signature method not supported")
	}
	if keyFits(info, cert.PublicKey) != nil {
		return readFail(AlgNotAllowed, "the signing key cannot be used with the signature method")
	}
	sig := s.SignatureValue
	if info.family == 'E' {
		k := cert.PublicKey.(*ecdsa.PublicKey)
		if size := (k.Curve.Params().BitSize + 7) / 8; len(sig) != 2*size {
			raw, err := ecdsaRaw(sig, k)
			if err != nil {
				return err
			}
			sig = raw
		}
	}
	if !o.checkSig(s.Alg, &Key{Public: cert.PublicKey, spki: cert.RawSubjectPublicKeyInfo}, s.SignedInfoC14N, sig) {
		return readFail(SignatureInvalid, "the XML signature value does not verify")
	}
	return nil
}

// CheckReferences digests every reference, in order; hf, when it offers
// the digest, hashes same-document references.
func (s *xmlSignature) CheckReferences(resolve xmlResolver, hf HashFunc) []xmlRefResult {
	out := make([]xmlRefResult, len(s.References))
	for i := range s.References {
		out[i] = s.checkReference(i, resolve, hf)
	}
	return out
}

func (s *xmlSignature) checkReference(i int, resolve xmlResolver, hf HashFunc) xmlRefResult {
	ref := &s.References[i]
	res := xmlRefResult{Index: i, WeakDigest: ref.Hash == crypto.SHA1}
	var digest []byte
	if id, ok := strings.CutPrefix(ref.URI, "#"); ok {
		res.SameDocument, res.URI = true, id
		res.Target, digest, res.Err = s.sameDocument(ref, id, hf)
	} else {
		res.URI, digest, res.Err = detached(ref, resolve)
	}
	if res.Err == nil {
		res.Digest = digest
		res.Match = bytes.Equal(digest, ref.DigestValue)
	}
	return res
}

// sameDocument digests the element "#id" names. It must be inside this
// Signature (a reference that resolves elsewhere is the signature-wrapping
// shape) and Ids are unique in the document (readXML refused a second
// one). Without a canonicalisation transform the node-set is
// canonicalised with Canonical XML 1.0; a bare-name reference carries no
// comments whatever the method (XMLDSig 1.1 section 4.4.3.3).
func (s *xmlSignature) sameDocument(ref *xmlReference, id string, hf HashFunc) (*xmlElement, []byte, error) {
	if id == "" || strings.ContainsAny(id, "()") {
		return nil, nil, readFail(Malformed, "same-document reference is not a bare Id")
	}
	doc := s.Element.doc
	var target *xmlElement
	if doc != nil {
		target = doc.ByID(id)
	}
	if target == nil {
		return nil, nil, readFail(Malformed, "same-document reference to an Id that is not there")
	}
	if !s.Element.Contains(target) {
		return nil, nil, readFail(Malformed, "same-document reference outside the signature")
	}
	m := c14nMethod{URI: c14n10URI}
	if ref.c14n != nil {
		m = *ref.c14n
	}
	m.Comments = false
	var exclude *xmlElement
	if ref.enveloped {
		exclude = s.Element
	}
	if exclude == target {
		return nil, nil, readFail(Malformed, "enveloped-signature transform removes the whole reference")
	}
	b, err := canonicalize(target, m, exclude)
	if err != nil {
		return nil, nil, err
	}
	return target, digestOf(hf, ref.Hash, b), nil
}

// detached digests a container entry through the caller. Transforms of
// a data file's bytes are not supported: DigiDoc signs data files as they
// are.
func detached(ref *xmlReference, resolve xmlResolver) (string, []byte, error) {
	if ref.URI == "" {
		return "", nil, readFail(Malformed, "reference to the whole signature document")
	}
	name, err := url.PathUnescape(ref.URI)
	if err != nil || hasURIScheme(ref.URI) || strings.HasPrefix(ref.URI, "/") {
		return "", nil, readFail(Malformed, "reference URI is not a relative path")
	}
	if len(ref.Transforms) != 0 {
		return name, nil, readFail(UnsupportedAlg, "transforms of a detached reference are not supported")
	}
	if resolve == nil {
		return name, nil, readFail(PayloadMissing, "no data file for a detached reference")
	}
	d, err := resolve(name, ref.Hash)
	return name, d, err
}

// hasURIScheme reports whether a URI begins with a scheme (RFC 3986
// section 3.1): a remote or absolute reference, which names no container
// entry.
func hasURIScheme(u string) bool {
	i := strings.IndexByte(u, ':')
	if i < 1 || strings.ContainsAny(u[:i], "/?#") {
		return false
	}
	for j, c := range u[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}
