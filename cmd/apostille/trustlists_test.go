package main

import (
	"bytes"
	"github.com/apostille/apostille/verifier/trustservices"
	"os"
	"strings"
	"testing"

	"github.com/apostille/apostille/verifier"
)

const tslData = "../../internal/tsl/testdata/"

// TestTrustBuildLOTL: the live LOTL of 2023-09-27 and the Estonian list
// given offline become a bundle of services; a country the LOTL names but
// no list was given for is reported and left out; inspect lists the
// services by country and type.
func TestTrustBuildLOTL(t *testing.T) {
	w := newCLIWorld(t)
	code, _, errOut := runCLI("trust", "build", "--lotl", tslData+"live/eu-lotl.xml", "--lotl-signers", tslData+"live/lotl-signers.pem",
		"--country", "EE,LV", "--tl", tslData+"live/EE.xml", "--at", "2023-10-06", "--offline", "--out", w.path("bundle.json"))
	if code != exitOK {
		t.Fatalf("build: %s", errOut)
	}
	if !strings.Contains(errOut, "LV: refused (fetch)") || !strings.Contains(errOut, "EE sequence 62") {
		t.Fatalf("report: %s", errOut)
	}
	data, _ := os.ReadFile(w.path("bundle.json"))
	if _, err := verifier.ParseTrust("b", data); err != nil {
		t.Fatal(err)
	}
	svcs, err := trustservices.ParseServices(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs) != 54 {
		t.Fatalf("%d services", len(svcs))
	}
	if len(trustservices.ServicesOfType(svcs, "TSA/QTST")) == 0 || len(trustservices.ServicesOfType(svcs, "Certstatus/OCSP")) == 0 || len(trustservices.ServicesOfType(svcs, "CA/QC")) == 0 {
		t.Fatal("no TSA, OCSP or CA service")
	}
	code, out, _ := runCLI("trust", "inspect", w.path("bundle.json"))
	if code != exitOK || !strings.Contains(out, "services:    54") || !strings.Contains(out, "    TSA/QTST\n") || !strings.Contains(out, "granted since") {
		t.Fatalf("inspect: %s", out)
	}
	// Signing keeps the services; a signed bundle's inspect lists them.
	if code, _, errOut := runCLI("trust", "keygen", "--out", w.path("op")); code != exitOK {
		t.Fatal(errOut)
	}
	if code, _, errOut := runCLI("trust", "sign", "--key", w.path("op.key"), "--sequence", "1", "--operator", "EU lists operator", "--out", w.path("bundle.jws"), w.path("bundle.json")); code != exitOK {
		t.Fatalf("sign: %s", errOut)
	}
	code, out, _ = runCLI("trust", "inspect", "--trust-key", w.path("op.pub.jwk"), w.path("bundle.jws"))
	if code != exitOK || !strings.Contains(out, "signature verified") || !strings.Contains(out, "services:    54") {
		t.Fatalf("inspect signed: %s", out)
	}
}

// TestTrustBuildTrustedListRefusals: a refused LOTL fails the build with
// its reason; a refused national list is reported and left out; an older
// list than the state kept is refused; a past NextUpdate is refused unless
// the unsafe flag accepts it and says so.
func TestTrustBuildTrustedListRefusals(t *testing.T) {
	w := newCLIWorld(t)
	lotl, signer, eeT := tslData+"test/tl-mp-test-EE.xml", tslData+"test/trusted-test-tsl.crt", tslData+"test/EE_T.xml"
	build := func(args ...string) (int, string) {
		code, _, errOut := runCLI(append([]string{"trust", "build", "--offline", "--out", w.path("b.json")}, args...)...)
		return code, errOut
	}
	// The LOTL signed by a certificate that is not pinned.
	if code, errOut := build("--lotl", tslData+"live/eu-lotl.xml", "--lotl-signers", signer, "--at", "2023-10-06"); code != exitInvalid || !strings.Contains(errOut, "refused (signer_not_listed)") {
		t.Fatalf("foreign LOTL: %d %s", code, errOut)
	}
	// A national list with one byte changed is left out, the build goes on.
	bad, _ := os.ReadFile(eeT)
	bad = bytes.Replace(bad, []byte("Tallinn"), []byte("Tallinm"), 1)
	w.write("EE_T-bad.xml", bad)
	if code, errOut := build("--lotl", lotl, "--lotl-signers", signer, "--tl", w.path("EE_T-bad.xml"), "--at", "2025-07-01"); code != exitOK || !strings.Contains(errOut, "EE_T: refused (signature)") || !strings.Contains(errOut, "0 trust services") {
		t.Fatalf("changed list: %d %s", code, errOut)
	}
	// A state that kept a newer sequence refuses the list as a rollback.
	w.write("state.json", []byte(`{"lists":{"EE_T":{"sequence":40}}}`))
	if code, errOut := build("--lotl", lotl, "--lotl-signers", signer, "--tl", eeT, "--at", "2025-07-01", "--tl-state", w.path("state.json")); code != exitOK || !strings.Contains(errOut, "EE_T: refused (sequence_rollback)") {
		t.Fatalf("rollback: %d %s", code, errOut)
	}
	// A fresh state records what was imported.
	if code, errOut := build("--lotl", lotl, "--lotl-signers", signer, "--tl", eeT, "--at", "2025-07-01", "--tl-state", w.path("fresh.json")); code != exitOK || !strings.Contains(errOut, "29 trust services") {
		t.Fatalf("import: %d %s", code, errOut)
	}
	st, _ := os.ReadFile(w.path("fresh.json"))
	if !strings.Contains(string(st), `"EE_T"`) || !strings.Contains(string(st), `"sequence": 34`) {
		t.Fatalf("state: %s", st)
	}
	// Past NextUpdate (2027-08-20): refused, or accepted and reported with the unsafe flag.
	if code, errOut := build("--tl", eeT, "--tl-signer", signer, "--at", "2027-09-01"); code != exitOK || !strings.Contains(errOut, "refused (next_update_passed)") {
		t.Fatalf("expired: %d %s", code, errOut)
	}
	if code, errOut := build("--tl", eeT, "--tl-signer", signer, "--at", "2027-09-01", "--unsafe-accept-expired"); code != exitOK || !strings.Contains(errOut, "warning: next_update_passed") || !strings.Contains(errOut, "29 trust services") {
		t.Fatalf("expired, unsafe: %d %s", code, errOut)
	}
	// --tl alone needs its signer.
	if code, _ := build("--tl", eeT); code != exitUsage {
		t.Fatalf("--tl without signer: %d", code)
	}
}
