package verifier

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// cwtClaimsPlainMismatch holds cwtClaimsPlain to the general path on one
// payload: where it answers, the general path must read the same claims
// and validity without an error, and a DCC's certificate (or its absence)
// must come out of the claims as the general path takes it out of its
// decoding. taken is 1 where cwtClaimsPlain answered, else 0.
func cwtClaimsPlainMismatch(payload []byte) (problems []string, taken int) {
	if !looksLikeCBORMap(payload) {
		return nil, 0
	}
	claims, val, ok := cwtClaimsPlain(payload)
	if !ok {
		return nil, 0
	}
	var raw map[any]any
	rawErr := cborUnmarshal(payload, &raw)
	want, wantVal, err := cwtClaimsDecoded(payload, raw, rawErr)
	switch {
	case err != nil:
		return []string{fmt.Sprintf("claims read by hand, refused by the general path (%v)", err)}, 1
	case !reflect.DeepEqual(claims, want):
		return []string{fmt.Sprintf("claims by hand %#v, general %#v", claims, want)}, 1
	case val != wantVal:
		return []string{fmt.Sprintf("validity by hand %+v, general %+v", val, wantVal)}, 1
	}
	h, herr := hcertFromClaims(claims)
	wantH, wantErr := hcertFromDecoded(raw, rawErr, want)
	if !sameHCertRefusal(herr, wantErr) || !reflect.DeepEqual(h, wantH) {
		return []string{fmt.Sprintf("certificate by hand %+v (%v), general %+v (%v)", h, herr, wantH, wantErr)}, 1
	}
	return nil, 1
}

// sameHCertRefusal compares two paths' refusals of a DCC's certificate by
// what they are, not by their text: both or neither, and the same one of
// the refusals hcertFromClaims makes itself. Any other refusal is
// parseHCert's, and both paths hand it the one value (the claims are equal
// where this is called), which the accepted certificates compare.
func sameHCertRefusal(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	for _, e := range []error{errNoHCert, errHCertNotMap, errHCertEmpty} {
		if errors.Is(a, e) != errors.Is(b, e) {
			return false
		}
	}
	return true
}

// mdocClaimPlainMismatch holds mdocClaimPlain to the general path on one
// item that is well-formed, as every elementValue it is given is: where it
// answers, the general path must decode the item, find no two keys of one
// name and make the same claim of it. taken is 1 where it answered.
func mdocClaimPlainMismatch(raw []byte) (problems []string, taken int) {
	if cborDec.Wellformed(raw) != nil {
		return nil, 0
	}
	claim, ok := mdocClaimPlain(raw)
	if !ok {
		return nil, 0
	}
	var val any
	switch err := cborUnmarshal(raw, &val); {
	case err != nil:
		return []string{fmt.Sprintf("element value read by hand, refused by the general path (%v)", err)}, 1
	case cborKeysCollide(val):
		return []string{"element value read by hand, two keys of one name for the general path"}, 1
	case !reflect.DeepEqual(claim, mdocClaim(val)):
		return []string{fmt.Sprintf("element value by hand %#v, general %#v", claim, mdocClaim(val))}, 1
	}
	return nil, 1
}

// claimsPlainMismatches is both: the CWT claims of raw and raw as an mdoc
// element's value.
func claimsPlainMismatches(raw []byte) (problems []string, taken int) {
	p1, n1 := cwtClaimsPlainMismatch(raw)
	p2, n2 := mdocClaimPlainMismatch(raw)
	return append(p1, p2...), n1 + n2
}

// randomClaims is a random claims map whose keys and values mix what the
// hand path reads and what it leaves to the general path.
func randomClaims(rng *rand.Rand) map[any]any {
	keys := []any{int64(1), int64(4), int64(5), int64(6), int64(7), int64(-260), int64(1), int64(-1), uint64(1) << 63,
		"exp", "iss", "4", "-260", "1", "", "ver", "nam", cbor.ByteString("\x01")}
	var value func(depth int) any
	value = func(depth int) any {
		switch n := rng.IntN(12); {
		case depth > 4 || n < 3:
			return []any{int64(rng.IntN(2000000000)), int64(-5), "text", []byte{1, 2}, true, nil, 1.5, uint64(1) << 63}[rng.IntN(8)]
		case n < 5:
			out := make([]any, rng.IntN(3))
			for i := range out {
				out[i] = value(depth + 1)
			}
			return out
		case n < 6:
			return cbor.Tag{Number: []uint64{1, 99, 1004}[rng.IntN(3)], Content: value(depth + 1)}
		default:
			out := map[any]any{}
			for range rng.IntN(4) {
				out[keys[rng.IntN(len(keys))]] = value(depth + 1)
			}
			return out
		}
	}
	out := map[any]any{}
	for range rng.IntN(6) {
		out[keys[rng.IntN(len(keys))]] = value(0)
	}
	return out
}

// TestClaimsPlainAsGeneral holds the claims and mdoc element values read
// by hand to the general path on the seeds, every payload of the DCC
// conformance suite, every item of the ISO 18013-5 Annex D response and
// random values, and requires that the hand paths answer for the suite's
// certificates, the Annex D elements and the seeds in the shape of real
// claims.
func TestClaimsPlainAsGeneral(t *testing.T) {
	for name, h := range cborPlainSeeds {
		checkPlain(t, name, cborSeed(t, name, h), claimsPlainMismatches)
	}
	for _, name := range []string{"iss and exp", "hcert", "claim 8 cnf holds a key map", "cti as bytes, iat and nbf"} {
		if _, taken := cwtClaimsPlainMismatch(cborSeed(t, name, cborPlainSeeds[name])); taken == 0 {
			t.Errorf("%s: left to the general path", name)
		}
	}
	dcc := 0
	for f, payload := range dccSuitePayloads(t) {
		dcc += checkPlain(t, f, payload, cwtClaimsPlainMismatch)
	}
	if dcc < 50 {
		t.Errorf("the hand path read %d of the suite's payloads", dcc)
	}
	elements := 0
	for _, item := range cborItems(loadAnnexD(t).bytes(t, "DEVICE_RESPONSE")) {
		elements += checkPlain(t, "Annex D", item, mdocClaimPlainMismatch)
	}
	if elements < 10 {
		t.Errorf("the hand path read %d of Annex D's items as element values", elements)
	}
	rng := rand.New(rand.NewPCG(15, 260))
	taken := 0
	for i := range 20000 {
		b, err := cbor.Marshal(randomClaims(rng))
		if err != nil {
			continue // a tag the encoder checks, around content it refuses
		}
		taken += checkPlain(t, fmt.Sprint("random ", i), b, claimsPlainMismatches)
	}
	t.Logf("read by hand: %d of the suite's payloads, %d of Annex D's items, %d of 20000 random values (claims and element values)", dcc, elements, taken)
	if taken < 4000 {
		t.Errorf("the hand paths read %d of 20000 random values", taken)
	}
}

// FuzzClaimsPlain is TestClaimsPlainAsGeneral on any input.
func FuzzClaimsPlain(f *testing.F) {
	for name, h := range cborPlainSeeds {
		f.Add(cborSeed(f, name, h))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkPlain(t, "fuzz", raw, claimsPlainMismatches) })
}

// TestHCertNames holds the hcert claim's names to the names the claims
// give its integer keys.
func TestHCertNames(t *testing.T) {
	if cborKeyString(int64(cwtHCert)) != cwtHCertName || cborKeyString(int64(hcertDCC1)) != hcertDCC1Name {
		t.Fatal("the hcert names are not the keys' names")
	}
}
