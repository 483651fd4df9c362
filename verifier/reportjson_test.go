package verifier

import (
	"encoding/json"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// plainReport has Report's fields without its MarshalJSON: what
// encoding/json writes by reflection.
type plainReport Report

func equalReportJSON(t *testing.T, r *Report) {
	t.Helper()
	want, err := json.Marshal((*plainReport)(r))
	if err != nil {
		return // encoding/json refuses the report; AppendJSON still writes one
	}
	got := string(r.AppendJSON(nil))
	if !jsonPinned {
		// From Go 1.27 encoding/json writes invalid UTF-8 as the
		// replacement character itself; the report keeps Go 1.26's
		// escape, so the two are compared as the same text.
		got = strings.ReplaceAll(got, `\ufffd`, "\uFFFD")
		want = []byte(strings.ReplaceAll(string(want), `\ufffd`, "\uFFFD"))
	}
	if got != string(want) {
		t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
	}
}

// jsonPinned is true under Go 1.26, whose encoding/json wrote every byte of
// a report as AppendJSON does.
var jsonPinned = strings.HasPrefix(runtime.Version(), "go1.26")

// richReport fills every member of a report, with s and f wherever text
// and numbers from documents go.
func richReport(s string, f float64) *Report {
	return &Report{
		Report: ReportVersion, Verdict: Invalid, Reason: Reason(s),
		Warnings: []Warning{{Reason: CertificateExpired, Detail: s}, {Reason: "x"}},
		Checks: []Check{{Check: CheckDecode, Status: Passed}, {Check: s, Status: Failed, Reason: Malformed, Detail: s},
			{Check: CheckRevocation, Status: StatusIndeterminate, Reason: StatusUnknown, StatusList: &StatusListEntry{URI: s, Index: math.MaxUint64}}},
		Document: &Document{
			Format: s, Type: s, SignedAt: s, ValidFrom: s, ValidUntil: s,
			Issuer:  &DocumentIssuer{Name: s, KeyID: s},
			Subject: &Subject{GivenName: s, Portrait: s},
			Claims: map[string]any{s: f, "n": json.Number("12.50"), "a": []any{s, f, true, nil, int64(-3), uint64(math.MaxUint64)},
				"m": map[string]any{"z": 1.0, "a": map[string]any{}}, "e": []any{}, "nil": nil, "b": false},
			Technical: &Technical{Algorithm: s, Headers: map[string]any{"alg": s, s: []any{}},
				Certificates: []CertificateInfo{{Subject: s, Issuer: s, Serial: "1", NotBefore: s}}},
		},
		Container: &Container{MediaType: s, DataFiles: []DataFile{{Name: s, MediaType: s, Size: 1 << 40, SHA256: s}, {}},
			Signatures: []ContainerSignature{{ID: s, File: s, Verdict: Invalid, Reason: Reason(s), Indication: s, SubIndication: s, Level: s,
				Signer:      &Signer{Name: s, PersonalCode: s, Country: s, Certificate: CertificateInfo{Subject: s, NotAfter: s}},
				SigningTime: s, ClaimedTime: s, Qualified: s, TimeStamp: s, OCSPResponder: s, OCSPProducedAt: s,
				Files: []string{s, ""}, Warnings: []Warning{{Reason: Reason(s), Detail: s}}}, {Signer: &Signer{}}, {Files: []string{}, Warnings: []Warning{}}}},
		Attestations: []Attestation{{Embassy: s, CosignedAt: s, Origin: s, Index: 7, TreeSize: 1 << 40}},
		Trust:        &TrustInfo{Operator: s, OperatorKey: s, Sequence: 3, IssuedAt: s, NextUpdate: s, AgeSeconds: -5, Signed: true, StaleAcceptedUnsafe: true},
		VerifiedAt:   s,
	}
}

var reportSeeds = []struct {
	s string
	f float64
}{
	{"", 0}, {"plain", 1}, {"<script>&amp;</script>", -1e-7}, {"\u2028\u2029\x00\x1f\x7f\"\\", 1e21},
	{"\xff\xfe broken \xc3", 123456.789}, {"Ürgen Õun 漢字 😀", 5e-324}, {"tab\tnl\n", math.MaxFloat64},
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range reportSeeds {
		equalReportJSON(t, richReport(c.s, c.f))
	}
	// Sparse reports: every omitempty member left out.
	equalReportJSON(t, &Report{})
	equalReportJSON(t, &Report{Container: &Container{}})
	equalReportJSON(t, &Report{Document: &Document{Issuer: &DocumentIssuer{}, Subject: &Subject{}, Technical: &Technical{}}, Trust: &TrustInfo{}})
	equalReportJSON(t, Verify([]byte("x"), Options{Time: time.Unix(1e9, 0)}))
}

// FuzzReportJSON verifies the input as a document and checks its report,
// and a report holding the input as text, against encoding/json.
func FuzzReportJSON(f *testing.F) {
	for _, c := range reportSeeds {
		f.Add([]byte(c.s), c.f)
	}
	f.Fuzz(func(t *testing.T, data []byte, x float64) {
		equalReportJSON(t, Verify(data, Options{Time: time.Unix(1.8e9, 0)}))
		equalReportJSON(t, richReport(string(data), x))
	})
}

func TestAppendRFC3339MatchesFormat(t *testing.T) {
	loc := time.FixedZone("x", -5*3600-30*60)
	for _, tm := range []time.Time{
		time.Unix(0, 0), time.Unix(1, 999999999), time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 2, 29, 1, 2, 3, 4, loc), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
	} {
		if got, want := string(appendRFC3339(nil, tm)), tm.UTC().Format(time.RFC3339); got != want {
			t.Errorf("%v: %s, want %s", tm, got, want)
		}
	}
}

// sameJSONValue holds appendJSONValue and marshalJSONValue to json.Marshal
// for a value from a document: the same bytes where encoding/json writes
// them, and a failure where it fails.
func sameJSONValue(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, ok := marshalJSONValue(v)
	if ok != (wantErr == nil) {
		t.Fatalf("%#v: marshalJSONValue ok %v, encoding/json %v", v, ok, wantErr)
	}
	if ok && (string(got) != string(want) || string(appendJSONValue(nil, v)) != string(want)) {
		t.Fatalf("%#v:\n got %s\nwant %s", v, got, want)
	}
}

func TestJSONValueMatchesEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, "s", true, json.Number("1.5e3"), json.Number(""), 1.0, 1e21, 1e-7, int64(-1), uint64(math.MaxUint64), 7,
		math.NaN(), math.Inf(-1), map[string]any{"b": math.Inf(1)}, []any{1.0, math.NaN()},
		time.Date(2026, 11, 27, 12, 0, 0, 5, time.FixedZone("x", 3600)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), map[string]any{"t": time.Unix(0, 0).UTC(), "n": map[string]any(nil), "a": []any(nil)},
		[]any{map[string]any{"late": time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)}}, struct{}{}, []string{"x"},
	} {
		if _, isFloat := v.(float64); isFloat || v == nil {
			sameJSONValue(t, v)
			continue
		}
		switch v.(type) {
		case struct{}, []string:
			// Types no parser produces: written as null, and a failure.
			if b, ok := marshalJSONValue(v); ok || string(b) != "null" {
				t.Errorf("%T: %s %v", v, b, ok)
			}
			continue
		}
		sameJSONValue(t, v)
	}
}

// TestAppendJSONMapSizes holds the map writer to encoding/json on both of
// its paths (up to 16 members sorted with their values, more sorted by
// key and looked up), with keys that share prefixes, differ only in case
// and are not ASCII, and with nested maps.
func TestAppendJSONMapSizes(t *testing.T) {
	base := []string{"", "a", "A", "ab", "a\u00e9", "\u00e9", "b", "_sd", "iss", "is", "z", "0", "10", "9", "<", "~"}
	for n := 0; n <= 40; n++ {
		m := map[string]any{}
		for i := range n {
			k := base[i%len(base)] + strings.Repeat("x", i/len(base))
			m[k] = map[string]any{"n": int64(i), k: []any{k, nil}}
		}
		sameJSONValue(t, m)
	}
}
