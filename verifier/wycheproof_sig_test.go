package verifier

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// Wycheproof's signature suites (ECDSA P-256/384/521 in P1363 form, Ed25519,
// RSA PKCS#1 v1.5 2048 and 3072, RSA-PSS 2048) through the verifier.
//
// No JWS or COSE document can carry a Wycheproof case faithfully: a case is
// a triple (msg, sig, key), and a JWS signs ASCII(header "." payload), a
// COSE_Sign1 signs a CBOR Sig_structure that wraps the payload. Neither
// signing input can equal an arbitrary msg, and without the private key no
// signature over another input can be made. So each case is run three ways,
// each asserting exactly what it can:
//
//  1. The exact triple through the path Verify takes: the key is the
//     vector's public key loaded as trust by ParseTrust (a JWK with the
//     suite's alg), and the signature is checked by (*Options).checkSig,
//     the function verifySigned calls. valid → accepted; invalid → refused.
//
//  2. Verify, with the message re-targeted: the case's signature is put into
//     a JWS (and, for ECDSA and EdDSA, a COSE_Sign1) naming the trusted key,
//     and Verify runs with a test Options.Crypto hook. The hook checks that
//     Verify handed it the trusted key's SPKI, the document's signature
//     bytes and the document's exact signing input (built independently
//     here), and then answers with VerifyPrimitive over the case's msg in
//     place of that signing input - the one thing no wrapper can keep.
//     valid → valid; invalid → signature_invalid. This shows that Verify
//     decides by the primitive's answer on the exact signature bytes, and
//     rejects nothing and accepts nothing else on the way.
//
//  3. Verify with its own crypto on the same documents: every case is
//     signature_invalid (a valid signature over msg is no signature over the
//     wrapper, and an invalid one is invalid), never malformed and never
//     valid, whatever the signature bytes (wrong lengths, r or s out of
//     range, broken padding).
//
// Rule for "acceptable": Apostille takes the strict reading wherever
// Wycheproof leaves a choice, so that every host decides alike; an
// acceptable case must be refused. Each kind (flag) of acceptable case is
// listed in acceptableRefused with why; a case with an unlisted flag fails
// the test, so that a person rules on it.

var acceptableRefused = map[string]string{
	// RSA PKCS#1 v1.5 DigestInfo with the NULL parameter of the hash
	// AlgorithmIdentifier omitted. RFC 8017 section 9.2 note 2 allows
	// verifiers to accept it; crypto/rsa builds the one encoding with NULL
	// and compares, which is the stricter choice.
	"MissingNull": "",
}

var wycheproofSigSuites = []struct {
	file string
	alg  Alg
	cose bool // also wrapped in a COSE_Sign1 (ECDSA and EdDSA, per issue 2)
}{
	{"ecdsa_secp256r1_sha256_p1363_test.json", ES256, true},
	{"ecdsa_secp384r1_sha384_p1363_test.json", ES384, true},
	{"ecdsa_secp521r1_sha512_p1363_test.json", ES512, true},
	{"ed25519_test.json", EdDSA, true},
	{"rsa_signature_2048_sha256_test.json", RS256, false},
	{"rsa_signature_3072_sha256_test.json", RS256, false},
	{"rsa_pss_2048_sha256_mgf1_32_test.json", PS256, false},
}

type wpSigFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		PublicKeyDer string `json:"publicKeyDer"`
		Tests        []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Flags   []string `json:"flags"`
			Msg     string   `json:"msg"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

const wycheproofKid = "wycheproof"

// wycheproofKeyTrust loads a group's public key (DER) as trust: a JWK with
// the suite's algorithm, through ParseTrust.
func wycheproofKeyTrust(t *testing.T, der string, alg Alg) (*Trust, error) {
	t.Helper()
	raw, err := hex.DecodeString(der)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(raw)
	if err != nil {
		t.Fatalf("group key: %v", err)
	}
	j := publicJWK(t, pub)
	j["kid"], j["alg"] = wycheproofKid, string(alg)
	set, err := json.Marshal(map[string]any{"keys": []any{j}})
	if err != nil {
		t.Fatal(err)
	}
	return ParseTrust("wycheproof", set)
}

// cborHead encodes a CBOR head of major type mt with argument n.
func cborHead(mt byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{mt<<5 | byte(n)}
	case n < 256:
		return []byte{mt<<5 | 24, byte(n)}
	case n < 65536:
		return []byte{mt<<5 | 25, byte(n >> 8), byte(n)}
	}
	return []byte{mt<<5 | 26, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func cborBstr(b []byte) []byte { return append(cborHead(2, len(b)), b...) }

// wrapper is a document built around one case's signature, with the signing
// input Verify must compute for it.
type wrapper struct {
	name  string
	doc   []byte
	input []byte
}

func wycheproofWrappers(alg Alg, withCOSE bool, msg, sig []byte) []wrapper {
	hdr := b64([]byte(`{"alg":"` + string(alg) + `","kid":"` + wycheproofKid + `"}`))
	pay := b64(msg)
	ws := []wrapper{{
		name:  "jws",
		doc:   []byte(hdr + "." + pay + "." + b64(sig)),
		input: []byte(hdr + "." + pay),
	}}
	if withCOSE {
		// protected {1: alg}, unprotected {4: kid}, payload msg.
		n := coseAlgNumber(alg)
		prot := append([]byte{0xa1, 0x01}, cborHead(1, int(-1-n))...)
		var doc []byte
		doc = append(doc, 0xd2, 0x84)
		doc = append(doc, cborBstr(prot)...)
		doc = append(doc, 0xa1, 0x04)
		doc = append(doc, cborBstr([]byte(wycheproofKid))...)
		doc = append(doc, cborBstr(msg)...)
		doc = append(doc, cborBstr(sig)...)
		var tbs []byte
		tbs = append(tbs, 0x84, 0x6a)
		tbs = append(tbs, "Signature1"...)
		tbs = append(tbs, cborBstr(prot)...)
		tbs = append(tbs, cborBstr(nil)...)
		tbs = append(tbs, cborBstr(msg)...)
		ws = append(ws, wrapper{name: "cose", doc: doc, input: tbs})
	}
	return ws
}

func TestWycheproofSignatures(t *testing.T) {
	for _, suite := range wycheproofSigSuites {
		t.Run(suite.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/wycheproof/" + suite.file)
			if err != nil {
				t.Fatal(err)
			}
			var f wpSigFile
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, g := range f.TestGroups {
				trust, trustErr := wycheproofKeyTrust(t, g.PublicKeyDer, suite.alg)
				for _, tc := range g.Tests {
					n++
					msg, err1 := hex.DecodeString(tc.Msg)
					sig, err2 := hex.DecodeString(tc.Sig)
					if err1 != nil || err2 != nil {
						t.Fatalf("tc %d: bad hex", tc.TcID)
					}
					accept := false
					switch tc.Result {
					case "valid":
						accept = true
					case "invalid":
					case "acceptable":
						for _, fl := range tc.Flags {
							if _, ok := acceptableRefused[fl]; !ok {
								t.Errorf("tc %d: acceptable case with flag %q has no rule", tc.TcID, fl)
							}
						}
					default:
						t.Fatalf("tc %d: result %q", tc.TcID, tc.Result)
					}
					if trustErr != nil {
						// A key the trust refuses cannot make anything valid.
						if accept {
							t.Errorf("tc %d: the group key does not load: %v", tc.TcID, trustErr)
						}
						continue
					}
					wycheproofCase(t, suite.alg, suite.cose, trust, tc.TcID, tc.Comment, msg, sig, accept)
				}
			}
			if n != f.NumberOfTests {
				t.Fatalf("ran %d cases, the file has %d", n, f.NumberOfTests)
			}
		})
	}
}

func wycheproofCase(t *testing.T, alg Alg, withCOSE bool, trust *Trust, id int, comment string, msg, sig []byte, accept bool) {
	t.Helper()
	keys := trust.KeysByID(wycheproofKid)
	if len(keys) != 1 {
		t.Fatalf("tc %d: %d trusted keys", id, len(keys))
	}
	k := keys[0]

	// 1. The exact triple, through the function verifySigned calls.
	if got := (&Options{}).checkSig(alg, k, msg, sig); got != accept {
		t.Errorf("tc %d (%s): checkSig = %v, want %v", id, comment, got, accept)
	}

	for _, w := range wycheproofWrappers(alg, withCOSE, msg, sig) {
		// A JWS of an empty msg has an empty payload segment, which may be
		// detached content: a signature that does not verify over empty
		// content says payload_missing there (see emptyPayloadFailed).
		refused := SignatureInvalid
		if w.name == "jws" && len(msg) == 0 {
			refused = PayloadMissing
		}
		// 2. Verify, with the message re-targeted by the host hook.
		var calls int
		var handedWrong bool
		hook := func(a string, spki, input, s []byte) (bool, bool) {
			calls++
			if a != string(alg) || !bytes.Equal(spki, k.spki) || !bytes.Equal(s, sig) || !bytes.Equal(input, w.input) {
				handedWrong = true
				return false, true
			}
			return VerifyPrimitive(a, k.Public, msg, s) == nil, true
		}
		rep := verify(w.doc, Options{Trust: trust, Time: testTime, Crypto: hook})
		switch {
		case calls != 1 || handedWrong:
			t.Errorf("tc %d %s: Verify called the primitive %d times, with the wrong bytes: %v", id, w.name, calls, handedWrong)
		case accept && rep.Verdict != Valid:
			t.Errorf("tc %d %s (%s): got %s/%s, want valid", id, w.name, comment, rep.Verdict, rep.Reason)
		case !accept && rep.Reason != refused:
			t.Errorf("tc %d %s (%s): got %s/%s, want %s", id, w.name, comment, rep.Verdict, rep.Reason, refused)
		}

		// 3. Verify with its own crypto: the signature does not cover the
		// wrapper, whatever its bytes.
		rep = verify(w.doc, Options{Trust: trust, Time: testTime})
		if rep.Reason != refused {
			t.Errorf("tc %d %s (%s): native got %s/%s, want %s", id, w.name, comment, rep.Verdict, rep.Reason, refused)
		}
	}
}
