package verifier

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the government formats, seeded from their vectors.
// Every input must give a well-formed report; crashers land in
// testdata/fuzz/<Target>/ and are committed.

// checkReport (fuzz_test.go) asserts what every report must satisfy.

func FuzzBase45(f *testing.F) {
	for _, p := range dccVectorFiles(f) {
		v := loadDCCVector(f, p)
		if v.BASE45 != "" {
			f.Add([]byte(v.BASE45))
		}
	}
	f.Add([]byte("GGW")) // 65535 + 1
	f.Add([]byte(":::")) // 91124, too large
	f.Fuzz(func(t *testing.T, s []byte) {
		out, err := base45Decode(s)
		if err != nil {
			return
		}
		if want := len(s)/3*2 + len(s)%3/2; len(out) != want {
			t.Fatalf("%d characters decoded to %d bytes, want %d", len(s), len(out), want)
		}
	})
}

func FuzzHC1(f *testing.F) {
	var certs [][]byte
	for _, p := range dccVectorFiles(f) {
		v := loadDCCVector(f, p)
		f.Add([]byte(v.PREFIX))
		if v.TESTCTX.CERTIFICATE != "" && len(certs) < 4 {
			certs = append(certs, []byte(v.TESTCTX.CERTIFICATE))
		}
	}
	trust := &Trust{}
	for _, c := range certs {
		der, err := base64.StdEncoding.DecodeString(string(c))
		if err != nil {
			f.Fatal(err)
		}
		if tr, err := ParseTrust("fuzz", der); err == nil {
			trust.Add(tr)
		}
	}
	at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkReport(t, Verify(in, Options{Trust: trust, Time: at, Format: FormatDCC}))
	})
}

func FuzzMDoc(f *testing.F) {
	a := loadAnnexD(f)
	resp := a.bytes(f, "DEVICE_RESPONSE")
	f.Add(resp)
	if doc, err := parseMDoc(resp); err == nil {
		if b, err := cborEnc.Marshal(doc.IssuerSigned); err == nil {
			f.Add(b)
		}
	}
	opts := Options{Trust: a.trust(f), Time: annexDTime, Format: FormatMDoc,
		Holder: HolderOptions{SessionTranscript: a.bytes(f, "SESSION_TRANSCRIPT_BYTES"), ReaderKey: a.readerKey(f)}}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkReport(t, Verify(in, opts))
	})
}

func FuzzSDJWT(f *testing.F) {
	files, err := filepath.Glob("testdata/sdjwt/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		if strings.HasSuffix(p, ".sdjwt") || strings.Contains(p, "draft20-") {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	opts := Options{Trust: rfcTrust(f), Time: rfcTime, Format: FormatSDJWT}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkReport(t, Verify(in, opts))
	})
}
