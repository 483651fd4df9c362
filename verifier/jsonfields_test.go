package verifier

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/apostille/apostille/internal/jsonfold"
)

// jsonTargets are the types the verifier decodes with unmarshalJSON
// (wasm/abi holds the module's options, decoded with DecodeJSON, to
// encoding/json likewise): each input is decoded into a fresh value of each, by
// unmarshalJSON and by encoding/json, which must agree.
var jsonTargets = []func() any{
	func() any { return new(Bundle) },
	func() any { return new(JWK) },
	func() any { return new(jwkSet) },
	func() any { return new(jwsJSON) },
	func() any { return new(jwsJSONSignature) },
	func() any { return new([]string) },
	func() any { return new(string) },
	func() any { return new(*bool) },
}

// unmarshalSeeds reach the corners of encoding/json's struct decoding:
// names that only fold to a field (case, Kelvin sign, long s), members
// given twice (the later wins, arrays decode into the earlier elements),
// null for each kind, wrong types, numbers at the edges of their types,
// embedded members, escapes and invalid UTF-8.
var unmarshalSeeds = []string{
	`null`, `{}`, `[]`, `"s"`, `true`, `1`, `[null]`, `["a",null,"c"]`, `[1]`,
	`{"kty":"EC","crv":"P-256","x":"AA","y":"AQ","kid":"k","alg":"ES256","use":"sig","key_ops":["verify"]}`,
	`{"KTY":"EC","Kid":"a","kId":"b"}`,
	`{"k":"1","\u212a":"2"}`, `{"kid":"1","\u212aid":"2"}`, `{"\u017fequence":5,"sequence":6}`,
	`{"keys":[{"kty":"OKP"},null,{"kty":"EC"}]}`, `{"keys":null}`, `{"keys":{}}`, `{"keys":"x"}`,
	`{"keys":[{"kty":"EC","crv":"P-256"}],"\u212aeys":[null,{"kid":"z"}]}`,
	`{"key_ops":["sign","verify"],"key_ops":[null]}`, `{"key_ops":["a","b"],"key_ops":[]}`,
	`{"trust_bundle":"v1","operator":"op","sequence":18446744073709551615,"issued_at":"2026-01-01T00:00:00Z","issuers":[{"id":"ee","name":"EE","keys":[{"jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},"not_before":"2020-01-01T00:00:00Z"}],"anchors":["MII"],"document_types":["t"],"attestation":{"policy":"p","required":true}}],"embassies":[{"name":"LU","country":"LU","key":"k+1+AA"}],"status_lists":["a"]}`,
	`{"sequence":18446744073709551616}`, `{"sequence":-1}`, `{"sequence":1.0}`, `{"sequence":1e3}`, `{"sequence":"1"}`, `{"sequence":null}`,
	`{"issuers":[{"attestation":null}]}`, `{"issuers":[{"attestation":{"required":"yes"}}]}`, `{"issuers":[{"attestation":[]}]}`,
	`{"issuers":[{"id":"a","keys":[{"jwk":{"kid":"1"}}]}],"issuers":[{"name":"b","keys":[null,{"jwk":null}]}]}`,
	`{"issuers":[{"keys":[{"jwk":{"kid":"1"}},{"jwk":{"kid":"2"}}]}],"issuers":[{"keys":[{"not_after":"x"}]}]}`,
	`{"payload":"eyJ9","protected":"eyJhbGciOiJFUzI1NiJ9","header":{"kid":"k"},"signature":"AA"}`,
	`{"payload":null,"protected":null,"header":null,"signature":null}`,
	`{"Payload":"a","SIGNATURE":"b","pRoTeCtEd":"c","\u017fignature":"d"}`,
	`{"signatures":[{"protected":"a","header":{"x":[1,{"y":null}]},"signature":"b"}],"payload":"p"}`,
	`{"signatures":null}`, `{"signatures":[]}`, `{"signatures":[null,1,"x",[]]}`, `{"header":"x"}`, `{"header":[1, 2]}`,
	`{"payload":1}`, `{"signature":{}}`, `{"protected":true}`,
	"{\"at\":\"\xff\\u00e9\\ud800\",\"format\":\"a\\/b\\\"c\"}", ` { "at" : "x" , "format" : [ ] } `,
	`{"unknown":[{"a":[1,2,{"b":"}"}]}],"kty":"x"}`,
	`{"payload":"a","payload":null}`, `{"keys":[{}],"keys":null}`, `{"key_ops":["a"],"key_ops":null}`, `{"kid":"a","kid":null}`,
	`{"issuers":[{"attestation":{"policy":"p"},"attestation":null}]}`, `{"holder":{"nonce":"n"},"holder":null}`,
	`{"clock_skew_seconds":2,"clock_skew_seconds":null}`, `{"sequence":7,"sequence":null}`, `{"header":{},"header":null}`,
}

// sameAsEncodingJSON decodes data into a fresh value of each target with
// unmarshalJSON and with json.Unmarshal: both must fail, or give the same
// value.
func sameAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	end, err := scanJSONValue(data)
	if err != nil || !json.Valid(data) {
		return // unmarshalJSON reads only what a syntax check accepted
	}
	if jsonfold.FoldsOnto(data, fieldNames) {
		return // names match exactly here, not in encoding/json (TestJSONNamesExact)
	}
	value := data[skipSpace(data, 0):end]
	for _, target := range jsonTargets {
		got, want := target(), target()
		gotErr := unmarshalJSON(value, got)
		wantErr := json.Unmarshal(data, want)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%q into %T: error %v, encoding/json %v", data, got, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q into %T:\n got %#v\nwant %#v", data, got, got, want)
		}
	}
}

func TestUnmarshalJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range append(append(append([]string{}, unmarshalSeeds...), jsonSeeds...), strictSeeds...) {
		sameAsEncodingJSON(t, []byte(s))
	}
}

// FuzzUnmarshalJSON holds the reflection-light decoder to encoding/json on
// every input both read.
func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range unmarshalSeeds {
		f.Add([]byte(s))
	}
	for _, k := range vectorKeys(f) {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsEncodingJSON(t, data)
	})
}

// TestUnmarshalJSONKinds: every type decoded with unmarshalJSON uses only
// the kinds it implements (an unsupported one would be refused where
// encoding/json decodes it).
func TestUnmarshalJSONKinds(t *testing.T) {
	var check func(reflect.Type)
	seen := map[reflect.Type]bool{}
	check = func(ty reflect.Type) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if ty == rawMessageType {
			return
		}
		switch ty.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		case reflect.Pointer, reflect.Slice:
			if ty.Elem().Kind() == reflect.Uint8 {
				t.Errorf("%v: encoding/json decodes it from base64, unmarshalJSON does not", ty)
			}
			check(ty.Elem())
		case reflect.Struct:
			for i := range ty.NumField() {
				if sf := ty.Field(i); sf.IsExported() || sf.Anonymous {
					check(sf.Type)
				}
			}
		default:
			t.Errorf("%v: kind %v is not supported by unmarshalJSON", ty, ty.Kind())
		}
	}
	for _, target := range jsonTargets {
		check(reflect.TypeOf(target()).Elem())
	}
	check(reflect.TypeFor[joseHeader]())
}

// TestUnmarshalJSONCopies: raw values are copies, not views of the input,
// which a host may reuse for the next document.
func TestUnmarshalJSONCopies(t *testing.T) {
	data := []byte(`{"header":{"kid":"k"},"signatures":[{"a":1}]}`)
	var w jwsJSON
	if err := unmarshalJSON(data, &w); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = ' '
	}
	if string(w.Header) != `{"kid":"k"}` || string(w.Signatures[0]) != `{"a":1}` {
		t.Fatalf("raw members changed with the input: %q %q", w.Header, w.Signatures[0])
	}
}

// fieldNames are the member names of every struct the verifier decodes.
var fieldNames = func() map[string]bool {
	names := map[string]bool{}
	var walk func(reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice:
			walk(ty.Elem())
		case reflect.Struct:
			for _, f := range jsonFieldsOf(ty, nil, nil) {
				names[f.name] = true
				walk(ty.FieldByIndex(f.index).Type)
			}
		}
	}
	for _, target := range jsonTargets {
		walk(reflect.TypeOf(target()))
	}
	return names
}()

// TestJSONNamesExact: member names match exactly (RFC 8259). A name that
// only folds onto a field (other case, Kelvin sign U+212A for K, long s
// U+017F for s) is not that field, and next to the field itself it is a
// near-duplicate that strict readers refuse: a bundle that says "keys" to
// one reader and "\u212Aeys" to another must not load.
func TestJSONNamesExact(t *testing.T) {
	k := newTestKey(t, "honest", ES256)
	evil := newTestKey(t, "evil", ES256)
	jwk := func(k *testKey) string { b, _ := json.Marshal(k.jwk(t)); return string(b) }
	for _, c := range []struct {
		name string
		data string
	}{
		{"jwks-kelvin-keys", `{"keys":[` + jwk(k) + `],"\u212Aeys":[` + jwk(evil) + `]}`},
		{"jwks-upper-keys", `{"keys":[` + jwk(k) + `],"KEYS":[` + jwk(evil) + `]}`},
		{"bundle-long-s-sequence", `{"trust_bundle":"v1","\u017Fequence":2,"sequence":1,"issuers":[]}`},
		{"bundle-kelvin-keys", `{"trust_bundle":"v1","issuers":[{"id":"ee","name":"EE","keys":[{"jwk":` + jwk(k) + `}],"\u212Aeys":[{"jwk":` + jwk(evil) + `}]}]}`},
	} {
		if _, err := ParseTrust("t", []byte(c.data)); err == nil {
			t.Errorf("%s: a near-duplicate member name was accepted", c.name)
		}
	}
	for _, c := range []string{
		`{"kty":"EC","crv":"P-256","x":"AA","y":"AA","\u212Aid":"k"}`,
		`{"kty":"EC","crv":"P-256","kid":"a","\u212Aid":"b"}`,
		`{"kty":"EC","crv":"P-256","KID":"a","kid":"b"}`,
	} {
		if j, err := ParseJWK([]byte(c)); err == nil && j.Kid != "" {
			t.Errorf("%s: kid %q read from a folded name", c, j.Kid)
		}
	}
	// Alone, a folded name is an unknown member: ignored by a JWK, an
	// error in the module's options (wasm/abi TestOptionsNamesExact).
	j, err := ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","\u212Aid":"k"}`))
	if err != nil || j.Kid != "" {
		t.Errorf("a Kelvin-sign kid: %v, kid %q", err, j.Kid)
	}
}
