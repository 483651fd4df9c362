package verifier

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// jsonSeeds are inputs that reach the corners of decoding: escapes,
// surrogates (paired, lone, reversed), invalid UTF-8, numbers at the edge of
// float64, nesting and members that only differ in case.
var jsonSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0.0e+00`, `true`, `null`,
	`{"alg":"ES256","kid":"k1","typ":"JWT"}`,
	`{"a":[1,2.5,-3e10,1e-7,123456789012345678901234567890],"b":{"c":[true,false,null,{}]}}`,
	`{"s":"\u0041\u00e9\u20ac\ud83d\ude00 \ud800 \udc00x \ud800\u0041 \/\b\f\n\r\t\"\\"}`,
	`{"big":1e400,"small":-1e400,"tiny":1e-400}`,
	"{\"raw\":\"\xff\xfe\xc3\x28 ok\"}",
	`{"nested":[[[[[[[[[[1]]]]]]]]]],"x":"y"}`,
	`{"Alg":"a","aLg":{"k":["v",1]}}`,
	` { "ws" : [ 1 , { "k" : "v" } ] } `,
	`{"e":"\u0000\u001f\u007f\u2028\u2029<>&"}`,
}

// equalJSON reports whether decodeJSON and encoding/json agree on data: the
// same value, or both an error.
func equalJSON(t *testing.T, data []byte, useNumber bool) {
	t.Helper()
	got, gotErr := decodeJSON(data, useNumber)
	var want any
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	wantErr := dec.Decode(&want)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%q (numbers %v): error %v, encoding/json %v", data, useNumber, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q (numbers %v):\n got %#v\nwant %#v", data, useNumber, got, want)
	}
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonSeeds {
		if err := checkJSON([]byte(s), false); err != nil {
			continue // only what checkJSON accepts is ever decoded
		}
		equalJSON(t, []byte(s), false)
		equalJSON(t, []byte(s), true)
	}
}

func TestJSONMembersMatchEncodingJSON(t *testing.T) {
	for _, s := range jsonSeeds {
		data := []byte(s)
		if checkJSON(data, false) != nil {
			continue
		}
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(data, &want)
		got, gotErr := parseJSONMembers(data)
		if wantErr != nil || want == nil {
			if gotErr == nil {
				t.Errorf("%q: members %v, encoding/json refuses", s, got)
			}
			continue
		}
		if gotErr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q %v\nwant %q", s, got, gotErr, want)
		}
		for k, raw := range want {
			var ws string
			wErr := json.Unmarshal(raw, &ws)
			gs, ok := jsonString(raw)
			if ok != (wErr == nil) || ok && gs != ws {
				t.Errorf("%q member %q: jsonString %q %v, encoding/json %q %v", s, k, gs, ok, ws, wErr)
			}
		}
	}
}

// FuzzDecodeJSON holds the reflection-free decoding to encoding/json on
// everything checkJSON accepts.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkJSON(data, false) != nil {
			return
		}
		equalJSON(t, data, false)
		equalJSON(t, data, true)
		if m, err := parseJSONMembers(data); err == nil {
			var want map[string]json.RawMessage
			if json.Unmarshal(data, &want) != nil || !reflect.DeepEqual(m, want) {
				t.Fatalf("%q: members %q, want %q", data, m, want)
			}
		}
	})
}

// sameAsCheckThenDecode holds parseJSON and parseJSONMembers to checkJSON
// followed by decodeJSON and encoding/json: the same error, the same values.
func sameAsCheckThenDecode(t *testing.T, data []byte) {
	t.Helper()
	checkErr := checkJSON(data, false)
	for _, useNumber := range []bool{false, true} {
		got, err := parseJSON(data, useNumber)
		if checkErr != nil {
			if err != checkErr {
				t.Fatalf("%q: parseJSON error %v, checkJSON %v", data, err, checkErr)
			}
			continue
		}
		want, wantErr := decodeJSON(data, useNumber)
		if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (numbers %v): parseJSON %#v %v, decodeJSON %#v %v", data, useNumber, got, err, want, wantErr)
		}
	}
	m, err := parseJSONMembers(data)
	if checkErr != nil {
		if err != checkErr {
			t.Fatalf("%q: parseJSONMembers error %v, checkJSON %v", data, err, checkErr)
		}
		return
	}
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal(data, &want)
	if wantErr == nil && want == nil {
		wantErr = errNotObject // null
	}
	if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(m, want) {
		t.Fatalf("%q: parseJSONMembers %q %v, encoding/json %q %v", data, m, err, want, wantErr)
	}
}

var strictSeeds = []string{
	``, ` `, `{`, `}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a":{"b":1,"b":1}}`, `[01]`, `-`, `-0`, `1.`, `1.e5`, `1e`, `1e+`,
	`{"a" 1}`, `{"a":1,}`, `[1,]`, `tru`, `nul`, `"\x"`, `"\u12"`, "\"\x01\"", "\"\xff\"", "\"\\n\xff\"", "{\"\xff\":1}",
	"{\"\\n\xff\":1}", `"\ud800"`, `{"a":1} x`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`{"x":1e999}`, `[1e999, {"a":"b"}]`, `null`, `"s"`,
}

func TestParseJSONIsCheckThenDecode(t *testing.T) {
	for _, s := range append(append([]string{}, jsonSeeds...), strictSeeds...) {
		sameAsCheckThenDecode(t, []byte(s))
	}
}

// FuzzParseJSON holds the one-pass parser to checkJSON and decodeJSON.
func FuzzParseJSON(f *testing.F) {
	for _, s := range append(append([]string{}, jsonSeeds...), strictSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsCheckThenDecode(t, data)
	})
}

// TestDecodeJSONViewsMatches: views or copies, the values are the same.
func TestDecodeJSONViewsMatches(t *testing.T) {
	for _, s := range jsonSeeds {
		data := []byte(s)
		if checkJSON(data, false) != nil {
			continue
		}
		got, gotErr := decodeJSONViews(bytes.Clone(data))
		want, wantErr := decodeJSON(data, false)
		if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: views %#v %v, copies %#v %v", s, got, gotErr, want, wantErr)
		}
	}
}
