package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/tlog"
)

// TestTrustBuildSignVerify runs the operator's whole path with the CLI:
// keygen, build from a JWKS, an EU DCC list and a tlog-policy, sign,
// inspect, verify; then documents of those issuers verify with the signed
// bundle.
func TestTrustBuildSignVerify(t *testing.T) {
	w := newCLIWorld(t)
	if code, _, errOut := runCLI("trust", "keygen", "--out", w.path("op")); code != exitOK {
		t.Fatal(errOut)
	}
	if code, _, _ := runCLI("trust", "keygen", "--out", w.path("op")); code != exitUsage {
		t.Fatal("keygen overwrote an operator key")
	}
	jwk := importer.PublicJWK(w.issuer.Public(), "iss-1", "ES256")
	set, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	w.write("issuer.jwks", set)
	var v struct {
		COSE    string
		TESTCTX struct{ CERTIFICATE, VALIDATIONCLOCK string }
	}
	b, err := os.ReadFile("../../internal/importer/testdata/dcc/DE-1.json")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &v)
	certs, err := importer.Certificates(mustB64(v.TESTCTX.CERTIFICATE))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := json.Marshal([]importer.DCCEntry{{Kid: importer.DCCKid(certs[0]), Country: "DE", CertificateType: "DSC", RawData: v.TESTCTX.CERTIFICATE}})
	w.write("dcc.json", list)
	logKey, _ := tlog.VKey(tlog.SKey("example.ee/log", make([]byte, 32)), tlog.KindLog)
	lu, _ := tlog.VKey(tlog.SKey("x.example/w", []byte("an embassy seed of 32 bytes ....")), tlog.KindEmbassy)
	w.write("policy.txt", []byte("log "+logKey+"\nwitness lu "+lu+"\nquorum lu\n"))
	w.write("embassies.json", []byte(`[{"witness":"lu","name":"Data embassy in Luxembourg","country":"LU"}]`))
	w.write("issuers.json", []byte(`[{"id":"ee","name":"Population Register","country":"EE"}]`))
	code, _, errOut := runCLI("trust", "build", "--jwks", "ee="+w.path("issuer.jwks"), "--dcc", w.path("dcc.json"),
		"--policy", "ee="+w.path("policy.txt"), "--embassies", w.path("embassies.json"),
		"--issuers", w.path("issuers.json"), "--operator", "CLI operator", "--out", w.path("bundle.json"))
	if code != exitOK {
		t.Fatalf("build: %s", errOut)
	}
	code, _, errOut = runCLI("trust", "sign", "--key", w.path("op.key"), "--sequence", "1", "--at", "2021-05-01T00:00:00Z",
		"--valid-for", "87600h", "--out", w.path("bundle.jws"), w.path("bundle.json"))
	if code != exitOK {
		t.Fatalf("sign: %s", errOut)
	}
	code, out, _ := runCLI("trust", "inspect", "--trust-key", w.path("op.pub.jwk"), w.path("bundle.jws"))
	for _, want := range []string{"signature verified", "Population Register (EE)", "EU DCC document signers (DE)", "Data embassy in Luxembourg (LU)", "required=false"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("inspect lacks %q:\n%s", want, out)
		}
	}
	if code, out, errOut := runCLI("trust", "verify", "--trust-key", w.path("op.pub.jwk"), "--trust-state", w.path("st.json"), "--at", "2026-01-01T00:00:00Z", w.path("bundle.jws")); code != exitOK {
		t.Fatalf("trust verify: %s %s", out, errOut)
	}
	// The other operator's key does not verify it.
	if code, _, errOut := runCLI("trust", "verify", "--trust-key", w.path("operator.pub.jwk"), "--trust-state", "none", w.path("bundle.jws")); code != exitInvalid || !strings.Contains(errOut, "trust_invalid") {
		t.Fatalf("wrong key: exit %d %s", code, errOut)
	}
	cose, _ := hex.DecodeString(v.COSE)
	w.write("dcc.cose", cose)
	w.write("ee.jwt", w.document(nil))
	for doc, when := range map[string]string{"dcc.cose": v.TESTCTX.VALIDATIONCLOCK, "ee.jwt": "2026-04-01T00:00:00Z"} {
		code, out, errOut := runCLI("verify", "--trust", w.path("bundle.jws"), "--trust-key", w.path("op.pub.jwk"), "--trust-state", w.path("st.json"),
			"--offline", "--status-cache", w.path("cache"), "--at", when, "--format", "text", w.path(doc))
		if code != exitOK || !strings.Contains(out, "trust:     CLI operator, sequence 1") {
			t.Fatalf("%s: exit %d\n%s%s", doc, code, out, errOut)
		}
	}
}
