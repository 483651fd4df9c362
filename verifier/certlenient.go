package verifier

// Estonian ID-card certificates of 2011-2013 (real and test) encode their
// RSA modulus as a DER INTEGER without the leading zero octet its high bit
// needs, so that the INTEGER reads as negative. crypto/x509 refuses them;
// OpenSSL, and so digidoc4j and libdigidocpp, take the octets as the
// unsigned modulus they were meant to be. A container signed with such a
// card is still a valid signature, so the XAdES reader does the same, and
// only for this one defect.

import (
	"crypto/x509"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseCertificateLenient parses der; when crypto/x509 refuses it and its
// RSA modulus is a negative INTEGER, it parses a copy with the modulus made
// positive and gives the result the original's Raw and RawTBSCertificate,
// so that digests of the certificate and its issuer's signature are over
// the bytes as issued.
func parseCertificateLenient(der []byte) (*x509.Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil {
		return c, nil
	}
	patched, tbs, ok := positiveModulus(der)
	if !ok {
		return nil, err
	}
	pc, perr := x509.ParseCertificate(patched)
	if perr != nil {
		return nil, err
	}
	pc.Raw, pc.RawTBSCertificate = der, tbs
	return pc, nil
}

// positiveModulus rewrites a certificate whose RSA modulus has its high
// bit set without a leading zero octet. ok is false for anything else.
func positiveModulus(der []byte) (patched, tbs []byte, ok bool) {
	s := cryptobyte.String(der)
	var cert, tbsBody, spki, alg, sigAlg, sig cryptobyte.String
	var tbsRaw cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !s.Empty() || !cert.ReadASN1Element(&tbsRaw, cbasn1.SEQUENCE) ||
		!cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&sig, cbasn1.BIT_STRING) || !cert.Empty() {
		return nil, nil, false
	}
	body := tbsRaw
	if !body.ReadASN1(&tbsBody, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	// version, serial, signature, issuer, validity, subject: kept as they are.
	var head []byte
	rest := tbsBody
	if rest.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var v cryptobyte.String
		if !rest.ReadASN1Element(&v, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, nil, false
		}
		head = append(head, v...)
	}
	for _, tag := range []cbasn1.Tag{cbasn1.INTEGER, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.SEQUENCE} {
		var e cryptobyte.String
		if !rest.ReadASN1Element(&e, tag) {
			return nil, nil, false
		}
		head = append(head, e...)
	}
	var bits cryptobyte.String
	if !rest.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!spki.ReadASN1(&bits, cbasn1.BIT_STRING) || !spki.Empty() || len(bits) < 1 || bits[0] != 0 {
		return nil, nil, false
	}
	key := cryptobyte.String(bits[1:])
	var rsaKey, n, e cryptobyte.String
	if !key.ReadASN1(&rsaKey, cbasn1.SEQUENCE) || !key.Empty() || !rsaKey.ReadASN1(&n, cbasn1.INTEGER) ||
		!rsaKey.ReadASN1Element(&e, cbasn1.INTEGER) || !rsaKey.Empty() || len(n) == 0 || n[0]&0x80 == 0 {
		return nil, nil, false
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(head)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(alg)
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
			b.AddBytes(rest)
		})
		b.AddBytes(sigAlg)
		b.AddBytes(sig)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, nil, false
	}
	return out, tbsRaw, true
}
