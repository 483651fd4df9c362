package verifier

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"strings"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/lestrrat-go/dsig"
)

// Alg is a signature algorithm, by its JOSE name (RFC 7518, RFC 8037).
// COSE algorithm numbers map onto the same names.
type Alg string

const (
	ES256 Alg = "ES256"
	ES384 Alg = "ES384"
	ES512 Alg = "ES512"
	EdDSA Alg = "EdDSA"
	RS256 Alg = "RS256"
	RS384 Alg = "RS384"
	RS512 Alg = "RS512"
	PS256 Alg = "PS256"
	PS384 Alg = "PS384"
	PS512 Alg = "PS512"
	// RS1 is RSA PKCS#1 v1.5 with SHA-1 (the name WebCrypto gives it), in
	// pkiAlgs only: see there.
	RS1 Alg = "RS1"
	// RS224, PS224, ES1 and ES224 are XML Signature methods (RFC 6931)
	// that no JOSE name covers; in pkiAlgs only, like RS1.
	RS224 Alg = "RS224"
	PS224 Alg = "PS224"
	ES1   Alg = "ES1"
	ES224 Alg = "ES224"
)

// minRSABits is the smallest RSA modulus accepted for any key.
const minRSABits = 2048

// algInfo describes how an algorithm is checked.
type algInfo struct {
	hash   crypto.Hash
	family byte // 'E' ECDSA, 'O' EdDSA, 'R' RSA PKCS#1 v1.5, 'P' RSA-PSS
}

var algs = map[Alg]algInfo{
	ES256: {crypto.SHA256, 'E'},
	ES384: {crypto.SHA384, 'E'},
	ES512: {crypto.SHA512, 'E'},
	EdDSA: {0, 'O'},
	RS256: {crypto.SHA256, 'R'},
	RS384: {crypto.SHA384, 'R'},
	RS512: {crypto.SHA512, 'R'},
	PS256: {crypto.SHA256, 'P'},
	PS384: {crypto.SHA384, 'P'},
	PS512: {crypto.SHA512, 'P'},
}

// pkiAlgs are algorithms that only the PKI structures around a signature
// use, OCSP responses and time-stamp tokens of DigiDoc containers (ocsp.go,
// timestamp.go), which were signed with SHA-1 for years, and the XAdES
// signature methods no JOSE name covers (xmldsig.go); the caller reports
// SHA-1 with a warning. A document's own algorithm is looked up in algs
// alone, so no JWS, COSE or trusted key can name one of these; only
// VerifyPrimitive (and so a host's native check) knows them.
var pkiAlgs = map[Alg]algInfo{
	RS1:   {crypto.SHA1, 'R'},
	RS224: {crypto.SHA224, 'R'},
	PS224: {crypto.SHA224, 'P'},
	ES1:   {crypto.SHA1, 'E'},
	ES224: {crypto.SHA224, 'E'},
}

// algInfoOf looks an algorithm up in algs, then in pkiAlgs.
func algInfoOf(a Alg) (algInfo, bool) {
	if info, ok := algs[a]; ok {
		return info, true
	}
	info, ok := pkiAlgs[a]
	return info, ok
}

// forbiddenAlg reports algorithms refused whatever the trust says: "none"
// (in any case: "NONE" is the classic bypass of a case-sensitive check) and
// the HMAC family, whose key would let any verifier forge.
func forbiddenAlg(a string) bool {
	switch a {
	case "HS256", "HS384", "HS512", "":
		return true
	}
	return strings.EqualFold(a, "none")
}

// CryptoFunc checks one signature primitive for a host: sig over msg by the
// public key spki (PKIX SubjectPublicKeyInfo, DER) under alg (a JOSE name
// such as "ES256"; ECDSA signatures are r||s as in JWS and COSE). It returns
// handled=false to let the verifier check the signature itself. A host that
// answers must decide exactly as VerifyPrimitive does; the wazero host calls
// VerifyPrimitive natively.
type CryptoFunc func(alg string, spki, msg, sig []byte) (valid, handled bool)

// errKeyMismatch says that a key cannot be used with an algorithm.
var errKeyMismatch = errors.New("key does not fit the algorithm")

// VerifyPrimitive verifies sig over msg with pub under alg, using the
// signature layer of jwx v3 (github.com/lestrrat-go/dsig). It returns nil
// only for a valid signature.
func VerifyPrimitive(alg string, pub crypto.PublicKey, msg, sig []byte) error {
	info, ok := algInfoOf(Alg(alg))
	if !ok {
		return errors.New("unsupported algorithm")
	}
	if err := keyFits(info, pub); err != nil {
		return err
	}
	switch info.family {
	case 'E':
		k := pub.(*ecdsa.PublicKey)
		return dsig.VerifyECDSA(k, msg, sig, info.hash)
	case 'O':
		if k, ok := pub.(ed448.PublicKey); ok {
			return ed448Verify(k, msg, sig)
		}
		return dsig.VerifyEdDSA(pub.(ed25519.PublicKey), msg, sig)
	case 'R', 'P':
		return dsig.VerifyRSA(pub.(*rsa.PublicKey), msg, sig, info.hash, info.family == 'P')
	}
	return errors.New("unsupported algorithm")
}

// keyFits checks that pub is of the type alg needs. The curve of an ECDSA
// key is not bound to the hash: COSE allows ES512 over P-256 (RFC 9053), and
// the algorithm is fixed by the trust entry anyway.
func keyFits(info algInfo, pub crypto.PublicKey) error {
	switch info.family {
	case 'E':
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return errKeyMismatch
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return errKeyMismatch
	case 'O':
		if k, ok := pub.(ed25519.PublicKey); (!ok || len(k) != ed25519.PublicKeySize) && !isEd448(pub) {
			return errKeyMismatch
		}
	case 'R', 'P':
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k.N.BitLen() < minRSABits {
			return errKeyMismatch
		}
	}
	return nil
}

// algFitsKey reports whether alg can be used with pub at all.
func algFitsKey(alg Alg, pub crypto.PublicKey) bool {
	info, ok := algs[alg]
	return ok && keyFits(info, pub) == nil
}

// checkSig checks a signature with k, offering it to the host first.
func (o *Options) checkSig(alg Alg, k *Key, msg, sig []byte) bool {
	if o.Crypto != nil && len(k.spki) > 0 {
		if valid, handled := o.Crypto(string(alg), k.spki, msg, sig); handled {
			return valid
		}
	}
	return VerifyPrimitive(string(alg), k.Public, msg, sig) == nil
}
