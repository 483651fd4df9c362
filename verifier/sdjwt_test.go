package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The SD-JWT vectors (testdata/sdjwt/SOURCE): RFC 9901's examples, the JWS
// JSON serialization examples of draft -20, and mutations of them made here
// with the RFC's published example keys.

// rfcTime is when the RFC examples are verified: after their KB-JWTs were
// made (2025-05-29) and before their exp (2029-09-01).
var rfcTime = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func rfcTrust(t testing.TB) *Trust {
	tr, err := ParseTrust("rfc9901-issuer", readVector(t, "issuer.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func readVector(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata/sdjwt", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exampleKey returns the RFC's example issuer or holder private key.
func exampleKey(t testing.TB, who string) *ecdsa.PrivateKey {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(readVector(t, "example-keys.json"), &raw); err != nil {
		t.Fatal(err)
	}
	keys := map[string]map[string]string{}
	var k map[string]string
	if err := json.Unmarshal(raw[who], &k); err != nil {
		t.Fatal(err)
	}
	keys[who] = k
	d, err := b64url(keys[who]["d"])
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := b64url(keys[who]["x"])
	point, err := priv.PublicKey.Bytes()
	if err != nil || !bytes.Equal(point[1:33], x) {
		t.Fatalf("the %s example key does not match its public part", who)
	}
	return priv
}

// signJWT makes a compact ES256 JWS.
func signJWT(t testing.TB, k *ecdsa.PrivateKey, header, payload string) string {
	in := b64s(header) + "." + b64s(payload)
	h := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func b64s(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func normal(t testing.TB, x any) any {
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSDJWTRFCExamples(t *testing.T) {
	for _, tc := range []struct {
		file, processed, typ string
		binding              Status
	}{
		{"rfc9901-5.1-issued.sdjwt", "", "example+sd-jwt", Skipped},
		{"rfc9901-5.2-presented-kb.sdjwt", "rfc9901-5.2-processed.json", "example+sd-jwt", Passed},
		{"rfc9901-a1-structured-presented.sdjwt", "rfc9901-a1-processed.json", "example+sd-jwt", Skipped},
		{"rfc9901-a2-complex-presented.sdjwt", "rfc9901-a2-processed.json", "example+sd-jwt", Skipped},
		{"rfc9901-a3-pid-issued.sdjwt", "", "urn:eudi:pid:de:1", Skipped},
		{"rfc9901-a3-pid-presented-kb.sdjwt", "rfc9901-a3-pid-presented-processed.json", "urn:eudi:pid:de:1", Passed},
		{"rfc9901-a4-w3c-presented-kb.sdjwt", "", "example+sd-jwt", Passed},
		{"draft20-8.2-flattened-issued.json", "", "example+sd-jwt", Skipped},
		{"draft20-8.2-flattened-presented-kb.json", "", "example+sd-jwt", Passed},
	} {
		r := Verify(readVector(t, tc.file), Options{Trust: rfcTrust(t), Time: rfcTime})
		if r.Verdict != Valid {
			t.Errorf("%s: %s/%s %+v", tc.file, r.Verdict, r.Reason, r.Checks)
			continue
		}
		if r.Document.Type != tc.typ {
			t.Errorf("%s: type %q, want %q", tc.file, r.Document.Type, tc.typ)
		}
		if st, _, _ := checkStatus(r, CheckHolderBinding); st != tc.binding {
			t.Errorf("%s: holder binding %s, want %s", tc.file, st, tc.binding)
		}
		if tc.processed == "" {
			continue
		}
		var want any
		if err := json.Unmarshal(readVector(t, tc.processed), &want); err != nil {
			t.Fatal(err)
		}
		if got := normal(t, r.Document.Claims); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: processed payload\n got %v\nwant %v", tc.file, got, want)
		}
	}
}

// TestSDJWTSection6 signs the RFC's flat, structured and recursive payloads
// (section 6 prints them unsigned) and presents the RFC's disclosures: each
// must hash to the digest the RFC prints and rebuild the same address.
func TestSDJWTSection6(t *testing.T) {
	var cases map[string]struct {
		Payload     map[string]any    `json:"payload"`
		Disclosures map[string]string `json:"disclosures"`
	}
	if err := json.Unmarshal(readVector(t, "rfc9901-section6.json"), &cases); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"street_address": "Schulstr. 12", "locality": "Schulpforta", "region": "Sachsen-Anhalt", "country": "DE"}
	iss := exampleKey(t, "issuer")
	for name, c := range cases {
		p, _ := json.Marshal(c.Payload)
		tok := signJWT(t, iss, `{"alg":"ES256","typ":"example+sd-jwt"}`, string(p)) + "~"
		for digest, d := range c.Disclosures {
			if got := sdDigest(sdHashes["sha-256"], []byte(d)); got != digest {
				t.Errorf("%s: disclosure hashes to %s, the RFC prints %s", name, got, digest)
			}
			tok += d + "~"
		}
		r := Verify([]byte(tok), Options{Trust: rfcTrust(t), Time: rfcTime})
		if r.Verdict != Valid {
			t.Fatalf("%s: %s/%s %+v", name, r.Verdict, r.Reason, r.Checks)
		}
		if got := normal(t, r.Document.Claims["address"]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: address %v", name, got)
		}
	}
}

// kbFor makes a key binding JWT for an SD-JWT (ending in '~') with the
// holder's example key; edit changes its claims.
func kbFor(t testing.TB, sdjwt string, header string, edit func(map[string]any)) string {
	h := sha256.Sum256([]byte(sdjwt))
	c := map[string]any{"nonce": "n-0S6_WzA2Mj", "aud": "https://verifier.example.org", "iat": rfcTime.Unix(),
		"sd_hash": base64.RawURLEncoding.EncodeToString(h[:])}
	if edit != nil {
		edit(c)
	}
	p, _ := json.Marshal(c)
	return signJWT(t, exampleKey(t, "holder"), header, string(p))
}

const kbHeader = `{"alg":"ES256","typ":"kb+jwt"}`

// withoutKB is the 5.2 presentation without its KB-JWT.
func withoutKB(t testing.TB) string {
	s := string(readVector(t, "rfc9901-5.2-presented-kb.sdjwt"))
	return s[:strings.LastIndexByte(s, '~')+1]
}

func TestSDJWTMutations(t *testing.T) {
	issued := string(readVector(t, "rfc9901-5.1-issued.sdjwt"))
	parts := strings.Split(strings.TrimSuffix(issued, "~"), "~")
	jwt, discs := parts[0], parts[1:]
	pres := withoutKB(t)
	iss := exampleKey(t, "issuer")
	payload := func(sd string) string {
		return signJWT(t, iss, `{"alg":"ES256","typ":"example+sd-jwt"}`, sd)
	}
	extra, _ := json.Marshal([]any{"c2FsdHNhbHRzYWx0", "email", "eve@example.com"})
	noneHeader := b64s(`{"alg":"none","typ":"example+sd-jwt"}`)
	jwtParts := strings.Split(jwt, ".")
	for _, tc := range []struct {
		name    string
		doc     string
		holder  HolderOptions
		verdict Verdict
		reason  Reason
	}{
		{"dropped disclosure (selective disclosure itself)", jwt + "~" + strings.Join(discs[1:], "~") + "~", HolderOptions{}, Valid, ""},
		{"no disclosures at all", jwt + "~", HolderOptions{}, Valid, ""},
		{"duplicated disclosure", issued + discs[0] + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"unreferenced disclosure", issued + b64s(string(extra)) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"tampered disclosure value", jwt + "~" + b64s(strings.Replace(mustB64(t, discs[0]), "John", "Joan", 1)) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"disclosure re-encoded (same JSON, other bytes)", jwt + "~" + b64s(strings.ReplaceAll(mustB64(t, discs[0]), ", ", ",")) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"disclosure named _sd", jwt + "~" + b64s(`["salt","_sd","x"]`) + "~", HolderOptions{}, Invalid, Malformed},
		{"disclosure named ...", jwt + "~" + b64s(`["salt","...","x"]`) + "~", HolderOptions{}, Invalid, Malformed},
		{"empty disclosure", jwt + "~~", HolderOptions{}, Invalid, Malformed},
		{"alg none", noneHeader + "." + jwtParts[1] + ".~", HolderOptions{}, Invalid, AlgNotAllowed},
		// The RFC's issuer names no key: a signature no trusted key
		// verifies cannot say whose it was meant to be (issue 12, case 10).
		{"payload altered", jwtParts[0] + "." + b64s(strings.Replace(mustB64(t, jwtParts[1]), "user_42", "user_43", 1)) + "." + jwtParts[2] + "~", HolderOptions{}, Indeterminate, IssuerUnknown},
		{"digest used twice", payload(`{"_sd":["jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4","jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4"],"_sd_alg":"sha-256"}`) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"_sd not an array", payload(`{"_sd":"x"}`) + "~", HolderOptions{}, Invalid, Malformed},
		{"unknown _sd_alg", payload(`{"_sd":[],"_sd_alg":"md5"}`) + "~", HolderOptions{}, Indeterminate, UnsupportedAlg},
		{"disclosure overwrites a claim", payload(`{"_sd":["`+sdDigest(sdHashes["sha-256"], []byte(b64s(`["s","sub","x"]`)))+`"],"sub":"y"}`) + "~" + b64s(`["s","sub","x"]`) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"array disclosure used as property", payload(`{"_sd":["`+sdDigest(sdHashes["sha-256"], []byte(b64s(`["s","x"]`)))+`"]}`) + "~" + b64s(`["s","x"]`) + "~", HolderOptions{}, Invalid, DisclosureMismatch},
		{"SD-JWT VC without vct", signJWT(t, iss, `{"alg":"ES256","typ":"dc+sd-jwt"}`, `{"iss":"x"}`) + "~", HolderOptions{}, Invalid, Malformed},
		{"valid KB-JWT made here", pres + kbFor(t, pres, kbHeader, nil), HolderOptions{Audience: "https://verifier.example.org", Nonce: "n-0S6_WzA2Mj"}, Valid, ""},
		{"binding required, none given", pres, HolderOptions{RequireBinding: true}, Invalid, HolderBindingInvalid},
		{"nonce expected, none given", pres, HolderOptions{Nonce: "abc"}, Invalid, HolderBindingInvalid},
		{"dropped disclosure under KB", strings.Replace(pres, "~"+strings.Split(pres, "~")[1]+"~", "~", 1) + kbFor(t, pres, kbHeader, nil), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"wrong sd_hash", pres + kbFor(t, pres, kbHeader, func(c map[string]any) { c["sd_hash"] = b64s("not the hash of this presentation") }), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB typ not kb+jwt", pres + kbFor(t, pres, `{"alg":"ES256","typ":"JWT"}`, nil), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB alg none", pres + b64s(`{"alg":"none","typ":"kb+jwt"}`) + "." + strings.Split(kbFor(t, pres, kbHeader, nil), ".")[1] + ".", HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB signed by another key", pres + signJWT(t, iss, kbHeader, mustB64(t, strings.Split(kbFor(t, pres, kbHeader, nil), ".")[1])), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB wrong audience", pres + kbFor(t, pres, kbHeader, nil), HolderOptions{Audience: "https://other.example"}, Invalid, HolderBindingInvalid},
		{"KB wrong nonce", pres + kbFor(t, pres, kbHeader, nil), HolderOptions{Nonce: "other"}, Invalid, HolderBindingInvalid},
		{"KB from the future", pres + kbFor(t, pres, kbHeader, func(c map[string]any) { c["iat"] = rfcTime.Add(time.Hour).Unix() }), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB too old for a nonce", pres + kbFor(t, pres, kbHeader, func(c map[string]any) { c["iat"] = rfcTime.Add(-time.Hour).Unix() }), HolderOptions{Nonce: "n-0S6_WzA2Mj"}, Invalid, HolderBindingInvalid},
		{"KB without aud", pres + kbFor(t, pres, kbHeader, func(c map[string]any) { delete(c, "aud") }), HolderOptions{}, Invalid, HolderBindingInvalid},
		{"KB-JWT added by the holder to the issued SD-JWT", issued + kbFor(t, issued, kbHeader, nil), HolderOptions{}, Valid, ""},
		{"general serialization with two signatures", string(readVector(t, "draft20-8.3-general-two-signatures.json")), HolderOptions{}, Invalid, Malformed},
	} {
		r := Verify([]byte(tc.doc), Options{Trust: rfcTrust(t), Time: rfcTime, Holder: tc.holder})
		if r.Verdict != tc.verdict || r.Reason != tc.reason {
			t.Errorf("%s: got %s/%s, want %s/%s: %+v", tc.name, r.Verdict, r.Reason, tc.verdict, tc.reason, r.Checks)
		}
	}
}

func mustB64(t testing.TB, s string) string {
	b, err := b64url(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSDJWTTimeAndTrust(t *testing.T) {
	doc := readVector(t, "rfc9901-a3-pid-issued.sdjwt")
	for _, tc := range []struct {
		name    string
		opts    Options
		verdict Verdict
		reason  Reason
	}{
		{"after exp", Options{Trust: rfcTrust(t), Time: time.Unix(1883000000, 0).Add(time.Hour)}, Invalid, Expired},
		{"before iat", Options{Trust: rfcTrust(t), Time: time.Unix(1683000000, 0).Add(-time.Hour)}, Invalid, NotYetValid},
		{"no trust", Options{Time: rfcTime}, Indeterminate, IssuerUnknown},
	} {
		r := Verify(doc, tc.opts)
		if r.Verdict != tc.verdict || r.Reason != tc.reason {
			t.Errorf("%s: got %s/%s, want %s/%s", tc.name, r.Verdict, r.Reason, tc.verdict, tc.reason)
		}
	}
	// Only disclosed claims are shown: the PID presentation discloses two.
	r := Verify(readVector(t, "rfc9901-a3-pid-presented-kb.sdjwt"), Options{Trust: rfcTrust(t), Time: rfcTime})
	for _, hidden := range []string{"given_name", "family_name", "birthdate", "address", "_sd", "_sd_alg"} {
		if _, ok := r.Document.Claims[hidden]; ok {
			t.Errorf("%s is shown but was not disclosed", hidden)
		}
	}
}
