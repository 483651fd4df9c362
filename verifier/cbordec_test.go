package verifier

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// cborPlainTargets are fresh values of every type cborDecodePlain reads.
func cborPlainTargets() []any {
	return []any{new(any), new(map[any]any), new([]byte), new(map[string]cbor.RawMessage),
		new(mdocIssuerSignedItem), new(mdocMSO), new(mdocIssuerSigned), new(mdocDeviceResponse)}
}

// cborPlainMismatches decodes raw into every target by hand and through the
// library, and says where the hand path answered differently from the
// library: a value the library refuses or decodes otherwise, or a target
// written although the hand path declined. taken counts the targets the
// hand path decoded.
func cborPlainMismatches(raw []byte) (problems []string, taken int) {
	for _, v := range cborPlainTargets() {
		zero := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if !cborDecodePlain(raw, v) {
			if !reflect.DeepEqual(v, zero) {
				problems = append(problems, fmt.Sprintf("%T written although declined", v))
			}
			continue
		}
		taken++
		want := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := cborDec.Unmarshal(raw, want); err != nil {
			problems = append(problems, fmt.Sprintf("%T: decoded by hand, refused by the library (%v)", v, err))
		} else if !reflect.DeepEqual(v, want) {
			problems = append(problems, fmt.Sprintf("%T: by hand %#v, library %#v", v, v, want))
		}
	}
	return problems, taken
}

func checkCBORPlain(t *testing.T, name string, raw []byte) int {
	t.Helper()
	return checkPlain(t, name, raw, cborPlainMismatches)
}

// checkPlain reports what mismatches found on raw and returns how many
// decodings the hand path took.
func checkPlain(t *testing.T, name string, raw []byte, mismatches func([]byte) ([]string, int)) int {
	t.Helper()
	problems, taken := mismatches(raw)
	for _, p := range problems {
		t.Errorf("%s (% x): %s", name, raw, p)
	}
	return taken
}

// cborItems returns raw and every item inside it, and the items inside its
// byte strings that are CBOR themselves (tag 24, COSE payloads and
// headers), as far as they are well-formed.
func cborItems(raw []byte) [][]byte {
	var out [][]byte
	var walk func(b []byte, depth int) []byte
	walk = func(b []byte, depth int) []byte {
		var p cborPlain
		major, _, arg, rest, ok := p.head(b)
		if !ok || depth > MaxCBORDepth {
			return nil
		}
		start := b
		switch major {
		case majorBytes, majorText:
			if arg > uint64(len(rest)) {
				return nil
			}
			if major == majorBytes && cborDec.Wellformed(rest[:arg]) == nil {
				out = append(out, cborItems(rest[:arg])...)
			}
			rest = rest[arg:]
		case majorArray, majorMap:
			n := arg
			if major == majorMap {
				n *= 2
			}
			if n > uint64(len(rest)) {
				return nil
			}
			for range n {
				if rest = walk(rest, depth+1); rest == nil {
					return nil
				}
			}
		case majorTag:
			if rest = walk(rest, depth+1); rest == nil {
				return nil
			}
		}
		out = append(out, start[:len(start)-len(rest)])
		return rest
	}
	walk(raw, 0)
	if len(out) == 0 || len(out[len(out)-1]) != len(raw) {
		out = append(out, raw)
	}
	return out
}

// cborPlainSeeds are items in the shapes the hand path takes and in shapes
// it must leave to the library, named by what they try.
var cborPlainSeeds = map[string]string{
	// CWT claims (cborclaims.go)
	"iss and exp":                   "a2016161041a5f5e1000",
	"exp negative":                  "a10420",
	"exp as float":                  "a104fb41d7d78400000000",
	"exp as tag 1":                  "a104c11a5f5e1000",
	"exp as text":                   "a1046131",
	"exp twice":                     "a2041a5f5e1000041a5f5e1001",
	"exp as integer and as name":    "a2041a5f5e100063657870 1a5f5e1000",
	"4 as integer and as text":      "a204016134 02",
	"text key -260":                 "a1642d32363001",
	"hcert":                         "a1390103a101a163766572 65312e332e30",
	"hcert as text key":             "a1642d323630a101a0",
	"hcert not a map":               "a139010301",
	"hcert without key 1":           "a1390103a0",
	"nested duplicate key":          "a1390103a2010101 02",
	"nested tag":                    "a10bd863a0",
	"nested tag 24":                 "a10bd81841a0",
	"byte string value":             "a10b43010203",
	"claims with a byte string key": "a1430102 0301",
	"bool, null, undefined":         "a30af40bf60cf7",
	"claim simple 16":               "a10af0",
	"bignum":                        "a10bc249010000000000000000",
	"uint beyond int64":             "a10b1b8000000000000000",
	"nint beyond int64":             "a10b3b8000000000000000",
	"invalid UTF-8 text":            "a10b62c328",
	"invalid UTF-8 key":             "a162c32801",
	"indefinite map":                "bf0101ff",
	"claim of indefinite text":      "a10b7f6161ff",
	"map, trailing byte":            "a0 00",
	"truncated":                     "a2010203",
	"float in an array":             "a10b82f93c0001",
	"map nested 24 deep":            "a101" + strings.Repeat("81", 22) + "a0",
	"map nested 25 deep":            "a101" + strings.Repeat("81", 23) + "a0",
	"empty text key":                "a16001",
	"text keys that begin with 0":   "a1623078 01",
	"claim 8 cnf holds a key map":   "a108a101a1200c",
	"cti as bytes, iat and nbf":     "a3074401020304061a5f5e1000051a5f5e1000",
	"exp at the NumericDate bound":  "a1041b00000000ffffffff",
	"int map":                       "a3012602a1016161036474657874",
	"negative key":                  "a12001",
	"min int64":                     "3b7fffffffffffffff",
	"beyond int64":                  "1bffffffffffffffff",
	"beyond -int64":                 "3bffffffffffffffff",
	"long head":                     "1900 05",
	"empty byte string":             "40",
	"empty text":                    "60",
	"empty array":                   "80",
	"empty map":                     "a0",
	"null":                          "f6",
	"undefined":                     "f7",
	"true false":                    "82f5f4",
	"simple 16":                     "f0",
	"simple 32":                     "f820",
	"simple 5 in two bytes":         "f805",
	"half float":                    "f93c00",
	"double":                        "fb3ff0000000000000",
	"tag 24":                        "d81843a10102",
	"tag 1004":                      "d903ec6a323032342d30312d3031",
	"tag 0":                         "c074323032342d30312d30315430303a30303a30305a",
	"tag 0 on a number":             "c001",
	"tag 1":                         "c11a5f5e1000",
	"tag 2":                         "c24101",
	"tag 55799":                     "d9d9f7a0",
	"tag 21":                        "d54101",
	"nested tags":                   "d818d81841 01",
	"dup keys":                      "a2010102 02",
	"dup keys, two heads":           "a201011801 02",
	"int and text 1":                "a2010161 3102",
	"byte string key":               "a1410101",
	"array key":                     "a1800101",
	"float key":                     "a1f93c0001",
	"invalid utf-8":                 "62c328",
	"invalid utf-8 key":             "a162c32801",
	"indefinite array":              "9f01ff",
	"indefinite text":               "7f6161ff",
	"reserved ai":                   "1c",
	"trailing byte":                 "0100",
	"short":                         "8201",
	"deep":                          "818181818181818181818181818181818181818181818181818101",
	"24 arrays, the last empty":     strings.Repeat("81", 23) + "80",
	"25 arrays, the last empty":     strings.Repeat("81", 24) + "80",
	"25 maps, the last empty":       strings.Repeat("a101", 24) + "a0",
	"map with null value":           "a101f6",
}

// cborStructSeeds are the mdoc structures, well-formed and not, encoded.
func cborStructSeeds(t testing.TB) map[string][]byte {
	tdate := cbor.Tag{Number: 0, Content: "2024-01-01T00:00:00Z"}
	item := map[any]any{"digestID": 1, "random": []byte{1, 2}, "elementIdentifier": "family_name", "elementValue": "Doe"}
	validity := map[any]any{"signed": tdate, "validFrom": "2024-01-01T00:00:00+01:00", "validUntil": tdate}
	mso := map[any]any{"version": "1.0", "digestAlgorithm": "SHA-256", "docType": "org.iso.18013.5.1.mDL",
		"valueDigests":  map[any]any{"org.iso.18013.5.1": map[any]any{0: []byte{1}, 1: []byte{}}},
		"deviceKeyInfo": map[any]any{"deviceKey": map[any]any{1: 2}}, "status": map[any]any{"status_list": map[any]any{"idx": 3, "uri": "u"}},
		"validityInfo": validity}
	issuerSigned := map[any]any{"nameSpaces": map[any]any{"n": []any{cbor.Tag{Number: 24, Content: []byte{1}}}, "e": []any{}}, "issuerAuth": []any{}}
	doc := map[any]any{"docType": "x", "issuerSigned": issuerSigned, "deviceSigned": map[any]any{"nameSpaces": cbor.Tag{Number: 24, Content: []byte{0xa0}},
		"deviceAuth": map[any]any{"deviceSignature": []any{}, "deviceMac": nil}}}
	with := func(m map[any]any, k, v any) map[any]any {
		out := map[any]any{}
		for k2, v2 := range m {
			out[k2] = v2
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	values := map[string]any{
		"IssuerSignedItem":                item,
		"item, empty random":              with(item, "random", []byte{}),
		"item, case differs":              with(item, "DigestID", 2),
		"item, negative digestID":         with(item, "digestID", -1),
		"item, unknown key":               with(item, "x", map[any]any{1: 2}),
		"item, integer key":               with(item, 1, 2),
		"item, tag 0 value":               with(item, "elementValue", tdate),
		"MSO":                             mso,
		"MSO, epoch validity":             with(mso, "validityInfo", with(validity, "signed", cbor.Tag{Number: 1, Content: 1700000000})),
		"MSO, bad date":                   with(mso, "validityInfo", with(validity, "signed", "2024-13-01T00:00:00Z")),
		"MSO, negative digest id":         with(mso, "valueDigests", map[any]any{"n": map[any]any{-1: []byte{1}}}),
		"MSO, text digest":                with(mso, "valueDigests", map[any]any{"n": map[any]any{1: "x"}}),
		"issuerSigned":                    issuerSigned,
		"issuerSigned, text item":         with(issuerSigned, "nameSpaces", map[any]any{"n": "x"}),
		"DeviceResponse":                  map[any]any{"version": "1.0", "status": 0, "documents": []any{doc}},
		"DeviceResponse, no documents":    map[any]any{"version": "1.0", "status": 0, "documents": []any{}},
		"DeviceResponse, null signed":     map[any]any{"documents": []any{with(doc, "deviceSigned", cbor.Tag{Number: 99, Content: nil})}},
		"DeviceResponse, negative status": map[any]any{"status": -1},
		"claims":                          map[any]any{1: "iss", 4: 1700000000, -260: map[any]any{1: map[any]any{"v": []any{map[any]any{"dn": 1, "x": 1.5}}}}},
		"claims, big":                     map[any]any{1: uint64(1) << 63},
	}
	out := map[string][]byte{}
	for name, v := range values {
		b, err := cborEnc.Marshal(v)
		if err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
		out[name] = b
	}
	return out
}

func cborSeed(t testing.TB, name, h string) []byte {
	var clean []byte
	for _, c := range []byte(h) {
		if c != ' ' {
			clean = append(clean, c)
		}
	}
	b, err := hex.DecodeString(string(clean))
	if err != nil {
		t.Fatalf("seed %s: %v", name, err)
	}
	return b
}

// TestCBORPlainAsLibrary holds the hand path to fxamacker/cbor on the
// seeds, every item of the vector documents and of the ISO 18013-5 Annex D
// mdoc, and random changes to them: where the hand path answers, the
// library accepts the same bytes and gives the same value. The Annex D
// response, its MSO and its items must be taken by hand, or the hand path
// saves nothing.
func TestCBORPlainAsLibrary(t *testing.T) {
	var corpus [][]byte
	for name, h := range cborPlainSeeds {
		b := cborSeed(t, name, h)
		checkCBORPlain(t, name, b)
		corpus = append(corpus, b)
	}
	for name, b := range cborStructSeeds(t) {
		checkCBORPlain(t, name, b)
		corpus = append(corpus, b)
	}
	a := loadAnnexD(t)
	resp := a.bytes(t, "DEVICE_RESPONSE")
	var r mdocDeviceResponse
	if !cborDecodePlain(resp, &r) || len(r.Documents) != 1 {
		t.Fatal("the Annex D DeviceResponse was left to the library")
	}
	doc := &r.Documents[0]
	m, err := parseSign1(doc.IssuerSigned.IssuerAuth, sign1Profile{})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := unwrap24(m.payload)
	if err != nil {
		t.Fatal(err)
	}
	var mso mdocMSO
	if !cborDecodePlain(inner, &mso) || mso.ValidityInfo.Signed.IsZero() {
		t.Error("the Annex D MSO was left to the library")
	}
	items := 0
	for _, raws := range doc.IssuerSigned.NameSpaces {
		for _, raw := range raws {
			inner, err := unwrap24(raw)
			if err != nil {
				t.Fatal(err)
			}
			var it mdocIssuerSignedItem
			var val any
			if !cborDecodePlain(inner, &it) || !cborDecodePlain(it.ElementValue, &val) && it.ElementValue[0] != 0xc0 {
				t.Errorf("an Annex D item (% x) was left to the library", inner)
			}
			items++
		}
	}
	if items == 0 {
		t.Error("no Annex D items")
	}
	docs := append(vectorDocuments(t), resp)
	for _, f := range dccVectorFiles(t) {
		v := loadDCCVector(t, f)
		for _, h := range []string{v.CBOR, v.COSE} {
			if b, err := hex.DecodeString(h); err == nil && len(b) > 0 {
				docs = append(docs, b)
			}
		}
	}
	taken := 0
	for i, d := range docs {
		for j, item := range cborItems(d) {
			taken += checkCBORPlain(t, fmt.Sprintf("document %d item %d", i, j), item)
			corpus = append(corpus, item)
		}
	}
	if taken < 1000 {
		t.Errorf("the hand path took %d decodings of the vector documents' items", taken)
	}
	rng := rand.New(rand.NewPCG(7, 24))
	for n := 0; n < 200000; n++ {
		b := mutateCBOR(rng, corpus[rng.IntN(len(corpus))])
		checkCBORPlain(t, "mutated", b)
		if t.Failed() {
			break
		}
	}
}

// mutateCBOR changes a copy of b at one to three places: a byte set,
// flipped, dropped or inserted, or the end cut.
func mutateCBOR(rng *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	for range 1 + rng.IntN(3) {
		if len(b) == 0 {
			return append(b, byte(rng.IntN(256)))
		}
		i := rng.IntN(len(b))
		switch rng.IntN(5) {
		case 0:
			b[i] = byte(rng.IntN(256))
		case 1:
			b[i] ^= 1 << rng.IntN(8)
		case 2:
			b = append(b[:i], b[i+1:]...)
		case 3:
			b = append(b[:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
		default:
			b = b[:i]
		}
	}
	return b
}

// FuzzCBORPlain is TestCBORPlainAsLibrary on any input.
func FuzzCBORPlain(f *testing.F) {
	for name, h := range cborPlainSeeds {
		f.Add(cborSeed(f, name, h))
	}
	for _, b := range cborStructSeeds(f) {
		f.Add(b)
	}
	f.Add(loadAnnexD(f).bytes(f, "DEVICE_RESPONSE"))
	f.Fuzz(func(t *testing.T, raw []byte) { checkCBORPlain(t, "fuzz", raw) })
}

// cborKeysCollideAll is cborKeysCollide writing out every map's names, as
// it did before maps of one key type were let through.
func cborKeysCollideAll(v any) bool {
	switch x := v.(type) {
	case map[any]any:
		names := map[string]bool{}
		for k, e := range x {
			if names[cborKeyString(k)] || cborKeysCollideAll(e) {
				return true
			}
			names[cborKeyString(k)] = true
		}
	case []any:
		for _, e := range x {
			if cborKeysCollideAll(e) {
				return true
			}
		}
	case cbor.Tag:
		return cborKeysCollideAll(x.Content)
	}
	return false
}

// TestCBORKeysCollideOneType holds cborKeysCollide to cborKeysCollideAll on
// random nested maps whose keys mix text, integers, byte strings and
// their names ("4" and 4; a byte string and its base64url).
func TestCBORKeysCollideOneType(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	keys := []any{"4", int64(4), "-1", int64(-1), "AQ", cbor.ByteString("\x01"), uint64(4), "a", int64(7), true}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := rng.IntN(4); {
		case depth > 3 || n == 0:
			return int64(rng.IntN(3))
		case n == 1:
			out := make([]any, rng.IntN(3))
			for i := range out {
				out[i] = gen(depth + 1)
			}
			return out
		case n == 2:
			return cbor.Tag{Number: 99, Content: gen(depth + 1)}
		}
		m := map[any]any{}
		for range rng.IntN(4) {
			m[keys[rng.IntN(len(keys))]] = gen(depth + 1)
		}
		return m
	}
	collided := 0
	for range 20000 {
		v := gen(0)
		want := cborKeysCollideAll(v)
		if got := cborKeysCollide(v); got != want {
			t.Fatalf("%#v: collide %v, writing every name out %v", v, got, want)
		}
		if want {
			collided++
		}
	}
	if collided < 1000 {
		t.Errorf("only %d of the random values had a collision", collided)
	}
}
