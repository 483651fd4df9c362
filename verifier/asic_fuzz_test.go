package verifier

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"slices"
	"testing"
)

// Fuzz targets for the readers of DigiDoc containers, OCSP responses and
// time-stamp tokens, seeded from the vectors of testdata/asice (containers
// under 64 KB; every embedded response and token) and the test builders.

func FuzzReadASiC(f *testing.F) {
	for _, v := range loadASiCVectors(f) {
		if b := v.read(f); len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add(buildZip(f, asiceFiles("a.txt", "hello"), "comment").b)
	lim := asicLimits{Entries: 64, TotalSize: 4 << 20, EntrySize: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := readASiC(data, lim, nil, nil)
		if err != nil {
			if r := errReason(err); r != Malformed && r != UnsupportedFormat && r != LimitExceeded {
				t.Fatalf("reason %s", r)
			}
			return
		}
		if c.MediaType != asicEMediaType && c.MediaType != asicSMediaType {
			t.Fatalf("media type %q", c.MediaType)
		}
		for _, f := range c.DataFiles {
			b, err := f.Content()
			if err != nil || int64(len(b)) != f.Size || sha256.Sum256(b) != f.SHA256 {
				t.Fatalf("%q: content disagrees with the opening (%v)", f.Name, err)
			}
			if d, err := f.Digest(crypto.SHA256); err != nil || !bytes.Equal(d, f.SHA256[:]) {
				t.Fatalf("%q: digest", f.Name)
			}
		}
		for _, s := range c.Signatures {
			if int64(len(s.XML)) != s.Size || !isSignatureName(s.Name) {
				t.Fatalf("%q: signature file", s.Name)
			}
		}
	})
}

// evidenceSeeds are the OCSP responses or time stamps of the vectors.
func evidenceSeeds(f *testing.F, ocsp bool) {
	seen := map[[32]byte]bool{}
	for _, s := range vectorSignatureFiles(f) {
		list := s.tsts
		if ocsp {
			list = s.ocsps
		}
		for _, der := range list {
			if sum := sha256.Sum256(der); !seen[sum] {
				seen[sum] = true
				f.Add(der)
			}
		}
	}
}

var evidenceReasons = []Reason{Malformed, UnsupportedFormat, UnsupportedAlg, CritUnsupported, StatusUnknown,
	IssuerUnknown, SignatureInvalid, KeyUsage, TimeProofMismatch}

func FuzzParseOCSPResponse(f *testing.F) {
	evidenceSeeds(f, true)
	p := newTestPKI(f)
	f.Add(buildOCSP(f, ocspSpec{signer: p.responder, producedAt: ocspTime, cert: p.leaf.cert, issuer: p.ca.cert,
		nonce: digestInfo([]byte("v")), certs: p.allCerts()}))
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := parseOCSPResponse(der, nil)
		if err == nil {
			if !bytes.Contains(der, r.TBS) || len(r.Responses) == 0 {
				t.Fatal("TBS is not the response's own bytes, or no single response")
			}
			_, err = r.verifySignature(&Options{}, p.allCerts())
			if err == nil {
				for _, c := range r.Certificates {
					r.authority(c, p.ca.cert)
				}
				_, err = r.find(p.leaf.cert, p.ca.cert)
			}
			if err == nil {
				_, err = r.checkTMNonce([]byte("v"))
			}
		}
		if err != nil && !slices.Contains(evidenceReasons, errReason(err)) {
			t.Fatalf("reason %s", errReason(err))
		}
	})
}

func FuzzParseTimeStampToken(f *testing.F) {
	evidenceSeeds(f, false)
	p := newTestPKI(f)
	f.Add(buildTST(f, tstSpec{signer: p.tsa, data: []byte("v"), genTime: tstTime}))
	f.Fuzz(func(t *testing.T, der []byte) {
		tok, err := parseTimeStampToken(der, nil)
		if err == nil {
			if !bytes.Contains(der, tok.TSTInfo) || tok.SignedAttrs[0] != 0x31 {
				t.Fatal("TSTInfo is not the token's own bytes, or the signed attributes are not a SET")
			}
			if err = tok.checkImprint([]byte("v"), nil); err == nil {
				_, err = tok.verify(&Options{}, p.allCerts())
			}
		}
		if err != nil && !slices.Contains(evidenceReasons, errReason(err)) {
			t.Fatalf("reason %s", errReason(err))
		}
	})
}
