package verifier

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// The EU DCC conformance suite (eu-digital-green-certificates/dgc-testdata,
// testdata/dcc/SOURCE): every vector, run with its own TESTCTX certificate as
// the only trust and its VALIDATIONCLOCK as the time, is decided field by
// field as its EXPECTEDRESULTS say. Each field is evaluated on what this
// verifier does with the layer the field names:
//
//	UNPREFIX         dccUnprefix(PREFIX) succeeds and gives BASE45
//	B45DECODE        base45Decode(BASE45) succeeds and gives COMPRESSED
//	COMPRESSION      dccInflate(COMPRESSED) succeeds and gives COSE
//	PICTUREDECODE    the 2DCODE PNG holds a QR code whose text is PREFIX
//	VERIFY           the signature check of the COSE (else of PREFIX) passes
//	KEYUSAGE         … and no check fails for key usage
//	EXPIRATIONCHECK  … and the validity_period check passes
//	DECODE           the DCC in the COSE payload (else the CBOR field) decodes
//	                 with the verifier's decoder and equals JSON
//	VALIDJSON        PREFIX decodes through every layer to a DCC equal to JSON
//	SCHEMAVALIDATION the DCC (from the COSE, else JSON, else CBOR) passes parseHCert
//
// VALIDOBJECT and ENCODE test an issuer's encoder, not a verifier; they are
// counted as not applicable. The BG vectors spell EXPECTEDEXPIRATIONCHECK as
// EXPTECTEDEXPIRED; it is read as that field (their exp lies a year after
// their clock, so "true" can only mean "the expiration check passes").
//
// A vector that lacks a layer gets it from the layer above (COMPRESSED
// from BASE45, BASE45 from PREFIX), and a vector without 2DCODE is read
// from the PNG upstream ships beside it (IE/png/N_qr.png).

type dccVector struct {
	JSON       json.RawMessage `json:"JSON"`
	CBOR       string          `json:"CBOR"`
	COSE       string          `json:"COSE"`
	COMPRESSED string          `json:"COMPRESSED"`
	BASE45     string          `json:"BASE45"`
	PREFIX     string          `json:"PREFIX"`
	QR         string          `json:"2DCODE"`
	TESTCTX    struct {
		CERTIFICATE     string `json:"CERTIFICATE"`
		VALIDATIONCLOCK string `json:"VALIDATIONCLOCK"`
		DESCRIPTION     string `json:"DESCRIPTION"`
	} `json:"TESTCTX"`
	EXPECTEDRESULTS map[string]bool `json:"EXPECTEDRESULTS"`

	png string // a PNG file beside the vector, for vectors without 2DCODE
}

// dccFields are the expectations a verifier can decide, in report order.
var dccFields = []string{"UNPREFIX", "B45DECODE", "COMPRESSION", "PICTUREDECODE", "VERIFY", "KEYUSAGE", "EXPIRATIONCHECK", "DECODE", "VALIDJSON", "SCHEMAVALIDATION"}

var dccNotApplicable = map[string]bool{"VALIDOBJECT": true, "ENCODE": true}

func dccVectorFiles(t testing.TB) []string {
	var files []string
	err := filepath.Walk("testdata/dcc", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() && strings.HasSuffix(p, ".json") && strings.Contains(filepath.ToSlash(p), "/2DCode/") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func loadDCCVector(t testing.TB, p string) *dccVector {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var v dccVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if exp, ok := v.EXPECTEDRESULTS["EXPTECTEDEXPIRED"]; ok {
		delete(v.EXPECTEDRESULTS, "EXPTECTEDEXPIRED")
		v.EXPECTEDRESULTS["EXPECTEDEXPIRATIONCHECK"] = exp
	}
	// IE/2DCode/Raw/1.json → IE/png/1_qr.png
	name := strings.TrimSuffix(filepath.Base(p), ".json")
	country := filepath.Dir(filepath.Dir(filepath.Dir(p)))
	if q := filepath.Join(country, "png", name+"_qr.png"); fileExists(q) {
		v.png = q
	}
	return &v
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// parseValidationClock reads the clock formats found in the suite: RFC 3339
// with or without fractions, a zone offset without a colon, and no zone at
// all (taken as UTC).
func parseValidationClock(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable VALIDATIONCLOCK %q", s)
}

// dccKnown reads testdata/dcc_known_issues.txt: "path FIELD why" lines for
// vectors whose expectation this verifier does not meet, each explained.
func dccKnown(t testing.TB) map[string]string {
	f, err := os.Open("testdata/dcc_known_issues.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		if len(parts) < 3 || strings.TrimSpace(parts[2]) == "" {
			t.Fatalf("dcc_known_issues.txt: %q needs a path, a field and a reason", line)
		}
		known[parts[0]+" "+parts[1]] = parts[2]
	}
	return known
}

// dccRun verifies a COSE message or an HC1 string the way Verify does, with
// the vector's certificate and clock.
func dccRun(t testing.TB, v *dccVector, cose []byte) *Report {
	opts := Options{Time: time.Now()}
	if at, err := parseValidationClock(v.TESTCTX.VALIDATIONCLOCK); err == nil {
		opts.Time = at
	} else {
		t.Fatal(err)
	}
	if v.TESTCTX.CERTIFICATE != "" {
		der, err := base64.StdEncoding.DecodeString(v.TESTCTX.CERTIFICATE)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Trust, err = ParseTrust("testctx", der); err != nil {
			t.Fatal(err)
		}
	}
	if cose != nil {
		vv := &verification{opts: &opts, rep: newReport(opts.Time)}
		vv.verifyHCert(cose)
		return vv.rep.finish()
	}
	return Verify([]byte(v.PREFIX), opts)
}

func checkStatus(r *Report, name string) (Status, Reason, bool) {
	for _, c := range r.Checks {
		if c.Check == name {
			return c.Status, c.Reason, true
		}
	}
	return "", "", false
}

func failedWith(r *Report, reason Reason) bool {
	for _, c := range r.Checks {
		if c.Status == Failed && c.Reason == reason {
			return true
		}
	}
	return false
}

// normalJSON makes decoded JSON and decoded CBOR comparable: numbers as
// float64, and CBOR date-time tags (0, 1) as their content.
func normalJSON(x any) any {
	switch v := x.(type) {
	case map[string]any:
		if len(v) == 2 {
			if n, ok := v["tag"].(uint64); ok && (n == 0 || n == 1) {
				return normalJSON(v["value"])
			}
		}
		out := map[string]any{}
		for k, e := range v {
			out[k] = normalJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalJSON(e)
		}
		return out
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	return x
}

func vectorJSON(v *dccVector) (any, bool) {
	if len(v.JSON) == 0 || string(v.JSON) == "null" {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(v.JSON))
	dec.UseNumber()
	var x any
	if dec.Decode(&x) != nil {
		return nil, false
	}
	return x, true
}

// dccFromCOSE returns the DCC in a COSE message, decoded by the verifier.
func dccFromCOSE(cose []byte) (any, error) {
	m, err := parseSign1(cose, sign1Profile{kidTwice: true})
	if err != nil {
		return nil, err
	}
	var raw map[any]any
	if err := cborUnmarshal(m.payload, &raw); err != nil {
		return nil, err
	}
	hc, _ := raw[int64(cwtHCert)].(map[any]any)
	if hc == nil {
		return nil, errNoHCert
	}
	return cborToJSON(hc[int64(hcertDCC1)]), nil
}

// lenientCBOR decodes the suite's CBOR field, which upstream encodes with
// indefinite lengths; it is used only where a vector has nothing else.
func lenientCBOR(b []byte) (any, error) {
	dm, err := cbor.DecOptions{DefaultMapType: reflect.TypeOf(map[any]any(nil))}.DecMode()
	if err != nil {
		return nil, err
	}
	var x any
	if err := dm.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	return cborToJSON(x), nil
}

func decodeQR(pngB64, pngFile string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(pngB64)
	if err != nil {
		return "", err
	}
	if pngB64 == "" {
		if pngFile == "" {
			return "", fmt.Errorf("the vector has no 2DCODE and upstream ships no PNG beside it")
		}
		if b, err = os.ReadFile(pngFile); err != nil {
			return "", err
		}
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func hexOf(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// evalDCC decides one field of one vector: what happened and why.
func evalDCC(t testing.TB, v *dccVector, field string) (bool, string) {
	var cose []byte
	if v.COSE != "" {
		cose = hexOf(v.COSE)
	}
	switch field {
	case "UNPREFIX":
		out, err := dccUnprefix([]byte(v.PREFIX))
		if err != nil {
			return false, err.Error()
		}
		return v.BASE45 == "" || string(out) == v.BASE45, "differs from BASE45"
	case "B45DECODE":
		in := []byte(v.BASE45)
		if v.BASE45 == "" {
			in, _ = dccUnprefix([]byte(v.PREFIX))
		}
		out, err := base45Decode(in)
		if err != nil {
			return false, err.Error()
		}
		return v.COMPRESSED == "" || bytes.Equal(out, hexOf(v.COMPRESSED)), "differs from COMPRESSED"
	case "COMPRESSION":
		in := hexOf(v.COMPRESSED)
		if v.COMPRESSED == "" {
			b45, _ := dccUnprefix([]byte(v.PREFIX))
			if v.BASE45 != "" {
				b45 = []byte(v.BASE45)
			}
			in, _ = base45Decode(b45)
		}
		out, err := dccInflate(nil, in)
		if err != nil {
			return false, err.Error()
		}
		return cose == nil || bytes.Equal(out, cose), "differs from COSE"
	case "PICTUREDECODE":
		text, err := decodeQR(v.QR, v.png)
		if err != nil {
			return false, "QR: " + err.Error()
		}
		return text == v.PREFIX, "the QR text differs from PREFIX"
	case "VERIFY", "KEYUSAGE", "EXPIRATIONCHECK":
		r := dccRun(t, v, cose)
		sig, reason, _ := checkStatus(r, CheckSignature)
		why := fmt.Sprintf("%s/%s", r.Verdict, r.Reason)
		if sig != Passed {
			return false, why
		}
		switch field {
		case "KEYUSAGE":
			return !failedWith(r, KeyUsage), why
		case "EXPIRATIONCHECK":
			st, reason, ok := checkStatus(r, CheckValidityPeriod)
			if !ok {
				return false, "no validity check: " + why
			}
			return st == Passed, fmt.Sprintf("validity %s/%s", st, reason)
		}
		return true, string(reason)
	case "DECODE", "VALIDJSON", "SCHEMAVALIDATION":
		var dcc any
		var err error
		switch {
		case field == "VALIDJSON":
			var c []byte
			if c, err = dccDecode(nil, []byte(v.PREFIX)); err == nil {
				dcc, err = dccFromCOSE(c)
			}
		case cose != nil:
			dcc, err = dccFromCOSE(cose)
		case field == "DECODE":
			var raw any
			if err = cborUnmarshal(hexOf(v.CBOR), &raw); err == nil {
				dcc = cborToJSON(raw)
			}
		default:
			var ok bool
			if dcc, ok = vectorJSON(v); !ok {
				dcc, err = lenientCBOR(hexOf(v.CBOR))
			}
		}
		if err != nil {
			return false, err.Error()
		}
		if field == "SCHEMAVALIDATION" {
			if _, err := parseHCert(dcc); err != nil {
				return false, err.Error()
			}
			return true, ""
		}
		want, ok := vectorJSON(v)
		if !ok {
			return true, "no JSON to compare with"
		}
		return reflect.DeepEqual(normalJSON(dcc), normalJSON(want)), "differs from JSON"
	}
	t.Fatalf("unknown field %s", field)
	return false, ""
}

// TestDCCConformance runs the whole suite. It prints how many vectors pass
// each field, lists every mismatch with its reason, and fails on any
// mismatch not explained in testdata/dcc_known_issues.txt (and on any
// explanation that no longer matches a mismatch).
func TestDCCConformance(t *testing.T) {
	known := dccKnown(t)
	used := map[string]bool{}
	type count struct{ pass, fail, known int }
	counts := map[string]*count{}
	na := 0
	files := dccVectorFiles(t)
	if len(files) < 80 {
		t.Fatalf("found %d vectors; the suite has 84", len(files))
	}
	for _, p := range files {
		v := loadDCCVector(t, p)
		rel := filepath.ToSlash(strings.TrimPrefix(p, "testdata/dcc/"))
		for key := range v.EXPECTEDRESULTS {
			field := strings.TrimPrefix(key, "EXPECTED")
			if dccNotApplicable[field] {
				na++
				continue
			}
			found := false
			for _, f := range dccFields {
				found = found || f == field
			}
			if !found {
				t.Errorf("%s: unknown expectation %s", rel, key)
			}
		}
		for _, field := range dccFields {
			want, ok := v.EXPECTEDRESULTS["EXPECTED"+field]
			if !ok {
				continue
			}
			c := counts[field]
			if c == nil {
				c = &count{}
				counts[field] = c
			}
			got, why := evalDCC(t, v, field)
			switch id := rel + " " + field; {
			case got == want:
				c.pass++
			case known[id] != "":
				c.known++
				used[id] = true
				t.Logf("known: %s: want %v, got %v (%s) — %s", id, want, got, why, known[id])
			default:
				c.fail++
				t.Errorf("MISMATCH %s: want %v, got %v: %s", id, want, got, why)
			}
		}
	}
	for _, f := range dccFields {
		if c := counts[f]; c != nil {
			t.Logf("%-17s %3d passed, %d known, %d failed", f, c.pass, c.known, c.fail)
		}
	}
	t.Logf("%d vectors; %d issuer-side expectations (VALIDOBJECT, ENCODE) not applicable", len(files), na)
	for id := range known {
		if !used[id] {
			t.Errorf("dcc_known_issues.txt lists %q, which now passes: remove it", id)
		}
	}
}

// dccSuitePayloads are the CWT payloads of the conformance suite's COSE
// messages, by vector file.
func dccSuitePayloads(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range dccVectorFiles(t) {
		v := loadDCCVector(t, f)
		cose, err := hex.DecodeString(v.COSE)
		if err != nil || len(cose) == 0 {
			continue
		}
		if m, err := parseSign1(cose, sign1Profile{}); err == nil && !m.detached {
			out[f] = m.payload
		}
	}
	return out
}

// TestHCertFromClaims holds hcertFromDecoded, taking the certificate from
// the claims already converted, to converting it afresh, on every payload
// of the conformance suite.
func TestHCertFromClaims(t *testing.T) {
	n := 0
	for f, payload := range dccSuitePayloads(t) {
		var raw map[any]any
		rawErr := cborUnmarshal(payload, &raw)
		claims, _, _ := cwtClaimsDecoded(payload, raw, rawErr)
		got, gerr := hcertFromDecoded(raw, rawErr, claims)
		want, werr := hcertFromDecoded(raw, rawErr, nil)
		if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: from the claims %+v %v, converted afresh %+v %v", f, got, gerr, want, werr)
		}
		if claims != nil && gerr == nil {
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d certificates were taken from the claims", n)
	}
}
