package verifier

import (
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The JOSE cookbook (RFC 7520) through Verify. Trust is the example's own
// public key, with the example's algorithm fixed, as a trust bundle would
// hold it. Every serialization the example gives (compact, general JSON,
// flattened JSON) is verified.

type cookbookExample struct {
	Title string `json:"title"`
	Input struct {
		Payload string          `json:"payload"`
		Key     json.RawMessage `json:"key"`
		Alg     json.RawMessage `json:"alg"`
	} `json:"input"`
	Signing json.RawMessage            `json:"signing"`
	Output  map[string]json.RawMessage `json:"output"`
}

func readCookbook(t *testing.T, name string) *cookbookExample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "jose-cookbook", name))
	if err != nil {
		t.Fatal(err)
	}
	var ex cookbookExample
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	return &ex
}

// serializations returns the example's outputs by name, as the bytes a
// verifier receives.
func (ex *cookbookExample) serializations(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, raw := range ex.Output {
		if name == "compact" {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			out[name] = []byte(s)
			continue
		}
		out[name] = raw
	}
	return out
}

// publicTrustJWK strips a cookbook key to its public members and fixes alg.
func publicTrustJWK(t *testing.T, key json.RawMessage, alg string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(key, &m); err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
		delete(m, private)
	}
	m["alg"] = alg
	return m
}

// cookbookTrust trusts the example's key as a JWK Set; a symmetric key
// cannot be trusted at all (ParseTrust refuses it), so HMAC examples run
// with no trust, as a verifier given the example would.
func cookbookTrust(t *testing.T, ex *cookbookExample) *Trust {
	t.Helper()
	var alg string
	if json.Unmarshal(ex.Input.Alg, &alg) != nil || strings.HasPrefix(alg, "HS") {
		return nil
	}
	set, err := json.Marshal(map[string]any{"keys": []any{publicTrustJWK(t, ex.Input.Key, alg)}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseTrust("cookbook", set)
	if err != nil {
		t.Fatalf("trust from the example's key: %v", err)
	}
	return tr
}

func TestJOSECookbook(t *testing.T) {
	cases := []struct {
		file     string
		detached bool // the payload is not in the document; Options.Payload supplies it
		verdict  Verdict
		reason   Reason
	}{
		{"jws/4_1.rsa_v15_signature.json", false, Valid, ""},
		{"jws/4_2.rsa-pss_signature.json", false, Valid, ""},
		{"jws/4_3.ecdsa_signature.json", false, Valid, ""},
		// HMAC: a verifier that holds the key could forge, so HS* is refused
		// whatever the key.
		{"jws/4_4.hmac-sha2_integrity_protection.json", false, Invalid, AlgNotAllowed},
		{"jws/4_5.signature_with_detached_content.json", true, Invalid, AlgNotAllowed},
		{"jws/4_6.protecting_specific_header_fields.json", false, Invalid, AlgNotAllowed},
		{"jws/4_7.protecting_content_only.json", false, Invalid, AlgNotAllowed},
		// Several signatures: "any one verified" is a known trap.
		{"jws/4_8.multiple_signatures.json", false, Invalid, Malformed},
		// RFC 7797 b64:false with crit ["b64"]: well-formed, but HMAC.
		{"rfc7797/hmac-sha2_b64_false.json", false, Invalid, AlgNotAllowed},
		// The JSON-only example's protected header is {"alg":"HS256","b64":false}
		// with no crit: b64 is accepted only when crit lists it (RFC 7797
		// section 6), so it is malformed before its algorithm is looked at.
		{"rfc7797/4.2.hmac-sha2_b64_false.json", false, Invalid, Malformed},
	}
	for _, c := range cases {
		ex := readCookbook(t, c.file)
		trust := cookbookTrust(t, ex)
		for name, doc := range ex.serializations(t) {
			t.Run(c.file+"/"+name, func(t *testing.T) {
				opts := Options{Trust: trust, Time: testTime}
				if c.detached {
					opts.Payload = []byte(ex.Input.Payload)
				}
				rep := verify(doc, opts)
				wantReport(t, rep, c.verdict, c.reason)
				if c.verdict == Valid {
					if rep.Document == nil || rep.Document.Issuer == nil || rep.Document.Issuer.KeyID != "bilbo.baggins@hobbiton.example" {
						t.Errorf("issuer not reported: %+v", rep.Document)
					}
				}
				if c.detached {
					// Without the content: the JSON serializations omit the
					// payload member, so the content is detached and cannot
					// be judged; the compact one's empty segment may be empty
					// content, so its HMAC algorithm decides first.
					want := PayloadMissing
					if name == "compact" {
						want = AlgNotAllowed
					}
					wantReport(t, verify(doc, Options{Trust: trust, Time: testTime}), want.Verdict(), want)
				}
			})
		}
	}
}

// cookbookRSAKey is the RSA private key of RFC 7520 section 3.4, which the
// cookbook uses for its RSA examples.
func cookbookRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	var k map[string]string
	b, err := os.ReadFile("testdata/jose-cookbook/jwk/3_4.rsa_private_key.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	n := func(name string) *big.Int {
		v, err := b64url(k[name])
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(v)
	}
	priv := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: n("n"), E: int(n("e").Int64())},
		D:         n("d"),
		Primes:    []*big.Int{n("p"), n("q")},
	}
	if err := priv.Validate(); err != nil {
		t.Fatal(err)
	}
	priv.Precompute()
	return priv
}

// TestJOSECookbookShapes verifies the cookbook's detached-content (4.5) and
// header-protection (4.6, 4.7) shapes with a signature algorithm. Their
// cookbook examples are HMAC, which is refused before the shape matters, so
// the shapes are signed here with the cookbook's RSA key (RS256, which is
// deterministic: the detached one is example 4.1 without its payload).
func TestJOSECookbookShapes(t *testing.T) {
	priv := cookbookRSAKey(t)
	k := &testKey{kid: "bilbo.baggins@hobbiton.example", alg: RS256, priv: priv}
	trust := trustOf(t, k)
	ex := readCookbook(t, "jws/4_1.rsa_v15_signature.json")
	payload := []byte(ex.Input.Payload)
	pseg := b64(payload)

	var compact string
	if err := json.Unmarshal(ex.Output["compact"], &compact); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(compact, ".")
	if got := jwsWith(t, k, []byte(`{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}`), pseg); got != compact {
		t.Fatal("the cookbook key does not reproduce example 4.1")
	}

	// 4.6: alg protected, kid in the unprotected header.
	prot46 := b64([]byte(`{"alg":"RS256"}`))
	sig46 := b64(k.sign(t, []byte(prot46+"."+pseg)))
	// 4.7: nothing protected; the signing input starts with the dot.
	sig47 := b64(k.sign(t, []byte("."+pseg)))

	cases := []struct {
		name    string
		doc     string
		payload []byte
		verdict Verdict
		reason  Reason
	}{
		{"4.5 detached compact", parts[0] + ".." + parts[2], payload, Valid, ""},
		{"4.5 detached flattened", `{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, payload, Valid, ""},
		{"4.5 detached general", `{"signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`, payload, Valid, ""},
		{"4.5 detached, other content", parts[0] + ".." + parts[2], []byte("It's a safe business."), Invalid, SignatureInvalid},
		{"4.5 detached, no content", parts[0] + ".." + parts[2], nil, Indeterminate, PayloadMissing},
		{"4.6 kid unprotected", `{"payload":"` + pseg + `","protected":"` + prot46 + `","header":{"kid":"bilbo.baggins@hobbiton.example"},"signature":"` + sig46 + `"}`, nil, Valid, ""},
		{"4.6 kid unprotected, general", `{"payload":"` + pseg + `","signatures":[{"protected":"` + prot46 + `","header":{"kid":"bilbo.baggins@hobbiton.example"},"signature":"` + sig46 + `"}]}`, nil, Valid, ""},
		{"4.6 alg also unprotected", `{"payload":"` + pseg + `","protected":"` + prot46 + `","header":{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"},"signature":"` + sig46 + `"}`, nil, Invalid, Malformed},
		{"4.7 nothing protected", `{"payload":"` + pseg + `","header":{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"},"signature":"` + sig47 + `"}`, nil, Valid, ""},
		// The unprotected alg cannot move the algorithm away from the key's.
		{"4.7 alg swapped", `{"payload":"` + pseg + `","header":{"alg":"PS256","kid":"bilbo.baggins@hobbiton.example"},"signature":"` + sig47 + `"}`, nil, Invalid, AlgNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantReport(t, verify([]byte(c.doc), Options{Trust: trust, Time: testTime, Payload: c.payload}), c.verdict, c.reason)
		})
	}
}

// TestJOSECookbookJWK loads the cookbook's keys as trust: public keys are
// accepted; private and symmetric keys are refused, because a trust entry
// that carries a secret is a mistake that must not pass silently.
func TestJOSECookbookJWK(t *testing.T) {
	cases := map[string]bool{
		"3_1.ec_public_key.json":                 true,
		"3_2.ec_private_key.json":                false,
		"3_3.rsa_public_key.json":                true,
		"3_4.rsa_private_key.json":               false,
		"3_5.symmetric_key_mac_computation.json": false,
		"3_6.symmetric_key_encryption.json":      false,
	}
	for file, ok := range cases {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "jose-cookbook", "jwk", file))
			if err != nil {
				t.Fatal(err)
			}
			j, err := ParseJWK(b)
			if err != nil {
				t.Fatalf("ParseJWK: %v", err)
			}
			_, keyErr := j.PublicKey()
			_, trustErr := ParseTrust("cookbook", b)
			if ok && (keyErr != nil || trustErr != nil) {
				t.Errorf("public key refused: %v / %v", keyErr, trustErr)
			}
			if !ok && (keyErr == nil || trustErr == nil) {
				t.Errorf("private or symmetric key accepted as trust")
			}
		})
	}
}

// TestUnencodedPayload checks RFC 7797 b64:false on documents signed here
// with ES256 (the RFC's own examples are HMAC).
func TestUnencodedPayload(t *testing.T) {
	k := newTestKey(t, "es", ES256)
	trust := trustOf(t, k)
	hdr := []byte(`{"alg":"ES256","kid":"es","b64":false,"crit":["b64"]}`)
	hb := b64(hdr)
	sign := func(payload string) string { return b64(k.sign(t, []byte(hb+"."+payload))) }

	cases := []struct {
		name    string
		doc     string
		opts    Options
		verdict Verdict
		reason  Reason
	}{
		{"compact", hb + ".$02." + sign("$02"), Options{}, Valid, ""},
		{"compact with spaces", hb + ".This is the payload string!." + sign("This is the payload string!"), Options{}, Valid, ""},
		{"flattened with dots", `{"protected":"` + hb + `","payload":"a.b.c","signature":"` + sign("a.b.c") + `"}`, Options{}, Valid, ""},
		{"detached", hb + ".." + sign("$.02"), Options{Payload: []byte("$.02")}, Valid, ""},
		{"detached, other content", hb + ".." + sign("$.02"), Options{Payload: []byte("$.03")}, Invalid, SignatureInvalid},
		// The payload is taken as is, not decoded: its base64url form is
		// another signing input.
		{"payload encoded anyway", hb + "." + b64([]byte("$.02")) + "." + sign("$.02"), Options{}, Invalid, SignatureInvalid},
		// A compact unencoded payload cannot contain a dot (RFC 7797 5.2).
		{"compact with a dot in the payload", hb + ".a.b." + sign("a.b"), Options{}, Invalid, Malformed},
		{"b64 not in crit", jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es","b64":false}`), "$.02"), Options{}, Invalid, Malformed},
		{"b64 unprotected", `{"protected":"` + b64([]byte(`{"alg":"ES256","kid":"es","crit":["b64"]}`)) + `","header":{"b64":false},"payload":"$.02","signature":"AA"}`, Options{}, Invalid, Malformed},
		{"b64 not a boolean", jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es","b64":"false","crit":["b64"]}`), "$.02"), Options{}, Invalid, Malformed},
		{"b64 true with crit", jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es","b64":true,"crit":["b64"]}`), b64([]byte("$.02"))), Options{}, Valid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Trust, c.opts.Time = trust, testTime
			rep := verify([]byte(c.doc), c.opts)
			wantReport(t, rep, c.verdict, c.reason)
		})
	}
}
