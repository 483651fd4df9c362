// Package trustlist is the trust-list operator's side of signed trust
// bundles, and the host's: operator keys, signing, the state that refuses
// rollbacks, and safe updates over HTTPS. Verification of a bundle itself is
// verifier.OpenBundle, the same in every host.
package trustlist

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/verifier"
)

// Key is an operator's signing key with the kid and alg its public JWK
// names.
type Key struct {
	Signer crypto.Signer
	Kid    string
	Alg    string
}

// NewKey wraps a private key; the kid is the RFC 7638 thumbprint of its
// public key.
func NewKey(priv crypto.Signer) (*Key, error) {
	alg, err := importer.DefaultAlg(priv.Public())
	if err != nil {
		return nil, err
	}
	if alg != "EdDSA" && alg != "ES256" {
		return nil, fmt.Errorf("trustlist: operator keys are Ed25519 or P-256, not %s", alg)
	}
	k := &Key{Signer: priv, Alg: alg}
	k.Kid = importer.Thumbprint(importer.PublicJWK(priv.Public(), "", alg))
	return k, nil
}

// GenerateKey makes a new operator key: Ed25519, or P-256 for alg "ES256".
func GenerateKey(alg string, random io.Reader) (*Key, error) {
	switch alg {
	case "", "EdDSA":
		_, priv, err := ed25519.GenerateKey(random)
		if err != nil {
			return nil, err
		}
		return NewKey(priv)
	case "ES256":
		priv, err := ecdsa.GenerateKey(elliptic.P256(), random)
		if err != nil {
			return nil, err
		}
		return NewKey(priv)
	}
	return nil, fmt.Errorf("trustlist: operator key algorithm %q: use EdDSA or ES256", alg)
}

// PublicJWK is the key to pin: a public JWK with kid and alg.
func (k *Key) PublicJWK() ([]byte, error) {
	j := importer.PublicJWK(k.Signer.Public(), k.Kid, k.Alg)
	b, err := json.MarshalIndent(j, "", "  ")
	return append(b, '\n'), err
}

// Operator is the verifier's view of the key, for tests and tools.
func (k *Key) Operator() (*verifier.OperatorKey, error) {
	b, err := k.PublicJWK()
	if err != nil {
		return nil, err
	}
	return verifier.ParseOperatorKey(b)
}

// MarshalPrivate writes the private key as PKCS#8 PEM.
func (k *Key) MarshalPrivate() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivate reads a PKCS#8 PEM operator key.
func ParsePrivate(data []byte) (*Key, error) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("trustlist: not a PKCS#8 PEM private key")
	}
	priv, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("trustlist: %w", err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, errors.New("trustlist: not a signing key")
	}
	return NewKey(s)
}
