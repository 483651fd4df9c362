package verifier

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The COSE WG examples that are COSE_Sign1, through Verify. Trust is the
// example's key as a JWK with the example's algorithm fixed. Each is
// decided as its "fail" flag says; for the failing ones the reason is
// pinned too, so that a regression from "bad signature" to "malformed" (or
// back) shows.

type coseExample struct {
	Title string `json:"title"`
	Fail  bool   `json:"fail"`
	Input struct {
		Sign0 struct {
			Key      map[string]any `json:"key"`
			Alg      string         `json:"alg"`
			External string         `json:"external"`
		} `json:"sign0"`
	} `json:"input"`
	Output struct {
		CBOR string `json:"cbor"`
	} `json:"output"`
}

// coseExampleTime lies inside the validity of the one example with claims
// (CWT A.3: nbf 2015-10-04T07:49:04Z, exp 2015-10-05T17:09:04Z).
var coseExampleTime = time.Date(2015, 10, 5, 12, 0, 0, 0, time.UTC)

// exampleJWK turns an example key (JWK members, some as *_hex) into a
// public JWK with kid and alg.
func exampleJWK(t *testing.T, key map[string]any, alg string) map[string]any {
	t.Helper()
	out := map[string]any{"alg": alg}
	for name, v := range key {
		s, _ := v.(string)
		switch {
		case name == "d" || name == "d_hex":
			continue
		case strings.HasSuffix(name, "_hex"):
			b, err := hex.DecodeString(s)
			if err != nil {
				t.Fatal(err)
			}
			out[strings.TrimSuffix(name, "_hex")] = b64(b)
		default:
			out[name] = v
		}
	}
	if out["kid"] == nil {
		// CWT A.3's key has no kid, nor has its message: the key is found by
		// its algorithm (signed.allowUnnamed). A trust entry needs a kid.
		out["kid"] = "unnamed"
	}
	return out
}

func TestCOSEExamples(t *testing.T) {
	// Reasons of the failing examples. Every other example must be valid.
	wantFail := map[string]Reason{
		"sign1-tests/sign-fail-01.json": Malformed,        // CBOR tag 998 instead of 18
		"sign1-tests/sign-fail-02.json": SignatureInvalid, // payload changed
		"sign1-tests/sign-fail-03.json": UnsupportedAlg,   // alg -999
		"sign1-tests/sign-fail-04.json": UnsupportedAlg,   // alg "unknown" (text)
		"sign1-tests/sign-fail-06.json": SignatureInvalid, // protected attribute added
		"sign1-tests/sign-fail-07.json": SignatureInvalid, // protected attribute removed
	}
	files, err := filepath.Glob("testdata/cose-examples/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 19 {
		t.Fatalf("%d Sign1 examples, want 19", len(files))
	}
	for _, f := range files {
		name, _ := filepath.Rel("testdata/cose-examples", f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ex coseExample
			if err := json.Unmarshal(b, &ex); err != nil {
				t.Fatal(err)
			}
			set, err := json.Marshal(map[string]any{"keys": []any{exampleJWK(t, ex.Input.Sign0.Key, ex.Input.Sign0.Alg)}})
			if err != nil {
				t.Fatal(err)
			}
			trust, err := ParseTrust("cose-wg", set)
			if err != nil {
				t.Fatalf("trust from the example key: %v", err)
			}
			doc, err := hex.DecodeString(ex.Output.CBOR)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Trust: trust, Time: coseExampleTime}
			if ex.Input.Sign0.External != "" {
				if opts.ExternalAAD, err = hex.DecodeString(ex.Input.Sign0.External); err != nil {
					t.Fatal(err)
				}
			}
			rep := verify(doc, opts)
			reason, listed := wantFail[name]
			if listed != ex.Fail {
				t.Fatalf("fail flag %v, but the test lists it as failing: %v", ex.Fail, listed)
			}
			if !ex.Fail {
				wantReport(t, rep, Valid, "")
				// The same document as hex and as base64 text is detected.
				wantReport(t, verify([]byte(ex.Output.CBOR), opts), Valid, "")
				wantReport(t, verify([]byte(base64.StdEncoding.EncodeToString(doc)), opts), Valid, "")
				wantReport(t, verify([]byte(base64.RawURLEncoding.EncodeToString(doc)), opts), Valid, "")
			} else {
				wantReport(t, rep, reason.Verdict(), reason)
			}
			if ex.Input.Sign0.External != "" {
				// Without the external AAD the signature is over other bytes.
				opts.ExternalAAD = nil
				wantReport(t, verify(doc, opts), Invalid, SignatureInvalid)
			}
		})
	}
}
