package verifier

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// decodeBase64XMLMapped is decodeBase64XML as it was, through strings.Map:
// the reference the byte loop is held to.
func decodeBase64XMLMapped(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.Strict().DecodeString(clean)
	if err != nil || len(b) == 0 {
		return nil, readFail(Malformed, "XML base64 value does not decode")
	}
	return b, nil
}

var base64XMLSeeds = []string{
	"AQID", "AQ\nID", " A Q I D ", "AQIDBA==", "AQIDBA=\n=", "AQIDBA", "AQIDBA=", "AQIDBB==",
	"", " \t\r\n", "AQ\u00a0ID", "AQ\xffID", "AQ\x00ID", "====", "A", "AQI\u2028D",
	"MIIB\r\nIjAN\r\n", "-_8=", "+/8=",
}

// base64XMLLong are long values: wrapped as certificates are, with
// padding at the end of a 1 KiB segment (the unit an earlier
// decodeBase64XML decoded in), inside the value, and just past it.
func base64XMLLong() []string {
	const seg = 1024
	var out []string
	for _, n := range []int{seg/4*3 - 1, seg / 4 * 3, seg/4*3 + 1, 2000, 3 * seg} {
		v := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5, 0x01, 0x7e}, n)[:n])
		var w strings.Builder
		for i := 0; i < len(v); i += 64 {
			w.WriteString(v[i:min(i+64, len(v))] + "\n")
		}
		out = append(out, v, w.String(), v[:seg-2]+"=="+v[seg:], v[:seg-4]+"AA=="+v[seg:], v[:seg]+"AA==", v[:seg]+"A", v+" ", " \r\n"+v)
	}
	return out
}

func TestDecodeBase64XMLAsMapped(t *testing.T) {
	for _, s := range append(base64XMLSeeds, base64XMLLong()...) {
		checkBase64XML(t, s)
	}
}

func FuzzDecodeBase64XML(f *testing.F) {
	for _, s := range append(base64XMLSeeds, base64XMLLong()...) {
		f.Add(s)
	}
	f.Fuzz(checkBase64XML)
}

func checkBase64XML(t *testing.T, s string) {
	got, gerr := decodeBase64XML(s)
	want, werr := decodeBase64XMLMapped(s)
	if errReason(gerr) != errReason(werr) || !bytes.Equal(got, want) {
		t.Errorf("%q: % x %v, want % x %v", s, got, errReason(gerr), want, errReason(werr))
	}
}
