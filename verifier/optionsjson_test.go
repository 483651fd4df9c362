package verifier

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// parseOptionsEncodingJSON is how the module read its options before
// ParseOptions: json.Decoder with DisallowUnknownFields. ParseOptions must
// accept and refuse the same, with the same result.
func parseOptionsEncodingJSON(b []byte) (Options, error) {
	var o optionsJSON
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return Options{}, err
		}
	}
	return o.options()
}

var optionsSeeds = append([]string{
	``, ` `, "\u00a0", `{"at":"2026-11-27T12:00:00Z"}`, `{"at":"2026-11-27T12:00:00.123456789+02:00"}`,
	`{"at":"2026-11-27T12:00:00Z"} trailing`, `{"at":"2026-11-27T12:00:00Z"}}`, `{"at":"x"}`, `{"at":1}`,
	`{"at":"2026-11-27T12:00:00Z","at":"2027-01-01T00:00:00Z"}`, `{"AT":"2026-11-27T12:00:00Z"}`,
	`{"format":"cose","max_size":10,"clock_skew_seconds":0}`, `{"clock_skew_seconds":-3}`, `{"clock_skew_seconds":1.5e-9}`,
	`{"external_aad":"AAEC"}`, `{"external_aad":"AAE"}`, `{"external_aad":"!!"}`,
	`{"holder":{"audience":"a","nonce":"n","require_binding":true,"session_transcript":"gw=="}}`, `{"holder":{"session_transcript":"x"}}`,
	`{"holder":{"audience":"a","other":1}}`, `{"holder":[]}`, `{"status_lists":["AA==","AQ=="]}`, `{"status_lists":["A"]}`,
	`{"status_lists":null}`, `{"status_lists":[]}`, `{"nope":1}`, `{"holder":{"nope":null}}`, `null`, `[]`, `"x"`, `5`, `{`, `{"at":"x",}`,
	"{\"format\":\"\xff\"}", `{"format":"a"} {"format":"b"}`, ` {"accept_stale_trust_unsafe":true} `,
}, unmarshalSeeds...)

// sameOptions holds ParseOptions to the encoding/json decoder it replaces.
func sameOptions(t *testing.T, data []byte) {
	t.Helper()
	if foldsOntoField(data) {
		return // names match exactly here, not in encoding/json (TestJSONNamesExact)
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
