package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyGovernmentFormats runs `apostille verify` on a DCC QR payload,
// an mdoc (CBOR) and an SD-JWT, each in a file with its trust given by
// --trust, and reads the JSON Lines output.
func TestVerifyGovernmentFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("../../verifier/testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var dcc struct {
		PREFIX  string
		TESTCTX struct{ CERTIFICATE string }
	}
	if err := json.Unmarshal(read("dcc/common/2DCode/raw/CO3.json"), &dcc); err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(dcc.TESTCTX.CERTIFICATE)
	var annex struct{ Vectors map[string]string }
	if err := json.Unmarshal(read("mdoc/iso18013-5-annex-d.json"), &annex); err != nil {
		t.Fatal(err)
	}
	resp, _ := hex.DecodeString(annex.Vectors["ISO_18013_5_ANNEX_D_DEVICE_RESPONSE"])
	ds, _ := hex.DecodeString(annex.Vectors["ISO_18013_5_ANNEX_D_DS_CERT"])
	for _, tc := range []struct {
		name, at, trust, doc, format string
	}{
		{"dcc", "2021-05-03T18:00:00Z", write("dsc.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), write("dcc.txt", []byte(dcc.PREFIX+"\n")), "dcc"},
		{"mdoc", "2021-03-01T00:00:00Z", write("ds.der", ds), write("mdl.cbor", resp), "mdoc"},
		{"sd-jwt", "2025-06-01T00:00:00Z", write("issuer.jwk", read("sdjwt/issuer.jwk")), write("pid.txt", read("sdjwt/rfc9901-a3-pid-presented-kb.sdjwt")), "sd-jwt"},
	} {
		var out, errOut bytes.Buffer
		code := runVerify([]string{"--trust", tc.trust, "--at", tc.at, "--format", "jsonl", tc.doc}, &out, &errOut)
		var rec struct {
			Report struct {
				Verdict  string
				Document struct{ Format string }
			}
		}
		if err := json.Unmarshal(out.Bytes(), &rec); err != nil || code != exitOK || rec.Report.Verdict != "valid" || rec.Report.Document.Format != tc.format {
			t.Errorf("%s: exit %d, %s: %s", tc.name, code, strings.TrimSpace(out.String()), errOut.String())
		}
	}
}
