package verifier

import (
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the XAdES reader and for whole containers, seeded from
// every signature file and every small container of testdata/asice.

// knownXAdESReasons are the reasons reading a signature may fail with.
var knownXAdESReasons = map[Reason]bool{
	Malformed: true, XMLForbidden: true, LimitExceeded: true, UnsupportedAlg: true,
	SignatureWrapping: true, KeySubstitution: true, SignedFileMissing: true, DigestMismatch: true, PayloadMissing: true,
}

func FuzzXAdES(f *testing.F) {
	for _, v := range loadASiCVectors(f) {
		c, err := readASiC(v.read(f), asicLimits{}, nil, nil)
		if err != nil {
			continue
		}
		for _, s := range c.Signatures {
			f.Add(s.XML)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseXAdES(data, nil, nil)
		if err != nil {
			if r := errReason(err); !knownXAdESReasons[r] {
				t.Fatalf("reason %s: %v", r, err)
			}
			return
		}
		if s.signedProps == nil || s.signedInfo == nil || s.signatureValue == nil {
			t.Fatal("a signature read without its signed parts")
		}
		if err := s.pickSigner(nil); err != nil {
			if errReason(err) != KeySubstitution {
				t.Fatalf("reason %s: %v", errReason(err), err)
			}
			return
		}
		if s.Certificate == nil {
			t.Fatal("no signing certificate picked")
		}
		switch s.Level(false) {
		case levelB, levelT, levelLT, levelLTA, levelBDOCTM:
		default:
			t.Fatalf("level %q", s.Level(false))
		}
		refs, err := s.checkRefs(func(string) *asicFile { return nil }, nil)
		if err != nil {
			if r := errReason(err); !knownXAdESReasons[r] {
				t.Fatalf("reason %s: %v", r, err)
			}
			return
		}
		for _, r := range refs {
			if !r.props && r.File != nil {
				t.Fatal("a data file resolved without a container")
			}
		}
	})
}

func FuzzContainer(f *testing.F) {
	// Small containers only: the compression-ratio vectors inflate to
	// megabytes, which under the fuzzer's instrumentation takes seconds.
	for _, v := range loadASiCVectors(f) {
		if b := v.read(f); len(b) < 16<<10 && !strings.Contains(v.ID, "compression") && !strings.Contains(v.ID, "bomb") {
			f.Add(b)
		}
	}
	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := Verify(data, Options{Time: at, Format: FormatASiC})
		equalReportJSON(t, r)
		if r.Verdict == Valid {
			t.Fatal("a container verified valid without any trust")
		}
		if c := r.Container; c != nil {
			for _, s := range c.Signatures {
				if s.Verdict == Valid || s.Indication == "" || s.Warnings == nil || s.Files == nil {
					t.Fatalf("signature %+v", s)
				}
			}
		}
	})
}
