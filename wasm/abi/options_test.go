package abi

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/jsonfold"
	"github.com/apostille/apostille/verifier"
)

// parseOptionsEncodingJSON is how the module read its options before
// verifier.DecodeJSON: json.Decoder with DisallowUnknownFields.
// ParseOptions must accept and refuse the same, with the same result.
func parseOptionsEncodingJSON(b []byte) (verifier.Options, error) {
	var o Options
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return verifier.Options{}, err
		}
	}
	return o.Options()
}

// optionsSeeds reach the corners of the decoder: members given twice,
// names that only fold to a member, null and wrong types for each, numbers
// at the edges, base64 that is not, what follows the first value.
var optionsSeeds = []string{
	``, ` `, "\u00a0", `{"at":"2026-11-27T12:00:00Z"}`, `{"at":"2026-11-27T12:00:00.123456789+02:00"}`,
	`{"at":"2026-11-27T12:00:00Z"} trailing`, `{"at":"2026-11-27T12:00:00Z"}}`, `{"at":"x"}`, `{"at":1}`,
	`{"at":"2026-11-27T12:00:00Z","at":"2027-01-01T00:00:00Z"}`, `{"AT":"2026-11-27T12:00:00Z"}`,
	`{"format":"cose","max_size":10,"clock_skew_seconds":0}`, `{"clock_skew_seconds":-3}`, `{"clock_skew_seconds":1.5e-9}`,
	`{"clock_skew_seconds":1e300}`, `{"clock_skew_seconds":9223372036.854775807}`, `{"clock_skew_seconds":0.000000001}`,
	`{"external_aad":"AAEC"}`, `{"external_aad":"AAE"}`, `{"external_aad":"!!"}`,
	`{"holder":{"audience":"a","nonce":"n","require_binding":true,"session_transcript":"gw==","reader_key":"AQID"}}`,
	`{"holder":{"session_transcript":"x"}}`, `{"holder":{"reader_key":"x"}}`, `{"holder":{"Reader_Key":"AA=="}}`,
	`{"holder":{"audience":"a","other":1}}`, `{"holder":[]}`, `{"status_lists":["AA==","AQ=="]}`, `{"status_lists":["A"]}`,
	`{"status_lists":null}`, `{"status_lists":[]}`, `{"nope":1}`, `{"holder":{"nope":null}}`, `null`, `[]`, `"x"`, `5`, `{`, `{"at":"x",}`,
	"{\"format\":\"\xff\"}", `{"format":"a"} {"format":"b"}`, ` {"accept_stale_trust_unsafe":true} `,
	`{"at":"2026-11-27T12:00:00Z","format":"jws","max_size":1048576,"clock_skew_seconds":0.5,"external_aad":"AA==","holder":{"audience":"a","nonce":"n","require_binding":true,"session_transcript":"AA=="},"status_lists":["AA=="],"accept_stale_trust_unsafe":true}`,
	`{"max_size":9223372036854775807}`, `{"max_size":9223372036854775808}`, `{"max_size":-5}`, `{"max_size":1.5}`, `{"max_size":1e2}`,
	`{"clock_skew_seconds":1e400}`, `{"clock_skew_seconds":-0}`, `{"clock_skew_seconds":null}`, `{"clock_skew_seconds":"1"}`,
	`{"holder":null}`, `{"holder":{"require_binding":1}}`, `{"holder":{"x":1}}`, `{"holder":{"nonce":"a"},"holder":{"audience":"b"}}`,
	`{"accept_stale_trust_unsafe":null}`, `{"accept_stale_trust_unsafe":"true"}`, `{"status_lists":[1]}`,
	"{\"at\":\"\xff\\u00e9\\ud800\",\"format\":\"a\\/b\\\"c\"}", ` { "at" : "x" , "format" : [ ] } `,
	`{"holder":{"nonce":"n"},"holder":null}`, `{"clock_skew_seconds":2,"clock_skew_seconds":null}`,
	`{"\u212aeys":1}`, `{"\u017ftatus_lists":["AA=="]}`,
}

// sameOptions holds ParseOptions to the encoding/json decoder it replaces,
// but for names that only fold onto a member, which encoding/json reads as
// the member and ParseOptions refuses (TestOptionsNamesExact).
func sameOptions(t *testing.T, data []byte) {
	t.Helper()
	if jsonfold.FoldsOnto(data, memberNames) {
		return
	}
	got, gotErr := ParseOptions(data)
	want, wantErr := parseOptionsEncodingJSON(data)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json %v", data, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", data, got, want)
	}
}

// memberNames are the names of the options JSON's members.
var memberNames = func() map[string]bool {
	names := map[string]bool{}
	for _, ty := range []reflect.Type{reflect.TypeFor[Options](), reflect.TypeFor[Holder]()} {
		for i := range ty.NumField() {
			name, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
			names[name] = true
		}
	}
	return names
}()

// TestOptionsNamesExact: a name that only folds onto a member is an unknown
// member, an error: "AT" is not "at", nor "\u212Aeys"-like spellings
// another reader would take for a member.
func TestOptionsNamesExact(t *testing.T) {
	for _, data := range []string{`{"AT":"2026-11-27T12:00:00Z"}`, `{"holder":{"Reader_Key":"AA=="}}`, `{"\u017Ftatus_lists":["AA=="]}`} {
		if _, err := ParseOptions([]byte(data)); err == nil {
			t.Errorf("%s: read", data)
		}
	}
}

func TestParseOptionsMatchesEncodingJSON(t *testing.T) {
	for _, s := range optionsSeeds {
		sameOptions(t, []byte(s))
	}
}

func FuzzParseOptions(f *testing.F) {
	for _, s := range optionsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameOptions(t, data)
	})
}

// TestOptionsMembers: every member of verifier.Options is either in the
// options JSON or travels otherwise, so that an option added to the
// verifier cannot be lost at the boundary unnoticed. A new member must be
// added to Options, AppendOptions, the JS encoder (wasm/js/apostille.mjs)
// and its types, docs/abi.md and the differential corpus
// (internal/corpus/options.go).
func TestOptionsMembers(t *testing.T) {
	carried := map[string]bool{
		"Time": true, "Format": true, "MaxSize": true, "ClockSkew": true, "ExternalAAD": true,
		"Holder.Audience": true, "Holder.Nonce": true, "Holder.RequireBinding": true,
		"Holder.SessionTranscript": true, "Holder.ReaderKey": true,
		"StatusLists": true, "AcceptStaleTrustUnsafe": true,
		// Not in the JSON: the trust is loaded once per instance, payload
		// and proof are raw bytes of the input buffer, and the crypto and
		// the digests are the host's imports.
		"Trust": false, "Payload": false, "Proof": false, "Crypto": false, "Hash": false,
	}
	seen := map[string]bool{}
	var walk func(prefix string, ty reflect.Type)
	walk = func(prefix string, ty reflect.Type) {
		for i := range ty.NumField() {
			f := ty.Field(i)
			name := prefix + f.Name
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == ty.PkgPath() {
				walk(name+".", f.Type)
				continue
			}
			seen[name] = true
			if _, ok := carried[name]; !ok {
				t.Errorf("verifier.Options.%s crosses the module boundary how? (see this test's comment)", name)
			}
		}
	}
	walk("", reflect.TypeFor[verifier.Options]())
	for name := range carried {
		if !seen[name] {
			t.Errorf("verifier.Options has no %s any more", name)
		}
	}
}

// roundTripped is what o becomes through AppendOptions and ParseOptions:
// itself, but for what travels otherwise and the forms that mean the same
// (a negative skew or max size, an empty byte string, invalid UTF-8,
// which JSON carries as U+FFFD).
func roundTripped(o verifier.Options) verifier.Options {
	o.Trust, o.Payload, o.Proof, o.Crypto, o.Hash = nil, nil, nil, nil, nil
	if o.Time.IsZero() {
		o.Time = time.Time{}
	}
	o.Format = verifier.Format(string([]rune(string(o.Format))))
	o.Holder.Audience = string([]rune(o.Holder.Audience))
	o.Holder.Nonce = string([]rune(o.Holder.Nonce))
	if o.MaxSize < 0 {
		o.MaxSize = 0
	}
	if o.ClockSkew < 0 {
		o.ClockSkew = -1
	}
	nilIfEmpty := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		return b
	}
	o.ExternalAAD = nilIfEmpty(o.ExternalAAD)
	o.Holder.SessionTranscript = nilIfEmpty(o.Holder.SessionTranscript)
	o.Holder.ReaderKey = nilIfEmpty(o.Holder.ReaderKey)
	if len(o.StatusLists) == 0 {
		o.StatusLists = nil
	}
	for i, s := range o.StatusLists {
		o.StatusLists[i] = nilIfEmpty(s)
	}
	return o
}

func roundTrip(t *testing.T, o verifier.Options) {
	t.Helper()
	data := AppendOptions(nil, &o)
	if !json.Valid(data) {
		t.Fatalf("%+v: not JSON: %s", o, data)
	}
	got, err := ParseOptions(data)
	if err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	want := roundTripped(o)
	if !got.Time.Equal(want.Time) {
		t.Fatalf("%s: time %v, want %v", data, got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", data, got, want)
	}
}

func TestOptionsRoundTrip(t *testing.T) {
	for _, o := range []verifier.Options{
		{},
		{Time: time.Date(2026, 11, 27, 12, 0, 0, 123456789, time.FixedZone("EET", 7200))},
		{Format: verifier.FormatCOSE, MaxSize: 10, ClockSkew: -1},
		{ClockSkew: time.Nanosecond}, {ClockSkew: 1500 * time.Millisecond}, {ClockSkew: math.MaxInt64},
		{ExternalAAD: []byte{0, 1, 2}, StatusLists: [][]byte{{1}, {}, []byte("list")}, AcceptStaleTrustUnsafe: true},
		{Holder: verifier.HolderOptions{Audience: "https://verifier.example\"\\\n<&>", Nonce: "n\x00\xff", RequireBinding: true,
			SessionTranscript: []byte{0x83, 0xf6}, ReaderKey: []byte{1, 2, 3}}},
		{Holder: verifier.HolderOptions{ReaderKey: []byte{7}}},
		{Payload: []byte("p"), Proof: []byte("q")},
	} {
		roundTrip(t, o)
	}
}

// FuzzOptionsRoundTrip: whatever options a host holds, the module reads
// the same back.
func FuzzOptionsRoundTrip(f *testing.F) {
	f.Add(int64(0), "", 0, int64(0), []byte(nil), "", "", false, []byte(nil), []byte(nil), []byte(nil), false)
	f.Add(int64(1795780800123456789), "jws", 1<<20, int64(1500*time.Millisecond), []byte{1}, "aud", "nonce", true, []byte{0x83}, []byte{9}, []byte("list"), true)
	f.Add(int64(-62135596800), "\xff", -1, int64(-5), []byte{}, "\"", "\\", false, []byte{}, []byte{}, []byte{}, false)
	f.Fuzz(func(t *testing.T, unixNano int64, format string, maxSize int, skew int64, aad []byte, aud, nonce string,
		bind bool, transcript, readerKey, list []byte, stale bool) {
		o := verifier.Options{
			Format: verifier.Format(format), MaxSize: maxSize, ClockSkew: time.Duration(skew), ExternalAAD: aad,
			Holder:                 verifier.HolderOptions{Audience: aud, Nonce: nonce, RequireBinding: bind, SessionTranscript: transcript, ReaderKey: readerKey},
			AcceptStaleTrustUnsafe: stale,
		}
		if unixNano != 0 {
			o.Time = time.Unix(0, unixNano)
		}
		if list != nil {
			o.StatusLists = [][]byte{list, list[:len(list)/2]}
		}
		// Durations beyond 2^53 ns (104 days) are carried as decimal
		// seconds but read back as a float: nanoseconds may round there.
		if o.ClockSkew > 1<<53 {
			o.ClockSkew %= 1 << 53
		}
		roundTrip(t, o)
	})
}
