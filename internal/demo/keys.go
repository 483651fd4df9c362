// Package demo builds the demo world: issuers, keys, a trust bundle and
// sample documents of every supported format, good and bad, deterministically
// from a seed. `apostille demo DIR`, `make run`, the page's samples and the
// tests use it. It issues documents, so it lives outside verifier/.
package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"io"
)

// derive returns n bytes derived from the world's seed for a purpose.
func (w *World) derive(label string, n int) []byte {
	b, err := hkdf.Key(sha256.New, []byte(w.Seed), nil, "apostille demo "+label, n)
	if err != nil {
		panic(err)
	}
	return b
}

// ECKey derives a P-256 key for a label. A derived scalar is out of range
// with negligible probability; the label is then varied.
func (w *World) ECKey(label string) *ecdsa.PrivateKey {
	for i := 0; ; i++ {
		d := w.derive(fmt.Sprintf("%s/%d", label, i), 32)
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d); err == nil {
			return k
		}
	}
}

// EdKey derives an Ed25519 key for a label.
func (w *World) EdKey(label string) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(w.derive(label, ed25519.SeedSize))
}

//go:embed testdata/demo-rsa-2048.pem
var demoRSAPEM []byte

// RSAKey returns the demo's RSA key. RSA key generation cannot be made
// deterministic from a seed with the standard library, so the demo ships
// one fixed key; it signs demo documents only.
func (w *World) RSAKey() *rsa.PrivateKey {
	blk, _ := pem.Decode(demoRSAPEM)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		panic(err)
	}
	return k.(*rsa.PrivateKey)
}

// Deterministic wraps a signer so that signatures do not depend on
// randomness: ECDSA signs per RFC 6979 (a nil reader asks crypto/ecdsa for
// it), Ed25519 and RSA PKCS#1 v1.5 are deterministic anyway, and RSA-PSS
// draws its salt from the world's seed. The same seed gives the same bytes.
type Deterministic struct {
	crypto.Signer
	Salt io.Reader
}

func (d Deterministic) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	switch k := d.Signer.(type) {
	case *ecdsa.PrivateKey:
		if opts == nil || opts.HashFunc() == 0 {
			opts = hashForLen(len(digest))
		}
		return k.Sign(nil, digest, opts)
	case *rsa.PrivateKey:
		if _, pss := opts.(*rsa.PSSOptions); pss {
			return k.Sign(&digestStream{seed: digest}, digest, opts)
		}
		return k.Sign(nil, digest, opts)
	}
	return d.Signer.Sign(nil, digest, opts)
}

func hashForLen(n int) crypto.Hash {
	switch n {
	case 48:
		return crypto.SHA384
	case 64:
		return crypto.SHA512
	}
	return crypto.SHA256
}

// digestStream is an endless byte stream derived from a digest, for PSS
// salts: deterministic, and different for every message.
type digestStream struct {
	seed []byte
	n    byte
	buf  []byte
}

func (s *digestStream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		h := sha256.Sum256(append(append([]byte("pss-salt"), s.n), s.seed...))
		s.buf = append(s.buf, h[:]...)
		s.n++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}
