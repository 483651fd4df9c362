package verifier_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/apostille/apostille/verifier"
)

// ExampleVerify trusts one issuer key, signs a JWT with it and verifies it,
// then verifies a copy whose claims were altered after signing.
func ExampleVerify() {
	b64 := base64.RawURLEncoding.EncodeToString

	// The issuer's key. Its public half goes into the trust; a trust bundle
	// (docs/trust-bundle.md) would name the issuer and fix the algorithm.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	point, _ := key.PublicKey.Bytes() // 0x04 || x || y
	bundle := fmt.Sprintf(`{"trust_bundle":"v1","issuers":[{
		"id":"ee-rr","name":"Population Register","country":"EE",
		"keys":[{"jwk":{"kty":"EC","crv":"P-256","kid":"rr-2026","alg":"ES256","x":%q,"y":%q}}]}]}`,
		b64(point[1:33]), b64(point[33:]))
	trust, err := verifier.ParseTrust("example", []byte(bundle))
	if err != nil {
		panic(err)
	}

	// The document: a JWT signed with ES256 (signature r||s, RFC 7518).
	sign := func(claims string) []byte {
		input := b64([]byte(`{"alg":"ES256","kid":"rr-2026","typ":"JWT"}`)) + "." + b64([]byte(claims))
		digest := sha256.Sum256([]byte(input))
		r, s, _ := ecdsa.Sign(rand.Reader, key, digest[:])
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return []byte(input + "." + b64(sig))
	}
	doc := sign(`{"iss":"ee-rr","given_name":"Mari","family_name":"Maasikas","iat":1767225600,"exp":1798761600}`)

	// Verify: the time is an input; the verifier never reads a clock.
	opts := verifier.Options{Trust: trust, Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	rep := verifier.Verify(doc, opts)
	fmt.Println(rep.Verdict, rep.Document.Issuer.Name, rep.Document.Issuer.Country, rep.Document.Subject.Name)

	// One character of the claims changed after signing.
	tampered := bytes.Clone(doc)
	i := bytes.IndexByte(tampered, '.') + 10
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	rep = verifier.Verify(tampered, opts)
	fmt.Println(rep.Verdict, rep.Reason)

	// Output:
	// valid Population Register EE Mari Maasikas
	// invalid signature_invalid
}
