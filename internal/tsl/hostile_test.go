package tsl

import (
	"bytes"
	"strings"
	"testing"
)

// TestHostileLists: each way of spoiling a list is refused with its reason.
func TestHostileLists(t *testing.T) {
	signer := mustCerts(t, "testdata/test/trusted-test-tsl.crt")
	incl := mustRead(t, "testdata/test/EE_T.xml")         // C14N 1.0 reference
	excl := mustRead(t, "testdata/libdigidocpp/EE_T.xml") // exclusive C14N reference
	live := mustRead(t, "testdata/live/EE.xml")
	when := at("2026-05-12T00:00:00Z")
	replace := func(b []byte, old, new string) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("no %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	sigStart := func(b []byte) int { return bytes.Index(b, []byte("<ds:Signature ")) }
	sigEnd := func(b []byte) int {
		return bytes.Index(b, []byte("</ds:Signature>")) + len("</ds:Signature>")
	}
	secondSig := func(b []byte) []byte {
		sig := b[sigStart(b):sigEnd(b)]
		sig = bytes.Replace(sig, []byte(`Id="S0"`), []byte(`Id="S1"`), 1)
		sig = bytes.Replace(sig, []byte(`Id="SignedProperties"`), []byte(`Id="SignedProperties1"`), 1)
		out := append([]byte{}, b[:sigEnd(b)]...)
		out = append(out, sig...)
		return append(out, b[sigEnd(b):]...)
	}
	// A wrapped copy: the genuine list, without its signature, hidden in
	// the signature's Object, and another list around it.
	wrapped := func(b []byte) []byte {
		root := bytes.Index(b, []byte("<TrustServiceStatusList"))
		genuine := append(append([]byte{}, b[root:sigStart(b)]...), []byte("</TrustServiceStatusList>")...)
		genuine = bytes.Replace(genuine, []byte(`Id="TEST-EE"`), []byte(`Id="ORIG"`), 1)
		out := replace(b, "<ds:Object>", "<ds:Object>"+string(genuine)+"</ds:Object><ds:Object>")
		return replace(out, "Information System Authority", "Evil System Authority")
	}
	cases := []struct {
		name   string
		data   []byte
		opts   Options
		reason string
	}{
		{"changed byte (C14N)", replace(incl, "Tallinn", "Tallinm"), Options{}, ReasonSignature},
		{"changed byte (exclusive C14N)", replace(excl, "Tallinn", "Tallinm"), Options{}, ReasonSignature},
		{"changed status", replace(excl, "Svcstatus/granted<", "Svcstatus/grantee<"), Options{}, ReasonSignature},
		{"changed signed properties", replace(incl, "<xades:SigningTime>2025", "<xades:SigningTime>2024"), Options{}, ReasonSignature},
		{"changed signature value", replace(incl, "<ds:SignatureValue>OEv7", "<ds:SignatureValue>OEv8"), Options{}, ReasonSignature},
		{"signer not named", live, Options{At: at("2023-10-06T00:00:00Z")}, ReasonSignerNotListed},
		{"no signers given", incl, Options{Signers: nil}, ReasonSignerNotListed},
		{"second Signature", secondSig(incl), Options{}, ReasonWrappedSignature},
		{"wrapped copy", wrapped(incl), Options{}, ReasonWrappedSignature},
		{"duplicate Id", replace(incl, "<SchemeInformation>", `<SchemeInformation Id="TEST-EE">`), Options{}, ReasonWrappedSignature},
		{"unsigned", append(append([]byte{}, incl[:sigStart(incl)]...), incl[sigEnd(incl):]...), Options{}, ReasonUnsigned},
		{"doctype", replace(incl, "?><TrustServiceStatusList", `?><!DOCTYPE TrustServiceStatusList [<!ENTITY a "b">]><TrustServiceStatusList`), Options{}, ReasonDoctype},
		{"entity bomb", []byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>`), Options{}, ReasonDoctype},
		{"older sequence", incl, Options{MinSequence: 35}, ReasonSequenceRollback},
		{"next update passed", incl, Options{At: at("2027-09-01T00:00:00Z")}, ReasonNextUpdatePassed},
		{"issued in the future", incl, Options{At: at("2025-01-01T00:00:00Z")}, ReasonIssueDateFuture},
		{"signer expired", incl, Options{At: at("2029-01-01T00:00:00Z")}, ReasonSignerExpired},
		{"other territory", incl, Options{Territory: "LV"}, ReasonTerritory},
		{"too large", incl, Options{MaxSize: 1000}, ReasonTooLarge},
		{"not XML", []byte("not a list"), Options{}, ReasonMalformed},
		{"not a list", []byte(`<a xmlns="urn:x"/>`), Options{}, ReasonMalformed},
		{"50 MB of nesting", bytes.Repeat([]byte("<a>"), 50<<20/3), Options{}, ReasonTooDeep},
	}
	for _, c := range cases {
		o := c.opts
		if o.Signers == nil && c.name != "no signers given" {
			o.Signers = signer
		}
		if o.At.IsZero() {
			o.At = when
		}
		_, err := Read(c.data, o)
		if got := reasonOf(err); got != c.reason {
			t.Errorf("%s: reason %q (%v), want %q", c.name, got, err, c.reason)
		}
	}
	// Unsafe accepts a past NextUpdate and says so.
	l, err := Read(incl, Options{Signers: signer, At: at("2027-09-01T00:00:00Z"), Unsafe: true})
	if err != nil || len(l.Warnings) != 1 || !strings.HasPrefix(l.Warnings[0], ReasonNextUpdatePassed) {
		t.Fatalf("unsafe: %v %v", err, l)
	}
}
