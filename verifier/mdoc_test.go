package verifier

import (
	"bytes"

	"encoding/hex"
	"encoding/json"
	"github.com/fxamacker/cbor/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// The ISO/IEC 18013-5 Annex D example (testdata/mdoc/SOURCE).
type annexD map[string]string

func loadAnnexD(t testing.TB) annexD {
	b, err := os.ReadFile("testdata/mdoc/iso18013-5-annex-d.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors annexD `json:"vectors"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

func (a annexD) bytes(t testing.TB, name string) []byte {
	b, err := hex.DecodeString(a["ISO_18013_5_ANNEX_D_"+name])
	if err != nil || len(b) == 0 {
		t.Fatalf("annex D %s: %v", name, err)
	}
	return b
}

// trust is the DS certificate as the only anchor: the vector ships no IACA
// root.
func (a annexD) trust(t testing.TB) *Trust {
	tr, err := ParseTrust("utopia-ds", a.bytes(t, "DS_CERT"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// readerKey is the Annex D reader's ephemeral private scalar.
func (a annexD) readerKey(t testing.TB) []byte { return a.bytes(t, "EPHEMERAL_READER_KEY_D") }

var annexDTime = time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)

func TestMDocAnnexD(t *testing.T) {
	a := loadAnnexD(t)
	resp := a.bytes(t, "DEVICE_RESPONSE")
	r := Verify(resp, Options{Trust: a.trust(t), Time: annexDTime})
	if r.Verdict != Valid {
		t.Fatalf("%s/%s %+v", r.Verdict, r.Reason, r.Checks)
	}
	d := r.Document
	if d.Format != "mdoc" || d.Type != "org.iso.18013.5.1.mDL" {
		t.Errorf("format %s type %s", d.Format, d.Type)
	}
	if st, _, _ := checkStatus(r, CheckHolderBinding); st != Skipped {
		t.Errorf("device authentication %s without a transcript", st)
	}
	s := d.Subject
	if s == nil || s.FamilyName != "Doe" || s.DocumentNumber != "123456789" {
		t.Fatalf("subject %+v", s)
	}
	if want := "data:image/jpeg;base64,"; !strings.HasPrefix(s.Portrait, want) {
		t.Errorf("portrait %.40s", s.Portrait)
	}
	mdl := d.Claims["org.iso.18013.5.1"].(map[string]any)
	for _, e := range []string{"family_name", "issue_date", "expiry_date", "document_number", "portrait", "driving_privileges"} {
		if _, ok := mdl[e]; !ok {
			t.Errorf("element %s not listed", e)
		}
	}
	if mdl["issue_date"] != "2019-10-20" {
		t.Errorf("issue_date %v", mdl["issue_date"])
	}

	// Times around the validity window: signed 2020-10-01T13:30:02Z, valid
	// until 2021-10-01T13:30:02Z.
	for _, tc := range []struct {
		at      time.Time
		verdict Verdict
		reason  Reason
	}{
		{time.Date(2020, 10, 1, 14, 0, 0, 0, time.UTC), Valid, ""},
		{time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC), Valid, ""},
		{time.Date(2021, 10, 2, 0, 0, 0, 0, time.UTC), Invalid, Expired},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Invalid, Expired},
		{time.Date(2020, 9, 30, 0, 0, 0, 0, time.UTC), Invalid, NotYetValid},
	} {
		r := Verify(resp, Options{Trust: a.trust(t), Time: tc.at})
		if r.Verdict != tc.verdict || r.Reason != tc.reason {
			t.Errorf("at %s: %s/%s, want %s/%s", tc.at, r.Verdict, r.Reason, tc.verdict, tc.reason)
		}
	}
	if r := Verify(resp, Options{Time: annexDTime}); r.Verdict != Indeterminate || r.Reason != ChainUntrusted {
		t.Errorf("without trust: %s/%s", r.Verdict, r.Reason)
	}
}

// TestMDocAnnexDDeviceMac checks the device MAC of Annex D with its session
// transcript and the reader's ephemeral key, and that another transcript
// fails.
func TestMDocAnnexDDeviceMac(t *testing.T) {
	a := loadAnnexD(t)
	resp := a.bytes(t, "DEVICE_RESPONSE")
	st := a.bytes(t, "SESSION_TRANSCRIPT_BYTES")
	opts := Options{Trust: a.trust(t), Time: annexDTime, Holder: HolderOptions{SessionTranscript: st, ReaderKey: a.readerKey(t)}}
	r := Verify(resp, opts)
	if st, _, _ := checkStatus(r, CheckHolderBinding); r.Verdict != Valid || st != Passed {
		t.Fatalf("%s/%s %+v", r.Verdict, r.Reason, r.Checks)
	}
	// The transcript given unwrapped decides alike.
	inner, _ := unwrap24(st)
	opts.Holder.SessionTranscript = inner
	if r := Verify(resp, opts); r.Verdict != Valid {
		t.Errorf("unwrapped transcript: %s/%s", r.Verdict, r.Reason)
	}
	other := append([]byte(nil), inner...)
	other[len(other)-1] ^= 1
	opts.Holder.SessionTranscript = other
	if r := Verify(resp, opts); r.Verdict != Invalid || r.Reason != HolderBindingInvalid {
		t.Errorf("other transcript: %s/%s", r.Verdict, r.Reason)
	}
	// Without the reader key the MAC cannot be checked; a transcript asks
	// for device authentication, so that is never valid (issue 12, case 2).
	opts.Holder = HolderOptions{SessionTranscript: st}
	wantReport(t, Verify(resp, opts), Indeterminate, HolderBindingUnchecked)
	// Nor with the MAC overwritten: the tag is never looked at.
	wantReport(t, Verify(overwriteMAC(t, resp), opts), Indeterminate, HolderBindingUnchecked)
	// With the reader key, the overwritten MAC fails.
	opts.Holder.ReaderKey = a.readerKey(t)
	wantReport(t, Verify(overwriteMAC(t, resp), opts), Invalid, HolderBindingInvalid)
	// Without a transcript and without a demand, device authentication is
	// not asked for and is skipped.
	opts.Holder = HolderOptions{}
	if r := Verify(resp, opts); r.Verdict != Valid {
		t.Errorf("no transcript: %s/%s", r.Verdict, r.Reason)
	} else if s, _, _ := checkStatus(r, CheckHolderBinding); s != Skipped {
		t.Errorf("no transcript: holder binding %s", s)
	}
	// Demanded without a transcript: cannot be checked.
	opts.Holder = HolderOptions{RequireBinding: true}
	wantReport(t, Verify(resp, opts), Indeterminate, HolderBindingUnchecked)
}

// overwriteMAC returns resp with the last byte of its deviceMac tag
// changed: the tag is the last byte string of the DeviceResponse's
// deviceAuth, found by its encoded value.
func overwriteMAC(t *testing.T, resp []byte) []byte {
	t.Helper()
	doc, err := parseMDoc(resp)
	if err != nil || doc.DeviceSigned == nil {
		t.Fatal("no deviceSigned")
	}
	var mac coseMac0
	if err := cborUnmarshal(doc.DeviceSigned.DeviceAuth.DeviceMac, &mac); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(resp, mac.Tag)
	if i < 0 || bytes.Count(resp, mac.Tag) != 1 {
		t.Fatal("the MAC tag is not found once")
	}
	out := bytes.Clone(resp)
	out[i+len(mac.Tag)-1] ^= 0xff // the tag's last byte
	return out
}

// TestMDocTamperEachByte changes every byte of every disclosed value of
// Annex D, one at a time. Each change that still decodes as an
// IssuerSignedItem is a tampered value and must end in disclosure_mismatch;
// changes that break the encoding are not value tampers and are not counted.
func TestMDocTamperEachByte(t *testing.T) {
	a := loadAnnexD(t)
	resp := a.bytes(t, "DEVICE_RESPONSE")
	doc, err := parseMDoc(resp)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Trust: a.trust(t), Time: annexDTime}
	tampers := map[string]int{}
	for _, raw := range doc.IssuerSigned.NameSpaces["org.iso.18013.5.1"] {
		inner, _ := unwrap24(raw)
		var it mdocIssuerSignedItem
		if err := cborUnmarshal(inner, &it); err != nil {
			t.Fatal(err)
		}
		itemAt := bytes.Index(resp, raw)
		valAt := bytes.LastIndex(inner, it.ElementValue)
		if itemAt < 0 || valAt < 0 {
			t.Fatalf("%s not found", it.ElementIdentifier)
		}
		base := itemAt + (len(raw) - len(inner)) + valAt
		for i := range it.ElementValue {
			bad := append([]byte(nil), resp...)
			bad[base+i] ^= 0x01
			var check mdocIssuerSignedItem
			tdoc, err := parseMDoc(bad)
			if err != nil {
				continue
			}
			found := false
			for _, r := range tdoc.IssuerSigned.NameSpaces["org.iso.18013.5.1"] {
				in, _ := unwrap24(r)
				if cborUnmarshal(in, &check) == nil && check.ElementIdentifier == it.ElementIdentifier {
					found = true
					break
				}
			}
			if !found {
				continue
			}
			var val any
			if cborUnmarshal(check.ElementValue, &val) != nil {
				continue
			}
			tampers[it.ElementIdentifier]++
			r := Verify(bad, opts)
			if r.Verdict != Invalid || r.Reason != DisclosureMismatch {
				t.Fatalf("%s byte %d: %s/%s", it.ElementIdentifier, i, r.Verdict, r.Reason)
			}
		}
	}
	total := 0
	for e, n := range tampers {
		if n == 0 {
			t.Errorf("no tamper of %s was tried", e)
		}
		total += n
	}
	if len(tampers) != 6 || total < 1100 {
		t.Errorf("tampered %d bytes over %d elements: %v", total, len(tampers), tampers)
	}
}

// TestMDocStructure covers the document wrapper: a docType that differs from
// the signed one, an item presented twice (its digestID reused), several
// documents, and IssuerSigned given alone.
func TestMDocStructure(t *testing.T) {
	a := loadAnnexD(t)
	resp := a.bytes(t, "DEVICE_RESPONSE")
	opts := Options{Trust: a.trust(t), Time: annexDTime}
	var r mdocDeviceResponse
	if err := cborUnmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	enc := func(x any) []byte {
		b, err := cborEnc.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dup := r
	dup.Documents = []mdocDocument{r.Documents[0]}
	items := r.Documents[0].IssuerSigned.NameSpaces["org.iso.18013.5.1"]
	dup.Documents[0].IssuerSigned.NameSpaces = map[string][]cbor.RawMessage{"org.iso.18013.5.1": append(append([]cbor.RawMessage{}, items...), items[0])}
	two := r
	two.Documents = []mdocDocument{r.Documents[0], r.Documents[0]}
	for _, tc := range []struct {
		name    string
		doc     []byte
		verdict Verdict
		reason  Reason
	}{
		{"re-encoded unchanged", enc(r), Valid, ""},
		{"other docType outside the signature", bytes.Replace(resp, []byte("org.iso.18013.5.1.mDL"), []byte("org.iso.18013.5.1.mDX"), 1), Invalid, DisclosureMismatch},
		{"item presented twice", enc(dup), Invalid, DisclosureMismatch},
		{"two documents", enc(two), Indeterminate, UnsupportedFormat},
		{"IssuerSigned alone", enc(r.Documents[0].IssuerSigned), Valid, ""},
		{"not an mdoc map", enc(map[string]any{"x": 1}), Invalid, Malformed},
	} {
		rep := Verify(tc.doc, opts)
		if rep.Verdict != tc.verdict || rep.Reason != tc.reason {
			t.Errorf("%s: %s/%s, want %s/%s %+v", tc.name, rep.Verdict, rep.Reason, tc.verdict, tc.reason, rep.Checks)
		}
	}
}
