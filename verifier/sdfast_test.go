package verifier

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The SD-JWT path's faster steps (disclosure.go, keybinding.go, spki.go,
// detect.go, jsonparse.go) against the steps they replace, kept here as
// oracles, on the SD-JWT vectors and mutations of them.

// sdVectorParts are the disclosures, payloads and KB-JWTs of the SD-JWT
// vectors, and random mutations of each.
func sdVectorParts(t testing.TB) (disclosures, payloads [][]byte) {
	files, _ := filepath.Glob("testdata/sdjwt/*.sdjwt")
	r := rand.New(rand.NewPCG(5, 6))
	mutate := func(b []byte) [][]byte {
		out := [][]byte{b}
		for range 6 {
			m := bytes.Clone(b)
			if len(m) > 0 {
				m[r.IntN(len(m))] ^= byte(1 << r.IntN(8))
			}
			out = append(out, m)
		}
		return out
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parts := bytes.Split(bytes.TrimSpace(b), []byte{'~'})
		if j, err := parseJWS(parts[0], nil); err == nil {
			payloads = append(payloads, mutate(j.payload)...)
		}
		for _, d := range parts[1:] {
			if len(d) == 0 {
				continue
			}
			disclosures = append(disclosures, mutate(d)...)
			if raw, err := b64url(string(d)); err == nil {
				for _, m := range mutate(raw) {
					disclosures = append(disclosures, []byte(base64.RawURLEncoding.EncodeToString(m)))
				}
			}
		}
	}
	return disclosures, payloads
}

func TestDecodeDisclosuresDifferential(t *testing.T) {
	ds, _ := sdVectorParts(t)
	if len(ds) < 200 {
		t.Fatalf("only %d disclosures", len(ds))
	}
	for _, alg := range []string{"sha-256", "sha-384", "sha-512"} {
		for i := range ds {
			// One at a time, and in runs (a disclosure presented twice).
			for _, set := range [][][]byte{ds[i : i+1], ds[i:min(i+5, len(ds))], {ds[i], ds[i]}} {
				got, gotErr := decodeDisclosures(set, sdHashes[alg])
				want, wantErr := decodeDisclosuresOracle(set, sdHashes[alg])
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %d: got %v %v, want %v %v", alg, i, got, gotErr, want, wantErr)
				}
			}
		}
	}
}

func TestClaimsOwnedDifferential(t *testing.T) {
	_, ps := sdVectorParts(t)
	for i, p := range ps {
		c1, v1, e1 := jwtClaimsOf(bytes.Clone(p), true)
		c2, v2, e2 := jwtClaims(p)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(c1, c2) || v1 != v2 {
			t.Fatalf("payload %d: jwtClaimsOf differs", i)
		}
		s1, e1 := sdPayload(bytes.Clone(p), true)
		s2, e2 := sdPayload(p, false)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(s1, s2) {
			t.Fatalf("payload %d: sdPayload differs", i)
		}
	}
}

// holderJWKs are cnf values: the vectors' keys, keys made here, and
// members of every other kind.
func holderJWKs(t testing.TB) []any {
	var out []any
	for _, k := range vectorKeys(t) {
		var v any
		if json.Unmarshal(k, &v) == nil {
			out = append(out, v)
			if m, ok := v.(map[string]any); ok {
				if keys, ok := m["keys"].([]any); ok {
					out = append(out, keys...)
				}
			}
		}
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, crand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, publicJWK(t, k.Public()))
	}
	pub, _, _ := ed25519.GenerateKey(crand.Reader)
	out = append(out, publicJWK(t, pub))
	var more []any
	for _, v := range out {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		edits := []func(m map[string]any){
			func(m map[string]any) { m["kid"] = "holder" },
			func(m map[string]any) { m["alg"] = "ES256" },
			func(m map[string]any) { m["alg"] = "HS256" },
			func(m map[string]any) { m["use"] = "enc" },
			func(m map[string]any) { m["key_ops"] = []any{"verify"} },
			func(m map[string]any) { m["key_ops"] = []any{"sign"} },
			func(m map[string]any) { m["d"] = "AAAA" },
			func(m map[string]any) { m["KTY"] = "EC" },
			func(m map[string]any) { m["\u212Aty"] = "EC" },
			func(m map[string]any) { m["x"] = 5.0 },
			func(m map[string]any) { m["crv"] = nil },
			func(m map[string]any) { m["ext"] = true },
			func(m map[string]any) { m["x5c"] = []any{"MIIB"} },
			func(m map[string]any) { m["x"] = "\xff" },
			func(m map[string]any) { delete(m, "y") },
			func(m map[string]any) { m["kty"] = "oct" },
		}
		for _, e := range edits {
			c := map[string]any{}
			for k, x := range m {
				c[k] = x
			}
			e(c)
			more = append(more, c)
		}
	}
	return append(append(out, more...), "not an object", nil, map[string]any{})
}

func TestCnfKeyDifferential(t *testing.T) {
	jwks := holderJWKs(t)
	for i, j := range jwks {
		for _, processed := range []map[string]any{
			{"cnf": map[string]any{"jwk": j}},
			{"cnf": j},
			{},
		} {
			got, gotErr := cnfKey(processed)
			want, wantErr := cnfKeyOracle(processed)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("jwk %d (%v): got %+v %v, want %+v %v", i, j, got, gotErr, want, wantErr)
			}
		}
	}
}

func TestMarshalSPKI(t *testing.T) {
	var keys []any
	for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		for range 4 {
			k, err := ecdsa.GenerateKey(c, crand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, &k.PublicKey)
		}
	}
	for range 4 {
		pub, _, _ := ed25519.GenerateKey(crand.Reader)
		keys = append(keys, pub)
	}
	keys = append(keys, ed25519.PublicKey(make([]byte, 31)), &sharedRSAKey(t, 2048).PublicKey, "not a key")
	for i, k := range keys {
		got, gotErr := marshalSPKI(k)
		want, wantErr := x509.MarshalPKIXPublicKey(k)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !bytes.Equal(got, want) {
			t.Fatalf("key %d (%T): got %x %v, want %x %v", i, k, got, gotErr, want, wantErr)
		}
	}
}

func TestIsJOSETextTable(t *testing.T) {
	for c := range 256 {
		b := []byte{'a', byte(c), 'b'}
		if isJOSEText(b) != isJOSETextOracle(b) {
			t.Fatalf("byte %#x", c)
		}
	}
}

func FuzzSDParts(f *testing.F) {
	ds, ps := sdVectorParts(f)
	for _, d := range ds[:min(len(ds), 40)] {
		f.Add(d)
	}
	for _, p := range ps[:min(len(ps), 20)] {
		f.Add(p)
	}
	for _, j := range []string{`["s","n",1]`, `["s",{"a":[1,"x"]}]`, `["s","n","v",4]`, `[1,"n",1]`, `["s",2,3]`, ` [ "s" , "n" , "v" ] `, `["s"]`, `[]`, `{}`, `["s","n",1e999]`, `["\u0073","\ud800",[]]`} {
		f.Add([]byte(j))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if isJOSEText(b) != isJOSETextOracle(b) {
			t.Fatal("isJOSEText differs")
		}
		got, gotErr := decodeDisclosures([][]byte{b, b}, sdHashes["sha-256"])
		want, wantErr := decodeDisclosuresOracle([][]byte{b, b}, sdHashes["sha-256"])
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatal("decodeDisclosures differs")
		}
		// b as the JSON of a disclosure.
		enc := []byte(base64.RawURLEncoding.EncodeToString(b))
		got, gotErr = decodeDisclosures([][]byte{enc}, sdHashes["sha-256"])
		want, wantErr = decodeDisclosuresOracle([][]byte{enc}, sdHashes["sha-256"])
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeDisclosures differs on %q: %v %v, want %v %v", b, got, gotErr, want, wantErr)
		}
		got, gotErr = decodeDisclosures([][]byte{b}, sdHashes["sha-384"])
		want, wantErr = decodeDisclosuresOracle([][]byte{b}, sdHashes["sha-384"])
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatal("decodeDisclosures differs")
		}
		c1, v1, e1 := jwtClaimsOf(bytes.Clone(b), true)
		c2, v2, e2 := jwtClaims(b)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(c1, c2) || v1 != v2 {
			t.Fatal("jwtClaimsOf differs")
		}
		var j any
		if err := json.Unmarshal(b, &j); err == nil {
			processed := map[string]any{"cnf": map[string]any{"jwk": j}}
			k1, e1 := cnfKey(processed)
			k2, e2 := cnfKeyOracle(processed)
			if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(k1, k2) {
				t.Fatal("cnfKey differs")
			}
		}
	})
}

// The former steps: the oracles.

func decodeDisclosuresOracle(raws [][]byte, newHash func() hash.Hash) (map[string]*disclosure, error) {
	out := make(map[string]*disclosure, len(raws))
	for i, raw := range raws {
		b, err := b64url(string(raw))
		if err != nil {
			return nil, sdMalformed("disclosure %d is not base64url", i)
		}
		v, err := parseJSON(b, true)
		if err != nil {
			return nil, sdMalformed("disclosure %d is not valid JSON: %v", i, err)
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, sdMalformed("disclosure %d is not a JSON array", i)
		}
		if len(arr) < 2 || len(arr) > 3 {
			return nil, sdMalformed("disclosure %d is not [salt, name, value] nor [salt, value]", i)
		}
		if _, ok := arr[0].(string); !ok {
			return nil, sdMalformed("disclosure %d has a salt that is not text", i)
		}
		d := &disclosure{array: len(arr) == 2, value: arr[len(arr)-1]}
		if !d.array {
			name, ok := arr[1].(string)
			if !ok {
				return nil, sdMalformed("disclosure %d has a claim name that is not text", i)
			}
			// These names are the mechanism's own (RFC 9901 section 7.1).
			if name == "_sd" || name == "..." {
				return nil, sdMalformed("disclosure %d discloses a claim named %q", i, name)
			}
			d.name = name
		}
		digest := sdDigest(newHash, raw)
		if _, dup := out[digest]; dup {
			return nil, sdMismatch("disclosure %d is presented twice", i)
		}
		out[digest] = d
	}
	return out, nil
}

func cnfKeyOracle(processed map[string]any) (*Key, error) {
	cnf, ok := processed["cnf"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the issuer-signed data binds no holder key (cnf)")
	}
	raw, ok := cnf["jwk"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the holder key is not given as cnf.jwk")
	}
	b, ok := marshalJSONValue(raw)
	if !ok {
		return nil, fmt.Errorf("the holder key cannot be read")
	}
	j, err := ParseJWK(b)
	if err != nil {
		return nil, fmt.Errorf("the holder key cannot be read: %v", err)
	}
	k, err := jwkKey(j)
	if err != nil {
		return nil, fmt.Errorf("the holder key cannot be used: %v", err)
	}
	return k, nil
}

func isJOSETextOracle(text []byte) bool {
	for _, c := range text {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return true
}

// TestSDDigestWith holds the presentation's digest through a HashFunc to
// sdDigest, with and without a host digest.
func TestSDDigestWith(t *testing.T) {
	if len(sdHashIDs) != len(sdHashes) {
		t.Fatal("sdHashIDs and sdHashes name different algorithms")
	}
	host := HashFunc(func(alg string) hash.Hash {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			if h.String() == alg {
				return h.New()
			}
		}
		return nil
	})
	for name, id := range sdHashIDs {
		for _, s := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("presentation~"), 500)} {
			want := sdDigest(sdHashes[name], s)
			if got := sdDigestWith(nil, id, s); got != want {
				t.Fatalf("%s: %s, want %s", name, got, want)
			}
			if got := sdDigestWith(host, id, s); got != want {
				t.Fatalf("%s with a host digest: %s, want %s", name, got, want)
			}
		}
	}
}
