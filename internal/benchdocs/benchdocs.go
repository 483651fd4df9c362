// Package benchdocs makes the documents that benchmarks and bulk runs
// verify: one valid JWS per algorithm (ES256, EdDSA, RS256, PS256) and an
// ES256 COSE_Sign1, with the trust bundle that names their keys, all
// deterministic from the demo world's seed. It issues documents, so it
// lives outside verifier/.
package benchdocs

import (
	"crypto"
	"encoding/json"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// At is a verification time at which every document is valid.
var At = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Doc is one benchmark document.
type Doc struct {
	Name string // ES256-JWS, EdDSA-JWS, RS256-JWS, PS256-JWS, ES256-COSE
	Data []byte
}

// Set is the documents and the trust bundle (JSON) that verifies them.
type Set struct {
	Trust []byte
	Docs  []Doc
}

// Make builds the set from the demo world's seed.
func Make() (*Set, error) {
	w := &demo.World{Seed: demo.DefaultSeed}
	ec, ed, rsa := w.ECKey("bench/es256"), w.EdKey("bench/eddsa"), w.RSAKey()
	window := func(j verifier.JWK) verifier.BundleKey {
		return verifier.BundleKey{JWK: j, NotBefore: "2025-01-01T00:00:00Z", NotAfter: "2037-01-01T00:00:00Z"}
	}
	bundle := verifier.Bundle{
		TrustBundle: verifier.TrustBundleVersion, Operator: "Apostille benchmark trust", Sequence: 1,
		Issuers: []verifier.BundleIssuer{{
			ID: "bench", Name: "Benchmark issuer", Country: "EE",
			Keys: []verifier.BundleKey{
				window(demo.PublicJWK(ec.Public(), "bench-es256", "ES256")),
				window(demo.PublicJWK(ed.Public(), "bench-eddsa", "EdDSA")),
				window(demo.PublicJWK(rsa.Public(), "bench-rs256", "RS256")),
				window(demo.PublicJWK(rsa.Public(), "bench-ps256", "PS256")),
			},
		}},
	}
	trust, err := json.Marshal(bundle)
	if err != nil {
		return nil, err
	}
	claims, _ := json.Marshal(map[string]any{
		"iss": "https://bench.example", "iat": demo.Issued.Unix(), "exp": demo.Until.Unix(),
		"given_name": "Mari", "family_name": "Maasikas", "birthdate": "1990-05-17",
		"document_number": "EE-BENCH-000001",
	})
	s := &Set{Trust: trust}
	jws := []struct {
		name, alg, kid string
		key            crypto.Signer
	}{
		{"ES256-JWS", "ES256", "bench-es256", ec},
		{"EdDSA-JWS", "EdDSA", "bench-eddsa", ed},
		{"RS256-JWS", "RS256", "bench-rs256", rsa},
		{"PS256-JWS", "PS256", "bench-ps256", rsa},
	}
	for _, j := range jws {
		tok, err := demo.SignJWS(claims, j.alg, j.key, map[string]any{"kid": j.kid, "typ": "JWT"})
		if err != nil {
			return nil, err
		}
		s.Docs = append(s.Docs, Doc{j.name, tok})
	}
	cwt := map[any]any{1: "https://bench.example", 6: demo.Issued.Unix(), 4: demo.Until.Unix(),
		"given_name": "Mari", "family_name": "Maasikas", "birthdate": "1990-05-17"}
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	payload, err := em.Marshal(cwt)
	if err != nil {
		return nil, err
	}
	c, err := demo.SignCOSE(payload, cose.AlgorithmES256, ec, nil, map[any]any{cose.HeaderLabelKeyID: []byte("bench-es256")})
	if err != nil {
		return nil, err
	}
	s.Docs = append(s.Docs, Doc{"ES256-COSE", c})
	return s, nil
}
