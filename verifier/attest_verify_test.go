package verifier

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// signedDoc is a compact JWS signed with EdDSA by the issuer key "iss-1".
func signedDoc(t testing.TB, claims string) []byte {
	t.Helper()
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"iss-1","typ":"JWT"}`))
	pl := base64.RawURLEncoding.EncodeToString([]byte(claims))
	sig := ed25519.Sign(seedKey("issuer"), []byte(hdr+"."+pl))
	return []byte(hdr + "." + pl + "." + base64.RawURLEncoding.EncodeToString(sig))
}

// attestTrust is a trust bundle with one issuer whose documents the
// world's log records, under the given policy quorum.
func attestTrust(t testing.TB, w *attestWorld, quorum string, required bool) *Trust {
	t.Helper()
	pub := seedKey("issuer").Public().(ed25519.PublicKey)
	b := Bundle{
		TrustBundle: TrustBundleVersion,
		Issuers: []BundleIssuer{{
			ID: "ee-pr", Name: "Population Register", Country: "EE",
			Keys:        []BundleKey{{JWK: JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: "iss-1", Alg: "EdDSA"}}},
			Attestation: &BundleAttestation{Policy: w.policyText(quorum), Required: required},
		}},
		Embassies: []BundleEmbassy{
			{Name: "Estonian data embassy", Country: "LU", Key: w.ee.vkey},
			{Name: "Luxembourg data embassy", Country: "EE", Key: w.lu.vkey},
		},
	}
	js, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseTrust("test", js)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// loggedWorld logs a signed document at index 5 of the world's log and
// returns it with a proof cosigned by the given embassies.
func loggedWorld(t testing.TB, quorum string) (*attestWorld, []byte, func(cs ...*testCosigner) []byte) {
	w := newAttestWorld(t, quorum)
	doc := signedDoc(t, `{"iss":"ee","given_name":"Mari"}`)
	w.log.add(doc)
	proof := func(cs ...*testCosigner) []byte {
		return w.log.proofFor(5, 6, cosign(w.log.checkpoint(t, 6), cosignedAt, cs...))
	}
	return w, doc, proof
}

func TestVerifyAttestation(t *testing.T) {
	w, doc, proof := loggedWorld(t, "both")
	cases := []struct {
		name     string
		required bool
		input    []byte
		proof    []byte
		verdict  Verdict
		reason   Reason
		warning  Reason
		attested int
	}{
		{"attested", true, doc, proof(w.ee, w.lu), Valid, "", "", 2},
		{"attested, optional", false, doc, proof(w.ee, w.lu), Valid, "", "", 2},
		{"bundled", true, AttestedDocument(doc, proof(w.ee, w.lu)), nil, Valid, "", "", 2},
		{"missing, required", true, doc, nil, Indeterminate, AttestationMissing, "", 0},
		{"missing, optional", false, doc, nil, Valid, "", AttestationMissing, 0},
		{"quorum not met, required", true, doc, proof(w.ee), Indeterminate, QuorumNotMet, "", 1},
		{"quorum not met, optional", false, doc, proof(w.ee), Valid, "", QuorumNotMet, 1},
		{"proof of another document", false, signedDoc(t, `{"iss":"ee","given_name":"Jaan"}`), proof(w.ee, w.lu), Invalid, ProofInvalid, "", 0},
		{"bundled with a second proof", true, AttestedDocument(doc, proof(w.ee, w.lu)), proof(w.ee, w.lu), Invalid, Malformed, "", 0},
		{"bundle inside a bundle", true, AttestedDocument(AttestedDocument(doc, proof(w.ee, w.lu)), proof(w.ee, w.lu)), nil, Invalid, Malformed, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := attestTrust(t, w, "both", c.required)
			rep := Verify(c.input, Options{Trust: tr, Time: attestNow, Proof: c.proof})
			if rep.Verdict != c.verdict || rep.Reason != c.reason {
				t.Fatalf("got %s/%s, want %s/%s: %+v", rep.Verdict, rep.Reason, c.verdict, c.reason, rep.Checks)
			}
			if len(rep.Attestations) != c.attested {
				t.Fatalf("%d attestations, want %d", len(rep.Attestations), c.attested)
			}
			if c.warning != "" && (len(rep.Warnings) != 1 || rep.Warnings[0].Reason != c.warning) {
				t.Fatalf("warnings %+v, want %s", rep.Warnings, c.warning)
			}
		})
	}
}

// TestVerifyUntrustedCheckpoint: required → indeterminate; optional → a
// warning on a valid document, and no attestation listed either way.
func TestVerifyUntrustedCheckpoint(t *testing.T) {
	w, doc, _ := loggedWorld(t, "both")
	other := newTestLog(t, "log.example.xx/documents", "other")
	other.leaves = w.log.leaves
	proof := other.proofFor(5, 6, cosign(other.checkpoint(t, 6), cosignedAt, w.ee, w.lu))
	rep := Verify(doc, Options{Trust: attestTrust(t, w, "both", true), Time: attestNow, Proof: proof})
	if rep.Verdict != Indeterminate || rep.Reason != CheckpointUntrusted || len(rep.Attestations) != 0 {
		t.Fatalf("required: %s/%s, %d attestations", rep.Verdict, rep.Reason, len(rep.Attestations))
	}
	rep = Verify(doc, Options{Trust: attestTrust(t, w, "both", false), Time: attestNow, Proof: proof})
	if rep.Verdict != Valid || len(rep.Warnings) != 1 || rep.Warnings[0].Reason != CheckpointUntrusted {
		t.Fatalf("optional: %s/%s, warnings %+v", rep.Verdict, rep.Reason, rep.Warnings)
	}
}

// TestVerifyProofNotCheckedWithoutIssuer: a document that fails its own
// checks gets its own reason, not the attestation's.
func TestVerifyProofNotCheckedWithoutIssuer(t *testing.T) {
	w, doc, proof := loggedWorld(t, "both")
	parts := strings.Split(string(doc), ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"ee","given_name":"Mart"}`))
	tampered := []byte(strings.Join(parts, "."))
	rep := Verify(tampered, Options{Trust: attestTrust(t, w, "both", true), Time: attestNow, Proof: proof(w.ee, w.lu)})
	if rep.Verdict != Invalid || rep.Reason != SignatureInvalid {
		t.Fatalf("got %s/%s", rep.Verdict, rep.Reason)
	}
}

// TestVerifyIssuerWithoutPolicy: a proof for an issuer that has no policy
// is not checked, and does not change the verdict.
func TestVerifyIssuerWithoutPolicy(t *testing.T) {
	w, doc, proof := loggedWorld(t, "both")
	tr := attestTrust(t, w, "both", true)
	tr.Issuers[0].policy = nil
	rep := Verify(doc, Options{Trust: tr, Time: attestNow, Proof: proof(w.ee, w.lu)})
	if rep.Verdict != Valid || len(rep.Attestations) != 0 {
		t.Fatalf("got %s/%s", rep.Verdict, rep.Reason)
	}
}

func TestTrustRejectsBadAttestation(t *testing.T) {
	w := newAttestWorld(t, "both")
	for name, b := range map[string]string{
		"policy":        `{"trust_bundle":"v1","issuers":[{"id":"a","name":"A","attestation":{"policy":"log x\nquorum none\n","required":true}}]}`,
		"no log":        `{"trust_bundle":"v1","issuers":[{"id":"a","name":"A","attestation":{"policy":"quorum none\n","required":true}}]}`,
		"embassy key":   `{"trust_bundle":"v1","issuers":[],"embassies":[{"name":"E","key":"not a vkey"}]}`,
		"embassy type1": `{"trust_bundle":"v1","issuers":[],"embassies":[{"name":"E","key":"` + w.log.vkey + `"}]}`,
	} {
		if _, err := ParseTrust("t", []byte(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
