package verifier

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
		s1, e1 := sdPayload(bytes.Clone(p), true)
		s2, e2 := sdPayload(p, false)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(s1, s2) {
			t.Fatalf("payload %d: sdPayload differs", i)
		}
	}
}

func TestIsJOSETextTable(t *testing.T) {
	for c := range 256 {
		b := []byte{'a', byte(c), 'b', '.', '~', byte(c)}
		if isJOSEText(b) != isJOSETextOracle(b) {
			t.Fatalf("byte %#x", c)
		}
		checkJOSEScan(t, b)
	}
}

// checkJOSEScan holds joseScan to the searches it replaced: for JOSE text,
// the counts of dots and tildes.
func checkJOSEScan(t *testing.T, b []byte) {
	t.Helper()
	dots, tildes, ok := joseScan(b)
	if ok != isJOSETextOracle(b) || ok && (dots != bytes.Count(b, []byte{'.'}) || tildes != bytes.Count(b, []byte{'~'})) {
		t.Fatalf("joseScan(%q) = %d, %d, %v", b, dots, tildes, ok)
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
		checkJOSEScan(t, b)
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
		s1, e1 := sdPayload(bytes.Clone(b), true)
		s2, e2 := sdPayload(b, false)
		if fmt.Sprint(e1) != fmt.Sprint(e2) || !reflect.DeepEqual(s1, s2) {
			t.Fatal("sdPayload differs")
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
	if sdHashIDOf("sha-1") != 0 || sdHashIDOf("") != 0 {
		t.Fatal("sdHashIDOf names a hash sdHashes does not")
	}
	host := HashFunc(func(alg string) hash.Hash {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			if h.String() == alg {
				return h.New()
			}
		}
		return nil
	})
	for name := range sdHashes {
		id := sdHashIDOf(name)
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

// checkSplitSD holds splitSD to bytes.LastIndexByte and bytes.Split, and
// requires every part's capacity to end with it (bytes.Split leaves the
// last part's reaching to the end of the input: an append to it would
// write over the key binding JWT).
func checkSplitSD(t *testing.T, b []byte) {
	t.Helper()
	parts, last := splitSD(b)
	if want := bytes.LastIndexByte(b, '~'); last != want {
		t.Fatalf("%q: last %d, want %d", b, last, want)
	}
	if last < 0 {
		if len(parts) != 0 {
			t.Fatalf("%q: %d parts without a '~'", b, len(parts))
		}
		return
	}
	want := bytes.Split(b[:last], []byte{'~'})
	if len(parts) != len(want) {
		t.Fatalf("%q: %d parts, want %d", b, len(parts), len(want))
	}
	for i := range want {
		if !bytes.Equal(parts[i], want[i]) || cap(parts[i]) != len(parts[i]) {
			t.Fatalf("%q: part %d %q (cap %d), want %q", b, i, parts[i], cap(parts[i]), want[i])
		}
	}
}

var splitSDSeeds = []string{"", "~", "~~", "a", "a~", "~a", "a~b~", "a~b~c", "a.b.c~d~e~kb.x.y", "a~~b~", strings.Repeat("d~", 20)}

func TestSplitSD(t *testing.T) {
	for _, s := range splitSDSeeds {
		checkSplitSD(t, []byte(s))
	}
}

func FuzzSplitSD(f *testing.F) {
	for _, s := range splitSDSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSplitSD)
}
