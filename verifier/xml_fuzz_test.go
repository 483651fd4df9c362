package verifier

import (
	"bytes"
	"crypto"
	"testing"
)

// Fuzz targets for the XML reader, canonicalisation and XML Signature
// core, seeded from the signature files of testdata/asice and the C14N
// vectors.

func xmlSeeds(f *testing.F) {
	for _, s := range corpusSignatures(f) {
		if len(s.XML) < 64<<10 {
			f.Add(s.XML)
		}
	}
	for _, v := range c14nVectors {
		f.Add(v.c.document(make([]byte, 32)))
	}
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<a xmlns=\"urn:a\" xmlns:b=\"urn:b\" b:c=\"&#9;\"><!-- x --><![CDATA[y]]></a>"))
}

var fuzzXMLLimits = xmlLimits{Size: 1 << 20, Depth: 32, Elements: 4000, Attrs: 32}

func FuzzReadXML(f *testing.F) {
	xmlSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readXML(data, fuzzXMLLimits)
		if err != nil {
			if r := errReason(err); r != Malformed && r != XMLForbidden && r != LimitExceeded {
				t.Fatalf("reason %s", r)
			}
			return
		}
		if d.Root == nil || d.Root.Parent != nil {
			t.Fatal("no root")
		}
		checkC14NStable(t, d.Root, c14nMethod{URI: c14n10CommentsURI, Comments: true})
	})
}

// checkC14NStable: canonical XML read again canonicalises to itself.
func checkC14NStable(t *testing.T, e *xmlElement, m c14nMethod) {
	t.Helper()
	out, err := canonicalize(e, m, nil)
	if err != nil {
		if errReason(err) != UnsupportedAlg {
			t.Fatalf("canonicalize: %v", err)
		}
		return
	}
	d2, err := readXML(out, xmlLimits{Size: 64 << 20, Depth: 64, Elements: 1 << 20, Attrs: 1 << 16})
	if err != nil {
		t.Fatalf("canonical form does not read: %v\n%q", err, out)
	}
	again, err := canonicalize(d2.Root, m, nil)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("canonical form is not stable (%v)\n%q\n%q", err, out, again)
	}
}

func FuzzC14N(f *testing.F) {
	xmlSeeds(f)
	methods := []string{c14n10URI, c14n10CommentsURI, c14n11URI, c14n11CommentsURI, excC14NURI, excC14NCommentsURI}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readXML(data, fuzzXMLLimits)
		if err != nil {
			return
		}
		// The first elements of the document, each as an apex under
		// every method (an exclusive one with every prefix in scope
		// listed, and without).
		n := 0
		var walk func(e *xmlElement)
		walk = func(e *xmlElement) {
			if n >= 8 {
				return
			}
			n++
			for _, u := range methods {
				m, _ := c14nMethodOf(u, "")
				checkC14NStable(t, e, m)
				if m.Exclusive {
					for p := range e.InScope() {
						m.Prefixes = append(m.Prefixes, p)
					}
					checkC14NStable(t, e, m)
				}
			}
			for _, c := range e.Elements() {
				walk(c)
			}
		}
		walk(d.Root)
	})
}

func FuzzXMLSignature(f *testing.F) {
	xmlSeeds(f)
	resolve := func(name string, h crypto.Hash) ([]byte, error) {
		if name == "test.txt" {
			d := h.New()
			d.Write([]byte("test"))
			return d.Sum(nil), nil
		}
		return nil, readFail(PayloadMissing, "no such data file")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readXML(data, fuzzXMLLimits)
		if err != nil {
			return
		}
		sigs := d.Root.ChildrenNamed(dsNamespace, "Signature")
		if isDS(d.Root, "Signature") {
			sigs = []*xmlElement{d.Root}
		}
		for _, e := range sigs {
			s, err := parseXMLSignature(e)
			if err != nil {
				if r := errReason(err); r != Malformed && r != UnsupportedAlg && r != LimitExceeded {
					t.Fatalf("reason %s", r)
				}
				continue
			}
			if len(s.References) == 0 || len(s.SignedInfoC14N) == 0 {
				t.Fatal("a signature without references or canonical SignedInfo")
			}
			for _, r := range s.CheckReferences(resolve, nil) {
				if r.Err == nil && len(r.Digest) != s.References[r.Index].Hash.Size() {
					t.Fatal("digest of the wrong size")
				}
				if r.Err != nil && r.Match {
					t.Fatal("a failed reference matches")
				}
				if r.SameDocument && r.Err == nil && !e.Contains(r.Target) {
					t.Fatal("a reference resolved outside the signature")
				}
			}
			for _, c := range s.KeyInfoCertificates(nil) {
				if err := s.VerifyValue(&Options{}, c); err != nil {
					if r := errReason(err); r != SignatureInvalid && r != AlgNotAllowed && r != UnsupportedAlg {
						t.Fatalf("reason %s", r)
					}
				}
			}
		}
	})
}
