package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"sync"
)

// marshalSPKI is x509.MarshalPKIXPublicKey, the same bytes, for the keys
// documents carry themselves (an SD-JWT's holder key, one per document):
// an EC or Ed25519 SubjectPublicKeyInfo is a fixed prefix per curve and
// the key, where crypto/x509 marshals it through encoding/asn1's
// reflection, dear inside the WebAssembly module. The prefixes are
// crypto/x509's own, taken once from a key of each curve.
func marshalSPKI(pub crypto.PublicKey) ([]byte, error) {
	var prefix, key []byte
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		p, ok := spkiPrefixes()[k.Curve]
		if !ok {
			break
		}
		b, err := k.Bytes()
		if err != nil {
			break
		}
		prefix, key = p, b
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			prefix, key = spkiPrefixes()[nil], k
		}
	}
	if prefix == nil {
		return x509.MarshalPKIXPublicKey(pub)
	}
	return append(append(make([]byte, 0, len(prefix)+len(key)), prefix...), key...), nil
}

// spkiPrefixes are the SubjectPublicKeyInfo bytes before the key, by
// curve (nil for Ed25519), as crypto/x509 writes them.
var spkiPrefixes = sync.OnceValue(func() map[elliptic.Curve][]byte {
	m := map[elliptic.Curve][]byte{}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		// The curve's generator is a valid point of it.
		size := (c.Params().BitSize + 7) / 8
		point := append([]byte{4}, c.Params().Gx.FillBytes(make([]byte, size))...)
		point = append(point, c.Params().Gy.FillBytes(make([]byte, size))...)
		k, err := ecdsa.ParseUncompressedPublicKey(c, point)
		if err != nil {
			continue
		}
		if der, err := x509.MarshalPKIXPublicKey(k); err == nil && len(der) > len(point) {
			m[c] = der[:len(der)-len(point)]
		}
	}
	if der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))); err == nil {
		m[nil] = der[:len(der)-ed25519.PublicKeySize]
	}
	return m
})
