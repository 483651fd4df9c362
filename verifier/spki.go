package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
)

// The DER a key's SubjectPublicKeyInfo starts with, for the keys a holder
// or a device presents (RFC 5480, RFC 8410): the rest is the key itself.
// x509.MarshalPKIXPublicKey builds the same bytes through encoding/asn1's
// reflection, a tenth of an SD-JWT's time in the module; it stays the
// path for every other key (TestPublicKeySPKI holds the two together).
var (
	spkiP256    = []byte{0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00}
	spkiP384    = []byte{0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00}
	spkiP521    = []byte{0x30, 0x81, 0x9b, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23, 0x03, 0x81, 0x86, 0x00}
	spkiEd25519 = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}
)

// publicKeySPKI is x509.MarshalPKIXPublicKey(pub).
func publicKeySPKI(pub crypto.PublicKey) ([]byte, error) {
	var prefix, key []byte
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			prefix = spkiP256
		case elliptic.P384():
			prefix = spkiP384
		case elliptic.P521():
			prefix = spkiP521
		}
		if prefix != nil {
			var err error
			if key, err = k.Bytes(); err != nil {
				prefix = nil
			}
		}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			prefix, key = spkiEd25519, k
		}
	}
	if prefix == nil {
		return x509.MarshalPKIXPublicKey(pub)
	}
	return append(append(make([]byte, 0, len(prefix)+len(key)), prefix...), key...), nil
}
