package verifier

import (
	"crypto"
	"fmt"
	"testing"
)

// xmlSignaturesOf reads a signature document and parses each ds:Signature
// under its root (XAdESSignatures, or the document's root itself).
func xmlSignaturesOf(b []byte) ([]*xmlSignature, error) {
	d, err := readXML(b, xmlLimits{})
	if err != nil {
		return nil, err
	}
	sigs := []*xmlElement{d.Root}
	if !isDS(d.Root, "Signature") {
		sigs = d.Root.ChildrenNamed(dsNamespace, "Signature")
	}
	var out []*xmlSignature
	for _, e := range sigs {
		s, err := parseXMLSignature(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// containerResolver digests a container's data files by name.
func containerResolver(c *asicContainer) xmlResolver {
	return func(name string, h crypto.Hash) ([]byte, error) {
		for _, f := range c.DataFiles {
			if f.Name == name {
				return f.Digest(h)
			}
		}
		return nil, readFail(PayloadMissing, "no data file of that name")
	}
}

// xmlCorpusFailures are the XML Signature core failures of the corpus, by
// container, signature file and what fails, each from the case's "why" in
// manifest.json: "value" (SignatureValue with the first KeyInfo
// certificate), "refN" (reference N: digest when it differs, or the
// reason it could not be computed), "doc" (the signature document).
// Every other signature of every container the ASiC reader opens must
// verify, with every reference's digest matching.
var xmlCorpusFailures = map[string]string{
	// "+" in a Reference URI is a plus sign, not a space (RFC 3986).
	"digi-m1n1-test-txt-ts-d4j-bdoc META-INF/signatures0.xml ref0":                                 "payload_missing",
	"digi-space-in-datafile-name-encoded-as-plus-in-signature-asice META-INF/signatures0.xml ref0": "payload_missing",
	// The URI has a directory the zip entry lacks.
	"digi-datafile-name-in-signature-contains-path-separator-asice META-INF/signatures0.xml ref0": "payload_missing",
	// RSA keys of 1024 bits (test CAs of their time): refused by policy.
	"digi-23200-weakdigest-unknown-ca-asice META-INF/signatures0.xml value":         "alg_not_allowed",
	"digi-ss-4-teadmataca-4-asice META-INF/signatures0.xml value":                   "alg_not_allowed",
	"digi-ts-02-23634-ts-wrong-signaturevalue-asice META-INF/signatures0.xml value": "alg_not_allowed",
	"digi-ts-08-23634-ts-ocsp-before-ts-asice META-INF/signatures0.xml value":       "alg_not_allowed",
	"digi-ts-broken-ts-asice META-INF/signatures0.xml value":                        "alg_not_allowed",
	"digi-unknown-ocsp-asice META-INF/signatures0.xml value":                        "alg_not_allowed",
	"libd-test-asice META-INF/signatures0.xml value":                                "alg_not_allowed",
	// Two elements with one Id (time-stamp tokens): refused before anything
	// can be resolved to either.
	"digi-multiple-encapsulatedtimestamp-elements-in-single-signaturetimestamp-asice META-INF/signatures0.xml doc": "malformed",
	"digi-multiple-encapsulatedtimestamp-elements-in-second-signaturetimestamp-asice META-INF/signatures0.xml doc": "malformed",
	"digi-ocsp-cert-is-not-in-tsl-bdoc META-INF/signatures.xml doc":                                                "malformed",
	// "nine signatures, one valid".
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures1.xml value": "signature_invalid",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures1.xml ref0":  "payload_missing",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures2.xml value": "signature_invalid",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures2.xml ref0":  "digest",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures3.xml value": "signature_invalid",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures3.xml ref1":  "digest",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures4.xml value": "signature_invalid",
	"digi-one-valid-and-multiple-invalid-signatures-asice META-INF/signatures5.xml ref1":  "digest",
	// The second signature names a file the container does not have.
	"digi-signature-does-not-cover-datafile-asice META-INF/signatures1.xml value": "signature_invalid",
	"digi-signature-does-not-cover-datafile-asice META-INF/signatures1.xml ref0":  "payload_missing",
	// SignedProperties changed after signing.
	"digi-two-signatures-one-invalid-bdoc META-INF/signatures1.xml ref1": "digest",
	// Key substitution: the first KeyInfo certificate is not the signer's.
	"libd-forged-lt-asice META-INF/signatures0.xml value": "signature_invalid",
}

// TestXMLSignatureCorpus checks every signature of every container of
// testdata/asice that the container reader opens against
// xmlCorpusFailures.
func TestXMLSignatureCorpus(t *testing.T) {
	var sigs, valueOK, refs, refsOK, validSigs int
	got := map[string]string{}
	for _, v := range loadASiCVectors(t) {
		c, err := readASiC(v.read(t), asicLimits{}, nil, nil)
		if err != nil {
			continue
		}
		for _, sf := range c.Signatures {
			key := v.ID + " " + sf.Name + " "
			xs, err := xmlSignaturesOf(sf.XML)
			if err != nil {
				got[key+"doc"] = string(errReason(err))
				continue
			}
			for _, s := range xs {
				sigs++
				if v.Expected == "valid" {
					validSigs++
				}
				certs := s.KeyInfoCertificates(nil)
				verr := readFail(IssuerUnknown, "no KeyInfo certificate")
				if len(certs) > 0 {
					verr = s.VerifyValue(&Options{}, certs[0])
				}
				if verr == nil {
					valueOK++
				} else {
					got[key+"value"] = string(errReason(verr))
				}
				for _, r := range s.CheckReferences(containerResolver(c), nil) {
					refs++
					switch {
					case r.Match:
						refsOK++
					case r.Err != nil:
						got[key+fmt.Sprintf("ref%d", r.Index)] = string(errReason(r.Err))
					default:
						got[key+fmt.Sprintf("ref%d", r.Index)] = "digest"
					}
				}
			}
		}
	}
	for k, v := range got {
		if xmlCorpusFailures[k] != v {
			t.Errorf("%s: %s, want %q", k, v, xmlCorpusFailures[k])
		}
	}
	for k, v := range xmlCorpusFailures {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: passes, want %s", k, v)
		}
	}
	t.Logf("%d signatures (%d in containers expected valid), %d values verify; %d references, %d digests match", sigs, validSigs, valueOK, refs, refsOK)
}
