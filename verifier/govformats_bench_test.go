package verifier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"
)

// Benchmarks of the government formats, each beside the cost of its bare
// signature primitive (BenchmarkES256Primitive), so that parsing and
// policy can be told from cryptography. `make bench` runs them.

func benchVerify(b *testing.B, doc []byte, opts Options) {
	b.ReportAllocs()
	for b.Loop() {
		if r := Verify(doc, opts); r.Verdict != Valid {
			b.Fatalf("%s/%s", r.Verdict, r.Reason)
		}
	}
}

func dccBench(b *testing.B, name string) ([]byte, Options) {
	v := loadDCCVector(b, "testdata/dcc/common/2DCode/raw/"+name)
	der, _ := base64.StdEncoding.DecodeString(v.TESTCTX.CERTIFICATE)
	tr, err := ParseTrust("b", der)
	if err != nil {
		b.Fatal(err)
	}
	at, _ := parseValidationClock(v.TESTCTX.VALIDATIONCLOCK)
	return []byte(v.PREFIX), Options{Trust: tr, Time: at}
}

func BenchmarkVerifyDCCES256(b *testing.B) {
	doc, opts := dccBench(b, "CO3.json")
	benchVerify(b, doc, opts)
}

func BenchmarkVerifyDCCPS256(b *testing.B) {
	doc, opts := dccBench(b, "CO1.json")
	benchVerify(b, doc, opts)
}

func BenchmarkVerifyMDocAnnexD(b *testing.B) {
	a := loadAnnexD(b)
	benchVerify(b, a.bytes(b, "DEVICE_RESPONSE"), Options{Trust: a.trust(b), Time: annexDTime})
}

// The PID presentation checks two ES256 signatures (issuer, KB-JWT).
func BenchmarkVerifySDJWTPIDWithKB(b *testing.B) {
	benchVerify(b, readVector(b, "rfc9901-a3-pid-presented-kb.sdjwt"), Options{Trust: rfcTrust(b), Time: time.Unix(1748537244+60, 0), Holder: HolderOptions{Nonce: "1234567890", Audience: "https://verifier.example.org"}})
}

func BenchmarkES256Primitive(b *testing.B) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	msg := []byte("benchmark message")
	h := sha256.Sum256(msg)
	r, s, _ := ecdsa.Sign(rand.Reader, k, h[:])
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	for b.Loop() {
		if VerifyPrimitive("ES256", &k.PublicKey, msg, sig) != nil {
			b.Fatal("invalid")
		}
	}
}
