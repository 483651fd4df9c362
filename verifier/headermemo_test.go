package verifier

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The memo of protected headers (headermemo.go) must change nothing but
// the work: a JWS parses to the same headers, the same x5c certificates
// and the same errors with no memo, on a memo's first sight of its header
// and from the memo, and a verification says the same bytes.

// headerMemoDocs are the JWS, JWT and SD-JWT vectors, x5c documents made
// here, and mutations of their protected headers.
func headerMemoDocs(t testing.TB) [][]byte {
	docs := vectorDocuments(t)
	files, _ := filepath.Glob("testdata/sdjwt/*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, bytes.TrimSpace(b))
		if i := bytes.IndexByte(b, '~'); i > 0 {
			docs = append(docs, b[:i])
		}
	}
	docs = append(docs, x5cMemoDocs(t)...)
	var out [][]byte
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range docs {
		out = append(out, d)
		out = append(out, headerMutations(d, r)...)
	}
	return out
}

// x5cMemoDocs are JWSs with x5c chains: good, not chaining, with a
// certificate that is not base64 or not DER, and a chain in the
// unprotected header of a JSON serialization.
func x5cMemoDocs(t testing.TB) [][]byte {
	std := base64.StdEncoding.EncodeToString
	root := newCert(t, "Root", nil, caTemplate())
	leaf := newCert(t, "Leaf", root, leafTemplate(0))
	payload := []byte(`{"iss":"ee","iat":1700000000,"exp":1900000000}`)
	docs := [][]byte{
		[]byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "x5c": []string{std(leaf.der), std(root.der)}}, payload)),
		[]byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "typ": "JWT", "x5c": []string{std(leaf.der)}}, payload)),
		[]byte(signJWS(t, leaf.signer("k"), map[string]any{"x5c": []string{std(leaf.der)[:40] + "\n" + std(leaf.der)[40:]}}, payload)),
		[]byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "x5c": []string{std(leaf.der), "not base64!"}}, payload)),
		[]byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "x5c": []string{std([]byte("not DER"))}}, payload)),
		[]byte(signJWS(t, leaf.signer(""), map[string]any{"kid": nil, "x5c": []string{}}, payload)),
	}
	// The JSON serialization, the chain unprotected.
	prot := b64([]byte(`{"alg":"ES256"}`))
	pay := b64(payload)
	sig := b64(leaf.signer("").sign(t, []byte(prot+"."+pay)))
	docs = append(docs, []byte(`{"payload":"`+pay+`","protected":"`+prot+`","header":{"x5c":["`+std(leaf.der)+`"]},"signature":"`+sig+`"}`))
	return docs
}

// headerEdits rewrite a decoded protected header: wrong types, nulls,
// crit and b64 cases, duplicates, x5c oddities.
var headerEdits = []func(h string) string{
	func(h string) string { return strings.Replace(h, `"alg":"`, `"alg":7,"x":"`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"typ":null,`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"kid":["a"],`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"x5c":"MIIB",`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"x5c":[1],`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"x5c":["@@"],`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"crit":["b64"],"b64":false,`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"crit":["exp"],`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"crit":[],`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"b64":true,`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"b64":"no",`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"cty":"JWT","typ":"JWT",`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"alg":"none",`, 1) },
	func(h string) string { return strings.Replace(h, `{`, `{"\u0061lg":"ES256",`, 1) },
	func(h string) string { return h + " " },
	func(h string) string { return "[" + h + "]" },
}

// headerMutations are d with its protected header edited or its bytes
// flipped, re-encoded.
func headerMutations(d []byte, r *rand.Rand) [][]byte {
	var out [][]byte
	seg, rest, ok := bytes.Cut(d, []byte{'.'})
	if !ok || bytes.HasPrefix(d, []byte("{")) {
		return nil
	}
	hdr, err := base64.RawURLEncoding.DecodeString(string(seg))
	if err != nil {
		return nil
	}
	with := func(h []byte) []byte {
		return []byte(base64.RawURLEncoding.EncodeToString(h) + "." + string(rest))
	}
	for _, e := range headerEdits {
		out = append(out, with([]byte(e(string(hdr)))))
	}
	for range 8 {
		h := bytes.Clone(hdr)
		if len(h) > 0 {
			h[r.IntN(len(h))] ^= byte(1 << r.IntN(8))
		}
		out = append(out, with(h))
	}
	return out
}

// parseOutcome is what a parse gives that the verifier reads.
type parseOutcome struct {
	err                     string
	protected, unprotected  any
	h                       joseHeader
	payload, sig, signingIn []byte
	view                    []byte
	headers                 map[string]any
	chain                   [][]byte
	chainReport             []byte
}

func outcomeOf(j *jws, err error) parseOutcome {
	if err != nil {
		return parseOutcome{err: reflect.TypeOf(err).String() + ": " + err.Error()}
	}
	o := parseOutcome{protected: j.protected, unprotected: j.unprotected, h: j.h, payload: j.payload, sig: j.sig, signingIn: j.signingInput(), view: j.signingInputView(), headers: j.reportHeaders()}
	v := &verification{opts: &Options{}, rep: newReport(time.Unix(0, 0))}
	if s, ok := v.jwsSigned(j, time.Time{}); ok {
		o.chain = s.chain
	}
	o.chainReport = v.rep.finish().AppendJSON(nil)
	return o
}

// sameOutcome compares with the oracle, parsing again when they differ:
// a header with two faults is refused for either, as map order falls.
func sameOutcome(got parseOutcome, oracle func() parseOutcome) bool {
	for range 32 {
		if reflect.DeepEqual(got, oracle()) {
			return true
		}
	}
	return false
}

func TestHeaderMemoDifferential(t *testing.T) {
	docs := headerMemoDocs(t)
	hm := newHeaderMemo()
	for i, d := range docs {
		for _, detached := range [][]byte{nil, []byte("detached content")} {
			oracle := func() parseOutcome { return outcomeOf(parseJWS(d, detached)) }
			first := outcomeOf(parseJWSMemo(d, detached, hm))
			if first.err == "" && !bytes.Equal(first.view, first.signingIn) {
				t.Errorf("doc %d: the signing input as received differs from the one built", i)
			}
			if j, err := parseJWSMemo(d, detached, hm); err == nil && !reflect.DeepEqual(j.reportHeaders(), headerReport(j.protected, j.unprotected)) {
				t.Errorf("doc %d: the remembered report headers differ", i)
			}
			again := outcomeOf(parseJWSMemo(d, detached, hm))
			if !sameOutcome(first, oracle) {
				t.Errorf("doc %d: the memo's first parse differs from the oracle's:\n%+v\n%+v", i, first, oracle())
			}
			if !sameOutcome(again, oracle) {
				t.Errorf("doc %d: the memo's parse differs from the oracle's:\n%+v\n%+v", i, again, oracle())
			}
		}
	}
	if len(docs) < 500 {
		t.Fatalf("only %d documents", len(docs))
	}
}

// TestHeaderMemoVerify holds whole reports to a trust without the memo.
func TestHeaderMemoVerify(t *testing.T) {
	docs := headerMemoDocs(t)
	root := newCert(t, "Root", nil, caTemplate())
	trusts := map[string]func() *Trust{
		"fuzz": func() *Trust {
			tr, err := ParseTrust("fuzz", []byte(`{"keys":[{"kty":"EC","kid":"kid-ec-sign","alg":"ES256","crv":"P-256","x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			return tr
		},
		"rfc9901": func() *Trust { return rfcTrust(t) },
		"pki": func() *Trust {
			return trustBundle(t, issuerSpec{id: "pki", name: "PKI", country: "EE", anchors: [][]byte{root.der}})
		},
	}
	for name, mk := range trusts {
		memo, plain := mk(), mk()
		plain.headerMemo = nil
		for i, d := range docs {
			for _, at := range []time.Time{rfcTime, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} {
				opts := Options{Time: at, Trust: memo}
				want := func() []byte {
					o := opts
					o.Trust = plain
					return Verify(d, o).AppendJSON(nil)
				}
				for pass := range 2 {
					got := Verify(d, opts).AppendJSON(nil)
					same := false
					for range 32 {
						if bytes.Equal(got, want()) {
							same = true
							break
						}
					}
					if !same {
						t.Errorf("%s doc %d pass %d: the report differs:\n%s\n%s", name, i, pass, got, want())
					}
				}
			}
		}
	}
}

// FuzzHeaderMemo holds the memo's parse to the plain one on any input,
// each input parsed twice (the second from the memo).
func FuzzHeaderMemo(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	for _, d := range x5cMemoDocs(f) {
		f.Add(d)
	}
	hm := newHeaderMemo()
	f.Fuzz(func(t *testing.T, data []byte) {
		oracle := func() parseOutcome { return outcomeOf(parseJWS(data, nil)) }
		for range 2 {
			if got := outcomeOf(parseJWSMemo(data, nil, hm)); !sameOutcome(got, oracle) {
				t.Fatalf("the memo's parse differs:\n%+v\n%+v", got, oracle())
			}
		}
	})
}
