package verifier

import (
	"crypto"
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

// TestXMLSignatureCorpus checks every signature of every container of
// testdata/asice that the container reader opens: the SignatureValue over
// the canonical SignedInfo with the KeyInfo certificate, and each
// reference's digest.
func TestXMLSignatureCorpus(t *testing.T) {
	var sigs, valueOK, refs, refsOK int
	for _, v := range loadASiCVectors(t) {
		c, err := readASiC(v.read(t), asicLimits{})
		if err != nil {
			continue
		}
		for _, sf := range c.Signatures {
			xs, err := xmlSignaturesOf(sf.XML)
			if err != nil {
				t.Logf("%s %s: %v [%s]", v.ID, sf.Name, err, errReason(err))
				continue
			}
			for _, s := range xs {
				sigs++
				certs := s.KeyInfoCertificates()
				verr := readFail(IssuerUnknown, "no KeyInfo certificate")
				if len(certs) > 0 {
					verr = s.VerifyValue(&Options{}, certs[0])
				}
				if verr == nil {
					valueOK++
				} else {
					t.Logf("%s %s: value %s %v [%s] (%s)", v.ID, sf.Name, s.SignatureMethod, verr, errReason(verr), v.Why)
				}
				for _, r := range s.CheckReferences(containerResolver(c)) {
					refs++
					if r.Match {
						refsOK++
					} else {
						t.Logf("%s %s: ref %d %q match=%v err=%v (%s)", v.ID, sf.Name, r.Index, r.URI, r.Match, r.Err, v.Why)
					}
				}
			}
		}
	}
	t.Logf("%d signatures, %d values verify; %d references, %d digests match", sigs, valueOK, refs, refsOK)
}
