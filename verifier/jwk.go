package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"unsafe"
)

// JWK is the public part of a JSON Web Key (RFC 7517) as a trust entry
// carries it. Only public signature keys are accepted: a private member, a
// symmetric key, "use" other than "sig" or "key_ops" without "verify" make
// the key unusable.
type JWK struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	X5c    []string `json:"x5c,omitempty"`

	// Private or symmetric members; their presence is an error.
	D string `json:"d,omitempty"`
	P string `json:"p,omitempty"`
	Q string `json:"q,omitempty"`
	K string `json:"k,omitempty"`
}

// errPrivateKey says that a trust entry carries private key material.
var errPrivateKey = errors.New("jwk: private or symmetric key material in a trust entry")

// b64url decodes unpadded base64url strictly (RFC 7515 section 2).
func b64url(s string) ([]byte, error) {
	dst := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
	if n, ok := decodeB64URL(dst, unsafe.Slice(unsafe.StringData(s), len(s))); ok {
		return dst[:n], nil
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// b64urlBytes is b64url for bytes, without copying them into a string
// first.
func b64urlBytes(src []byte) ([]byte, error) {
	return b64urlInto(make([]byte, base64.RawURLEncoding.DecodedLen(len(src))), src)
}

// b64urlInto is b64urlBytes into dst, of DecodedLen(len(src)) bytes.
func b64urlInto(dst, src []byte) ([]byte, error) {
	if n, ok := decodeB64URL(dst, src); ok {
		return dst[:n], nil
	}
	n, err := base64.RawURLEncoding.Strict().Decode(dst, src)
	return dst[:n], err
}

// PublicKey returns the key the JWK describes, checking that it is a valid
// public signature key.
func (j *JWK) PublicKey() (crypto.PublicKey, error) {
	if j.D != "" || j.P != "" || j.Q != "" || j.K != "" {
		return nil, errPrivateKey
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, fmt.Errorf("jwk: use %q is not sig", clip(j.Use))
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return nil, errors.New("jwk: key_ops does not allow verify")
	}
	var pub crypto.PublicKey
	switch j.Kty {
	case "EC":
		var curve elliptic.Curve
		switch j.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("jwk: unsupported curve %q", clip(j.Crv))
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err1 := b64url(j.X)
		y, err2 := b64url(j.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, errors.New("jwk: bad EC coordinates")
		}
		point := append(append([]byte{4}, x...), y...)
		k, err := ecdsa.ParseUncompressedPublicKey(curve, point)
		if err != nil {
			return nil, errors.New("jwk: EC point not on curve")
		}
		pub = k
	case "OKP":
		if j.Crv == "Ed448" {
			k, err := ed448Key(j.X)
			if err != nil {
				return nil, err
			}
			pub = k
			break
		}
		if j.Crv != "Ed25519" {
			return nil, fmt.Errorf("jwk: unsupported OKP curve %q", clip(j.Crv))
		}
		x, err := b64url(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("jwk: bad Ed25519 key")
		}
		pub = ed25519.PublicKey(x)
	case "RSA":
		n, err1 := b64url(j.N)
		e, err2 := b64url(j.E)
		if err1 != nil || err2 != nil || len(n) == 0 || n[0] == 0 || len(e) == 0 || len(e) > 4 || e[0] == 0 {
			return nil, errors.New("jwk: bad RSA key encoding")
		}
		ev := int(new(big.Int).SetBytes(e).Int64())
		if ev < 3 || ev%2 == 0 {
			return nil, errors.New("jwk: bad RSA public exponent")
		}
		k := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("jwk: RSA key of %d bits is too small", k.N.BitLen())
		}
		if rocaVulnerable(k.N) {
			return nil, errors.New("jwk: RSA key with the ROCA weakness (CVE-2017-15361)")
		}
		pub = k
	case "oct":
		return nil, errPrivateKey
	default:
		return nil, fmt.Errorf("jwk: unsupported kty %q", clip(j.Kty))
	}
	if len(j.X5c) > 0 {
		cert, err := j.certificate()
		if err != nil {
			return nil, err
		}
		if !publicKeysEqual(cert.PublicKey, pub) {
			return nil, errors.New("jwk: x5c certificate does not hold this key")
		}
	}
	return pub, nil
}

// certificate returns the first x5c certificate, if any.
func (j *JWK) certificate() (*x509.Certificate, error) {
	if len(j.X5c) == 0 {
		return nil, nil
	}
	der, err := base64.StdEncoding.DecodeString(j.X5c[0])
	if err != nil {
		return nil, errors.New("jwk: bad x5c encoding")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errors.New("jwk: bad x5c certificate")
	}
	return cert, nil
}

// publicKeysEqual compares two public keys of any supported type.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// ParseJWK parses one JWK.
func ParseJWK(data []byte) (*JWK, error) {
	var j JWK
	if err := strictUnmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("jwk: %w", err)
	}
	return &j, nil
}

// jwkSet is a JWK Set (RFC 7517 section 5).
type jwkSet struct {
	Keys []json.RawMessage `json:"keys"`
}
