package verifier

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Writers of OCSP responses and RFC 3161 time-stamp tokens for tests,
// field by field with cryptobyte, so that a test can make exactly the
// structure it means: signed by a test CA, a delegate or a stranger, with a
// nonce, a critical extension, another certificate named, a TSA
// certificate without the time-stamping usage.

// testPKI is a CA with an end-entity certificate, an OCSP delegate and a
// TSA, all P-256.
type testPKI struct {
	ca, leaf, responder, tsa *testCert
}

// criticalEKU is an extended key usage extension marked critical (Go
// writes the field non-critical), holding the given purposes.
func criticalEKU(t testing.TB, purposes ...asn1.ObjectIdentifier) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(purposes)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: v}
}

var (
	purposeTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	purposeCodeSigning  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
)

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	ca := newCert(t, "Test CA", nil, x509.Certificate{IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	return &testPKI{
		ca:        ca,
		leaf:      newCert(t, "Signer", ca, x509.Certificate{SerialNumber: big.NewInt(4242), KeyUsage: x509.KeyUsageContentCommitment}),
		responder: newCert(t, "Test OCSP responder", ca, x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}),
		tsa:       newCert(t, "Test TSA", ca, x509.Certificate{ExtraExtensions: []pkix.Extension{criticalEKU(t, purposeTimeStamping)}}),
	}
}

// ocspSpec says what buildOCSP writes.
type ocspSpec struct {
	signer     *testCert
	byKey      bool
	producedAt time.Time
	cert       *x509.Certificate // the certificate the single response is about
	issuer     *x509.Certificate
	status     ocspCertStatus
	revokedAt  time.Time
	nonce      []byte // extnValue content; nil for none
	extra      []extension
	certs      []*x509.Certificate
	status0    int // OCSPResponseStatus; 0 is successful
}

func addGeneralizedTime(b *cryptobyte.Builder, t time.Time) {
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.UTC().Format("20060102150405Z"))) })
}

func addAlgID(b *cryptobyte.Builder, o oid, null bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addOID(b, o)
		if null {
			b.AddASN1NULL()
		}
	})
}

func addExtensions(b *cryptobyte.Builder, exts []extension) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addOID(b, e.oid)
				if e.critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.value)
			})
		}
	})
}

// buildOCSP writes an OCSP response signed by spec.signer with ECDSA
// P-256 and SHA-256, its CertID hashed with SHA-1.
func buildOCSP(t testing.TB, spec ocspSpec) []byte {
	t.Helper()
	tbs := cryptobyte.NewBuilder(nil)
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if spec.byKey {
			key, _ := subjectPublicKeyBits(spec.signer.cert)
			sum := sha1.Sum(key)
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(sum[:]) })
		} else {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(spec.signer.cert.RawSubject) })
		}
		addGeneralizedTime(b, spec.producedAt)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				key, _ := subjectPublicKeyBits(spec.issuer)
				nh, kh := sha1.Sum(spec.cert.RawIssuer), sha1.Sum(key)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addAlgID(b, oidSHA1, true)
					b.AddASN1OctetString(nh[:])
					b.AddASN1OctetString(kh[:])
					b.AddASN1BigInt(spec.cert.SerialNumber)
				})
				switch spec.status {
				case ocspGood:
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				case ocspUnknown:
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				case ocspRevoked:
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						addGeneralizedTime(b, spec.revokedAt)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Enum(1) })
					})
				}
				addGeneralizedTime(b, spec.producedAt)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					addGeneralizedTime(b, spec.producedAt.Add(24*time.Hour))
				})
			})
		})
		exts := spec.extra
		if spec.nonce != nil {
			exts = append([]extension{{oid: oidOCSPNonce, value: spec.nonce}}, exts...)
		}
		if len(exts) > 0 {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { addExtensions(b, exts) })
		}
	})
	tbsDER := tbs.BytesOrPanic()
	sig := signP256(t, spec.signer, tbsDER)
	basic := cryptobyte.NewBuilder(nil)
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		addAlgID(b, oidECDSA256, false)
		b.AddASN1BitString(sig)
		if len(spec.certs) > 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range spec.certs {
						b.AddBytes(c.Raw)
					}
				})
			})
		}
	})
	resp := cryptobyte.NewBuilder(nil)
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(spec.status0))
		if spec.status0 != 0 {
			return
		}
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addOID(b, oidOCSPBasic)
				b.AddASN1OctetString(basic.BytesOrPanic())
			})
		})
	})
	return resp.BytesOrPanic()
}

func signP256(t testing.TB, c *testCert, msg []byte) []byte {
	t.Helper()
	d := crypto.SHA256.New()
	d.Write(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// digestInfo is the DER DigestInfo of data under SHA-256: a BDOC-TM nonce.
func digestInfo(data []byte) []byte {
	sum := crypto.SHA256.New()
	sum.Write(data)
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgID(b, oidSHA256, true)
		b.AddASN1OctetString(sum.Sum(nil))
	})
	return b.BytesOrPanic()
}

// tstSpec says what buildTST writes.
type tstSpec struct {
	signer  *testCert
	data    []byte // what the imprint is the SHA-256 of
	genTime time.Time
	noCert  bool // leave the TSA certificate out of the token
	byKeyID bool // name the signer by subject key identifier
	essV1   bool // signing-certificate (SHA-1) instead of v2
	essCert *x509.Certificate
	// unsorted writes the signed attributes out of DER order.
	unsorted bool
	// tamper changes the encoded TSTInfo after the message digest was
	// computed, or the signed attributes after they were signed.
	tamperInfo  func([]byte)
	tamperAttrs func([]byte)
}

// buildTST writes a TimeStampToken: TSTInfo, signed attributes in DER order
// (content-type, message-digest, signing-certificate), ECDSA P-256 with
// SHA-256.
func buildTST(t testing.TB, spec tstSpec) []byte {
	t.Helper()
	imprint := crypto.SHA256.New()
	imprint.Write(spec.data)
	info := cryptobyte.NewBuilder(nil)
	info.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addOID(b, oidOf(0, 4, 0, 2023, 1, 1))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlgID(b, oidSHA256, false)
			b.AddASN1OctetString(imprint.Sum(nil))
		})
		b.AddASN1Int64(77)
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) {
			b.AddBytes([]byte(spec.genTime.UTC().Format("20060102150405.999Z")))
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(1) })
		b.AddASN1BigInt(big.NewInt(123456789))
	})
	infoDER := info.BytesOrPanic()
	md := crypto.SHA256.New()
	md.Write(infoDER)
	if spec.tamperInfo != nil {
		spec.tamperInfo(infoDER)
	}
	ess := spec.essCert
	if ess == nil {
		ess = spec.signer.cert
	}
	attr := func(o oid, value func(*cryptobyte.Builder)) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addOID(b, o)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.BytesOrPanic()
	}
	attrs := [][]byte{
		attr(oidAttrContentType, func(b *cryptobyte.Builder) { addOID(b, oidTSTInfo) }),
		attr(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(md.Sum(nil)) }),
		attr(oidOf(1, 2, 840, 113549, 1, 9, 5), func(b *cryptobyte.Builder) { // signingTime
			b.AddASN1UTCTime(spec.genTime.Truncate(time.Second))
		}),
	}
	essOID, essHash := oidAttrSigningCertV2, crypto.SHA256
	if spec.essV1 {
		essOID, essHash = oidAttrSigningCert, crypto.SHA1
	}
	attrs = append(attrs, attr(essOID, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(certHash(essHash, ess))
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ess.RawIssuer) })
						})
						b.AddASN1BigInt(ess.SerialNumber)
					})
				})
			})
		})
	}))
	slices.SortFunc(attrs, bytes.Compare)
	if spec.unsorted {
		slices.Reverse(attrs)
	}
	set := cryptobyte.NewBuilder(nil)
	set.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	signedAttrs := set.BytesOrPanic()
	sig := signP256(t, spec.signer, signedAttrs)
	if spec.tamperAttrs != nil {
		spec.tamperAttrs(signedAttrs)
	}
	signedAttrs[0] = 0xa0 // [0] IMPLICIT
	c := spec.signer.cert
	token := cryptobyte.NewBuilder(nil)
	token.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addOID(b, oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgID(b, oidSHA256, false) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addOID(b, oidTSTInfo)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(infoDER) })
				})
				if !spec.noCert {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(c.Raw) })
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						if spec.byKeyID {
							b.AddASN1Int64(3)
							b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(c.SubjectKeyId) })
						} else {
							b.AddASN1Int64(1)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddBytes(c.RawIssuer)
								b.AddASN1BigInt(c.SerialNumber)
							})
						}
						addAlgID(b, oidSHA256, false)
						b.AddBytes(signedAttrs)
						addAlgID(b, oidECDSA256, false)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return token.BytesOrPanic()
}

// allCerts are the PKI's certificates, as a caller's candidates.
func (p *testPKI) allCerts() []*x509.Certificate {
	return []*x509.Certificate{p.ca.cert, p.leaf.cert, p.responder.cert, p.tsa.cert}
}

// addOID writes an OBJECT IDENTIFIER.
func addOID(b *cryptobyte.Builder, o oid) {
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes([]byte(o)) })
}

// oidOf encodes an object identifier given by its arcs.
func oidOf(arcs ...int) oid {
	der, err := asn1.Marshal(asn1.ObjectIdentifier(arcs))
	if err != nil {
		panic(err)
	}
	return oid(der[2:])
}
