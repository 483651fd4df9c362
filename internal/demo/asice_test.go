package demo

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"golang.org/x/crypto/ocsp"
)

// TestContainerSignaturesHoldElsewhere checks the demo's XAdES with other
// code than the writer's: goxmldsig's exclusive canonicaliser over etree's
// reading of each signature file gives the digests and the signature the
// file carries, and x/crypto/ocsp reads each OCSP response, signed by the
// responder, about the signer, with the time mark's nonce over the
// signature value. A container the demo means to be broken in those
// places is broken there and nowhere else.
func TestContainerSignaturesHoldElsewhere(t *testing.T) {
	w, err := Build(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range w.Man.Samples {
		if s.Format != "asice" && s.Format != "bdoc" {
			continue
		}
		n++
		data, err := readFile(w, s.File)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if zr.File[0].Name != "mimetype" || zr.File[0].Method != zip.Store || len(zr.File[0].Extra) != 0 {
			t.Errorf("%s: mimetype is not first, stored, without extra field", s.File)
		}
		files := map[string][]byte{}
		var sigs [][]byte
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			switch {
			case strings.HasPrefix(f.Name, "META-INF/signatures"):
				sigs = append(sigs, b)
			case !strings.HasPrefix(f.Name, "META-INF/") && f.Name != "mimetype":
				files[f.Name] = b
			}
		}
		digestsHold := true
		for _, sig := range sigs {
			digestsHold = checkXAdES(t, s, sig, files) && digestsHold
		}
		if want := s.Reason != "digest_mismatch"; digestsHold != want {
			t.Errorf("%s: references hold %v, want %v", s.File, digestsHold, want)
		}
	}
	if n != 11 {
		t.Errorf("%d containers, want 11", n)
	}
}

// checkXAdES checks one signature file and reports whether every reference's
// digest holds.
func checkXAdES(t *testing.T, s Sample, sig []byte, files map[string][]byte) bool {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(sig); err != nil {
		t.Fatalf("%s: %v", s.File, err)
	}
	canon := func(el *etree.Element) []byte {
		ctx, err := etreeutils.NSBuildParentContext(el)
		if err != nil {
			t.Fatal(err)
		}
		d, err := etreeutils.NSDetatch(ctx, el)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	si := doc.FindElement("//ds:SignedInfo")
	certEl := doc.FindElement("//ds:X509Certificate")
	props := doc.FindElements("//xades:SignedProperties")
	if si == nil || certEl == nil || len(props) == 0 {
		t.Fatalf("%s: not a XAdES signature", s.File)
	}
	if strings.Contains(s.File, "wrapped") != (len(props) == 2) {
		t.Errorf("%s: %d SignedProperties", s.File, len(props))
	}
	hold := true
	for _, ref := range si.SelectElements("ds:Reference") {
		uri := ref.SelectAttrValue("URI", "")
		var got [32]byte
		if id, ok := strings.CutPrefix(uri, "#"); ok {
			var target *etree.Element
			for _, p := range props {
				if p.SelectAttrValue("Id", "") == id {
					target = p
				}
			}
			if target == nil {
				t.Fatalf("%s: %s names nothing", s.File, uri)
			}
			// A wrapped signature's reference finds the moved, signed
			// properties outside the QualifyingProperties.
			if moved := target.Parent().Tag != "QualifyingProperties"; moved != strings.Contains(s.File, "wrapped") {
				t.Errorf("%s: SignedProperties under %s", s.File, target.Parent().Tag)
			}
			got = sha256.Sum256(canon(target))
		} else {
			got = sha256.Sum256(files[uri])
		}
		if ref.SelectElement("ds:DigestValue").Text() != base64.StdEncoding.EncodeToString(got[:]) {
			hold = false
		}
	}
	der, _ := base64.StdEncoding.DecodeString(certEl.Text())
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	value, _ := base64.StdEncoding.DecodeString(doc.FindElement("//ds:SignatureValue").Text())
	sum := sha256.Sum256(canon(si))
	r, ss := new(big.Int).SetBytes(value[:32]), new(big.Int).SetBytes(value[32:])
	if !ecdsa.Verify(cert.PublicKey.(*ecdsa.PublicKey), sum[:], r, ss) {
		t.Errorf("%s: the signature value does not verify", s.File)
	}
	for _, v := range doc.FindElements("//xades:EncapsulatedOCSPValue") {
		b, _ := base64.StdEncoding.DecodeString(v.Text())
		resp, err := ocsp.ParseResponse(b, nil)
		if err != nil {
			t.Fatalf("%s: %v", s.File, err)
		}
		if resp.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			t.Errorf("%s: the OCSP response is about another certificate", s.File)
		}
		if revoked := resp.Status == ocsp.Revoked; revoked != (s.Reason == "revoked") || (revoked && !resp.RevokedAt.Before(signedAt)) {
			t.Errorf("%s: OCSP status %d at %v", s.File, resp.Status, resp.RevokedAt)
		}
		if s.Format == "bdoc" {
			// x/crypto/ocsp keeps responseExtensions to itself.
			var rd struct {
				Version     int `asn1:"optional,default:0,explicit,tag:0"`
				ResponderID asn1.RawValue
				ProducedAt  time.Time `asn1:"generalized"`
				Responses   asn1.RawValue
				Extensions  []pkix.Extension `asn1:"optional,explicit,tag:1"`
			}
			if _, err := asn1.Unmarshal(resp.TBSResponseData, &rd); err != nil {
				t.Fatal(err)
			}
			var nonce []byte
			for _, e := range rd.Extensions {
				if e.Id.Equal(oidOCSPNonce) {
					nonce = e.Value
				}
			}
			if ok := bytes.Equal(nonce, digestInfo(value)); ok == (s.Reason == "time_proof_mismatch") {
				t.Errorf("%s: nonce over the signature value: %v", s.File, ok)
			}
		}
	}
	return hold
}

func readFile(w *World, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(w.Dir, name))
}
