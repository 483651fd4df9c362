package verifier

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// Wycheproof's JSON Web Signature and JSON Web Key suites through Verify.
//
// Trust is the group's public key (a JWK, or a JWK Set for the key suite)
// loaded with ParseTrust. Where a group has only a private or symmetric
// key, ParseTrust must refuse it: a trust entry never holds a secret. The
// document is then verified with no trust, as a verifier given that key
// would be.
//
// How Wycheproof's results map onto verdicts:
//
//   - "invalid": never valid. A keyset Wycheproof says to reject either
//     fails to load as trust, or leaves the JWS not valid.
//   - "valid" with an asymmetric algorithm: valid.
//   - "valid" with HMAC (HS256/384/512): alg_not_allowed. Apostille refuses
//     HMAC by policy: the holder of a MAC key can forge, so a MAC proves
//     nothing to a citizen or an institution that verifies.
//   - a few "valid" cases that Apostille refuses on purpose, listed in
//     wycheproofJOSEExceptions with the reason and why.

type wpJOSEFile struct {
	TestGroups []struct {
		Comment string          `json:"comment"`
		Public  json.RawMessage `json:"public"`
		Private json.RawMessage `json:"private"`
		Tests   []struct {
			TcID    int             `json:"tcId"`
			Comment string          `json:"comment"`
			JWS     json.RawMessage `json:"jws"`
			Result  string          `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// wycheproofJOSEExceptions are cases Apostille decides otherwise than
// Wycheproof's "valid", on purpose.
var wycheproofJOSEExceptions = map[string]map[int]Reason{
	"json_web_signature_test.json": {
		// base64 group, HMAC: a '?' inserted in the header or payload
		// segment. Wycheproof accepts decoders that skip it (the MAC covers
		// the text as sent); RFC 7515 section 2 allows no characters
		// outside base64url, and Apostille decodes strictly.
		372: Malformed,
		373: Malformed,
		// rfc7520 groups: the key says alg PS256 and the JWS is PS384
		// (RFC 7520 figure 20). The algorithm is the trust entry's, never
		// the header's, so a PS384 signature with a PS256 key is refused.
		346: AlgNotAllowed,
		350: AlgNotAllowed,
	},
}

// wycheproofAlgName maps Wycheproof's spelling of JOSE algorithms onto the
// registered names: it writes "ES521" for ES512 (RFC 7518 section 3.1).
func wycheproofAlgName(raw []byte) []byte {
	return bytes.ReplaceAll(raw, []byte(`"alg": "ES521"`), []byte(`"alg": "ES512"`))
}

// wycheproofTrust loads a group's key material as trust. keys is a JWK or
// a JWK Set as Wycheproof writes it.
func wycheproofTrust(t *testing.T, public, private json.RawMessage) (*Trust, error) {
	t.Helper()
	if len(public) == 0 || string(public) == "null" {
		// Only a private or symmetric key: it must not load as trust.
		if len(private) > 0 {
			if tr, err := ParseTrust("wycheproof", private); err == nil {
				t.Fatalf("a private or symmetric key loaded as trust: %d issuers", len(tr.Issuers))
			}
		}
		return nil, nil
	}
	return ParseTrust("wycheproof", wycheproofAlgName(public))
}

func headerAlg(t *testing.T, jws string) string {
	if strings.HasPrefix(jws, "{") {
		return ""
	}
	seg, _, _ := strings.Cut(jws, ".")
	raw, err := b64url(seg)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(raw, &h)
	return h.Alg
}

// wycheproofJOSEFiles are the JOSE suites, by file name.
var wycheproofJOSEFiles = []string{"json_web_signature_test.json", "json_web_key_test.json"}

func loadWycheproofJOSE(tb testing.TB, file string) *wpJOSEFile {
	tb.Helper()
	b, err := os.ReadFile("testdata/wycheproof/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	var f wpJOSEFile
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return &f
}

func runWycheproofJOSE(t *testing.T, file string) {
	f := loadWycheproofJOSE(t, file)
	exceptions := wycheproofJOSEExceptions[file]
	n := 0
	for _, g := range f.TestGroups {
		trust, trustErr := wycheproofTrust(t, g.Public, g.Private)
		if trustErr != nil && !strings.HasPrefix(g.Comment, "rsa_encryption") && !strings.HasPrefix(g.Comment, "ec_key_for_encryption") && file != "json_web_key_test.json" {
			t.Errorf("group %s: key refused: %v", g.Comment, trustErr)
		}
		for _, tc := range g.Tests {
			n++
			var doc string
			if err := json.Unmarshal(tc.JWS, &doc); err != nil {
				// The JSON serialization is given as an object.
				doc = string(tc.JWS)
			}
			rep := verify([]byte(doc), Options{Trust: trust, Time: testTime})
			where := func() string {
				return file + " tc " + itoa(tc.TcID) + " (" + g.Comment + "/" + tc.Comment + ")"
			}
			if want, ok := exceptions[tc.TcID]; ok {
				if rep.Reason != want {
					t.Errorf("%s: got %s/%s, want %s", where(), rep.Verdict, rep.Reason, want)
				}
				continue
			}
			// A group with no public key has a symmetric one: its documents
			// are HMAC, whether or not their header can be read.
			symmetric := len(g.Public) == 0 || string(g.Public) == "null"
			hmac := symmetric || strings.HasPrefix(headerAlg(t, doc), "HS")
			switch tc.Result {
			case "valid":
				if trustErr != nil {
					t.Errorf("%s: the group's key does not load: %v", where(), trustErr)
					continue
				}
				if hmac {
					if rep.Reason != AlgNotAllowed {
						t.Errorf("%s: HMAC gave %s/%s, want alg_not_allowed", where(), rep.Verdict, rep.Reason)
					}
					continue
				}
				if rep.Verdict != Valid {
					t.Errorf("%s: got %s/%s, want valid", where(), rep.Verdict, rep.Reason)
				}
			case "invalid":
				want := wycheproofInvalidReasons(tc.Comment)
				switch {
				case hmac:
					want = []Reason{AlgNotAllowed, Malformed}
				case trustErr != nil:
					// The group's key was refused as trust: nothing is trusted.
					want = []Reason{IssuerUnknown}
				}
				if rep.Verdict == Valid || !slices.Contains(want, rep.Reason) {
					t.Errorf("%s: got %s/%s, want one of %v", where(), rep.Verdict, rep.Reason, want)
				}
			default:
				t.Errorf("%s: result %q has no rule", where(), tc.Result)
			}
		}
	}
	if n == 0 {
		t.Fatal("no test cases")
	}
}

// wycheproofInvalidReasons is the reason an invalid case must get, by its
// comment, for a group whose key loaded as trust. Syntax faults are
// malformed, never signature_invalid; a bad signature is signature_invalid,
// never malformed.
func wycheproofInvalidReasons(comment string) []Reason {
	switch {
	case comment == "rejectsEmptyString", comment == "rejectsValidJsonSerialization",
		strings.HasPrefix(comment, "rejectsMissingHeader"), strings.HasPrefix(comment, "rejectsExtra"),
		strings.HasSuffix(comment, "AndSeparator"):
		return []Reason{Malformed}
	case comment == "rejectsModifiedHeader":
		return []Reason{IssuerUnknown} // the kid no longer names a trusted key
	case comment == "rejectsMissingPayload":
		// An empty payload segment is empty or detached content; the
		// signature does not cover empty content.
		return []Reason{PayloadMissing}
	case comment == "algIsNone", comment == "mismatchedAlgAndCurve",
		comment == "rejectsNoneAlgorithmAndMissingSignature":
		return []Reason{AlgNotAllowed}
	case strings.HasPrefix(comment, "Using"):
		// A PS512 key used with another algorithm: refused by the key when
		// the header says so, else the signature does not verify.
		return []Reason{AlgNotAllowed, SignatureInvalid}
	}
	return []Reason{SignatureInvalid}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestWycheproofJWS(t *testing.T) { runWycheproofJOSE(t, wycheproofJOSEFiles[0]) }
func TestWycheproofJWK(t *testing.T) { runWycheproofJOSE(t, wycheproofJOSEFiles[1]) }
