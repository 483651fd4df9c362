package verifier

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// The OCSP responses and time stamps inside the signatures of the
// DigiDoc vectors: every one is read, its signature verified with the
// certificates at hand, and its fields held to an independent reading
// (golang.org/x/crypto/ocsp; encoding/asn1 for TSTInfo).

// sigFile is one signature file of a vector with what it embeds, found
// with a throwaway regular expression: enough to find base64 element
// content in the test set, no XML reading.
type sigFile struct {
	container, name string
	ocsps, tsts     [][]byte
	certs           []*x509.Certificate
	sigValues       [][]byte
	// unparsed counts the certificates crypto/x509 refuses.
	unparsed int
}

func xmlValues(t testing.TB, doc []byte, element string) [][]byte {
	t.Helper()
	re := regexp.MustCompile(`<(?:[\w.-]+:)?` + element + `(?:\s[^>]*)?>([^<]*)</`)
	var out [][]byte
	for _, m := range re.FindAllSubmatch(doc, -1) {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
		if err != nil {
			t.Fatalf("%s: %v", element, err)
		}
		out = append(out, b)
	}
	return out
}

// vectorSignatureFiles reads every signature file of every vector with
// archive/zip, refused containers included.
func vectorSignatureFiles(t testing.TB) []sigFile {
	t.Helper()
	var out []sigFile
	for _, v := range loadASiCVectors(t) {
		data := v.read(t)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			continue // notABDoc and the like
		}
		for _, zf := range zr.File {
			if !isSignatureName(zf.Name) {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			doc, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			f := sigFile{container: filepath.Base(v.File), name: zf.Name,
				ocsps: xmlValues(t, doc, "EncapsulatedOCSPValue"), tsts: xmlValues(t, doc, "EncapsulatedTimeStamp"),
				sigValues: xmlValues(t, doc, "SignatureValue")}
			for _, el := range []string{"EncapsulatedX509Certificate", "X509Certificate"} {
				for _, der := range xmlValues(t, doc, el) {
					if c, err := x509.ParseCertificate(der); err == nil {
						f.certs = append(f.certs, c)
					} else {
						f.unparsed++
					}
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// vectorCertificates are the certificates of testdata/asice/certs.
func vectorCertificates(t testing.TB) []*x509.Certificate {
	t.Helper()
	files, _ := filepath.Glob("testdata/asice/certs/*/*")
	var out []*x509.Certificate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		c, err := x509.ParseCertificate(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

// ocspVectorFailures are the embedded OCSP responses that do not verify,
// by container, with the reason and why.
var ocspVectorFailures = map[string]struct {
	reason Reason
	why    string
}{
	"ocsp_cert_is_not_in_tsl.bdoc": {IssuerUnknown, `the responder ID was edited ("TEST of SK OCSP RESPON8ER 2011"): no certificate has that name`},
	"unknown_ocsp.asice":           {SignatureInvalid, "the responder (DemoKit OY) has an RSA-1024 key, under the verifier's 2048-bit minimum"},
}

// ocspNotMatched are the containers whose OCSP response cannot be matched
// to the signer here (find), and why.
var ocspNotMatched = map[string]string{
	"NoAdditionalCertificates_LT.asice": "the issuer, TEST of ESTEID2018, is only in the trusted list",
	// The signer certificates of 2011 (TEST of ESTEID-SK 2011) encode their
	// RSA modulus as a negative INTEGER (no leading zero byte), which
	// crypto/x509 refuses to parse; OpenSSL, libdigidocpp and digidoc4j
	// accept them.
	"tsl.asice":                                "negative RSA modulus in the signer certificate",
	"KS-18_lisatudfail.4.asice":                "negative RSA modulus in the signer certificate",
	"KS-18_lisatudfilemanifest.4.asice":        "negative RSA modulus in the signer certificate",
	"23200_weakdigest-wrong-nonce.asice":       "negative RSA modulus in the signer certificate",
	"bdoc-tm-with-changed-data-file-name.bdoc": "negative RSA modulus in the signer certificate",
}

// tmNonceMismatch are the containers whose time-mark nonce does not match
// their signature value.
var tmNonceMismatch = map[string]bool{
	"23200_weakdigest-wrong-nonce.asice": true,
}

func TestASiCVectorOCSP(t *testing.T) {
	known := vectorCertificates(t)
	distinct, tm := map[[32]byte]bool{}, 0
	for _, f := range vectorSignatureFiles(t) {
		for _, der := range f.ocsps {
			distinct[sha256.Sum256(der)] = true
			r, err := parseOCSPResponse(der, nil)
			if err != nil {
				t.Fatalf("%s %s: %v", f.container, f.name, err)
			}
			compareWithXCryptoOCSP(t, f, der, r)
			_, err = r.verifySignature(&Options{}, append(append([]*x509.Certificate(nil), f.certs...), known...))
			if want, ok := ocspVectorFailures[f.container]; ok {
				if errReason(err) != want.reason {
					t.Errorf("%s: signature: %v, want %s (%s)", f.container, err, want.reason, want.why)
				}
			} else if err != nil {
				t.Errorf("%s %s: signature: %v", f.container, f.name, err)
			} else if err := flippedFails(der, r.Signature, func(b []byte) error {
				r, err := parseOCSPResponse(b, nil)
				if err == nil {
					_, err = r.verifySignature(&Options{}, append(append([]*x509.Certificate(nil), f.certs...), known...))
				}
				return err
			}); err != nil {
				t.Errorf("%s: %v", f.container, err)
			}
			if about, why := ocspAboutSomeone(r, f.certs, known), ocspNotMatched[f.container]; about == (why != "") {
				t.Errorf("%s %s: the response is about one of the signature's certificates: %v (want %v: %s)", f.container, f.name, about, !about, why)
			}
			if strings.Contains(ocspNotMatched[f.container], "modulus") && f.unparsed == 0 {
				t.Errorf("%s: every certificate parses", f.container)
			}
			if r.Nonce == nil {
				continue
			}
			if _, _, err := tmNonce(r.Nonce); err != nil {
				continue // a random nonce: not a time mark
			}
			tm++
			matched := false
			for _, sv := range f.sigValues {
				if _, err := r.checkTMNonce(sv); err == nil {
					matched = true
				} else if errReason(err) != TimeProofMismatch {
					t.Errorf("%s: nonce: %v", f.container, err)
				}
			}
			if matched == tmNonceMismatch[f.container] {
				t.Errorf("%s: time-mark nonce matches %v, want %v", f.container, matched, !tmNonceMismatch[f.container])
			}
		}
	}
	// The count of distinct responses guards the extraction (a shell
	// extraction with Python's zipfile finds as many).
	if len(distinct) != 73 || tm == 0 {
		t.Fatalf("%d distinct OCSP responses (%d time marks), want 73", len(distinct), tm)
	}
}

// ocspAboutSomeone reports whether the response's CertID names one of the
// signature's certificates as issued by a certificate at hand (find).
func ocspAboutSomeone(r *ocspResponse, certs, known []*x509.Certificate) bool {
	for _, c := range certs {
		for _, is := range append(append([]*x509.Certificate(nil), certs...), known...) {
			if s, err := r.find(c, is); err == nil && s != nil {
				return true
			}
		}
	}
	return false
}

// compareWithXCryptoOCSP holds a response to x/crypto/ocsp's reading.
func compareWithXCryptoOCSP(t *testing.T, f sigFile, der []byte, r *ocspResponse) {
	t.Helper()
	o, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		// x/crypto/ocsp checks the signature when the response carries a
		// certificate; the comparison needs only the fields.
		if _, ok := err.(ocsp.ResponseError); ok || !strings.Contains(err.Error(), "signature") {
			t.Fatalf("%s: x/crypto/ocsp: %v", f.container, err)
		}
		return
	}
	s := r.Responses[0]
	status := map[ocspCertStatus]int{ocspGood: ocsp.Good, ocspRevoked: ocsp.Revoked, ocspUnknown: ocsp.Unknown}[s.Status]
	switch {
	case len(r.Responses) != 1:
		t.Fatalf("%s: %d single responses", f.container, len(r.Responses))
	case !o.ProducedAt.Equal(r.ProducedAt), !o.ThisUpdate.Equal(s.ThisUpdate), !o.NextUpdate.Equal(s.NextUpdate):
		t.Fatalf("%s: times differ from x/crypto/ocsp", f.container)
	case o.Status != status, o.SerialNumber.Cmp(s.CertID.Serial) != 0, o.IssuerHash != s.CertID.Hash:
		t.Fatalf("%s: status or CertID differs from x/crypto/ocsp", f.container)
	case s.Status == ocspRevoked && !o.RevokedAt.Equal(s.RevokedAt):
		t.Fatalf("%s: revocation time differs", f.container)
	case !bytes.Equal(o.RawResponderName, r.ResponderName), !bytes.Equal(o.ResponderKeyHash, r.ResponderKeyHash):
		t.Fatalf("%s: responder ID differs", f.container)
	case !bytes.Equal(o.TBSResponseData, r.TBS), !bytes.Equal(o.Signature, r.Signature):
		t.Fatalf("%s: signed bytes differ", f.container)
	}
	// x/crypto/ocsp does not give the response's extensions: read them
	// with encoding/asn1.
	var data struct {
		Version     int `asn1:"optional,explicit,default:0,tag:0"`
		ResponderID asn1.RawValue
		ProducedAt  time.Time `asn1:"generalized"`
		Responses   asn1.RawValue
		Extensions  []pkix.Extension `asn1:"optional,explicit,tag:1"`
	}
	if _, err := asn1.Unmarshal(o.TBSResponseData, &data); err != nil {
		t.Fatalf("%s: encoding/asn1: %v", f.container, err)
	}
	var nonce []byte
	for _, e := range data.Extensions {
		if oidOf(e.Id...) == oidOCSPNonce {
			nonce = e.Value
		}
	}
	if !bytes.Equal(nonce, r.Nonce) {
		t.Fatalf("%s: nonce differs", f.container)
	}
}

// tstVectorFailures are the embedded time stamps that do not verify, by
// container, with the reason and why.
var tstVectorFailures = map[string]struct {
	reason Reason
	why    string
}{
	"TS_broken_TS.asice": {SignatureInvalid, "the token's signing-certificate attribute names another certificate than the one it carries"},
}

// asn1TSTInfo is TSTInfo for encoding/asn1, the oracle.
type asn1TSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Hashed []byte
	}
	Serial   *big.Int
	GenTime  time.Time `asn1:"generalized"`
	Accuracy struct {
		Seconds int `asn1:"optional"`
		Millis  int `asn1:"optional,tag:0"`
		Micros  int `asn1:"optional,tag:1"`
	} `asn1:"optional"`
	Ordering bool          `asn1:"optional,default:false"`
	Nonce    *big.Int      `asn1:"optional"`
	TSA      asn1.RawValue `asn1:"optional,tag:0"`
	Exts     asn1.RawValue `asn1:"optional,tag:1"`
}

func TestASiCVectorTimeStamps(t *testing.T) {
	known := vectorCertificates(t)
	distinct := map[[32]byte]bool{}
	for _, f := range vectorSignatureFiles(t) {
		for _, der := range f.tsts {
			distinct[sha256.Sum256(der)] = true
			tok, err := parseTimeStampToken(der, nil)
			if err != nil {
				t.Fatalf("%s %s: %v", f.container, f.name, err)
			}
			var o asn1TSTInfo
			if rest, err := asn1.Unmarshal(tok.TSTInfo, &o); err != nil || len(rest) != 0 {
				t.Fatalf("%s: encoding/asn1 cannot read the TSTInfo: %v", f.container, err)
			}
			if !o.GenTime.Equal(tok.GenTime) || o.Serial.Cmp(tok.Serial) != 0 || oidOf(o.Policy...) != tok.Policy ||
				!bytes.Equal(o.MessageImprint.Hashed, tok.Imprint) || (o.Nonce == nil) != (tok.Nonce == nil) ||
				(o.Nonce != nil && o.Nonce.Cmp(tok.Nonce) != 0) || o.Ordering != tok.Ordering ||
				time.Duration(o.Accuracy.Seconds)*time.Second+time.Duration(o.Accuracy.Millis)*time.Millisecond+
					time.Duration(o.Accuracy.Micros)*time.Microsecond != tok.Accuracy {
				t.Fatalf("%s: TSTInfo differs from encoding/asn1's reading", f.container)
			}
			// Over other bytes than its own imprint's, no token holds.
			if err := tok.checkImprint(tok.TSTInfo, nil); errReason(err) != TimeProofMismatch {
				t.Errorf("%s: a token's imprint over other bytes: %v", f.container, err)
			}
			signer, err := tok.verify(&Options{}, known)
			if want, ok := tstVectorFailures[f.container]; ok {
				if errReason(err) != want.reason {
					t.Errorf("%s: %v, want %s (%s)", f.container, err, want.reason, want.why)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", f.container, f.name, err)
				continue
			}
			if err := flippedFails(der, tok.Signature, func(b []byte) error {
				tok, err := parseTimeStampToken(b, nil)
				if err == nil {
					_, err = tok.verify(&Options{}, known)
				}
				return err
			}); err != nil {
				t.Errorf("%s: %v", f.container, err)
			}
			// crypto/x509 agrees that the signature holds.
			if err := signer.CheckSignature(x509SigAlg(tok.SignatureAlg), tok.SignedAttrs, tok.Signature); err != nil {
				t.Errorf("%s: crypto/x509 disagrees: %v", f.container, err)
			}
		}
	}
	if len(distinct) != 61 {
		t.Fatalf("%d distinct time stamps, want 61", len(distinct))
	}
}

// flippedFails checks that der with one bit of its signature flipped fails
// verify with SignatureInvalid.
func flippedFails(der, sig []byte, verify func([]byte) error) error {
	at := bytes.Index(der, sig)
	if at < 0 {
		return errors.New("the signature is not in the encoding")
	}
	b := bytes.Clone(der)
	b[at+len(sig)-1] ^= 1
	if err := verify(b); errReason(err) != SignatureInvalid {
		return fmt.Errorf("with a bit of its signature flipped: %v", err)
	}
	return nil
}

// x509SigAlg names an algorithm for crypto/x509's CheckSignature.
func x509SigAlg(a Alg) x509.SignatureAlgorithm {
	return map[Alg]x509.SignatureAlgorithm{
		RS1: x509.SHA1WithRSA, RS256: x509.SHA256WithRSA, RS384: x509.SHA384WithRSA, RS512: x509.SHA512WithRSA,
		ES256: x509.ECDSAWithSHA256, ES384: x509.ECDSAWithSHA384, ES512: x509.ECDSAWithSHA512,
	}[a]
}
