package verifier

import (
	"crypto"
	"errors"

	"github.com/cloudflare/circl/sign/ed448"
)

// Ed448 (RFC 8032) is EdDSA over Curve448: JOSE "EdDSA" with an OKP key of
// crv "Ed448" (RFC 8037), COSE alg -8 with such a key (RFC 9053). The
// standard library has no Ed448, so it comes from github.com/cloudflare/circl
// (sign/ed448 adds 21-28 KB brotli to the wasip1 module). Only the pure
// variant with an empty context is accepted, as JOSE and COSE define it.

// ed448Verify checks a pure Ed448 signature with an empty context.
func ed448Verify(pub ed448.PublicKey, msg, sig []byte) error {
	if len(sig) != ed448.SignatureSize || !ed448.Verify(pub, msg, sig, "") {
		return errors.New("ed448: invalid signature")
	}
	return nil
}

// ed448Key reads the x member of an Ed448 JWK.
func ed448Key(x string) (crypto.PublicKey, error) {
	b, err := b64url(x)
	if err != nil || len(b) != ed448.PublicKeySize {
		return nil, errors.New("jwk: bad Ed448 key")
	}
	return ed448.PublicKey(b), nil
}

// isEd448 reports whether pub is an Ed448 public key of the right size.
func isEd448(pub crypto.PublicKey) bool {
	k, ok := pub.(ed448.PublicKey)
	return ok && len(k) == ed448.PublicKeySize
}
