package verifier

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
)

// digestOf is h's digest of b, made in one call: for the hashes documents
// use, the package's Sum function, which needs no hash.Hash (a digest made
// with New, written once and summed is two allocations and a copy of its
// state). h must be available.
func digestOf(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(b)
		return s[:]
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(b)
		return s[:]
	case crypto.SHA1:
		s := sha1.Sum(b)
		return s[:]
	}
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// digestIs says whether h's digest of b is want, the digest made on the
// stack for the hashes digestOf makes in one call.
func digestIs(h crypto.Hash, b, want []byte) bool {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(b)
		return string(s[:]) == string(want)
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return string(s[:]) == string(want)
	case crypto.SHA512:
		s := sha512.Sum512(b)
		return string(s[:]) == string(want)
	case crypto.SHA1:
		s := sha1.Sum(b)
		return string(s[:]) == string(want)
	}
	return string(digestOf(h, b)) == string(want)
}
