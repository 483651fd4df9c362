package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/hex"
	"os"
	"testing"
	"time"
)

// TestTrustBundleDoc parses the example of docs/trust-bundle.md and
// verifies documents against it, so that the page cannot drift from the
// code. The example's keys are public test keys whose private halves are
// published: the COSE WG examples' P-256 key "11" and RFC 8032's first
// Ed25519 test key.
func TestTrustBundleDoc(t *testing.T) {
	page, err := os.ReadFile("../docs/trust-bundle.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(page, []byte("```json\n"))
	example, _, ok2 := bytes.Cut(rest, []byte("```"))
	if !ok || !ok2 {
		t.Fatal("no JSON example in docs/trust-bundle.md")
	}
	trust, err := ParseTrust("doc", example)
	if err != nil {
		t.Fatalf("the documented example does not parse: %v", err)
	}
	if len(trust.Issuers) != 2 || len(trust.Embassies) != 1 || trust.Info.Operator == "" {
		t.Fatalf("example read as %d issuers, %d embassies", len(trust.Issuers), len(trust.Embassies))
	}

	d, _ := b64url("V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM")
	ec, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	es := &testKey{kid: "ee-pr-2026", alg: ES256, priv: ec}
	ed := &testKey{kid: "ee-pr-2025", alg: EdDSA, priv: ed25519.NewKeyFromSeed(seed)}
	birth := "https://apostille.example/types/birth-certificate"
	at := func(y int, m time.Month) int64 { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix() }
	jwt := func(k *testKey, typ string, iat int64) []byte {
		return []byte(signJWS(t, k, map[string]any{"typ": typ}, jwtClaimsJSON(t, map[string]any{"iat": iat, "given_name": "Mari"})))
	}
	cases := []struct {
		name   string
		doc    []byte
		reason Reason
	}{
		{"ES256 key, listed type", jwt(es, birth, at(2026, 1)), ""},
		{"ES256 key, other type", jwt(es, "https://apostille.example/types/driving-licence", at(2026, 1)), TypeNotAllowed},
		{"ES256 key, signed before its window", jwt(es, birth, at(2024, 6)), KeyNotValid},
		{"Ed25519 key, inside its window", jwt(ed, birth, at(2025, 6)), ""},
		{"Ed25519 key, after its window", jwt(ed, birth, at(2026, 2)), KeyNotValid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := verify(c.doc, Options{Trust: trust, Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
			if c.reason == "" {
				wantReport(t, rep, Valid, "")
				if rep.Document.Issuer.Name != "Rahvastikuregister (Population Register)" || rep.Document.Issuer.Country != "EE" {
					t.Errorf("issuer reported as %+v", rep.Document.Issuer)
				}
				return
			}
			wantReport(t, rep, c.reason.Verdict(), c.reason)
		})
	}
}
