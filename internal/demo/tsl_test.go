package demo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/tsl"
	"github.com/apostille/apostille/verifier/trustservices"
)

// TestDemoTrustedList: the demo world's TS 119 612 list verifies with its
// operator's certificate, and the bundle carries its CA, OCSP responder
// and TSA, the CA with its history; a changed byte in the list is refused.
func TestDemoTrustedList(t *testing.T) {
	dir := t.TempDir()
	if _, err := Build(dir, ""); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, TrustedListFile))
	if err != nil {
		t.Fatal(err)
	}
	pemData, _ := os.ReadFile(filepath.Join(dir, TrustedListSigner))
	signers, err := importer.Certificates(pemData)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.Read(data, tsl.Options{Signers: signers, At: Issued.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if l.Territory != "EE" || len(l.Providers) != 1 || len(l.Providers[0].Services) != 3 {
		t.Fatalf("%+v", l)
	}
	bad := append([]byte{}, data...)
	i := len(bad) / 3
	bad[i] ^= 1
	if _, err := tsl.Read(bad, tsl.Options{Signers: signers, At: Issued.AddDate(0, 1, 0)}); err == nil {
		t.Fatal("a changed byte was accepted")
	}
	tb, _ := os.ReadFile(filepath.Join(dir, "trust.json"))
	svcs, err := trustservices.ParseServices(tb)
	if err != nil {
		t.Fatal(err)
	}
	if len(trustservices.ServicesOfType(svcs, "CA/QC")) != 1 || len(trustservices.ServicesOfType(svcs, "Certstatus/OCSP")) != 1 || len(trustservices.ServicesOfType(svcs, "TSA")) != 1 {
		t.Fatalf("services: %d", len(svcs))
	}
	ocsp := trustservices.ServicesOfType(svcs, "Certstatus/OCSP")[0]
	ca := trustservices.ServicesOfType(svcs, "CA/QC")[0]
	if ca.Name != tslCAName || ocsp.Certificates[0].CheckSignatureFrom(ca.Certificates[0]) != nil {
		t.Fatalf("the OCSP responder's certificate is not from the listed CA %q", ca.Name)
	}
	if st, ok := ca.StatusAt(Issued); !ok || !st.Granted() || st.Status != "granted" || len(st.Qualifications) != 1 {
		t.Fatalf("CA at issue: %+v", st)
	}
	if st, ok := ca.StatusAt(Issued.AddDate(-1, -6, 0)); !ok || st.Status != "undersupervision" {
		t.Fatalf("CA in 2024: %+v", st)
	}
}
