package demo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/apostille/apostille/verifier"
)

// sdBuilder makes SD-JWT disclosures (RFC 9901 section 4.2) with salts
// derived from the world's seed.
type sdBuilder struct {
	w     *World
	discs []string
}

func (b *sdBuilder) add(arr []any) string {
	salt := base64.RawURLEncoding.EncodeToString(b.w.derive(fmt.Sprintf("sd-jwt salt %d", len(b.discs)), 16))
	raw, err := json.Marshal(append([]any{salt}, arr...))
	if err != nil {
		panic(err)
	}
	d := base64.RawURLEncoding.EncodeToString(raw)
	b.discs = append(b.discs, d)
	sum := sha256.Sum256([]byte(d))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// object hides every member of m behind a digest in _sd, sorted.
func (b *sdBuilder) object(m map[string]any) map[string]any {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var sd []string
	for _, k := range names {
		sd = append(sd, b.add([]any{k, m[k]}))
	}
	sort.Strings(sd)
	return map[string]any{"_sd": sd}
}

// element hides an array element.
func (b *sdBuilder) element(v any) map[string]any { return map[string]any{"...": b.add([]any{v})} }

func (w *World) sdjwtSamples() error {
	key := w.ECKey("issuer/" + IssuerEEPID)
	holder := w.ECKey("holder/pid-wallet")
	w.Bundle.Issuers = append(w.Bundle.Issuers, verifier.BundleIssuer{
		ID: IssuerEEPID, Name: "Riigi Infosüsteemi Amet, PID provider", Country: "EE",
		Keys:          []verifier.BundleKey{w.bundleKey(key.Public(), KidEEPID, "ES256")},
		DocumentTypes: []string{TypePID},
	})
	b := &sdBuilder{w: w}
	claims := b.object(map[string]any{"given_name": "Mari", "family_name": "Maasikas", "birthdate": "1990-05-17", "personal_administrative_number": "49005172718"})
	address := b.object(map[string]any{"street_address": "Lossi plats 1a", "locality": "Tallinn", "country": "EE"})
	claims["_sd"] = append(claims["_sd"].([]string), b.add([]any{"address", address}))
	claims["_sd"] = append(claims["_sd"].([]string), b.add([]any{"age_equal_or_over", b.object(map[string]any{"18": true, "65": false})}))
	sort.Strings(claims["_sd"].([]string))
	claims["nationalities"] = []any{b.element("EE")}
	hj := PublicJWK(holder.Public(), "", "")
	hj.Use = ""
	for k, v := range map[string]any{
		"vct": TypePID, "iss": "https://pid.example.ee", "iat": Issued.Unix(), "exp": Until.Unix(),
		"issuing_country": "EE", "_sd_alg": "sha-256", "cnf": map[string]any{"jwk": hj},
	} {
		claims[k] = v
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return err
	}
	jwt, err := SignJWS(payload, "ES256", key, map[string]any{"typ": "dc+sd-jwt", "kid": KidEEPID})
	if err != nil {
		return err
	}
	// The holder discloses all but the personal code, then binds the
	// presentation to a verifier's request.
	var shown []string
	for _, d := range b.discs {
		if raw, _ := base64.RawURLEncoding.DecodeString(d); !strings.Contains(string(raw), "personal_administrative_number") {
			shown = append(shown, d)
		}
	}
	present := func(discs []string) ([]byte, error) {
		sdjwt := string(jwt) + "~" + strings.Join(discs, "~") + "~"
		sum := sha256.Sum256([]byte(sdjwt))
		kb, err := json.Marshal(map[string]any{"iat": Issued.Unix(), "aud": "https://verifier.example.lu", "nonce": "demo-nonce-2026",
			"sd_hash": base64.RawURLEncoding.EncodeToString(sum[:])})
		if err != nil {
			return nil, err
		}
		kbJWT, err := SignJWS(kb, "ES256", holder, map[string]any{"typ": "kb+jwt"})
		return append([]byte(sdjwt), kbJWT...), err
	}
	doc, err := present(shown)
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-pid.sd-jwt", Title: "Person identification data, SD-JWT VC (Estonia)", Format: "sd-jwt", Verdict: "valid",
		Description: "An EU wallet PID presentation disclosing name, birth date, address and age, not the personal code, bound to the holder's key."}, doc); err != nil {
		return err
	}
	forged := append([]string(nil), shown...)
	for i, d := range forged {
		if raw, _ := base64.RawURLEncoding.DecodeString(d); strings.Contains(string(raw), `"birthdate"`) {
			forged[i] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "1990", "1980", 1)))
		}
	}
	if doc, err = present(forged); err != nil {
		return err
	}
	return w.addDocument(Sample{File: "ee-pid-tampered.sd-jwt", Title: "PID with an altered birth date", Format: "sd-jwt", Verdict: "invalid", Reason: "disclosure_mismatch",
		Description: "The holder changed the disclosed birth year: the disclosure no longer matches any digest the issuer signed."}, doc)
}
