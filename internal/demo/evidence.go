package demo

// The demo provider's evidence for DigiDoc signatures: RFC 3161 time-stamp
// tokens from its TSA and OCSP responses (RFC 6960) from its responder,
// written field by field with cryptobyte so that every byte is fixed by
// the seed and the given times (x/crypto/ocsp stamps producedAt with the
// wall clock, which a time mark cannot have).

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidSHA1             = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256           = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSAWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTSAPolicy        = asn1.ObjectIdentifier{0, 4, 0, 2023, 1, 1} // ETSI EN 319 421 best-practices policy
	oidOCSPBasic        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidQCStatements     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance     = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcSSCD           = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	oidQcType           = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcTypeESign      = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
	oidNaturalPersonPol = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 2} // QCP-n-qscd
)

// signDER signs the SHA-256 of msg with key, deterministically, as DER.
func signDER(key *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	return Deterministic{Signer: key}.Sign(nil, sum[:], crypto.SHA256)
}

func addAlg(b *cryptobyte.Builder, o asn1.ObjectIdentifier, null bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(o)
		if null {
			b.AddASN1NULL()
		}
	})
}

func addGenTime(b *cryptobyte.Builder, t time.Time) {
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.UTC().Format("20060102150405Z"))) })
}

// digestInfo is the DER DigestInfo (RFC 8017 A.2.4) of SHA-256(data): the
// nonce of a BDOC-TM time mark over a signature value.
func digestInfo(data []byte) []byte {
	sum := sha256.Sum256(data)
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlg(b, oidSHA256, true)
		b.AddASN1OctetString(sum[:])
	})
	return b.BytesOrPanic()
}

// issuerSerial is the DER IssuerSerial (RFC 5035) of a certificate: its
// issuer as a directoryName and its serial number.
func issuerSerial(c *x509.Certificate) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(c.RawIssuer) })
		})
		b.AddASN1BigInt(c.SerialNumber)
	})
	return b.BytesOrPanic()
}

// timeStampToken is the TSA's RFC 3161 token over SHA-256(data) at
// genTime: TSTInfo, signed attributes in DER order (content type, message
// digest, signing time, ESS signing-certificate-v2), ECDSA P-256 SHA-256,
// the TSA certificate included.
func timeStampToken(tsaKey *ecdsa.PrivateKey, tsa *x509.Certificate, data []byte, genTime time.Time, serial int64) ([]byte, error) {
	imprint := sha256.Sum256(data)
	info := cryptobyte.NewBuilder(nil)
	info.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(oidTSAPolicy)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlg(b, oidSHA256, false)
			b.AddASN1OctetString(imprint[:])
		})
		b.AddASN1Int64(serial)
		addGenTime(b, genTime)
	})
	infoDER, err := info.Bytes()
	if err != nil {
		return nil, err
	}
	md := sha256.Sum256(infoDER)
	certHash := sha256.Sum256(tsa.Raw)
	attr := func(o asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(o)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.BytesOrPanic()
	}
	attrs := [][]byte{
		attr(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSTInfo) }),
		attr(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(md[:]) }),
		attr(oidSigningTime, func(b *cryptobyte.Builder) { b.AddASN1UTCTime(genTime.UTC()) }),
		attr(oidSigningCertV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(certHash[:]) // SHA-256 is the default hashAlgorithm
						b.AddBytes(issuerSerial(tsa))
					})
				})
			})
		}),
	}
	// A SET OF is DER-sorted (X.690 11.6); the signature is over the SET.
	slices.SortFunc(attrs, bytes.Compare)
	set := cryptobyte.NewBuilder(nil)
	set.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	signedAttrs := set.BytesOrPanic()
	sig, err := signDER(tsaKey, signedAttrs)
	if err != nil {
		return nil, err
	}
	signedAttrs[0] = 0xa0 // in the SignerInfo: [0] IMPLICIT
	token := cryptobyte.NewBuilder(nil)
	token.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlg(b, oidSHA256, false) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidTSTInfo)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(infoDER) })
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(tsa.Raw) })
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(tsa.RawIssuer)
							b.AddASN1BigInt(tsa.SerialNumber)
						})
						addAlg(b, oidSHA256, false)
						b.AddBytes(signedAttrs)
						addAlg(b, oidECDSAWithSHA256, false)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return token.Bytes()
}

// ocspAnswer says what ocspResponse writes.
type ocspAnswer struct {
	cert, issuer *x509.Certificate // the certificate asked about, and its issuer
	producedAt   time.Time
	revokedAt    time.Time // zero: good
	nonce        []byte    // extnValue content of the nonce extension; nil for none
}

// ocspResponse is a successful basic OCSP response from the demo
// responder (the CA's delegate, named by key hash, its certificate
// included), its CertID hashed with SHA-1 as RFC 6960 clients send it.
func ocspResponse(respKey *ecdsa.PrivateKey, responder *x509.Certificate, a ocspAnswer) ([]byte, error) {
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(responder.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	var issuerSPKI struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(a.issuer.RawSubjectPublicKeyInfo, &issuerSPKI); err != nil {
		return nil, err
	}
	byKey := sha1.Sum(spki.Key.Bytes)
	nameHash, keyHash := sha1.Sum(a.cert.RawIssuer), sha1.Sum(issuerSPKI.Key.Bytes)
	tbs := cryptobyte.NewBuilder(nil)
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(byKey[:]) })
		addGenTime(b, a.producedAt)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addAlg(b, oidSHA1, true)
					b.AddASN1OctetString(nameHash[:])
					b.AddASN1OctetString(keyHash[:])
					b.AddASN1BigInt(a.cert.SerialNumber)
				})
				if a.revokedAt.IsZero() {
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				} else {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						addGenTime(b, a.revokedAt)
						// keyCompromise
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Enum(1) })
					})
				}
				addGenTime(b, a.producedAt)
			})
		})
		if a.nonce != nil {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidOCSPNonce)
						b.AddASN1OctetString(a.nonce)
					})
				})
			})
		}
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, err
	}
	sig, err := signDER(respKey, tbsDER)
	if err != nil {
		return nil, err
	}
	basic := cryptobyte.NewBuilder(nil)
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		addAlg(b, oidECDSAWithSHA256, false)
		b.AddASN1BitString(sig)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(responder.Raw) })
		})
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, err
	}
	resp := cryptobyte.NewBuilder(nil)
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0) // successful
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	return resp.Bytes()
}

// qcStatements is the QCStatements extension value of a qualified
// certificate for electronic signatures on a QSCD (ETSI EN 319 412-5):
// QcCompliance, QcSSCD and QcType esign.
func qcStatements() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, o := range []asn1.ObjectIdentifier{oidQcCompliance, oidQcSSCD} {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(o) })
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidQcType)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidQcTypeESign) })
		})
	})
	return b.BytesOrPanic()
}
