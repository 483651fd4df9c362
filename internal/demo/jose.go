package demo

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/lestrrat-go/jwx/v3/cert"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// SignJWS signs a compact JWS with jwx v3, an implementation independent of
// the verifier's, deterministically.
func SignJWS(payload []byte, alg string, key crypto.Signer, hdr map[string]any) ([]byte, error) {
	h := jws.NewHeaders()
	for k, v := range hdr {
		if chain, ok := v.([]string); ok && k == "x5c" {
			var c cert.Chain
			for _, der := range chain {
				if err := c.AddString(der); err != nil {
					return nil, err
				}
			}
			v = &c
		}
		if err := h.Set(k, v); err != nil {
			return nil, err
		}
	}
	a, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok {
		return nil, errUnknownAlg(alg)
	}
	return jws.Sign(payload, jws.WithKey(a, Deterministic{Signer: key}, jws.WithProtectedHeaders(h)))
}

type errUnknownAlg string

func (e errUnknownAlg) Error() string { return "demo: unknown algorithm " + string(e) }

// person is the demo's citizen.
var person = map[string]any{
	"given_name":      "Mari",
	"family_name":     "Maasikas",
	"birthdate":       "1990-05-17",
	"document_number": "EE-BC-2026-000417",
}

func claims(extra map[string]any) []byte {
	c := map[string]any{}
	for k, v := range person {
		c[k] = v
	}
	for k, v := range extra {
		c[k] = v
	}
	b, _ := json.Marshal(c)
	return b
}

// alter replaces the payload of a compact JWS with other content and keeps
// the original signature: a document changed after signing.
func alter(tok, payload []byte) []byte {
	parts := bytes.SplitN(tok, []byte{'.'}, 3)
	return []byte(string(parts[0]) + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + string(parts[2]))
}

func (w *World) joseSamples() error {
	ee := w.ECKey("issuer/" + IssuerEEPopulation)
	unknown := w.ECKey("issuer/unknown")
	birth := claims(map[string]any{
		"iss": "https://rahvastikuregister.example.ee", "vct": TypeBirthCertificate,
		"iat": Issued.Unix(), "exp": Until.Unix(),
		"place_of_birth": "Tartu",
	})
	hdr := map[string]any{"kid": KidEEPopulation, "typ": "JWT"}
	tok, err := SignJWS(birth, "ES256", ee, hdr)
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-birth-certificate.jwt", Title: "Birth certificate (Estonia)", Format: "jws-compact", Verdict: "valid",
		Description: "A birth certificate signed by the Estonian Population Register."}, tok); err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-birth-certificate-tampered.jwt", Title: "Birth certificate, altered after signing", Format: "jws-compact",
		Verdict: "invalid", Reason: "signature_invalid", Description: "The same certificate with one character of its content changed."}, alter(tok, claims(map[string]any{
		"iss": "https://rahvastikuregister.example.ee", "vct": TypeBirthCertificate,
		"iat": Issued.Unix(), "exp": Until.Unix(),
		"place_of_birth": "Tallinn",
	}))); err != nil {
		return err
	}
	expired := claims(map[string]any{
		"iss": "https://rahvastikuregister.example.ee", "vct": TypeResidenceCertificate,
		"iat": time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).Unix(), "exp": time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC).Unix(),
		"address": "Lossi plats 1a, Tallinn",
	})
	tok, err = SignJWS(expired, "ES256", ee, hdr)
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-residence-certificate-expired.jwt", Title: "Residence certificate, expired", Format: "jws-compact",
		Verdict: "invalid", Reason: "expired", Description: "A residence certificate whose validity ended on 31 December 2025."}, tok); err != nil {
		return err
	}
	tok, err = SignJWS(birth, "ES256", unknown, map[string]any{"kid": KidUnknown, "typ": "JWT"})
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "unknown-issuer.jwt", Title: "Certificate from an unknown issuer", Format: "jws-compact",
		Verdict: "indeterminate", Reason: "issuer_unknown", Description: "Well signed, but by a key no trusted issuer holds."}, tok); err != nil {
		return err
	}
	// A document that carries its signer certificate, chaining to the
	// Information System Authority's root, signed with RSA-PSS.
	leaf, err := w.riaSigner()
	if err != nil {
		return err
	}
	ria := claims(map[string]any{
		"iss": "https://ria.example.ee", "iat": Issued.Unix(), "exp": Until.Unix(),
		"document": "e-Residency digital ID card record",
	})
	tok, err = SignJWS(ria, "PS256", w.RSAKey(), map[string]any{"typ": "JWT", "x5c": []string{base64.StdEncoding.EncodeToString(leaf)}})
	if err != nil {
		return err
	}
	return w.addDocument(Sample{File: "ee-ria-certificate-chain.jwt", Title: "Record signed with a certificate (Estonia)", Format: "jws-compact",
		Verdict: "valid", Description: "Signed with RSA-PSS by a certificate that chains to the Information System Authority's root."}, tok)
}
