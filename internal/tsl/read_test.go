package tsl

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustCerts(t testing.TB, path string) []*x509.Certificate {
	t.Helper()
	var cs []*x509.Certificate
	for rest := mustRead(t, path); ; {
		der, r := pemDecode(rest)
		if der == nil {
			break
		}
		rest = r
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		t.Fatalf("%s: no certificate", path)
	}
	return cs
}

// pemDecode returns the DER of the next CERTIFICATE block and the rest.
func pemDecode(data []byte) ([]byte, []byte) {
	for {
		blk, rest := pem.Decode(data)
		if blk == nil {
			return nil, data
		}
		if blk.Type == "CERTIFICATE" {
			return blk.Bytes, rest
		}
		data = rest
	}
}

// lenientCerts reads the PEM certificates Go can parse (the LOTL's own
// pointer carries one it cannot).
func lenientCerts(t testing.TB, path string) []*x509.Certificate {
	var out []*x509.Certificate
	rest := mustRead(t, path)
	for {
		der, r := pemDecode(rest)
		if der == nil {
			return out
		}
		rest = r
		if c, err := x509.ParseCertificate(der); err == nil {
			out = append(out, c)
		}
	}
}

func at(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

func reasonOf(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Reason
	}
	if err == nil {
		return ""
	}
	return "not a *tsl.Error"
}

func countServices(l *List) int {
	n := 0
	for _, p := range l.Providers {
		n += len(p.Services)
	}
	return n
}

// TestRealLists verifies the real lists' signatures and counts what they
// hold: every service with every identity is parsed.
func TestRealLists(t *testing.T) {
	testSigner := mustCerts(t, "testdata/test/trusted-test-tsl.crt")
	lotlSigners := lenientCerts(t, "testdata/live/lotl-signers.pem")
	lotl, err := Read(mustRead(t, "testdata/live/eu-lotl.xml"), Options{Signers: lotlSigners, At: at("2023-09-28T00:00:00Z")})
	if err != nil {
		t.Fatalf("LOTL: %v", err)
	}
	if lotl.Territory != "EU" || lotl.Sequence != 332 || len(lotl.Pointers) != 43 || countServices(lotl) != 0 {
		t.Fatalf("LOTL: %s seq %d, %d pointers", lotl.Territory, lotl.Sequence, len(lotl.Pointers))
	}
	var eeSigners []*x509.Certificate
	for _, p := range lotl.Pointers {
		if p.Territory == "EE" {
			eeSigners = append(eeSigners, p.Certificates...)
		}
	}
	if len(eeSigners) == 0 {
		t.Fatal("no EE pointer in the LOTL")
	}
	cases := []struct {
		file                     string
		signers                  []*x509.Certificate
		at                       string
		territory                string
		seq                      uint64
		providers, services, ids int
	}{
		{"testdata/live/EE.xml", eeSigners, "2023-10-06T00:00:00Z", "EE", 62, 0, 0, 0},
		{"testdata/test/EE_T.xml", testSigner, "2025-07-01T00:00:00Z", "EE_T", 34, 3, 29, 0},
		{"testdata/libdigidocpp/EE_T.xml", testSigner, "2026-05-12T00:00:00Z", "EE_T", 34, 3, 31, 0},
	}
	for _, c := range cases {
		l, err := Read(mustRead(t, c.file), Options{Signers: c.signers, At: at(c.at)})
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		ids := 0
		for _, p := range l.Providers {
			for _, s := range p.Services {
				ids += len(s.Certificates) + len(s.SubjectNames) + len(s.SKIs)
				if s.Type == "" || s.Status == "" || s.StatusStart.IsZero() || s.Name == "" {
					t.Errorf("%s: %s / %q incomplete", c.file, p.Name, s.Name)
				}
			}
		}
		t.Logf("%s: %d providers, %d services, %d identities, warnings %q", c.file, len(l.Providers), countServices(l), ids, l.Warnings)
		if l.Territory != c.territory || l.Sequence != c.seq || (c.providers != 0 && len(l.Providers) != c.providers) || (c.services != 0 && countServices(l) != c.services) {
			t.Errorf("%s: %s seq %d, %d providers, %d services", c.file, l.Territory, l.Sequence, len(l.Providers), countServices(l))
		}
		if !l.Signer.Equal(c.signers[0]) && len(c.signers) == 1 {
			t.Errorf("%s: signer", c.file)
		}
	}
}

// The service each variant edits, and the times at which the edits
// matter: the signer certificate of libdigidocpp's tsl.asice was issued on
// 2013-04-23; its OCSP response was produced at 2016-11-28T13:46:43Z and its
// time-stamp made the same day.
const (
	caName   = "TEST of ESTEID-SK 2011: Test certificates for Estonian ID-card, the residence permit card, digital personal identification document"
	ocspName = "TEST of SK OCSP RESPONDER 2011"
	tsaName  = "DEMO of SK TSA"
)

func TestLibdigidocppVariants(t *testing.T) {
	signer := mustCerts(t, "testdata/libdigidocpp/TSL.crt")
	tCA, tToken := at("2013-04-23T12:00:00Z"), at("2016-11-28T13:46:43Z")
	// What each variant's description says, at the time that matters for
	// the service it edits (libdigidocpp test/CMakeLists.txt): "none" is a
	// service that did not exist yet.
	want := map[string][2]string{
		"CA-granted-later":              {"CA", "none"},
		"CA-invalid-type":               {"CA", "TSA/QTST undersupervision 2011-03-08T22:00:00Z,QCWithSSCD,QCStatement"},
		"CA-non-qa":                     {"CA", "CA/PKC undersupervision 2011-03-08T22:00:00Z,QCWithSSCD,QCStatement"},
		"CA-noqscd-granted-before":      {"CA", "CA/QC undersupervision 2013-04-23T01:00:00Z,QCWithSSCD,QCStatement"},
		"CA-noqscd-granted-later":       {"CA", "CA/PKC undersupervision 2011-03-08T22:00:00Z,QCWithSSCD,QCStatement"},
		"CA-withdrawn-granted-before":   {"CA", "CA/QC undersupervision 2013-04-23T01:00:00Z,QCWithSSCD,QCStatement"},
		"CA-withdrawn-granted-later":    {"CA", "CA/QC supervisionrevoked 2013-04-22T11:49:30Z,QCWithSSCD,QCStatement"},
		"CA-withdrawn":                  {"CA", "CA/QC supervisionrevoked 2013-04-22T11:49:30Z,QCWithSSCD,QCStatement"},
		"OCSP-granted-later":            {"OCSP", "none"},
		"OCSP-invalid-type":             {"OCSP", "TSA/QTST granted 2016-06-30T22:00:00Z"},
		"OCSP-noqscd-granted-before":    {"OCSP", "Certstatus/OCSP/QC granted 2016-11-28T01:00:00Z"},
		"OCSP-noqscd-granted-later":     {"OCSP", "Certstatus/OCSP granted 2016-06-30T22:00:00Z"},
		"OCSP-withdrawn-granted-before": {"OCSP", "Certstatus/OCSP/QC granted 2016-11-28T01:00:00Z"},
		"OCSP-withdrawn-granted-later":  {"OCSP", "Certstatus/OCSP/QC withdrawn 2016-06-30T22:00:00Z"},
		"OCSP-withdrawn":                {"OCSP", "Certstatus/OCSP/QC withdrawn 2016-06-30T22:00:00Z"},
		"TSA-granted-later":             {"TSA", "none"},
		"TSA-invalid-type":              {"TSA", "CA/QC granted 2016-06-30T22:00:00Z"},
		"TSA-noqscd-granted-before":     {"TSA", "TSA/QTST granted 2016-11-28T01:00:00Z"},
		"TSA-noqscd-granted-later":      {"TSA", "TSA granted 2016-06-30T22:00:00Z"},
		"TSA-withdrawn-granted-before":  {"TSA", "TSA/QTST granted 2016-11-28T01:00:00Z"},
		"TSA-withdrawn-granted-later":   {"TSA", "TSA/QTST withdrawn 2016-06-30T22:00:00Z"},
		"TSA-withdrawn":                 {"TSA", "TSA/QTST withdrawn 2016-11-27T21:00:00Z"},
		"no_QCSD":                       {"CA", "CA/QC undersupervision 2011-03-08T22:00:00Z,QCNoQSCD,QCStatement"},
		"no_QCStatement":                {"NotQualified", ""},
	}
	// The services the variants do not edit stay as in the base.
	base := map[string]string{
		"CA":   "CA/QC undersupervision 2011-03-08T22:00:00Z,QCWithSSCD,QCStatement",
		"OCSP": "Certstatus/OCSP/QC granted 2016-06-30T22:00:00Z",
		"TSA":  "TSA/QTST granted 2016-06-30T22:00:00Z",
	}
	files, _ := filepath.Glob("testdata/libdigidocpp/EE_T-*.xml")
	if len(files) != len(want) {
		t.Fatalf("%d variants", len(files))
	}
	for _, f := range files {
		l, err := Read(mustRead(t, f), Options{Signers: signer, At: at("2026-06-01T00:00:00Z"), Unsafe: true})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		find := func(name string) *Service {
			for i := range l.Providers {
				for j := range l.Providers[i].Services {
					if s := &l.Providers[i].Services[j]; s.Name == name {
						return s
					}
				}
			}
			t.Fatalf("%s: no service %q", f, name)
			return nil
		}
		row := func(name string, when time.Time) string {
			st, ok := find(name).StatusAt(when)
			if !ok {
				return "none"
			}
			q := ""
			for _, x := range st.Qualifications {
				for _, u := range x.Qualifiers {
					q += "," + ShortURI(u)
				}
			}
			return ShortType(st.Type) + " " + ShortStatus(st.Status) + " " + st.Start.Format(time.RFC3339) + q
		}
		got := map[string]string{"CA": row(caName, tCA), "OCSP": row(ocspName, tToken), "TSA": row(tsaName, tToken)}
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "EE_T-"), ".xml")
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: no expectation", f)
			continue
		}
		for svc, b := range base {
			exp := b
			if svc == w[0] {
				exp = w[1]
			}
			if got[svc] != exp {
				t.Errorf("%s: %s is %q, want %q", name, svc, got[svc], exp)
			}
		}
		if w[0] == "NotQualified" {
			// Some CA/QC service's current entry says NotQualified.
			found := false
			for _, p := range l.Providers {
				for _, s := range p.Services {
					for _, q := range s.Qualifications {
						for _, u := range q.Qualifiers {
							found = found || (ShortURI(u) == "NotQualified" && ShortType(s.Type) == "CA/QC")
						}
					}
				}
			}
			if !found {
				t.Errorf("%s: no CA/QC service is NotQualified", name)
			}
		}
	}
}
