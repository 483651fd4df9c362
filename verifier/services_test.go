package verifier

import (
	"encoding/base64"
	"encoding/json"
	"github.com/apostille/apostille/verifier/trustservices"
	"testing"
	"time"
)

// TestServices: services read from a bundle; a service and
// its status at a time; CA, OCSP and TSA services by type.
func TestServices(t *testing.T) {
	ca := newCert(t, "ESTEID Test CA", nil, caTemplate())
	ocsp := newCert(t, "Test OCSP", ca, leafTemplate(0))
	b64 := func(d []byte) string { return base64.StdEncoding.EncodeToString(d) }
	type withServices struct {
		Bundle
		Services []trustservices.BundleService `json:"services"`
	}
	b := withServices{Bundle: Bundle{TrustBundle: TrustBundleVersion}, Services: []trustservices.BundleService{
		{Country: "EE", Provider: "SK", Name: "ESTEID Test CA", Type: "CA/QC", Certificates: []string{b64(ca.der)},
			History: []trustservices.BundleServiceStatus{
				{Status: "withdrawn", Start: "2024-07-01T00:00:00Z"},
				{Status: "granted", Start: "2020-01-01T00:00:00Z", AdditionalInfo: []string{"ForeSignatures"},
					Qualifications: []trustservices.BundleQualifier{{Qualifiers: []string{"QCWithQSCD"}, Assert: "atLeastOne", Policies: []string{"1.3.6.1.4.1.10015.1.1"}}}},
				{Status: "undersupervision", Start: "2015-01-01T00:00:00Z", Type: "CA/PKC"},
			}},
		{Country: "EE", Provider: "SK", Name: "Test OCSP", Type: "Certstatus/OCSP/QC", Certificates: []string{b64(ocsp.der)},
			History: []trustservices.BundleServiceStatus{{Status: "granted", Start: "2020-01-01T00:00:00Z"}}},
		{Country: "EE", Provider: "SK", Name: "Test TSA", Type: "TSA/QTST",
			History: []trustservices.BundleServiceStatus{{Status: "granted", Start: "2020-01-01T00:00:00Z"}}},
	}}
	data, _ := json.Marshal(b)
	if _, err := ParseTrust("t", data); err != nil {
		t.Fatal(err)
	}
	svcs, err := trustservices.ParseServices(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs) != 3 {
		t.Fatalf("%d services", len(svcs))
	}
	found := trustservices.ServicesOfType(svcs, "CA/QC")
	if len(found) != 1 || found[0].Name != "ESTEID Test CA" || !found[0].Certificates[0].Equal(ca.cert) {
		t.Fatalf("the CA service: %v", found)
	}
	day := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	for _, c := range []struct {
		at      string
		status  string
		typ     string
		granted bool
		ok      bool
	}{
		{"2014-06-01", "", "", false, false},
		{"2016-06-01", "undersupervision", "CA/PKC", true, true},
		{"2023-06-01", "granted", "CA/QC", true, true},
		{"2025-06-01", "withdrawn", "CA/QC", false, true},
	} {
		st, ok := found[0].StatusAt(day(c.at))
		if ok != c.ok || st.Status != c.status || st.Type != c.typ || st.Granted() != c.granted {
			t.Errorf("%s: %+v %v", c.at, st, ok)
		}
	}
	if st, _ := found[0].StatusAt(day("2023-06-01")); len(st.Qualifications) != 1 || st.AdditionalInfo[0] != "ForeSignatures" {
		t.Errorf("qualifiers: %+v", st)
	}
	if s := trustservices.ServicesOfType(svcs, "Certstatus/OCSP"); len(s) != 1 || s[0].Name != "Test OCSP" || !s[0].Certificates[0].Equal(ocsp.cert) {
		t.Errorf("the OCSP service: %v", s)
	}
	if len(trustservices.ServicesOfType(svcs, "Certstatus/OCSP")) != 1 || len(trustservices.ServicesOfType(svcs, "TSA")) != 1 || len(trustservices.ServicesOfType(svcs, "CA")) != 1 || len(trustservices.ServicesOfType(svcs, "CA/Q")) != 0 {
		t.Error("services by type")
	}
	// A service without status, or with a bad time or certificate, is refused.
	for _, bad := range []trustservices.BundleService{
		{Name: "x", Type: "CA/QC"},
		{Name: "x", Type: "CA/QC", History: []trustservices.BundleServiceStatus{{Status: "granted", Start: "yesterday"}}},
		{Name: "x", Type: "CA/QC", Certificates: []string{"AAAA"}, History: []trustservices.BundleServiceStatus{{Status: "granted", Start: "2020-01-01T00:00:00Z"}}},
	} {
		data, _ := json.Marshal(withServices{Bundle: Bundle{TrustBundle: TrustBundleVersion}, Services: []trustservices.BundleService{bad}})
		if _, err := trustservices.ParseServices(data); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// FuzzServiceStatusAt: any history and time give an answer, never a
// panic, and the answer began at or before the time.
func FuzzServiceStatusAt(f *testing.F) {
	f.Add(int64(0), int64(100), int64(-5), int64(50))
	f.Add(int64(1<<40), int64(-1<<40), int64(7), int64(7))
	f.Fuzz(func(t *testing.T, a, b, c, at int64) {
		s := &trustservices.Service{History: []trustservices.ServiceStatus{
			{Status: "granted", Start: time.Unix(a, 0)},
			{Status: "withdrawn", Start: time.Unix(b, 0)},
			{Status: "granted", Start: time.Unix(c, 0)},
		}}
		when := time.Unix(at, 0)
		st, ok := s.StatusAt(when)
		if ok && st.Start.After(when) {
			t.Fatalf("entry of %v in force at %v", st.Start, when)
		}
		if !ok && (!time.Unix(a, 0).After(when) || !time.Unix(b, 0).After(when) || !time.Unix(c, 0).After(when)) {
			t.Fatal("no entry though one began before")
		}
		for _, e := range s.History {
			if ok && !e.Start.After(when) && e.Start.After(st.Start) {
				t.Fatal("not the newest entry")
			}
		}
	})
}
