package verifier

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

var tstTime = time.Date(2026, 1, 10, 9, 30, 0, 125_000_000, time.UTC)

func TestTimeStampToken(t *testing.T) {
	p := newTestPKI(t)
	data := []byte("the canonical SignatureValue element")
	tok, err := parseTimeStampToken(buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.GenTime.Equal(tstTime) || tok.Accuracy != time.Second || tok.Nonce.Int64() != 123456789 || tok.Serial.Int64() != 77 ||
		tok.SignatureAlg != ES256 || len(tok.Certificates) != 1 || tok.Policy.String() != "0.4.0.2023.1.1" {
		t.Fatalf("token %+v", tok)
	}
	if err := tok.checkImprint(data, nil); err != nil {
		t.Fatal(err)
	}
	tsa, err := tok.verify(&Options{}, nil)
	if err != nil || !bytes.Equal(tsa.Raw, p.tsa.cert.Raw) {
		t.Fatalf("verify: %v", err)
	}
}

// TestTimeStampSigner: the ways a token names its signer.
func TestTimeStampSigner(t *testing.T) {
	p := newTestPKI(t)
	withSKI := newCert(t, "TSA with key id", p.ca, x509.Certificate{SubjectKeyId: []byte{1, 2, 3, 4},
		ExtraExtensions: []pkix.Extension{criticalEKU(t, purposeTimeStamping)}})
	for _, tc := range []struct {
		name       string
		spec       tstSpec
		candidates []*x509.Certificate
	}{
		{"issuer-and-serial", tstSpec{signer: p.tsa}, nil},
		{"subject-key-id", tstSpec{signer: withSKI, byKeyID: true}, nil},
		{"signing-certificate-v1", tstSpec{signer: p.tsa, essV1: true}, nil},
		{"certificate-from-trust", tstSpec{signer: p.tsa, noCert: true}, []*x509.Certificate{p.ca.cert, p.tsa.cert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.data, tc.spec.genTime = []byte("x"), tstTime
			tok, err := parseTimeStampToken(buildTST(t, tc.spec), nil)
			if err != nil {
				t.Fatal(err)
			}
			if c, err := tok.verify(&Options{}, tc.candidates); err != nil || !bytes.Equal(c.Raw, tc.spec.signer.cert.Raw) {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}

// TestTimeStampHostile: tokens that must not count, each with its reason.
func TestTimeStampHostile(t *testing.T) {
	p := newTestPKI(t)
	data := []byte("signature value")
	noUsage := newCert(t, "TSA without timeStamping", p.ca, x509.Certificate{})
	codeSigning := newCert(t, "TSA for code", p.ca, x509.Certificate{ExtraExtensions: []pkix.Extension{criticalEKU(t, purposeCodeSigning)}})
	nonCritical := newCert(t, "TSA with a non-critical EKU", p.ca, x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	twoUsages := newCert(t, "TSA with two usages", p.ca, x509.Certificate{ExtraExtensions: []pkix.Extension{criticalEKU(t, purposeTimeStamping, purposeCodeSigning)}})
	good := buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime})
	flip := func(b []byte, at int) []byte { b = bytes.Clone(b); b[at] ^= 1; return b }
	for _, tc := range []struct {
		name string
		der  []byte
		data []byte
		want Reason
	}{
		{"over-other-bytes", good, []byte("another signature value"), TimeProofMismatch},
		{"tstinfo-byte-changed", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, tamperInfo: func(b []byte) { b[len(b)-1] ^= 1 }}), data, SignatureInvalid},
		{"gentime-changed", bytes.Replace(good, []byte("20260110093000.125Z"), []byte("20250110093000.125Z"), 1), data, SignatureInvalid},
		{"signed-attribute-changed", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, tamperAttrs: func(b []byte) {
			b[bytes.Index(b, []byte("260110093000Z"))] = '1' // signingTime, read by nobody but the signature
		}}), data, SignatureInvalid},
		{"signing-certificate-serial-changed", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, essV1: true, tamperAttrs: func(b []byte) { b[len(b)-1] ^= 1 }}), data, SignatureInvalid},
		{"signature-byte-changed", flip(good, len(good)-2), data, SignatureInvalid},
		{"signing-certificate-names-another", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, essCert: p.ca.cert}), data, SignatureInvalid},
		{"tsa-without-eku", buildTST(t, tstSpec{signer: noUsage, data: data, genTime: tstTime}), data, KeyUsage},
		{"tsa-eku-code-signing", buildTST(t, tstSpec{signer: codeSigning, data: data, genTime: tstTime}), data, KeyUsage},
		{"tsa-eku-not-critical", buildTST(t, tstSpec{signer: nonCritical, data: data, genTime: tstTime}), data, KeyUsage},
		{"tsa-eku-two-purposes", buildTST(t, tstSpec{signer: twoUsages, data: data, genTime: tstTime}), data, KeyUsage},
		{"no-certificate", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, noCert: true}), data, IssuerUnknown},
		{"attributes-not-der-order", buildTST(t, tstSpec{signer: p.tsa, data: data, genTime: tstTime, unsorted: true}), data, Malformed},
		{"trailing-garbage", append(bytes.Clone(good), 0), data, Malformed},
		{"truncated", good[:len(good)-1], data, Malformed},
		{"gentime-trailing-zero", bytes.Replace(good, []byte("093000.125Z"), []byte("09300.1250Z"), 1), data, Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := func() error {
				tok, err := parseTimeStampToken(tc.der, nil)
				if err != nil {
					return err
				}
				if err := tok.checkImprint(tc.data, nil); err != nil {
					return err
				}
				_, err = tok.verify(&Options{}, nil)
				return err
			}()
			if got := errReason(err); err == nil || got != tc.want {
				t.Fatalf("reason %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

func TestGeneralizedTime(t *testing.T) {
	read := func(in string, fraction bool) (time.Time, bool) {
		var got time.Time
		s := cryptobyte.String(append([]byte{0x18, byte(len(in))}, in...))
		return got, readGeneralizedTime(&s, &got, fraction) && s.Empty()
	}
	for in, want := range map[string]time.Time{
		"20140519105044Z":        time.Date(2014, 5, 19, 10, 50, 44, 0, time.UTC),
		"20140519105044.367Z":    time.Date(2014, 5, 19, 10, 50, 44, 367_000_000, time.UTC),
		"20140519105044.000001Z": time.Date(2014, 5, 19, 10, 50, 44, 1000, time.UTC),
	} {
		if got, ok := read(in, true); !ok || !got.Equal(want) {
			t.Errorf("%s: %v, %v", in, got, ok)
		}
	}
	for _, tc := range []struct {
		in       string
		fraction bool
	}{
		{"20140519105044.360Z", true}, // trailing zero: not DER
		{"20140519105044.Z", true},
		{"20140519105044+0200", true},
		{"201405191050Z", true},
		{"20141319105044Z", true},
		{"2014051910504aZ", true},
		{"20140519105044.1Z", false}, // OCSP times have no fraction
	} {
		if _, ok := read(tc.in, tc.fraction); ok {
			t.Errorf("%s accepted", tc.in)
		}
	}
}
