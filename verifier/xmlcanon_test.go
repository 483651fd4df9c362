package verifier

import "testing"

// TestCanonicalXML: the host-facing function gives the canonical forms of
// the C14N vectors (checked against xmlsec1 by TestXMLSecOracleTable) by
// Id, the root's when no Id is given, and refuses what a verification
// refuses.
func TestCanonicalXML(t *testing.T) {
	for _, v := range c14nVectors {
		// Each vector names its element by a bare-name reference, which
		// drops comments (XMLDSig 4.4.3.3) whatever the method: the same
		// as the method without comments.
		method := map[string]string{"": c14n10URI, c14n10CommentsURI: c14n10URI, c14n11CommentsURI: c14n11URI, excC14NCommentsURI: excC14NURI}[v.c.Transform]
		if method == "" {
			method = v.c.Transform
		}
		got, err := CanonicalXML(v.c.document(make([]byte, 32)), "t", method, v.c.PrefixList, false, XMLLimits{})
		if err != nil || string(got) != v.want {
			t.Errorf("%s: %v\ngot:  %q\nwant: %q", v.name, err, got, v.want)
		}
	}

	doc := []byte(`<?xml version="1.0"?>` + "\n" + `<a:r xmlns:a="urn:a" xmlns:b="urn:b" z="1" b:y="2"><a:t Id="x">&#x41;</a:t></a:r>`)
	got, err := CanonicalXML(doc, "", excC14NURI, "", false, XMLLimits{})
	if want := `<a:r xmlns:a="urn:a" xmlns:b="urn:b" z="1" b:y="2"><a:t Id="x">A</a:t></a:r>`; err != nil || string(got) != want {
		t.Errorf("root: %v\ngot:  %q\nwant: %q", err, got, want)
	}

	for _, v := range []struct {
		name, id, method string
		lim              XMLLimits
		want             Reason
	}{
		{"missing-id", "nope", excC14NURI, XMLLimits{}, Malformed},
		{"unknown-method", "", "urn:no-such-method", XMLLimits{}, UnsupportedAlg},
		{"over-size", "", excC14NURI, XMLLimits{Size: 16}, LimitExceeded},
		{"over-elements", "", excC14NURI, XMLLimits{Elements: 1}, LimitExceeded},
		{"over-depth", "", excC14NURI, XMLLimits{Depth: 1}, LimitExceeded},
	} {
		if _, err := CanonicalXML(doc, v.id, v.method, "", false, v.lim); errReason(err) != v.want || err == nil {
			t.Errorf("%s: %v (%s), want %s", v.name, err, errReason(err), v.want)
		}
	}
	sig := `<ds:Signature ` + nsDS + `><ds:SignedInfo/></ds:Signature>`
	env := []byte(`<r xmlns:p="urn:p"><p:a/>` + sig + `</r>`)
	got, err = CanonicalXML(env, "", c14n10URI, "", true, XMLLimits{})
	if want := `<r xmlns:p="urn:p"><p:a></p:a></r>`; err != nil || string(got) != want {
		t.Errorf("enveloped: %v\ngot:  %q\nwant: %q", err, got, want)
	}
	two := []byte(`<r>` + sig + `<x>` + sig + `</x></r>`)
	if _, err := CanonicalXML(two, "", c14n10URI, "", true, XMLLimits{}); errReason(err) != Malformed || err == nil {
		t.Errorf("two signatures enveloped: %v", err)
	}
	if _, err := CanonicalXML([]byte(`<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`), "", excC14NURI, "", false, XMLLimits{}); err == nil {
		t.Error("DTD read")
	}
}

// FuzzCanonicalXML: any bytes, by Id or at the root, are canonicalised or
// refused, without a panic.
func FuzzCanonicalXML(f *testing.F) {
	f.Add([]byte(`<a:r xmlns:a="urn:a"><a:t Id="x" xmlns:b="urn:b">t<!--c--></a:t></a:r>`), "x")
	f.Add([]byte(`<r xml:lang="et"><t xml:id="x"/></r>`), "")
	f.Fuzz(func(t *testing.T, doc []byte, id string) {
		for _, m := range []string{c14n10URI, c14n11CommentsURI, excC14NURI} {
			CanonicalXML(doc, id, m, "#default a", id == "", XMLLimits{Elements: 200})
		}
	})
}
