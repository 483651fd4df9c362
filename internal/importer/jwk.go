// Package importer turns the trust material issuers already publish — JWK
// Sets, PEM/DER certificates, the EU DCC signer-certificate list, IACA
// certificates, c2sp.org/tlog-policy files — into trust bundle v1 entries
// (verifier.BundleIssuer and friends). `apostille trust build` uses it.
package importer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/apostille/apostille/verifier"
)

// PublicJWK writes a public key as a JWK with kid and alg.
func PublicJWK(pub crypto.PublicKey, kid, alg string) verifier.JWK {
	b := base64.RawURLEncoding.EncodeToString
	j := verifier.JWK{Kid: kid, Alg: alg, Use: "sig"}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		j.Kty, j.Crv = "EC", k.Curve.Params().Name
		point, err := k.Bytes() // 04 || X || Y
		if err != nil {
			panic(err)
		}
		j.X = b(point[1 : 1+size])
		j.Y = b(point[1+size:])
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b(k)
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b(k.N.Bytes()), b(big.NewInt(int64(k.E)).Bytes())
	}
	return j
}

// DefaultAlg is the algorithm a key is trusted for when its source does not
// say: the one its type or curve implies; RSA keys take PS256 (as the EU DCC
// does), since an RSA key could otherwise serve six algorithms.
func DefaultAlg(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
	case ed25519.PublicKey:
		return "EdDSA", nil
	case *rsa.PublicKey:
		return "PS256", nil
	}
	return "", fmt.Errorf("importer: key type %T not supported", pub)
}

// Thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of a
// public JWK: a key identifier that follows from the key alone.
func Thumbprint(j verifier.JWK) string {
	var members any
	switch j.Kty {
	case "EC":
		members = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
		}{j.Crv, j.Kty, j.X, j.Y}
	case "OKP":
		members = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
		}{j.Crv, j.Kty, j.X}
	default:
		members = struct {
			E   string `json:"e"`
			Kty string `json:"kty"`
			N   string `json:"n"`
		}{j.E, j.Kty, j.N}
	}
	b, _ := json.Marshal(members)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
