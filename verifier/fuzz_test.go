package verifier

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Fuzz targets for Verify and for each parser, seeded from the vectors in
// testdata. `make fuzz` (scripts/fuzz.sh) runs each for FUZZTIME; crashers
// land in testdata/fuzz/<Target>/ and are committed as regression inputs.

// vectorDocuments returns every document of the vector suites: cookbook
// serializations, COSE examples (binary and hex), Wycheproof JWS strings.
func vectorDocuments(tb testing.TB) [][]byte {
	tb.Helper()
	var docs [][]byte
	files, _ := filepath.Glob("testdata/jose-cookbook/*/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var ex struct {
			Output map[string]json.RawMessage `json:"output"`
		}
		if json.Unmarshal(b, &ex) != nil {
			continue
		}
		for _, raw := range ex.Output {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				docs = append(docs, []byte(s))
			} else {
				docs = append(docs, raw)
			}
		}
	}
	files, _ = filepath.Glob("testdata/cose-examples/*/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var ex coseExample
		if json.Unmarshal(b, &ex) != nil {
			continue
		}
		if raw, err := hex.DecodeString(ex.Output.CBOR); err == nil {
			docs = append(docs, raw, []byte(ex.Output.CBOR))
		}
	}
	for _, file := range wycheproofJOSEFiles {
		for _, g := range loadWycheproofJOSE(tb, file).TestGroups {
			for _, tc := range g.Tests {
				var s string
				if json.Unmarshal(tc.JWS, &s) == nil {
					docs = append(docs, []byte(s))
				} else {
					docs = append(docs, tc.JWS)
				}
			}
		}
	}
	return docs
}

// vectorKeys returns the JWKs and JWK Sets of the vector suites.
func vectorKeys(tb testing.TB) [][]byte {
	tb.Helper()
	var keys [][]byte
	files, _ := filepath.Glob("testdata/jose-cookbook/jwk/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		keys = append(keys, b)
	}
	for _, file := range wycheproofJOSEFiles {
		for _, g := range loadWycheproofJOSE(tb, file).TestGroups {
			for _, k := range []json.RawMessage{g.Public, g.Private} {
				if len(k) > 0 && string(k) != "null" {
					keys = append(keys, k)
				}
			}
		}
	}
	return keys
}

var fuzzTrust = sync.OnceValue(func() *Trust {
	// The keys the seeds are signed with: the COSE WG "11" key, the
	// cookbook's RSA and EC keys, Wycheproof's ES256 key.
	set := `{"keys":[
	{"kty":"EC","kid":"11","alg":"ES256","crv":"P-256","x":"usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8","y":"IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4"},
	{"kty":"OKP","kid":"ed","alg":"EdDSA","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
	{"kty":"EC","kid":"kid-ec-sign","alg":"ES256","crv":"P-256","x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"},
	{"kty":"EC","kid":"bilbo.baggins@hobbiton.example","alg":"ES512","crv":"P-521","x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt","y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"}
	]}`
	t, err := ParseTrust("fuzz", []byte(set))
	if err != nil {
		panic(err)
	}
	return t
})

// checkReport fails on a report that breaks the report's rules: nil, a
// recovered panic (internal), a verdict that does not follow from the
// checks, a reason code not in reasons.go, or one that does not marshal.
func checkReport(t *testing.T, rep *Report) {
	t.Helper()
	if rep == nil {
		t.Fatal("nil report")
	}
	if rep.Reason == Internal {
		t.Fatalf("the verifier failed (a recovered panic?): %+v", rep.Checks)
	}
	known := false
	for _, r := range allReasons {
		known = known || r == rep.Reason
	}
	switch rep.Verdict {
	case Valid:
		if rep.Reason != "" {
			t.Fatalf("valid with reason %s", rep.Reason)
		}
		signed := false
		for _, c := range rep.Checks {
			signed = signed || (c.Check == CheckSignature && c.Status == Passed)
			if c.Status == Failed || c.Status == StatusIndeterminate {
				t.Fatalf("valid with a %s check %s", c.Status, c.Check)
			}
		}
		if !signed {
			t.Fatal("valid without a passed signature check")
		}
	case Invalid, Indeterminate:
		if !known || rep.Reason.Verdict() != rep.Verdict {
			t.Fatalf("verdict %s with reason %q", rep.Verdict, rep.Reason)
		}
	default:
		t.Fatalf("verdict %q", rep.Verdict)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatalf("report does not marshal: %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	trust := fuzzTrust()
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReport(t, Verify(data, Options{Trust: trust, Time: testTime}))
		checkReport(t, Verify(data, Options{Trust: trust, Time: coseExampleTime, Format: FormatCOSE, Payload: []byte("This is the content.")}))
	})
}

func FuzzCheckJSON(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	for _, k := range vectorKeys(f) {
		f.Add(k)
	}
	f.Add([]byte(`{"alg":"ES256","alg":"none"}`))
	f.Add([]byte(`{"a":"\u0061","\u0061":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fold := range []bool{false, true} {
			// checkJSON may refuse more than encoding/json (duplicates,
			// depth, invalid UTF-8), never less.
			if checkJSON(data, fold) == nil && !json.Valid(data) {
				t.Fatalf("checkJSON accepts what encoding/json rejects: %q", data)
			}
		}
		if checkJSON(data, false) != nil && checkJSON(data, true) == nil {
			t.Fatal("case folding accepts what the exact check refuses")
		}
	})
}

func FuzzParseJWS(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d, []byte(nil))
	}
	f.Add([]byte(`eyJhbGciOiJFUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..AA`), []byte("$.02"))
	f.Fuzz(func(t *testing.T, data, detached []byte) {
		j, err := parseJWS(data, detached)
		if err != nil {
			return
		}
		in := j.signingInput()
		if len(in) < len(j.protectedB)+1 {
			t.Fatal("signing input shorter than its protected header")
		}
		_ = headerReport(j.protected, j.unprotected)
	})
}

func FuzzParseCOSESign1(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	f.Add([]byte{0xd2, 0x9b, 0x00, 0x00, 0x42, 0xfa, 0x42, 0xfa, 0x42, 0xfa, 0x42})
	trust := fuzzTrust()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseCOSESign1(data)
		if err != nil {
			return
		}
		_, _ = m.alg()
		_, _ = m.kid(trust)
		_, _ = m.x5chain()
		_ = coseType(m)
		headers := coseHeaderReport(m)
		if _, err := json.Marshal(headers); err != nil {
			t.Fatalf("headers do not marshal: %v", err)
		}
		sameJSONValue(t, headers)
		if _, err := m.sigStructure(m.payload, nil); err != nil {
			t.Fatalf("Sig_structure: %v", err)
		}
	})
}

func FuzzCWTClaims(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
		if m, err := parseCOSESign1(d); err == nil {
			f.Add(m.payload)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, _, err := cwtClaims(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(claims); err != nil {
			t.Fatalf("claims do not marshal: %v", err)
		}
		sameJSONValue(t, claims)
		_ = subjectFromClaims(claims)
	})
}

func FuzzJWTClaims(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		if j, err := parseJWS(d, nil); err == nil {
			f.Add(j.payload)
		}
	}
	f.Add([]byte(`{"iss":"x","iat":1700000000,"exp":1800000000.5,"nbf":0}`))
	f.Add([]byte(`{"exp":1e400}`))
	f.Add([]byte(`{"exp":1,"exp":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, _, err := jwtClaims(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(claims); err != nil {
			t.Fatalf("claims do not marshal: %v", err)
		}
		sameJSONValue(t, claims)
	})
}

func FuzzParseTrust(f *testing.F) {
	for _, k := range vectorKeys(f) {
		f.Add(k)
	}
	f.Add([]byte(`{"trust_bundle":"v1","issuers":[{"id":"ee","name":"EE","keys":[{"jwk":{"kty":"OKP","crv":"Ed25519","kid":"k","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},"not_before":"2020-01-01T00:00:00Z"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseTrust("fuzz", data)
		if err != nil {
			return
		}
		for _, is := range tr.Issuers {
			for _, k := range is.Keys {
				if len(k.Algs) == 0 || k.Public == nil {
					t.Fatalf("trusted key %q without algorithm or public key", k.ID)
				}
				if len(tr.KeysByID(k.ID)) == 0 {
					t.Fatalf("key %q is not indexed", k.ID)
				}
			}
		}
	})
}

func FuzzParseJWK(f *testing.F) {
	for _, k := range vectorKeys(f) {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := ParseJWK(data)
		if err != nil {
			return
		}
		pub, err := j.PublicKey()
		if err != nil {
			return
		}
		if j.Alg != "" {
			_ = algFitsKey(Alg(j.Alg), pub)
		}
		if _, err := jwkKey(j); err == nil && j.Alg != "" && forbiddenAlg(j.Alg) {
			t.Fatalf("a key for %q was accepted", j.Alg)
		}
	})
}
