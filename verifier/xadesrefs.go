package verifier

// The XMLDSig core of a container signature, as XAdES in an ASiC container
// uses it: SignedInfo's references are detached ones to the container's
// data files (a relative URI, percent-encoded) and the one reference to
// this signature's SignedProperties. Any other reference (to another
// element of the document, to something outside the container) is
// refused: nothing a container signature signs may be judged apart from
// the container.

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"net/url"
	"strings"
)

// dsigRef is one ds:Reference of SignedInfo, resolved.
type dsigRef struct {
	ID, URI, Type string
	Hash          crypto.Hash
	Digest        []byte
	// File is the data file a detached reference names (nil for the
	// SignedProperties reference); Name is the URI decoded.
	File *asicFile
	Name string
	// props is set on the SignedProperties reference.
	props      bool
	transforms []c14nMethod
}

// digestMethods are the XMLDSig digest algorithms a reference may name.
var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":          crypto.SHA1,
	"http://www.w3.org/2001/04/xmldsig-more#sha224":   crypto.SHA224,
	"http://www.w3.org/2001/04/xmlenc#sha256":         crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384":   crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":         crypto.SHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256": crypto.SHA3_256,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-384": crypto.SHA3_384,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-512": crypto.SHA3_512,
}

// signatureMethods map XMLDSig signature algorithms to the verifier's
// names. ECDSA values are r||s (XMLDSig 1.1 section 6.4.3), as JOSE's.
var signatureMethods = map[string]Alg{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":             RS1,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224":      RS224,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      RS256,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":      RS384,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":      RS512,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    ES256,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":    ES384,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    ES512,
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": PS256,
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": PS384,
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": PS512,
}

// readRefs reads SignedInfo's references and resolves each: a detached one
// to the data file lookup names, the one of type SignedProperties to this
// signature's SignedProperties by its Id. A reference to anything else, a
// second SignedProperties reference or none is refused.
func (s *xadesSignature) readRefs(lookup func(name string) *asicFile) ([]dsigRef, error) {
	var refs []dsigRef
	props := 0
	for _, r := range s.signedInfo.ChildrenNamed(dsNS, "Reference") {
		var ref dsigRef
		ref.ID, _ = r.Attr("", "Id")
		ref.Type, _ = r.Attr("", "Type")
		uri, ok := r.Attr("", "URI")
		if !ok {
			return nil, readFail(Malformed, "a reference without URI")
		}
		ref.URI = uri
		dm, dv := r.Child(dsNS, "DigestMethod"), r.Child(dsNS, "DigestValue")
		if dm == nil || dv == nil {
			return nil, readFail(Malformed, "a reference without DigestMethod and DigestValue")
		}
		alg, _ := dm.Attr("", "Algorithm")
		if ref.Hash, ok = digestMethods[alg]; !ok || !ref.Hash.Available() {
			return nil, readFail(UnsupportedAlg, "a reference's digest algorithm is not supported")
		}
		var err error
		if ref.Digest, err = xmlBase64(dv.Text()); err != nil {
			return nil, err
		}
		if ts := r.ChildrenNamed(dsNS, "Transforms"); len(ts) == 1 {
			for _, t := range ts[0].Elements() {
				a, _ := t.Attr("", "Algorithm")
				if t.Space != dsNS || t.Local != "Transform" {
					return nil, readFail(Malformed, "Transforms holds something other than Transform")
				}
				m, err := c14nMethodOf(a, inclusivePrefixes(t))
				if err != nil {
					return nil, err
				}
				ref.transforms = append(ref.transforms, m)
			}
		} else if len(ts) > 1 {
			return nil, readFail(Malformed, "a reference with two Transforms")
		}
		switch {
		case strings.HasPrefix(uri, "#"):
			el := s.doc.ByID(uri[1:])
			if el == nil || el != s.signedProps {
				return nil, readFail(SignatureWrapping, "a reference to an element other than this signature's SignedProperties")
			}
			if ref.Type != signedPropertiesType {
				// XAdES 6.3.1: the reference to SignedProperties says so.
				return nil, readFail(Malformed, "the SignedProperties reference lacks its Type")
			}
			ref.props = true
			props++
		case ref.Type == signedPropertiesType:
			return nil, readFail(SignatureWrapping, "a SignedProperties reference that is not to this signature")
		default:
			if len(ref.transforms) > 0 {
				return nil, readFail(Malformed, "a data file reference with transforms")
			}
			name, ok := refName(uri)
			if !ok {
				return nil, readFail(SignedFileMissing, "a reference to something other than a container entry")
			}
			ref.Name = name
			ref.File = lookup(name)
		}
		refs = append(refs, ref)
	}
	if props != 1 {
		return nil, readFail(Malformed, "SignedInfo references SignedProperties %d times; once is required", props)
	}
	return refs, nil
}

// refName decodes a detached reference's URI to an entry name: a relative
// URI (RFC 3986 section 4.2) without scheme, query or fragment, percent-
// decoded. Some signers left "+" or a space unencoded; both are taken as
// they are, as digidoc4j does ("+" is not a space in a path).
func refName(uri string) (string, bool) {
	first, _, _ := strings.Cut(uri, "/")
	if uri == "" || strings.ContainsAny(uri, "?#") || strings.Contains(first, ":") {
		// A scheme (or a query, a fragment) points outside the container.
		return "", false
	}
	if strings.HasPrefix(uri, "./") {
		uri = uri[2:]
	}
	name, err := url.PathUnescape(uri)
	if err != nil {
		return "", false
	}
	return name, true
}

// inclusivePrefixes is the PrefixList of an exclusive canonicalisation's
// InclusiveNamespaces child.
func inclusivePrefixes(m *xmlElement) string {
	for _, e := range m.Elements() {
		if e.Local == "InclusiveNamespaces" {
			p, _ := e.Attr("", "PrefixList")
			return p
		}
	}
	return ""
}

// checkRef checks one reference's digest. A data file the container lacks
// is SignedFileMissing; another digest DigestMismatch.
func (s *xadesSignature) checkRef(ref *dsigRef) error {
	var got []byte
	if ref.props {
		m := c14nMethod{URI: c14n10URI}
		if len(ref.transforms) > 0 {
			// Only canonicalisations are allowed: the last one decides the
			// octets (an earlier one yields a node-set again).
			m = ref.transforms[len(ref.transforms)-1]
		}
		b, err := canonicalize(s.signedProps, m, nil)
		if err != nil {
			return err
		}
		d := ref.Hash.New()
		d.Write(b)
		got = d.Sum(nil)
	} else {
		if ref.File == nil {
			return readFail(SignedFileMissing, "a signed data file is not in the container")
		}
		var err error
		if got, err = ref.File.Digest(ref.Hash); err != nil {
			return err
		}
	}
	if !bytes.Equal(got, ref.Digest) {
		return readFail(DigestMismatch, "a reference's digest does not match")
	}
	return nil
}

// checkSignedInfo verifies SignatureValue over the canonical SignedInfo
// with the KeyInfo certificate's key. It returns the algorithm.
func (s *xadesSignature) checkSignedInfo(o *Options) (Alg, error) {
	cm := s.signedInfo.Child(dsNS, "CanonicalizationMethod")
	sm := s.signedInfo.Child(dsNS, "SignatureMethod")
	if cm == nil || sm == nil {
		return "", readFail(Malformed, "SignedInfo without CanonicalizationMethod and SignatureMethod")
	}
	uri, _ := cm.Attr("", "Algorithm")
	m, err := c14nMethodOf(uri, inclusivePrefixes(cm))
	if err != nil {
		return "", err
	}
	salg, _ := sm.Attr("", "Algorithm")
	alg, ok := signatureMethods[salg]
	if !ok {
		return "", readFail(UnsupportedAlg, "the signature algorithm is not supported")
	}
	b, err := canonicalize(s.signedInfo, m, nil)
	if err != nil {
		return "", err
	}
	info, _ := algInfoOf(alg)
	c := s.Certificate
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && info.family == 'R' && k.N.BitLen() >= 1024 && k.N.BitLen() < minRSABits {
		// ID cards issued until 2011 had 1024-bit RSA keys. Their
		// signatures are checked here, so that what else is wrong with
		// the signature decides first, and refused as too weak at the
		// end (weakKey), as EN 319 102-1's signature acceptance
		// validation comes after the chain and the proofs.
		d := info.hash.New()
		d.Write(b)
		if rsa.VerifyPKCS1v15(k, info.hash, d.Sum(nil), s.Value) != nil {
			return alg, readFail(SignatureInvalid, "the signature value does not verify")
		}
		s.weakKey = true
		return alg, nil
	}
	if keyFits(info, c.PublicKey) != nil {
		return alg, readFail(SignatureInvalid, "the signing certificate's key does not fit the signature algorithm")
	}
	if !o.checkSig(alg, &Key{Public: c.PublicKey, spki: c.RawSubjectPublicKeyInfo}, b, s.Value) {
		return alg, readFail(SignatureInvalid, "the signature value does not verify")
	}
	return alg, nil
}
