package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Hostile inputs, each with the reason code it must get. None may panic
// (a recovered panic would show as internal), and each must stay within a
// memory budget measured as bytes allocated by the one Verify call.

// testCert is a certificate and its key.
type testCert struct {
	der  []byte
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// newCert issues a P-256 certificate; parent nil makes it self-signed.
func newCert(t testing.TB, cn string, parent *testCert, tmpl x509.Certificate) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Subject = pkix.Name{CommonName: cn, Organization: []string{cn}, Country: []string{"EE"}}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testTime.AddDate(-1, 0, 0)
		tmpl.NotAfter = testTime.AddDate(1, 0, 0)
	}
	signer, parentCert := key, &tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{der: der, cert: c, key: key}
}

func caTemplate() x509.Certificate {
	return x509.Certificate{IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
}

func leafTemplate(usage x509.KeyUsage) x509.Certificate {
	return x509.Certificate{BasicConstraintsValid: true, KeyUsage: usage}
}

func (c *testCert) signer(kid string) *testKey { return &testKey{kid: kid, alg: ES256, priv: c.key} }

// hostileCase is one entry of the table.
type hostileCase struct {
	name   string
	input  []byte
	opts   Options // Trust and Time default to the table's
	reason Reason  // "" means valid
}

func TestHostileInputs(t *testing.T) {
	k := newTestKey(t, "es", ES256)
	attacker := newTestKey(t, "es", ES256) // same kid, other key
	root := newCert(t, "Test Root CA", nil, caTemplate())
	inter := newCert(t, "Test Intermediate CA", root, caTemplate())
	leaf := newCert(t, "Test Signer", inter, leafTemplate(x509.KeyUsageDigitalSignature))
	noSign := newCert(t, "Test Encipherer", inter, leafTemplate(x509.KeyUsageKeyEncipherment))
	trust := trustBundle(t,
		issuerSpec{id: "ee", name: "Test Authority", country: "EE", keys: []*testKey{k}},
		issuerSpec{id: "pki", name: "Test PKI", country: "EE", anchors: [][]byte{root.der}},
	)
	claims := func(c map[string]any) []byte { return jwtClaimsJSON(t, c) }
	now := testTime.Unix()
	good := signJWS(t, k, nil, claims(map[string]any{"iss": "ee", "iat": now - 60}))
	goodCOSE := signCOSE(t, k, []byte("content"))
	std := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

	// HS256 with the trusted public key as the MAC key: the classic
	// key-confusion attack (RFC 8725 section 2.1).
	spki, err := x509.MarshalPKIXPublicKey(k.public())
	if err != nil {
		t.Fatal(err)
	}
	hsWith := func(key []byte) []byte {
		in := b64([]byte(`{"alg":"HS256","kid":"es"}`)) + "." + b64([]byte(`{"iss":"ee"}`))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(in))
		return []byte(in + "." + b64(mac.Sum(nil)))
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})
	jwkJSON, _ := json.Marshal(k.jwk(t))

	// A 64 KB kid, and 10,000 nested arrays.
	bigKid := strings.Repeat("k", 64<<10)
	deepJSON := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepCBOR := append(append([]byte{0xd2}, bytes.Repeat([]byte{0x81}, 10000)...), 0x00)

	// COSE with protected header bytes as given.
	coseProt := func(prot []byte) []byte {
		return signCOSEWith(t, k, prot, map[any]any{int64(labelKid): []byte("es")}, []byte("content"), nil)
	}
	typed, _ := cborEnc.Marshal(map[any]any{int64(labelAlg): int64(-7), int64(labelTyp): "application/cwt"})
	flippedCOSE := coseProt(typed)
	if i := bytes.Index(flippedCOSE, []byte("cwt")); i > 0 {
		flippedCOSE[i+2] ^= 0x01 // "cwt" → "cwu", inside the protected bstr
	} else {
		t.Fatal("no typ in the protected header")
	}
	hdr := []byte(`{"alg":"ES256","kid":"es","typ":"JWT"}`)
	flippedJWS := jwsWith(t, k, hdr, b64(claims(map[string]any{"iss": "ee"})))
	parts := strings.SplitN(flippedJWS, ".", 2)
	flippedJWS = b64(bytes.Replace(hdr, []byte(`"JWT"`), []byte(`"JWU"`), 1)) + "." + parts[1]

	cases := []hostileCase{
		{name: "control: a good JWT", input: []byte(good)},
		{name: "control: a good COSE_Sign1", input: goodCOSE},
		{name: "empty input", input: nil, reason: Malformed},
		{name: "whitespace", input: []byte(" \n\t "), reason: Malformed},

		{name: "alg none", input: []byte(b64([]byte(`{"alg":"none","kid":"es"}`)) + "." + b64([]byte(`{"iss":"ee"}`)) + "."), reason: AlgNotAllowed},
		{name: "alg None", input: []byte(b64([]byte(`{"alg":"None","kid":"es"}`)) + "." + b64([]byte(`{"iss":"ee"}`)) + "."), reason: AlgNotAllowed},
		{name: "HS256 keyed with the public key (SPKI DER)", input: hsWith(spki), reason: AlgNotAllowed},
		{name: "HS256 keyed with the public key (PEM)", input: hsWith(pemKey), reason: AlgNotAllowed},
		{name: "HS256 keyed with the public key (JWK)", input: hsWith(jwkJSON), reason: AlgNotAllowed},

		{name: "embedded jwk", input: []byte(signJWS(t, attacker, map[string]any{"kid": nil, "jwk": attacker.jwk(t)}, []byte(`{"iss":"ee"}`))), reason: IssuerUnknown},
		{name: "embedded jwk with a trusted kid", input: []byte(signJWS(t, attacker, map[string]any{"jwk": attacker.jwk(t)}, []byte(`{"iss":"ee"}`))), reason: SignatureInvalid},
		{name: "jku", input: []byte(signJWS(t, attacker, map[string]any{"kid": nil, "jku": "https://attacker.example/jwks.json"}, []byte(`{"iss":"ee"}`))), reason: IssuerUnknown},
		{name: "jku with a trusted kid", input: []byte(signJWS(t, attacker, map[string]any{"jku": "https://attacker.example/jwks.json"}, []byte(`{"iss":"ee"}`))), reason: SignatureInvalid},
		{name: "x5u", input: []byte(signJWS(t, attacker, map[string]any{"kid": nil, "x5u": "https://attacker.example/cert.pem"}, []byte(`{"iss":"ee"}`))), reason: IssuerUnknown},
		{name: "x5c not chaining to an anchor", input: []byte(signJWS(t, newCert(t, "Self", nil, leafTemplate(x509.KeyUsageDigitalSignature)).signer(""), map[string]any{"kid": nil, "x5c": []string{std(newCert(t, "Other", nil, leafTemplate(x509.KeyUsageDigitalSignature)).der)}}, []byte(`{}`))), reason: ChainUntrusted},

		{name: "unknown crit", input: []byte(signJWS(t, k, map[string]any{"crit": []string{"exp-x"}, "exp-x": 1}, []byte(`{}`))), reason: CritUnsupported},
		{name: "crit listing a registered header", input: []byte(signJWS(t, k, map[string]any{"crit": []string{"alg"}}, []byte(`{}`))), reason: Malformed},
		{name: "crit empty", input: []byte(signJWS(t, k, map[string]any{"crit": []string{}}, []byte(`{}`))), reason: Malformed},
		{name: "crit naming an absent header", input: []byte(signJWS(t, k, map[string]any{"crit": []string{"b64"}}, []byte(`{}`))), reason: Malformed},
		{name: "crit in the unprotected header", input: []byte(`{"protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","header":{"crit":["exp-x"],"exp-x":1},"payload":"e30","signature":"AA"}`), reason: Malformed},
		{name: "COSE crit unknown label", input: coseProt(mustCBOR(t, map[any]any{int64(1): int64(-7), int64(2): []any{int64(99)}, int64(99): int64(1)})), reason: CritUnsupported},
		{name: "COSE crit in the unprotected header", input: signCOSEWith(t, k, mustCBOR(t, map[any]any{int64(1): int64(-7)}), map[any]any{int64(2): []any{int64(4)}, int64(4): []byte("es")}, []byte("x"), nil), reason: Malformed},

		{name: "kid ../../x", input: []byte(signJWS(t, k, map[string]any{"kid": "../../x"}, []byte(`{}`))), reason: IssuerUnknown},
		{name: "kid of 64 KB", input: []byte(signJWS(t, k, map[string]any{"kid": bigKid}, []byte(`{}`))), reason: IssuerUnknown},
		{name: "COSE kid of 64 KB", input: signCOSEWith(t, k, mustCBOR(t, map[any]any{int64(1): int64(-7)}), map[any]any{int64(4): []byte(bigKid)}, []byte("x"), nil), reason: IssuerUnknown},

		{name: "10^6 dots", input: bytes.Repeat([]byte{'.'}, 1_000_000), reason: Malformed},
		{name: "10^6 dots after a header", input: append([]byte(b64([]byte(`{"alg":"ES256"}`))), bytes.Repeat([]byte{'.'}, 999_000)...), reason: Malformed},
		{name: "10 MB input", input: bytes.Repeat([]byte{'A'}, 10<<20), reason: TooLarge},
		{name: "10 MB JWS", input: []byte(signJWS(t, k, nil, bytes.Repeat([]byte{'x'}, 10<<20))), reason: TooLarge},

		{name: "CBOR array declaring 2^64 elements", input: []byte{0x9b, 0x00, 0x00, 0x42, 0xfa, 0x42, 0xfa, 0x42, 0xfa, 0x42}, reason: Malformed},
		{name: "CBOR array declaring 2^64 elements, as COSE", input: []byte{0x9b, 0x00, 0x00, 0x42, 0xfa, 0x42, 0xfa, 0x42, 0xfa, 0x42}, opts: Options{Format: FormatCOSE}, reason: Malformed},
		{name: "CBOR array declaring 2^64 elements, tagged 18", input: []byte{0xd2, 0x9b, 0x00, 0x00, 0x42, 0xfa, 0x42, 0xfa, 0x42, 0xfa, 0x42}, reason: Malformed},
		{name: "CBOR bstr declaring 2^63 bytes in a Sign1", input: []byte{0xd2, 0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, reason: Malformed},
		{name: "10,000 nested CBOR arrays", input: deepCBOR, reason: Malformed},
		{name: "10,000 nested JSON arrays in a header", input: []byte(`{"protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","header":{"x":` + deepJSON + `},"payload":"e30","signature":"AA"}`), reason: Malformed},
		{name: "10,000 nested JSON arrays in the protected header", input: []byte(jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es","x":`+deepJSON+`}`), "e30")), reason: Malformed},
		{name: "10,000 nested JSON arrays in the claims", input: []byte(signJWS(t, k, nil, []byte(`{"x":`+deepJSON+`}`))), reason: Malformed},

		{name: "duplicate key in the COSE protected header", input: coseProt([]byte{0xa2, 0x01, 0x26, 0x01, 0x26}), reason: Malformed},
		{name: "duplicate key in the COSE protected header, other value", input: coseProt([]byte{0xa2, 0x01, 0x26, 0x01, 0x27}), reason: Malformed},
		{name: "indefinite-length protected header", input: coseProt([]byte{0xbf, 0x01, 0x26, 0xff}), reason: Malformed},
		{name: "indefinite-length Sign1 array", input: append(append([]byte{0xd2, 0x9f}, goodCOSE[2:]...), 0xff), reason: Malformed},
		{name: "indefinite-length payload", input: indefinitePayload(t, goodCOSE), reason: Malformed},

		{name: "one flipped byte in a COSE protected header", input: flippedCOSE, reason: SignatureInvalid},
		{name: "one flipped byte in a JWS protected header", input: []byte(flippedJWS), reason: SignatureInvalid},

		{name: "trailing garbage after a compact JWS", input: []byte(good + "!!"), reason: Malformed},
		{name: "trailing segment after a compact JWS", input: []byte(good + ".e30"), reason: Malformed},
		{name: "trailing garbage after a JSON JWS", input: append(jwsToFlattened(t, good), []byte(`{}`)...), reason: Malformed},
		{name: "trailing byte after a COSE_Sign1", input: append(append([]byte(nil), goodCOSE...), 0x00), reason: Malformed},
		{name: "trailing item after a COSE_Sign1", input: append(append([]byte(nil), goodCOSE...), goodCOSE...), reason: Malformed},

		{name: "expired", input: []byte(signJWS(t, k, nil, claims(map[string]any{"iat": now - 7200, "exp": now - 3600}))), reason: Expired},
		{name: "expired within the clock skew", input: []byte(signJWS(t, k, nil, claims(map[string]any{"iat": now - 7200, "exp": now - 30}))), reason: ""},
		{name: "not yet valid", input: []byte(signJWS(t, k, nil, claims(map[string]any{"nbf": now + 3600}))), reason: NotYetValid},
		{name: "issued in the future", input: []byte(signJWS(t, k, nil, claims(map[string]any{"iat": now + 3600}))), reason: NotYetValid},
		{name: "expired CWT", input: signCOSE(t, k, cwtPayload(t, map[any]any{int64(4): now - 3600, int64(6): now - 7200})), reason: Expired},
		{name: "not yet valid CWT", input: signCOSE(t, k, cwtPayload(t, map[any]any{int64(5): now + 3600})), reason: NotYetValid},
		{name: "exp not a NumericDate", input: []byte(signJWS(t, k, nil, []byte(`{"exp":"tomorrow"}`))), reason: Malformed},

		{name: "CA certificate as signer (x5c)", input: []byte(signJWS(t, inter.signer(""), map[string]any{"kid": nil, "x5c": []string{std(inter.der)}}, []byte(`{}`))), reason: KeyUsage},
		{name: "signer without digitalSignature (x5c)", input: []byte(signJWS(t, noSign.signer(""), map[string]any{"kid": nil, "x5c": []string{std(noSign.der), std(inter.der)}}, []byte(`{}`))), reason: KeyUsage},
		{name: "control: a signer certificate (x5c)", input: []byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "x5c": []string{std(leaf.der), std(inter.der)}}, []byte(`{}`))), reason: ""},
		{name: "CA certificate as signer (COSE x5chain)", input: signCOSEWith(t, inter.signer(""), mustCBOR(t, map[any]any{int64(1): int64(-7), int64(33): inter.der}), nil, []byte("x"), nil), reason: KeyUsage},

		{name: "duplicate JSON member names in the protected header", input: []byte(jwsWith(t, k, []byte(`{"alg":"ES256","alg":"none"}`), "e30")), reason: Malformed},
		{name: "duplicate member names, one escaped", input: []byte(jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es","\u0061lg":"none"}`), "e30")), reason: Malformed},
		{name: "duplicate members in the JSON serialization", input: []byte(`{"payload":"e30","payload":"e30","protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","signature":"AA"}`), reason: Malformed},
		{name: "duplicate claim names", input: []byte(signJWS(t, k, nil, []byte(`{"exp":1,"exp":99999999999}`))), reason: Malformed},
		{name: "misspelled JSON serialization member", input: []byte(`{"Payload":"e30","protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","signature":"AA"}`), reason: Malformed},
		{name: "two signatures", input: []byte(`{"payload":"e30","signatures":[{"protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","signature":"AA"},{"protected":"` + b64([]byte(`{"alg":"ES256","kid":"es"}`)) + `","signature":"AA"}]}`), reason: Malformed},
		{name: "COSE_Sign (several signers)", input: []byte{0xd8, 0x62, 0x84, 0x40, 0xa0, 0x40, 0x80}, reason: UnsupportedFormat},
		{name: "COSE_Mac0", input: []byte{0xd1, 0x84, 0x40, 0xa0, 0x40, 0x40}, reason: UnsupportedFormat},
		{name: "COSE MAC algorithm in a Sign1", input: coseProt(mustCBOR(t, map[any]any{int64(1): int64(5)})), reason: AlgNotAllowed},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			if opts.Trust == nil {
				opts.Trust = trust
			}
			if opts.Time.IsZero() {
				opts.Time = testTime
			}
			var rep *Report
			allocated := allocatedBy(func() { rep = verify(c.input, opts) })
			if c.reason == "" {
				wantReport(t, rep, Valid, "")
			} else {
				wantReport(t, rep, c.reason.Verdict(), c.reason)
			}
			// Memory: a few times the input, plus a fixed allowance; a
			// declared length or a depth must never be allocated.
			limit := uint64(8*min(len(c.input), 1<<20)) + 4<<20
			t.Logf("%d bytes of input, %d bytes allocated", len(c.input), allocated)
			if allocated > limit {
				t.Errorf("allocated %d bytes for %d bytes of input (limit %d)", allocated, len(c.input), limit)
			}
			// Nothing of a hostile size reaches the report.
			b, _ := json.Marshal(rep)
			if len(b) > 32<<10 {
				t.Errorf("report of %d bytes", len(b))
			}
		})
	}
}

// allocatedBy returns the bytes allocated while f runs. The tests of this
// package do not run in parallel, so the count is f's own, give or take
// the runtime's background allocations.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := cborEnc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// indefinitePayload re-encodes a COSE_Sign1's payload bstr as an
// indefinite-length byte string of one chunk.
func indefinitePayload(t *testing.T, cose []byte) []byte {
	t.Helper()
	var a coseArray
	if err := cborUnmarshal(cose[1:], &a); err != nil {
		t.Fatal(err)
	}
	var payload []byte
	if err := cborUnmarshal(a.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	var out []byte
	out = append(out, 0xd2, 0x84)
	out = append(out, cborBstr(a.Protected)...)
	out = append(out, a.Unprotected...)
	out = append(out, 0x5f)
	out = append(out, cborBstr(payload)...)
	out = append(out, 0xff)
	return append(out, cborBstr(a.Signature)...)
}

// jwsToFlattened rewrites a compact JWS as a flattened JSON serialization.
func jwsToFlattened(t *testing.T, compact string) []byte {
	t.Helper()
	p := strings.Split(compact, ".")
	b, err := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
