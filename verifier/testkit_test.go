package verifier

// Test kit: keys, trust and signed documents built with the standard library
// only, so that the tests of verifier/ depend on nothing that issues
// documents (internal/demo imports verifier; it cannot be imported here).

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
)

// testTime is the verification time of tests that do not say otherwise.
var testTime = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// testKey is a signing key with the identity a trust entry gives it.
type testKey struct {
	kid  string
	alg  Alg
	priv crypto.Signer
}

func (k *testKey) public() crypto.PublicKey { return k.priv.Public() }

var rsaKeyCache struct {
	sync.Mutex
	keys map[int]*rsa.PrivateKey
}

// newEd448Key makes a fresh Ed448 key (JOSE alg EdDSA, COSE -8).
func newEd448Key(t testing.TB, kid string) *testKey {
	t.Helper()
	_, priv, err := ed448.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{kid: kid, alg: EdDSA, priv: priv}
}

// newTestKey makes a fresh key for alg. RSA keys are generated once per size
// and shared, because generating them is slow.
func newTestKey(t testing.TB, kid string, alg Alg) *testKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ES384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ES512:
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case RS256, RS384, RS512, PS256, PS384, PS512:
		priv = sharedRSAKey(t, 2048)
	default:
		t.Fatalf("no test key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{kid: kid, alg: alg, priv: priv}
}

func sharedRSAKey(t testing.TB, bits int) *rsa.PrivateKey {
	rsaKeyCache.Lock()
	defer rsaKeyCache.Unlock()
	if k := rsaKeyCache.keys[bits]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	if rsaKeyCache.keys == nil {
		rsaKeyCache.keys = map[int]*rsa.PrivateKey{}
	}
	rsaKeyCache.keys[bits] = k
	return k
}

// sign signs msg as JWS and COSE encode signatures: ECDSA as r||s of the
// curve's size, Ed25519 plain, RSA PKCS#1 v1.5 or PSS (salt = hash size).
func (k *testKey) sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	info := algs[k.alg]
	var digest []byte
	if info.hash != 0 {
		h := info.hash.New()
		h.Write(msg)
		digest = h.Sum(nil)
	}
	switch p := k.priv.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, p, digest)
		if err != nil {
			t.Fatal(err)
		}
		size := (p.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out
	case ed25519.PrivateKey:
		return ed25519.Sign(p, msg)
	case ed448.PrivateKey:
		return ed448.Sign(p, msg, "")
	case *rsa.PrivateKey:
		var sig []byte
		var err error
		if info.family == 'P' {
			sig, err = rsa.SignPSS(rand.Reader, p, info.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, p, info.hash, digest)
		}
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	t.Fatalf("cannot sign with %T", k.priv)
	return nil
}

// jwk is the public JWK a trust entry holds for the key.
func (k *testKey) jwk(t testing.TB) map[string]any {
	t.Helper()
	m := publicJWK(t, k.public())
	m["kid"] = k.kid
	m["alg"] = string(k.alg)
	return m
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicJWK encodes a public key as a JWK without kid or alg.
func publicJWK(t testing.TB, pub crypto.PublicKey) map[string]any {
	t.Helper()
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		raw, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"kty": "EC", "crv": p.Curve.Params().Name, "x": b64(raw[1 : 1+size]), "y": b64(raw[1+size:])}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(p)}
	case ed448.PublicKey:
		return map[string]any{"kty": "OKP", "crv": "Ed448", "x": b64(p)}
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "n": b64(p.N.Bytes()), "e": b64(big.NewInt(int64(p.E)).Bytes())}
	}
	t.Fatalf("no JWK for %T", pub)
	return nil
}

// issuerSpec is one issuer of a test trust bundle.
type issuerSpec struct {
	id, name, country string
	keys              []*testKey
	anchors           [][]byte // DER
	docTypes          []string
}

// trustBundle builds a trust bundle v1 as JSON and parses it with
// ParseTrust, so that tests exercise the path real trust takes.
func trustBundle(t testing.TB, issuers ...issuerSpec) *Trust {
	t.Helper()
	var list []map[string]any
	for _, is := range issuers {
		var keys []map[string]any
		for _, k := range is.keys {
			keys = append(keys, map[string]any{"jwk": k.jwk(t)})
		}
		var anchors []string
		for _, a := range is.anchors {
			anchors = append(anchors, base64.StdEncoding.EncodeToString(a))
		}
		list = append(list, map[string]any{
			"id": is.id, "name": is.name, "country": is.country,
			"keys": keys, "anchors": anchors, "document_types": is.docTypes,
		})
	}
	b, err := json.Marshal(map[string]any{"trust_bundle": "v1", "issuers": list})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseTrust("test", b)
	if err != nil {
		t.Fatalf("ParseTrust: %v", err)
	}
	return tr
}

// trustOf trusts the given keys as one issuer, "Test Authority" (EE).
func trustOf(t testing.TB, keys ...*testKey) *Trust {
	t.Helper()
	return trustBundle(t, issuerSpec{id: "test", name: "Test Authority", country: "EE", keys: keys})
}

// jwsWith signs a compact JWS whose protected header is exactly header (raw
// JSON) and whose payload segment is exactly payloadSeg.
func jwsWith(t testing.TB, k *testKey, header []byte, payloadSeg string) string {
	t.Helper()
	in := b64(header) + "." + payloadSeg
	return in + "." + b64(k.sign(t, []byte(in)))
}

// signJWS signs payload as a compact JWS with alg and kid of k and any
// extra header parameters.
func signJWS(t testing.TB, k *testKey, extra map[string]any, payload []byte) string {
	t.Helper()
	h := map[string]any{"alg": string(k.alg), "kid": k.kid}
	for name, v := range extra {
		if v == nil {
			delete(h, name)
			continue
		}
		h[name] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return jwsWith(t, k, hb, b64(payload))
}

// jwtClaimsJSON marshals claims for a JWT payload.
func jwtClaimsJSON(t testing.TB, claims map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// coseAlgNumber is the COSE number of a JOSE algorithm name.
func coseAlgNumber(a Alg) int64 {
	for n, x := range coseAlgs {
		if x == a && n != -19 {
			return n
		}
	}
	return 0
}

// signCOSEWith builds a tagged COSE_Sign1 with protected header bytes
// exactly as given, signed over Sig_structure with external AAD aad.
func signCOSEWith(t testing.TB, k *testKey, protected []byte, unprotected map[any]any, payload, aad []byte) []byte {
	t.Helper()
	if aad == nil {
		aad = []byte{}
	}
	tbs, err := cborEnc.Marshal([]any{"Signature1", protected, aad, payload})
	if err != nil {
		t.Fatal(err)
	}
	if unprotected == nil {
		unprotected = map[any]any{}
	}
	msg, err := cborEnc.Marshal([]any{protected, unprotected, payload, k.sign(t, tbs)})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0xd2}, msg...)
}

// signCOSE signs payload as a tagged COSE_Sign1 with alg protected and the
// kid of k unprotected.
func signCOSE(t testing.TB, k *testKey, payload []byte) []byte {
	t.Helper()
	prot, err := cborEnc.Marshal(map[any]any{int64(labelAlg): coseAlgNumber(k.alg)})
	if err != nil {
		t.Fatal(err)
	}
	return signCOSEWith(t, k, prot, map[any]any{int64(labelKid): []byte(k.kid)}, payload, nil)
}

// cwtPayload encodes CWT claims (RFC 8392 integer keys).
func cwtPayload(t testing.TB, claims map[any]any) []byte {
	t.Helper()
	b, err := cborEnc.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantReport fails the test unless rep has the verdict and reason.
func wantReport(t testing.TB, rep *Report, verdict Verdict, reason Reason) {
	t.Helper()
	if rep.Verdict != verdict || rep.Reason != reason {
		t.Errorf("got %s/%s, want %s/%s\nchecks: %+v", rep.Verdict, rep.Reason, verdict, reason, rep.Checks)
	}
}
