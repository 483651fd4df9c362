package verifier

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

var ocspTime = time.Date(2026, 1, 10, 9, 30, 0, 0, time.UTC)

func TestOCSPResponse(t *testing.T) {
	p := newTestPKI(t)
	sigValue := []byte("the signature value of a BDOC-TM signature")
	der := buildOCSP(t, ocspSpec{signer: p.responder, producedAt: ocspTime, cert: p.leaf.cert, issuer: p.ca.cert,
		nonce: digestInfo(sigValue), certs: []*x509.Certificate{p.responder.cert}})
	r, err := parseOCSPResponse(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ProducedAt.Equal(ocspTime) || r.SignatureAlg != ES256 || len(r.Responses) != 1 || len(r.Certificates) != 1 ||
		!bytes.Equal(r.ResponderName, p.responder.cert.RawSubject) || r.ResponderKeyHash != nil {
		t.Fatalf("response %+v", r)
	}
	single, err := r.find(p.leaf.cert, p.ca.cert)
	if err != nil {
		t.Fatal(err)
	}
	if single.Status != ocspGood || !single.ThisUpdate.Equal(ocspTime) || !single.NextUpdate.Equal(ocspTime.Add(24*time.Hour)) {
		t.Fatalf("single response %+v", single)
	}
	signer, err := r.verifySignature(&Options{}, nil)
	if err != nil || signer != r.Certificates[0] {
		t.Fatalf("signature: %v", err)
	}
	if got := r.authority(signer, p.ca.cert); got != ocspDelegated {
		t.Fatalf("authority %d, want delegated", got)
	}
	if _, err := r.checkTMNonce(sigValue); err != nil {
		t.Fatalf("nonce: %v", err)
	}
	// The oracle reads the same.
	o, err := ocsp.ParseResponseForCert(der, p.leaf.cert, p.ca.cert)
	if err != nil {
		t.Fatal(err)
	}
	if !o.ProducedAt.Equal(r.ProducedAt) || o.Status != ocsp.Good || !bytes.Equal(o.TBSResponseData, r.TBS) || !bytes.Equal(o.Signature, r.Signature) {
		t.Fatal("x/crypto/ocsp reads another response")
	}
}

// TestOCSPAuthority: who may answer for the CA's certificates.
func TestOCSPAuthority(t *testing.T) {
	p := newTestPKI(t)
	other := newCert(t, "Other CA", nil, x509.Certificate{IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	noEKU := newCert(t, "Responder without OCSPSigning", p.ca, x509.Certificate{})
	strangerDelegate := newCert(t, "Other CA's responder", other, x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	expired := newCert(t, "Expired responder", p.ca, x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		NotBefore: ocspTime.AddDate(-2, 0, 0), NotAfter: ocspTime.AddDate(-1, 0, 0)})
	for _, tc := range []struct {
		name   string
		signer *testCert
		want   ocspAuthority
	}{
		{"issuer-itself", p.ca, ocspByIssuer},
		{"delegate", p.responder, ocspDelegated},
		{"delegate-without-ocsp-signing", noEKU, ocspNotAuthorized},
		{"delegate-of-another-ca", strangerDelegate, ocspNotAuthorized},
		{"delegate-expired-when-produced", expired, ocspNotAuthorized},
		{"another-ca", other, ocspNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := buildOCSP(t, ocspSpec{signer: tc.signer, byKey: true, producedAt: ocspTime, cert: p.leaf.cert, issuer: p.ca.cert})
			r, err := parseOCSPResponse(der, nil)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := r.verifySignature(&Options{}, []*x509.Certificate{p.responder.cert, tc.signer.cert})
			if err != nil || signer != tc.signer.cert {
				t.Fatalf("signer %v, %v", signer, err)
			}
			if got := r.authority(signer, p.ca.cert); got != tc.want {
				t.Fatalf("authority %d, want %d", got, tc.want)
			}
		})
	}
}

// TestOCSPHostile: responses that must not count, each with its reason.
func TestOCSPHostile(t *testing.T) {
	p := newTestPKI(t)
	other := newCert(t, "Other signer", p.ca, x509.Certificate{SerialNumber: big.NewInt(4243)})
	sigValue := []byte("signature value")
	spec := func() ocspSpec {
		return ocspSpec{signer: p.responder, producedAt: ocspTime, cert: p.leaf.cert, issuer: p.ca.cert, nonce: digestInfo(sigValue)}
	}
	good := buildOCSP(t, spec())
	// check runs parse, find, signature and nonce as a caller would, and
	// returns the first failure.
	check := func(der []byte, cert *x509.Certificate, signedValue []byte) error {
		r, err := parseOCSPResponse(der, nil)
		if err != nil {
			return err
		}
		if _, err := r.find(cert, p.ca.cert); err != nil {
			return err
		}
		if _, err := r.verifySignature(&Options{}, []*x509.Certificate{p.responder.cert}); err != nil {
			return err
		}
		_, err = r.checkTMNonce(signedValue)
		return err
	}
	if err := check(good, p.leaf.cert, sigValue); err != nil {
		t.Fatalf("the good response fails: %v", err)
	}
	flip := func(b []byte, at int) []byte { b = bytes.Clone(b); b[at] ^= 1; return b }
	for _, tc := range []struct {
		name string
		der  []byte
		cert *x509.Certificate
		sig  []byte
		want Reason
	}{
		{"wrong-cert-id", good, other.cert, sigValue, StatusUnknown},
		{"nonce-of-another-signature", good, p.leaf.cert, []byte("another signature value"), TimeProofMismatch},
		{"no-nonce", func() []byte { s := spec(); s.nonce = nil; return buildOCSP(t, s) }(), p.leaf.cert, sigValue, TimeProofMismatch},
		{"nonce-not-digestinfo", func() []byte { s := spec(); s.nonce = []byte{4, 2, 1, 2}; return buildOCSP(t, s) }(), p.leaf.cert, sigValue, Malformed},
		{"signature-byte-changed", flip(good, len(good)-3), p.leaf.cert, sigValue, SignatureInvalid},
		{"produced-at-changed", bytes.Replace(good, []byte("20260110093000Z"), []byte("20250110093000Z"), 1), p.leaf.cert, sigValue, SignatureInvalid},
		{"signed-by-stranger", func() []byte { s := spec(); s.signer = other; return buildOCSP(t, s) }(), p.leaf.cert, sigValue, IssuerUnknown},
		{"critical-unknown-extension", func() []byte {
			s := spec()
			s.extra = []extension{{oid: oidOf(1, 2, 3, 4), critical: true, value: []byte{5, 0}}}
			return buildOCSP(t, s)
		}(), p.leaf.cert, sigValue, CritUnsupported},
		{"duplicate-nonce", func() []byte {
			s := spec()
			s.extra = []extension{{oid: oidOCSPNonce, value: digestInfo(sigValue)}}
			return buildOCSP(t, s)
		}(), p.leaf.cert, sigValue, Malformed},
		{"try-later", func() []byte { s := spec(); s.status0 = 3; return buildOCSP(t, s) }(), p.leaf.cert, sigValue, StatusUnknown},
		{"trailing-garbage", append(bytes.Clone(good), 0), p.leaf.cert, sigValue, Malformed},
		{"truncated", good[:len(good)-1], p.leaf.cert, sigValue, Malformed},
		{"not-der-length", append([]byte{0x30, 0x81, byte(len(good) - 2)}, good[2:]...), p.leaf.cert, sigValue, Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(tc.der, tc.cert, tc.sig)
			if got := errReason(err); err == nil || got != tc.want {
				t.Fatalf("reason %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

func TestTMNonceForms(t *testing.T) {
	sv := []byte("value")
	di := digestInfo(sv)
	wrapped := append([]byte{0x04, byte(len(di))}, di...)
	for name, nonce := range map[string][]byte{"digidoc4j": di, "openssl-wrapped": wrapped} {
		r := &ocspResponse{Nonce: nonce}
		if _, err := r.checkTMNonce(sv); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRS1OnlyForPKI: SHA-1 RSA signatures are checked for OCSP responses
// and time stamps, and nowhere else: a JWS naming RS1 is unsupported, a
// trusted key cannot be restricted to it.
func TestRS1OnlyForPKI(t *testing.T) {
	k := newTestKey(t, "rsa", RS256)
	priv := k.priv.(*rsa.PrivateKey)
	sign := func(msg []byte) []byte {
		sum := sha1.Sum(msg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA1, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	msg := []byte("tbsResponseData")
	if err := VerifyPrimitive(string(RS1), &priv.PublicKey, msg, sign(msg)); err != nil {
		t.Fatalf("VerifyPrimitive RS1: %v", err)
	}
	in := b64([]byte(`{"alg":"RS1","kid":"rsa"}`)) + "." + b64([]byte(`{"iss":"x"}`))
	rep := Verify([]byte(in+"."+b64(sign([]byte(in)))), Options{Trust: trustOf(t, k), Time: testTime})
	if rep.Verdict == Valid || rep.Reason != UnsupportedAlg {
		t.Fatalf("a JWS with alg RS1: %s %s", rep.Verdict, rep.Reason)
	}
	j := JWK{Kty: "RSA", Kid: "rsa", Alg: "RS1", N: b64(priv.N.Bytes()), E: b64(big.NewInt(int64(priv.E)).Bytes())}
	if _, err := jwkKey(&j); err == nil {
		t.Fatal("a JWK restricted to RS1 is accepted")
	}
}
