package hardening

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

var b64 = base64.RawURLEncoding.EncodeToString

// jose adds the JWS and SD-JWT cases.
func (b *builder) jose() {
	key, holder := b.w.ECKey("jose/issuer"), b.w.ECKey("jose/holder")
	const vct = "urn:eudi:pid:ee:1"
	trust := bundle(verifier.BundleIssuer{ID: "ee-pid", Name: "EE PID provider", Country: "EE",
		Keys: []verifier.BundleKey{keyOf(key.Public(), "ee-pid-1", "ES256")}, DocumentTypes: []string{vct}})
	open := bundle(verifier.BundleIssuer{ID: "ee-pid", Name: "EE PID provider", Country: "EE",
		Keys: []verifier.BundleKey{keyOf(key.Public(), "ee-pid-1", "ES256")}})
	iat, exp := demo.Issued.Unix(), demo.Until.Unix()
	holderJWK, _ := json.Marshal(demo.PublicJWK(holder.Public(), "", ""))
	sd := &sdBuilder{}

	// An SD-JWT VC and its presentation with a key binding JWT.
	vc := func(extra map[string]any, disclosed ...[]any) (jwt string, discs []string, err error) {
		claims := map[string]any{"iss": "https://pid.example.ee", "iat": iat, "exp": exp, "vct": vct,
			"_sd_alg": "sha-256", "cnf": map[string]any{"jwk": json.RawMessage(holderJWK)}}
		var digests []string
		for _, d := range append([][]any{{"given_name", "Mari"}}, disclosed...) {
			disc, digest := sd.disclose(d...)
			discs, digests = append(discs, disc), append(digests, digest)
		}
		claims["_sd"] = digests
		for k, v := range extra {
			if v == nil {
				delete(claims, k)
				continue
			}
			claims[k] = v
		}
		p, _ := json.Marshal(claims)
		tok, err := demo.SignJWS(p, "ES256", key, map[string]any{"kid": "ee-pid-1", "typ": "dc+sd-jwt"})
		return string(tok), discs, err
	}
	jwt, discs, err := vc(nil)
	presented := jwt + "~" + strings.Join(discs, "~") + "~"
	kb, kbErr := kbJWT(holder, presented)
	binding := verifier.Options{Holder: verifier.HolderOptions{RequireBinding: true, Audience: kbAudience, Nonce: kbNonce}}
	b.add(Case{Name: "sdjwt-kb-presentation-control", Issue: "1", Doc: []byte(presented + kb), Trust: trust, Options: binding,
		Verdict: verifier.Valid}, firstErr(err, kbErr))
	b.add(Case{Name: "sdjwt-cut-before-first-tilde-binding-required", Issue: "1", Doc: []byte(jwt), Trust: trust, Options: binding,
		Verdict: verifier.Invalid, Reason: verifier.HolderBindingInvalid}, err)
	flat, flatErr := flattened(jwt, nil)
	b.add(Case{Name: "sdjwt-json-without-disclosures-and-kb-binding-required", Issue: "1", Doc: flat, Trust: trust, Options: binding,
		Verdict: verifier.Invalid, Reason: verifier.HolderBindingInvalid}, firstErr(err, flatErr))
	b.add(Case{Name: "sdjwt-no-kb-session-transcript-given", Issue: "audit", Doc: []byte(presented), Trust: trust,
		Options: verifier.Options{Holder: verifier.HolderOptions{SessionTranscript: demo.MDocSessionTranscript}},
		Verdict: verifier.Invalid, Reason: verifier.HolderBindingInvalid}, err)

	// Claims the verifier acts on, made selectively disclosable.
	for _, name := range []string{"exp", "status"} {
		var value any = iat + 3600 // an expiry long past
		if name == "status" {
			value = map[string]any{"status_list": map[string]any{"idx": 7, "uri": "https://pid.example.ee/status/1"}}
		}
		jwt, discs, err := vc(map[string]any{name: nil}, []any{name, value})
		b.add(Case{Name: "sdjwt-" + name + "-selectively-disclosed", Issue: "8", Doc: []byte(jwt + "~" + strings.Join(discs, "~") + "~"),
			Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)
	}

	// The holder key's type named twice, once with a Kelvin sign (U+212A,
	// which folds to k): standard readers see an EC key on Ed25519, which
	// is no key; a reader that folds, as ours did, saw the evil Ed25519
	// key, and the holder binding it signed.
	evilEd := b.w.EdKey("jose/evil-ed25519")
	twoTypes := json.RawMessage(fmt.Sprintf(`{"kty":"EC","crv":"Ed25519","x":%q,"\u212Aty":"OKP"}`, b64(evilEd.Public().(ed25519.PublicKey))))
	claims, _ := json.Marshal(map[string]any{"iss": "https://pid.example.ee", "iat": iat, "exp": exp, "vct": vct,
		"given_name": "Mari", "cnf": map[string]any{"jwk": twoTypes}})
	tok, err := demo.SignJWS(claims, "ES256", key, map[string]any{"kid": "ee-pid-1", "typ": "dc+sd-jwt"})
	kb, kbErr = kbJWTWith(evilEd, "EdDSA", string(tok)+"~")
	b.add(Case{Name: "sdjwt-cnf-jwk-kelvin-sign-kty", Issue: "7", Doc: []byte(string(tok) + "~" + kb), Trust: trust,
		Verdict: verifier.Invalid, Reason: verifier.HolderBindingInvalid}, firstErr(err, kbErr))

	// A JWT for an issuer restricted to one type, typed only in the
	// unprotected header of the JSON serialization.
	jwtClaims, _ := json.Marshal(map[string]any{"iss": "https://pid.example.ee", "iat": iat, "exp": exp, "given_name": "Mari"})
	plain, err := demo.SignJWS(jwtClaims, "ES256", key, map[string]any{"kid": "ee-pid-1"})
	typed, typedErr := flattened(string(plain), map[string]any{"typ": vct})
	b.add(Case{Name: "jws-json-type-in-unprotected-header", Issue: "3", Doc: typed, Trust: trust,
		Verdict: verifier.Invalid, Reason: verifier.TypeNotAllowed}, firstErr(err, typedErr))

	// Content given beside a JWS that carries its own: the user's file
	// would never be checked.
	b.add(Case{Name: "jws-payload-embedded-and-detached", Issue: "4", Doc: plain, Trust: open,
		Options: verifier.Options{Payload: []byte("the user's file")}, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)
	b.add(Case{Name: "sdjwt-with-detached-payload", Issue: "4", Doc: []byte(presented), Trust: trust,
		Options: verifier.Options{Payload: []byte("the user's file")}, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)
	b.add(Case{Name: "jws-external-aad", Issue: "audit", Doc: plain, Trust: open,
		Options: verifier.Options{ExternalAAD: []byte("bound to this request")}, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)
	b.add(Case{Name: "jwt-holder-binding-required", Issue: "1", Doc: plain, Trust: open,
		Options: verifier.Options{Holder: verifier.HolderOptions{RequireBinding: true}}, Verdict: verifier.Invalid, Reason: verifier.HolderBindingInvalid}, err)
}

// The key binding JWT's audience and nonce.
const (
	kbAudience = "https://verifier.example.lu"
	kbNonce    = "n-4711"
)

// kbJWT is a key binding JWT by holder over the presented SD-JWT.
func kbJWT(holder *ecdsa.PrivateKey, presented string) (string, error) {
	return kbJWTWith(holder, "ES256", presented)
}

func kbJWTWith(holder crypto.Signer, alg, presented string) (string, error) {
	sum := sha256.Sum256([]byte(presented))
	p, _ := json.Marshal(map[string]any{"iat": At.Unix() - 30, "aud": kbAudience, "nonce": kbNonce, "sd_hash": b64(sum[:])})
	tok, err := demo.SignJWS(p, alg, holder, map[string]any{"typ": "kb+jwt"})
	return string(tok), err
}

// flattened turns a compact JWS into the flattened JSON serialization,
// with header as its unprotected header (none when nil).
func flattened(compact string, header map[string]any) ([]byte, error) {
	p := strings.Split(compact, ".")
	if len(p) != 3 {
		return nil, fmt.Errorf("hardening: not a compact JWS")
	}
	m := map[string]any{"protected": p[0], "payload": p[1], "signature": p[2]}
	if header != nil {
		m["header"] = header
	}
	return json.Marshal(m)
}

// sdBuilder makes SD-JWT disclosures with salts that are fixed by their
// order, so that the documents are deterministic.
type sdBuilder struct{ n int }

// disclose returns a disclosure of arr (name and value, or a value) and
// its digest.
func (s *sdBuilder) disclose(arr ...any) (string, string) {
	s.n++
	raw, err := json.Marshal(append([]any{fmt.Sprintf("salt-%04d", s.n)}, arr...))
	if err != nil {
		panic(err)
	}
	d := b64(raw)
	sum := sha256.Sum256([]byte(d))
	return d, b64(sum[:])
}

// SignES256 signs a compact JWS with header as its protected header,
// written here rather than by jwx, which refuses some hostile headers (an
// x5c of more than ten certificates).
func SignES256(key *ecdsa.PrivateKey, header map[string]any, payload []byte) ([]byte, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	in := b64(h) + "." + b64(payload)
	sum := sha256.Sum256([]byte(in))
	der, err := demo.Deterministic{Signer: key}.Sign(nil, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, err
	}
	return []byte(in + "." + b64(append(rs.R.FillBytes(make([]byte, 32)), rs.S.FillBytes(make([]byte, 32))...))), nil
}
