package tsl

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"strings"

	"github.com/apostille/apostille/verifier"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	_ "crypto/sha1"   // SigningCertificate digests
	_ "crypto/sha256" // digest algorithms the references may use
	_ "crypto/sha512"
)

// Algorithm identifiers checked here (goxmldsig checks the signature
// method itself).
const (
	algEnveloped         = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algC14N10            = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	algC14N11            = "http://www.w3.org/2006/12/xml-c14n11"
	algExcC14N           = "http://www.w3.org/2001/10/xml-exc-c14n#"
	typeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"
)

var digestAlgs = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// verifySignature checks the list's one enveloped signature and returns
// the signed content (the list as canonicalised and digested, without its
// signature) and the signer.
//
// Before any cryptography it refuses what makes a signature mean two
// things: more than one Signature, a Signature that is not the list's own
// child, a second TrustServiceStatusList anywhere (a wrapped copy), two
// elements with one Id, and a reference to anything but the list itself and
// the signature's own XAdES SignedProperties.
func verifySignature(data []byte, root *etree.Element, o Options) (*etree.Element, *x509.Certificate, error) {
	var sigs []*etree.Element
	lists := 0
	ids := map[string]*etree.Element{}
	var dup string
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		switch {
		case el.Tag == "Signature" && el.NamespaceURI() == nsDSig:
			sigs = append(sigs, el)
		case el.Tag == "TrustServiceStatusList":
			lists++
		}
		for _, a := range el.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") {
				if _, ok := ids[a.Value]; ok {
					dup = a.Value
				}
				ids[a.Value] = el
			}
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	switch {
	case len(sigs) == 0:
		return nil, nil, refuse(ReasonUnsigned, "no enveloped signature")
	case len(sigs) > 1:
		return nil, nil, refuse(ReasonWrappedSignature, "%d Signature elements", len(sigs))
	case lists > 1:
		return nil, nil, refuse(ReasonWrappedSignature, "%d TrustServiceStatusList elements", lists)
	case dup != "":
		return nil, nil, refuse(ReasonWrappedSignature, "two elements with one Id")
	}
	sig := sigs[0]
	if sig.Parent() != root {
		return nil, nil, refuse(ReasonWrappedSignature, "the Signature is not a child of the list")
	}
	signedInfo := child(sig, nsDSig, "SignedInfo")
	if signedInfo == nil || len(children(sig, nsDSig, "SignedInfo")) != 1 {
		return nil, nil, refuse(ReasonSignature, "no single SignedInfo")
	}
	method := child(signedInfo, nsDSig, "SignatureMethod")
	if method == nil || strings.Contains(strings.ToLower(method.SelectAttrValue("Algorithm", "")), "sha1") {
		return nil, nil, refuse(ReasonSignature, "missing or SHA-1 signature method")
	}
	rootID := root.SelectAttrValue("Id", "")
	var rootRefs int
	var rootRef, propsRef *etree.Element
	for _, ref := range children(signedInfo, nsDSig, "Reference") {
		uri, hasURI := attr(ref, "URI")
		switch {
		case hasURI && (uri == "" || (rootID != "" && uri == "#"+rootID)):
			rootRefs++
			rootRef = ref
		case strings.HasPrefix(uri, "#") && ids[uri[1:]] != nil && isSignedProperties(ids[uri[1:]], sig) && propsRef == nil:
			propsRef = ref
		default:
			return nil, nil, refuse(ReasonWrappedSignature, "a reference to something other than the list and its signed properties")
		}
	}
	if rootRefs != 1 {
		return nil, nil, refuse(ReasonWrappedSignature, "%d references to the list", rootRefs)
	}
	signer, err := signerCertificate(sig, o)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSignedInfo(signedInfo, sig, signer); err != nil {
		return nil, nil, err
	}
	signed, err := checkRootReference(data, rootRef, root, sig, o)
	if err != nil {
		return nil, nil, err
	}
	if propsRef != nil {
		uri := propsRef.SelectAttrValue("URI", "")
		props := ids[uri[1:]]
		if err := checkReference(propsRef, props); err != nil {
			return nil, nil, err
		}
		if err := checkSigningCertificate(props, signer); err != nil {
			return nil, nil, err
		}
	}
	return signed, signer, nil
}

// isSignedProperties says whether el is the XAdES SignedProperties of sig.
func isSignedProperties(el, sig *etree.Element) bool {
	if el.Tag != "SignedProperties" || el.NamespaceURI() != nsXAdES {
		return false
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		if p == sig {
			return true
		}
	}
	return false
}

// signerCertificate finds the certificate in the signature's KeyInfo among
// the trusted signers.
func signerCertificate(sig *etree.Element, o Options) (*x509.Certificate, error) {
	var der []byte
	if ki := child(sig, nsDSig, "KeyInfo"); ki != nil {
		if xd := child(ki, nsDSig, "X509Data"); xd != nil {
			if xc := child(xd, nsDSig, "X509Certificate"); xc != nil {
				der, _ = decodeB64(xc.Text())
			}
		}
	}
	if len(der) == 0 {
		return nil, refuse(ReasonSignerNotListed, "no signer certificate in KeyInfo")
	}
	for _, c := range o.Signers {
		if bytes.Equal(c.Raw, der) {
			if o.At.Before(c.NotBefore) || o.At.After(c.NotAfter) {
				return nil, refuse(ReasonSignerExpired, "the signer certificate is valid %s to %s", c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
			}
			return c, nil
		}
	}
	return nil, refuse(ReasonSignerNotListed, "signed by a certificate not among the %d trusted for this list", len(o.Signers))
}

// checkSignedInfo checks the signature value over the canonical SignedInfo
// with the signer's key.
func checkSignedInfo(si, sig *etree.Element, signer *x509.Certificate) error {
	cm := child(si, nsDSig, "CanonicalizationMethod")
	if cm == nil {
		return refuse(ReasonSignature, "no CanonicalizationMethod")
	}
	canon, err := canonicalSubtree(si, cm.SelectAttrValue("Algorithm", ""), "")
	if err != nil {
		return err
	}
	alg, ok := signatureAlgs[child(si, nsDSig, "SignatureMethod").SelectAttrValue("Algorithm", "")]
	if !ok {
		return refuse(ReasonSignature, "unsupported signature method")
	}
	sv := child(sig, nsDSig, "SignatureValue")
	if sv == nil {
		return refuse(ReasonSignature, "no SignatureValue")
	}
	value, err := decodeB64(sv.Text())
	if err != nil {
		return refuse(ReasonSignature, "bad SignatureValue")
	}
	if err := signer.CheckSignature(alg, canon, ecdsaDER(alg, value)); err != nil {
		return refuse(ReasonSignature, "the signature value does not verify")
	}
	return nil
}

// ecdsaDER turns an XML Signature ECDSA value, r and s side by side (RFC
// 4050, XMLDSig 1.1), into the ASN.1 form crypto/x509 checks. A value that
// is already ASN.1 (as some signers, goxmldsig among them, write it) is
// left as it is.
func ecdsaDER(alg x509.SignatureAlgorithm, v []byte) []byte {
	switch alg {
	case x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
	default:
		return v
	}
	var probe struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(v, &probe); err == nil && len(rest) == 0 {
		return v
	}
	if len(v) == 0 || len(v)%2 != 0 {
		return v
	}
	r := new(big.Int).SetBytes(v[:len(v)/2])
	sv := new(big.Int).SetBytes(v[len(v)/2:])
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, sv})
	if err != nil {
		return v
	}
	return der
}

// signatureAlgs are the signature methods accepted (SHA-1 is refused
// before this).
var signatureAlgs = map[string]x509.SignatureAlgorithm{
	dsig.RSASHA256SignatureMethod:                            x509.SHA256WithRSA,
	dsig.RSASHA384SignatureMethod:                            x509.SHA384WithRSA,
	dsig.RSASHA512SignatureMethod:                            x509.SHA512WithRSA,
	dsig.ECDSASHA256SignatureMethod:                          x509.ECDSAWithSHA256,
	dsig.ECDSASHA384SignatureMethod:                          x509.ECDSAWithSHA384,
	dsig.ECDSASHA512SignatureMethod:                          x509.ECDSAWithSHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": x509.SHA256WithRSAPSS,
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": x509.SHA384WithRSAPSS,
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": x509.SHA512WithRSAPSS,
}

// checkRootReference applies the reference's transforms to the list (the
// enveloped-signature transform, then a canonicalisation; C14N 1.0 when
// none is named), checks the digest and returns the signed content: the
// list without its signature, as digested.
//
// The canonical form is the verifier's (verifier.CanonicalXML) over the
// list's own bytes: the reader that canonicalises what the verifier checks,
// with limits raised for a list (whose size and depth Read has bounded
// already) and no element budget of the kind goxmldsig's has.
func checkRootReference(data []byte, ref, root, sig *etree.Element, o Options) (*etree.Element, error) {
	enveloped := false
	c14n, prefixes := algC14N10, ""
	if ts := child(ref, nsDSig, "Transforms"); ts != nil {
		for i, t := range children(ts, nsDSig, "Transform") {
			switch a := t.SelectAttrValue("Algorithm", ""); {
			case a == algEnveloped && i == 0:
				enveloped = true
			case a == algC14N10 || a == algC14N11 || a == algExcC14N:
				c14n = a
				if in := t.ChildElements(); len(in) == 1 && in[0].Tag == "InclusiveNamespaces" {
					prefixes = in[0].SelectAttrValue("PrefixList", "")
				}
			default:
				return nil, refuse(ReasonSignature, "unsupported transform on the list")
			}
		}
	}
	if !enveloped {
		return nil, refuse(ReasonSignature, "the list's reference has no enveloped-signature transform")
	}
	// A list is mostly certificates in base64: an element per 64 bytes is
	// far more than any list has (the Estonian list, about 2,600
	// elements, is about 1 MB) while bounding the tree by the size.
	lim := verifier.XMLLimits{Size: o.MaxSize, Depth: o.MaxDepth, Elements: o.MaxSize / 64}
	canon, err := verifier.CanonicalXML(data, "", c14n, prefixes, true, lim)
	if err != nil {
		return nil, refuse(ReasonSignature, "the list cannot be canonicalised")
	}
	if err := checkDigest(ref, canon); err != nil {
		return nil, err
	}
	content := root.Copy()
	for _, c := range content.ChildElements() {
		if c.Tag == sig.Tag && c.Space == sig.Space && c.SelectAttrValue("Id", "") == sig.SelectAttrValue("Id", "") && c.Index() == sig.Index() {
			content.RemoveChildAt(c.Index())
			break
		}
	}
	return content, nil
}

// canonicalSubtree canonicalises a small part of the signature with
// goxmldsig: exclusive on a detached copy (with the namespaces in scope),
// inclusive in place (it looks up the ancestors' namespaces).
func canonicalSubtree(el *etree.Element, alg, prefixes string) ([]byte, error) {
	switch alg {
	case algExcC14N:
		nsCtx, err := etreeutils.NSBuildParentContext(el)
		if err != nil {
			return nil, refuse(ReasonSignature, "namespaces: %v", err)
		}
		detached, err := etreeutils.NSDetatch(nsCtx, el)
		if err != nil {
			return nil, refuse(ReasonSignature, "namespaces: %v", err)
		}
		b, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes).Canonicalize(detached)
		if err != nil {
			return nil, refuse(ReasonSignature, "canonicalisation: %v", err)
		}
		return b, nil
	case algC14N10, algC14N11:
		b, err := dsig.MakeC14N10RecCanonicalizer().Canonicalize(el)
		if err != nil {
			return nil, refuse(ReasonSignature, "canonicalisation: %v", err)
		}
		return b, nil
	}
	return nil, refuse(ReasonSignature, "unsupported canonicalisation")
}

// checkDigest compares the digest of canon with the reference's.
func checkDigest(ref *etree.Element, canon []byte) error {
	dm := child(ref, nsDSig, "DigestMethod")
	dv := child(ref, nsDSig, "DigestValue")
	if dm == nil || dv == nil {
		return refuse(ReasonSignature, "a reference without digest")
	}
	h, ok := digestAlgs[dm.SelectAttrValue("Algorithm", "")]
	if !ok {
		return refuse(ReasonSignature, "unsupported digest algorithm")
	}
	want, err := decodeB64(dv.Text())
	if err != nil {
		return refuse(ReasonSignature, "bad digest value")
	}
	d := h.New()
	d.Write(canon)
	if subtle.ConstantTimeCompare(d.Sum(nil), want) != 1 {
		return refuse(ReasonSignature, "a reference digest does not match")
	}
	return nil
}

// checkReference checks a reference to the XAdES SignedProperties (which
// goxmldsig leaves alone: it checks the reference to the signed element
// only): its transforms are canonicalisations, and the digest of the
// canonical SignedProperties is the one signed.
func checkReference(ref, el *etree.Element) error {
	c14n := algC14N10 // no transform: the node-set becomes octets by C14N 1.0
	prefixes := ""
	if ts := child(ref, nsDSig, "Transforms"); ts != nil {
		for _, t := range children(ts, nsDSig, "Transform") {
			switch a := t.SelectAttrValue("Algorithm", ""); a {
			case algC14N10, algC14N11, algExcC14N:
				c14n = a
				if in := t.ChildElements(); len(in) == 1 && in[0].Tag == "InclusiveNamespaces" {
					prefixes = in[0].SelectAttrValue("PrefixList", "")
				}
			default:
				return refuse(ReasonSignature, "unsupported transform on the signed properties")
			}
		}
	}
	canon, err := canonicalSubtree(el, c14n, prefixes)
	if err != nil {
		return err
	}
	return checkDigest(ref, canon)
}

// checkSigningCertificate checks XAdES SigningCertificate(V2): when the
// signed properties name the signing certificate, the signer must be it.
func checkSigningCertificate(props *etree.Element, signer *x509.Certificate) error {
	ssp := child(props, nsXAdES, "SignedSignatureProperties")
	if ssp == nil {
		return nil
	}
	var certs []*etree.Element
	for _, tag := range []string{"SigningCertificate", "SigningCertificateV2"} {
		for _, sc := range children(ssp, nsXAdES, tag) {
			certs = append(certs, children(sc, nsXAdES, "Cert")...)
		}
	}
	if len(certs) == 0 {
		return nil
	}
	for _, c := range certs {
		cd := child(c, nsXAdES, "CertDigest")
		if cd == nil {
			continue
		}
		dm, dv := child(cd, nsDSig, "DigestMethod"), child(cd, nsDSig, "DigestValue")
		if dm == nil || dv == nil {
			continue
		}
		h, ok := certDigestAlgs[dm.SelectAttrValue("Algorithm", "")]
		if !ok {
			continue
		}
		want, err := decodeB64(dv.Text())
		if err != nil {
			continue
		}
		d := h.New()
		d.Write(signer.Raw)
		if bytes.Equal(d.Sum(nil), want) {
			return nil
		}
	}
	return refuse(ReasonSignature, "the signed properties name another signing certificate")
}

// certDigestAlgs identify the signing certificate in SigningCertificate;
// SHA-1 is still what many lists use there (it names, it does not sign).
var certDigestAlgs = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

func child(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func attr(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}
