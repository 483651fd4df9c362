package verifier_test

// Hostile containers, each made from a valid container of the corpus by
// one edit (re-zipped here), or verified under trust with one service
// taken out, and the reason code each must get.

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/verifier/trustservices"
)

// zentry is one entry of a container as the hostile table edits it.
type zentry struct {
	name  string
	data  []byte
	store bool
}

func unzipContainer(t testing.TB, file string) []zentry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata/asice", file))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zentry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zentry{name: f.Name, data: b, store: f.Method == zip.Store})
	}
	return out
}

func rezip(t testing.TB, entries []zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := zip.Deflate
		if e.store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// edit applies f to the entry named name.
func edit(entries []zentry, name string, f func([]byte) []byte) []zentry {
	out := append([]zentry(nil), entries...)
	for i := range out {
		if out[i].name == name {
			out[i].data = f(append([]byte(nil), out[i].data...))
		}
	}
	return out
}

func replace(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return []byte(strings.Replace(string(b), old, new, 1)) }
}

func withManifestEntry(entries []zentry, name string) []zentry {
	return edit(entries, "META-INF/manifest.xml", replace("</manifest:manifest>",
		`<manifest:file-entry manifest:full-path="`+name+`" manifest:media-type="text/plain"/></manifest:manifest>`))
}

// elementText returns the first element's text by its qualified name.
func elementText(b []byte, qname string) string {
	m := regexp.MustCompile(`<` + qname + `[^>]*>([^<]*)</` + qname + `>`).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func TestASiCContainerHostile(t *testing.T) {
	const (
		lt    = "files/digidoc4j/valid-containers/valid-asice.asice"
		lta   = "files/digidoc4j/valid-containers/valid-asice-lta.asice"
		ltAt  = "2018-11-24T12:24:05Z"
		sig0  = "META-INF/signatures0.xml"
		ltaAt = "2025-07-01T00:00:00Z"
	)
	base := unzipContainer(t, lt)
	if r := verifyContainerAt(t, rezip(t, base), ltAt, trustFor(t, []string{"test"}, nil, "")); r.Verdict != verifier.Valid {
		t.Fatalf("the re-zipped base container: %s %s", r.Verdict, r.Reason)
	}
	ltaEntries := unzipContainer(t, lta)
	otherTS := "" // a genuine time stamp of another signature, by the same TSA
	for _, e := range unzipContainer(t, "files/digidoc4j/valid-containers/valid-asice-esteid2018.asice") {
		if strings.HasPrefix(e.name, "META-INF/signatures") {
			otherTS = elementText(e.data, "xades:EncapsulatedTimeStamp")
		}
	}
	deep := strings.Repeat("<x>", 10000) + strings.Repeat("</x>", 10000)
	zeros := make([]byte, 4<<20)
	noOCSP := func() *verifier.Trust {
		tr := trustFor(t, []string{"test"}, nil, "")
		var kept []*trustservices.Service
		for _, s := range tr.Services {
			if !strings.HasPrefix(s.Type, "Certstatus/OCSP") {
				kept = append(kept, s)
			}
		}
		cp := *tr
		cp.Services = kept
		return &cp
	}
	// The list names the test root instead of TEST of ESTEID-SK 2015: the
	// signature's CertificateValues carry the intermediate.
	rootOnly := func() *verifier.Trust {
		tr := trustFor(t, []string{"test"}, nil, "")
		root := readCerts(t, "testdata/asice/certs/digidoc4j/TESTofEECertificationCentreRootCA.crt", false)
		var svcs []*trustservices.Service
		for _, s := range tr.Services {
			if strings.HasPrefix(s.Name, "TEST of ESTEID-SK 2015") {
				cp := *s
				cp.Certificates = root
				s = &cp
			}
			svcs = append(svcs, s)
		}
		cp := *tr
		cp.Services = svcs
		return &cp
	}
	cases := []struct {
		name   string
		file   string // the container, when not an edit of base
		data   []zentry
		at     string
		trust  *verifier.Trust
		reason verifier.Reason
		warn   verifier.Reason // a warning the report must carry
	}{
		{name: "XXE", data: edit(base, sig0, replace("?>", `?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`)), reason: verifier.XMLForbidden},
		{name: "entity expansion", data: edit(base, sig0, replace("?>", `?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`)), reason: verifier.XMLForbidden},
		{name: "10,000 nested elements", data: edit(base, sig0, replace("</ds:Object>", "</ds:Object><ds:Object>"+deep+"</ds:Object>")), reason: verifier.LimitExceeded},
		{name: "SignedProperties moved (wrapping)", data: edit(base, sig0, func(b []byte) []byte {
			// The reference now finds a copy of SignedProperties in another
			// ds:Object; the one QualifyingProperties holds has another Id.
			s := string(b)
			start := strings.Index(s, "<xades:SignedProperties")
			end := strings.Index(s, "</xades:SignedProperties>") + len("</xades:SignedProperties>")
			props := s[start:end]
			moved := strings.Replace(props, "<xades:SignedProperties", `<xades:SignedProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"`, 1)
			s = s[:start] + strings.Replace(props, `Id="xades-`, `Id="real-xades-`, 1) + s[end:]
			return []byte(strings.Replace(s, "</ds:Signature>", "<ds:Object>"+moved+"</ds:Object></ds:Signature>", 1))
		}), reason: verifier.SignatureWrapping},
		{name: "QualifyingProperties of another signature", data: edit(base, sig0, replace(`Target="#id-`, `Target="#other-id-`)), reason: verifier.SignatureWrapping},
		{name: "key substitution", data: edit(base, sig0, func(b []byte) []byte {
			// KeyInfo's certificate replaced by another one the signature
			// carries (the OCSP responder's).
			ki := elementText(b, "ds:X509Certificate")
			other := elementText(b, "xades:EncapsulatedX509Certificate")
			return []byte(strings.Replace(string(b), ki, other, 1))
		}), reason: verifier.KeySubstitution},
		{name: "data file not signed", data: withManifestEntry(append(append([]zentry(nil), base...), zentry{name: "added.txt", data: []byte("added later")}), "added.txt"), reason: verifier.FileNotSigned},
		{name: "signed file missing", data: func() []zentry {
			var out []zentry
			for _, e := range edit(base, "META-INF/manifest.xml", replace(`<manifest:file-entry manifest:full-path="test.txt" manifest:media-type="text/plain"/>`, "")) {
				if e.name != "test.txt" {
					out = append(out, e)
				}
			}
			return out
		}(), reason: verifier.SignedFileMissing},
		{name: "data file changed", data: edit(base, "test.txt", func(b []byte) []byte { return append(b, '!') }), reason: verifier.DigestMismatch},
		{name: "same name in another case", data: withManifestEntry(append(append([]zentry(nil), base...), zentry{name: "TEST.txt", data: []byte("x")}), "TEST.txt"), reason: verifier.Malformed},
		{name: "../ path", data: withManifestEntry(append(append([]zentry(nil), base...), zentry{name: "../evil.txt", data: []byte("x")}), "../evil.txt"), reason: verifier.Malformed},
		{name: "zip bomb", data: withManifestEntry(append(append([]zentry(nil), base...), zentry{name: "zeros.bin", data: zeros}), "zeros.bin"), reason: verifier.LimitExceeded},
		{name: "mimetype missing", data: base[1:], reason: verifier.UnsupportedFormat},
		{name: "mimetype compressed", data: append([]zentry{{name: "mimetype", data: base[0].data}}, base[1:]...), reason: "", warn: verifier.ContainerDeviation},
		{name: "OCSP nonce mismatch (time mark of another signature value)", file: "files/digidoc4j/invalid-containers/23200_weakdigest-wrong-nonce.asice", reason: verifier.TimeProofMismatch},
		{name: "OCSP from an untrusted responder", data: base, trust: noOCSP(), reason: verifier.OCSPUntrusted},
		{name: "CA listed by its root, intermediate in CertificateValues", data: base, trust: rootOnly(), reason: ""},
		{name: "CA listed by its root, intermediate left out", data: edit(base, sig0, func(b []byte) []byte {
			s := string(b)
			i := strings.LastIndex(s, "<xades:EncapsulatedX509Certificate>")
			j := strings.Index(s[i:], "</xades:EncapsulatedX509Certificate>") + i + len("</xades:EncapsulatedX509Certificate>")
			return []byte(s[:i] + s[j:])
		}), trust: rootOnly(), reason: verifier.ChainUntrusted},
		{name: "time stamp over other bytes", data: edit(base, sig0, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), elementText(b, "xades:EncapsulatedTimeStamp"), otherTS, 1))
		}), reason: verifier.TimeProofMismatch},
		{name: "expired signer without LT data (T level)", data: edit(base, sig0, func(b []byte) []byte {
			s := string(b)
			return []byte(s[:strings.Index(s, "<xades:CertificateValues>")] + s[strings.Index(s, "</xades:UnsignedSignatureProperties>"):])
		}), at: "2030-01-01T00:00:00Z", reason: verifier.StatusUnknown},
		{name: "expired signer without any proof (B level)", data: edit(base, sig0, func(b []byte) []byte {
			s := string(b)
			return []byte(s[:strings.Index(s, "<xades:UnsignedProperties>")] + s[strings.Index(s, "</xades:QualifyingProperties>"):])
		}), at: "2030-01-01T00:00:00Z", reason: verifier.NoPOE},
		{name: "archive time stamp over other data", data: edit(ltaEntries, "META-INF/signatures1.xml", func(b []byte) []byte {
			// One certificate of CertificateValues, which the archive
			// time stamp covers and nothing else needs, left out.
			s := string(b)
			i := strings.LastIndex(s, "<xades:EncapsulatedX509Certificate>")
			j := strings.Index(s[i:], "</xades:EncapsulatedX509Certificate>") + i + len("</xades:EncapsulatedX509Certificate>")
			return []byte(s[:i] + s[j:])
		}), at: ltaAt, reason: verifier.TimeProofMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var data []byte
			if c.file != "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata/asice", c.file)); err != nil {
					t.Fatal(err)
				}
			} else {
				data = rezip(t, c.data)
			}
			at, tr := c.at, c.trust
			if at == "" {
				at = ltAt
			}
			if tr == nil {
				tr = trustFor(t, []string{"test"}, nil, "")
			}
			r := verifyContainerAt(t, data, at, tr)
			if r.Reason != c.reason {
				t.Errorf("%s (%s), want reason %q%s", r.Verdict, r.Reason, c.reason, sigSummary(r))
			}
			if c.reason == "" && r.Verdict != verifier.Valid {
				t.Errorf("%s, want valid", r.Verdict)
			}
			if c.warn != "" && !slices.ContainsFunc(r.Warnings, func(w verifier.Warning) bool { return w.Reason == c.warn }) {
				t.Errorf("no %s warning: %v", c.warn, r.Warnings)
			}
		})
	}
}
