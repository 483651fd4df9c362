package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// XML Signature core: signatures made here with every signature method
// verify, tampered ones do not, and the wrapping and reference shapes an
// attacker uses are refused with their reasons.

var (
	xmlKeysOnce sync.Once
	xmlKeys     map[string]crypto.Signer
)

func xmlTestKey(t testing.TB, kind string) (crypto.Signer, *x509.Certificate) {
	t.Helper()
	xmlKeysOnce.Do(func() {
		xmlKeys = map[string]crypto.Signer{}
		for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
			k, _ := ecdsa.GenerateKey(c, rand.Reader)
			xmlKeys[c.Params().Name] = k
		}
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		xmlKeys["RSA"] = k
		k2, _ := rsa.GenerateKey(rand.Reader, 2048)
		xmlKeys["RSA2"] = k2
		k1024, _ := rsa.GenerateKey(rand.Reader, 1024)
		xmlKeys["RSA1024"] = k1024
	})
	k := xmlKeys[kind]
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "XML test " + kind},
		NotBefore: time.Unix(1e9, 0), NotAfter: time.Unix(2e9, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return k, c
}

// signedXML is a XAdES-shaped signature document under construction.
type signedXML struct {
	method   string // signature method URI
	c14n     string // SignedInfo's canonicalisation
	der      bool   // ECDSA value as DER, not r||s
	data     string // test.txt's content the detached reference digests
	refURI   string // the same-document reference's URI; default "#sp"
	outer    string // a document around the signature, "%s" where it goes
	extraObj string // more content after QualifyingProperties
}

// build signs and returns the document.
func (s signedXML) build(t testing.TB, k crypto.Signer, cert *x509.Certificate) []byte {
	t.Helper()
	if s.c14n == "" {
		s.c14n = excC14NURI
	}
	if s.refURI == "" {
		s.refURI = "#sp"
	}
	if s.outer == "" {
		s.outer = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">%s</asic:XAdESSignatures>`
	}
	dataSum := crypto.SHA256.New()
	dataSum.Write([]byte(cmpOr(s.data, "hello")))
	sp := `<xades:SignedProperties Id="sp"><xades:SignedSignatureProperties><xades:SigningTime>2024-01-01T00:00:00Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties>`
	doc := func(spDigest, value string) string {
		si := `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="` + s.c14n + `"/><ds:SignatureMethod Algorithm="` + s.method + `"/>` +
			`<ds:Reference Id="r1" URI="test.txt"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>` +
			base64.StdEncoding.EncodeToString(dataSum.Sum(nil)) + `</ds:DigestValue></ds:Reference>` +
			`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="` + s.refURI + `"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></ds:Transforms>` +
			`<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>` + spDigest + `</ds:DigestValue></ds:Reference></ds:SignedInfo>`
		sig := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S0">` + si +
			`<ds:SignatureValue Id="S0-SIG">` + value + `</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
			base64.StdEncoding.EncodeToString(cert.Raw) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
			`<ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#S0">` + sp + `</xades:QualifyingProperties>` + s.extraObj + `</ds:Object></ds:Signature>`
		return strings.Replace(s.outer, "%s", sig, 1)
	}
	// Digest SignedProperties and canonicalise SignedInfo from a first
	// reading, then sign.
	d0, err := readXML([]byte(doc("AAAA", "AAAA")), xmlLimits{})
	if err != nil {
		return []byte(doc("AAAA", "AAAA")) // for the reader to refuse
	}
	sig0, err := parseXMLSignature(findDS(d0.Root, "Signature"))
	if err != nil {
		t.Fatal(err)
	}
	spDigest := "AAAA"
	if r := sig0.CheckReferences(nil, nil)[1]; r.Err == nil {
		spDigest = base64.StdEncoding.EncodeToString(r.Digest)
	}
	d1, _ := readXML([]byte(doc(spDigest, "AAAA")), xmlLimits{})
	sig1, err := parseXMLSignature(findDS(d1.Root, "Signature"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := algInfoOf(xmlSignatureAlgs[s.method])
	h := info.hash.New()
	h.Write(sig1.SignedInfoC14N)
	var value []byte
	switch key := k.(type) {
	case *ecdsa.PrivateKey:
		if s.der {
			value, err = ecdsa.SignASN1(rand.Reader, key, h.Sum(nil))
		} else {
			r, ss, e := ecdsa.Sign(rand.Reader, key, h.Sum(nil))
			size := (key.Curve.Params().BitSize + 7) / 8
			value = make([]byte, 2*size)
			r.FillBytes(value[:size])
			ss.FillBytes(value[size:])
			err = e
		}
	case *rsa.PrivateKey:
		if info.family == 'P' {
			value, err = rsa.SignPSS(rand.Reader, key, info.hash, h.Sum(nil), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			value, err = rsa.SignPKCS1v15(rand.Reader, key, info.hash, h.Sum(nil))
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return []byte(doc(spDigest, base64.StdEncoding.EncodeToString(value)))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func helloResolver(name string, h crypto.Hash) ([]byte, error) {
	if name != "test.txt" {
		return nil, readFail(PayloadMissing, "no such data file")
	}
	d := h.New()
	d.Write([]byte("hello"))
	return d.Sum(nil), nil
}

// readSigned reads the one signature of a built document.
func readSigned(t testing.TB, doc []byte) (*xmlSignature, error) {
	t.Helper()
	d, err := readXML(doc, xmlLimits{})
	if err != nil {
		return nil, err
	}
	return parseXMLSignature(findDS(d.Root, "Signature"))
}

func TestXMLSignatureMethods(t *testing.T) {
	for uri, alg := range xmlSignatureAlgs {
		info, _ := algInfoOf(alg)
		kinds := []string{"RSA"}
		if info.family == 'E' {
			kinds = []string{"P-256", "P-384", "P-521"}
		}
		for _, kind := range kinds {
			for _, der := range []bool{false, true} {
				if der && info.family != 'E' {
					continue
				}
				k, cert := xmlTestKey(t, kind)
				doc := signedXML{method: uri, der: der}.build(t, k, cert)
				s, err := readSigned(t, doc)
				if err != nil {
					t.Fatalf("%s %s: %v", uri, kind, err)
				}
				if err := s.VerifyValue(&Options{}, cert); err != nil {
					t.Errorf("%s %s der=%v: %v", uri, kind, der, err)
				}
				for _, r := range s.CheckReferences(helloResolver, nil) {
					if !r.Match || r.Err != nil {
						t.Errorf("%s: reference %d: %v", uri, r.Index, r.Err)
					}
				}
				if s.WeakAlg() != (info.hash == crypto.SHA1) {
					t.Errorf("%s: WeakAlg %v", uri, s.WeakAlg())
				}
				// One bit of the value flipped.
				s.SignatureValue[len(s.SignatureValue)/2] ^= 1
				if err := s.VerifyValue(&Options{}, cert); errReason(err) != SignatureInvalid {
					t.Errorf("%s %s: tampered value: %v", uri, kind, err)
				}
			}
		}
	}
}

// TestXMLSignatureHostCrypto: the value goes to the host's crypto when
// it answers, under the verifier's algorithm name and the key's SPKI.
func TestXMLSignatureHostCrypto(t *testing.T) {
	k, cert := xmlTestKey(t, "P-384")
	s, err := readSigned(t, signedXML{method: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224"}.build(t, k, cert))
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	o := &Options{Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
		calls = append(calls, alg)
		return VerifyPrimitive(alg, cert.PublicKey, msg, sig) == nil, true
	}}
	if err := s.VerifyValue(o, cert); err != nil || len(calls) != 1 || calls[0] != "ES224" {
		t.Fatalf("%v %v", err, calls)
	}
}

func TestXMLSignatureRefused(t *testing.T) {
	k, cert := xmlTestKey(t, "P-256")
	es256 := "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	good := signedXML{method: es256}.build(t, k, cert)
	cases := []struct {
		name string
		doc  []byte
		// want is the reason of reading the signature; refWant that of
		// the SignedProperties reference when it reads.
		want, refWant Reason
	}{
		{"signedproperties-moved-outside-signature",
			signedXML{method: es256, outer: `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">%s<x:W xmlns:x="urn:w" Id="w"/></asic:XAdESSignatures>`, refURI: "#w"}.build(t, k, cert), "", Malformed},
		{"duplicate-id-second-signedproperties",
			signedXML{method: es256, extraObj: `<xades:SignedProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Id="sp"/>`}.build(t, k, cert), Malformed, ""},
		{"id-of-a-data-reference-reused",
			signedXML{method: es256, extraObj: `<e Id="r1"/>`}.build(t, k, cert), Malformed, ""},
		{"reference-to-missing-id", signedXML{method: es256, refURI: "#nope"}.build(t, k, cert), "", Malformed},
		{"xpointer-reference", []byte(strings.Replace(string(good), `URI="#sp"`, `URI="#xpointer(id('sp'))"`, 1)), "", Malformed},
		{"whole-document-reference", []byte(strings.Replace(string(good), `URI="#sp"`, `URI=""`, 1)), "", Malformed},
		{"remote-reference", []byte(strings.Replace(string(good), `URI="test.txt"`, `URI="https://example.com/test.txt"`, 1)), "", ""},
		{"hmac-signature-method", []byte(strings.Replace(string(good), es256, "http://www.w3.org/2000/09/xmldsig#hmac-sha1", 1)), UnsupportedAlg, ""},
		{"md5-digest", []byte(strings.Replace(string(good), "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#md5", 1)), UnsupportedAlg, ""},
		{"xslt-transform", []byte(strings.Replace(string(good), "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/TR/1999/REC-xslt-19991116", 1)), UnsupportedAlg, ""},
		{"signedinfo-not-first", []byte(strings.Replace(string(good), `<ds:SignedInfo>`, `<ds:Object/><ds:SignedInfo>`, 1)), Malformed, ""},
		{"text-in-signedinfo", []byte(strings.Replace(string(good), `<ds:SignedInfo>`, `<ds:SignedInfo>x`, 1)), Malformed, ""},
		{"signature-value-not-base64", []byte(strings.Replace(string(good), `<ds:SignatureValue Id="S0-SIG">`, `<ds:SignatureValue Id="S0-SIG">*`, 1)), Malformed, ""},
		{"doctype-entity", []byte(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + string(good)), XMLForbidden, ""},
	}
	for _, c := range cases {
		s, err := readSigned(t, c.doc)
		if errReason(err) != c.want && !(err == nil && c.want == "") {
			t.Errorf("%s: %v (%s), want %s", c.name, err, errReason(err), c.want)
			continue
		}
		if err != nil {
			continue
		}
		res := s.CheckReferences(helloResolver, nil)
		if c.name == "remote-reference" {
			if errReason(res[0].Err) != Malformed {
				t.Errorf("%s: %v", c.name, res[0].Err)
			}
			continue
		}
		if c.refWant != "" && (res[1].Match || errReason(res[1].Err) != c.refWant) {
			t.Errorf("%s: reference %v (%s), want %s", c.name, res[1].Err, errReason(res[1].Err), c.refWant)
		}
	}
}

func TestXMLSignatureTampered(t *testing.T) {
	k, cert := xmlTestKey(t, "RSA")
	rs256 := "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	good := string(signedXML{method: rs256}.build(t, k, cert))
	_, otherCert := xmlTestKey(t, "P-256")
	// The data file changed: the detached reference fails, the value holds.
	s, _ := readSigned(t, []byte(good))
	res := s.CheckReferences(func(name string, h crypto.Hash) ([]byte, error) {
		d := h.New()
		d.Write([]byte("hellO"))
		return d.Sum(nil), nil
	}, nil)
	if res[0].Match || res[0].Err != nil || !res[1].Match || s.VerifyValue(&Options{}, cert) != nil {
		t.Error("changed data file")
	}
	// SigningTime changed: the SignedProperties reference fails.
	s, _ = readSigned(t, []byte(strings.Replace(good, "2024-01-01", "2025-01-01", 1)))
	if res := s.CheckReferences(helloResolver, nil); res[1].Match || res[1].Err != nil {
		t.Error("changed SignedProperties")
	}
	// A digest in SignedInfo changed: the value fails.
	s, _ = readSigned(t, []byte(strings.Replace(good, `URI="test.txt"`, `URI="test2.txt"`, 1)))
	if err := s.VerifyValue(&Options{}, cert); errReason(err) != SignatureInvalid {
		t.Errorf("changed SignedInfo: %v", err)
	}
	// Another key (key substitution): the value fails; an RSA method
	// with an ECDSA key is refused before any arithmetic.
	s, _ = readSigned(t, []byte(good))
	if err := s.VerifyValue(&Options{}, otherCert); errReason(err) != AlgNotAllowed {
		t.Errorf("other key: %v", err)
	}
	_, rsa2 := xmlTestKey(t, "RSA2")
	if err := s.VerifyValue(&Options{}, rsa2); errReason(err) != SignatureInvalid {
		t.Errorf("other RSA key: %v", err)
	}
	// RSA under 2048 bits is refused by policy.
	k1024, c1024 := xmlTestKey(t, "RSA1024")
	s, _ = readSigned(t, signedXML{method: rs256}.build(t, k1024, c1024))
	if err := s.VerifyValue(&Options{}, c1024); errReason(err) != AlgNotAllowed {
		t.Errorf("RSA-1024: %v", err)
	}
}
