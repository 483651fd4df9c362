package verifier

// Certificates whose RSA modulus is a negative INTEGER. Estonian ID cards
// of 2011 and their test cards carry certificates that encode the modulus
// without the leading zero byte DER needs, so it reads as negative:
// crypto/x509 refuses them, OpenSSL, digidoc4j and libdigidocpp accept
// them, and their XAdES signatures are valid (libdigidocpp's tsl.asice).
//
// API: parseFixedRSAModulus(der, err) (*x509.Certificate, error), called by
// certMemo.parseCertificateLenient (certmemo.go)

import (
	"crypto/x509"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseFixedRSAModulus is the second attempt of a lenient parse
// (certMemo.parseCertificateLenient, certmemo.go), once crypto/x509
// refused der with err (returned if the fix does not apply): when the only
// fault is an RSA modulus whose first byte has the high bit set, it parses
// a copy with the zero byte added and then gives the certificate back its
// own bytes: Raw, RawTBSCertificate and RawSubjectPublicKeyInfo are those
// of der, so digests of the certificate, checks of its issuer's signature
// and OCSP key hashes see what was issued; PublicKey is the modulus read
// as the unsigned number it was meant to be.
func parseFixedRSAModulus(der []byte, err error) (*x509.Certificate, error) {
	fixed, tbs, spki, ok := fixRSAModulus(der)
	if !ok {
		return nil, err
	}
	c, err2 := x509.ParseCertificate(fixed)
	if err2 != nil {
		return nil, err
	}
	c.Raw, c.RawTBSCertificate, c.RawSubjectPublicKeyInfo = der, tbs, spki
	return c, nil
}

// fixRSAModulus rebuilds a certificate with a zero byte before a negative
// RSA modulus; it returns the original TBS and SPKI elements too.
func fixRSAModulus(der []byte) (fixed, tbsRaw, spkiRaw []byte, ok bool) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, nil, nil, false
	}
	var tbsEl cryptobyte.String
	if !cert.ReadASN1Element(&tbsEl, cbasn1.SEQUENCE) {
		return nil, nil, nil, false
	}
	rest := []byte(cert)
	t := tbsEl
	if !t.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, nil, nil, false
	}
	// version [0] (optional), serial, signature, issuer, validity, subject
	var head []byte
	start := len(tbs)
	var skip cryptobyte.String
	if tbs.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		tbs.ReadASN1Element(&skip, cbasn1.Tag(0).Constructed().ContextSpecific())
	}
	for i := 0; i < 5; i++ {
		var tag cbasn1.Tag
		if !tbs.ReadAnyASN1Element(&skip, &tag) {
			return nil, nil, nil, false
		}
	}
	head = tbsEl[len(tbsEl)-start : len(tbsEl)-len(tbs)]
	var spkiEl cryptobyte.String
	if !tbs.ReadASN1Element(&spkiEl, cbasn1.SEQUENCE) {
		return nil, nil, nil, false
	}
	tail := []byte(tbs)
	s := spkiEl
	var spki, algEl cryptobyte.String
	var bits []byte
	var bitStr cryptobyte.String
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1Element(&algEl, cbasn1.SEQUENCE) ||
		!spki.ReadASN1(&bitStr, cbasn1.BIT_STRING) || !spki.Empty() || len(bitStr) < 1 || bitStr[0] != 0 {
		return nil, nil, nil, false
	}
	bits = bitStr[1:]
	key := cryptobyte.String(bits)
	var rsaKey, n, e cryptobyte.String
	if !key.ReadASN1(&rsaKey, cbasn1.SEQUENCE) || !key.Empty() ||
		!rsaKey.ReadASN1(&n, cbasn1.INTEGER) || !rsaKey.ReadASN1Element(&e, cbasn1.INTEGER) || !rsaKey.Empty() ||
		len(n) == 0 || n[0]&0x80 == 0 {
		return nil, nil, nil, false
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(head)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(algEl)
				b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
					b.AddUint8(0)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) {
							b.AddUint8(0)
							b.AddBytes(n)
						})
						b.AddBytes(e)
					})
				})
			})
			b.AddBytes(tail)
		})
		b.AddBytes(rest)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, nil, nil, false
	}
	return out, tbsEl, spkiEl, true
}
