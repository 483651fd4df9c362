package verifier

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// CWT claims read straight from the payload's bytes into the report's
// shape. The general path decodes the payload into a map[any]any
// (cborUnmarshal), walks it for keys of one name (cborKeysCollide), then
// builds the report's maps from it (cwtClaimsFrom, cborToJSON): every map
// of the claims is made twice and walked three times. Inside the module
// maps are the dearest of the allocations, and for a DCC or a CWT that
// was about a tenth of the verifier's own work.
//
// cwtClaimsPlain answers only where the general path would give the same
// claims and validity without an error; anything else it leaves to that
// path (ok false), so every error is still the general path's
// (TestClaimsPlainAsGeneral, FuzzClaimsPlain). It reads what the
// hand path (cbordec.go) reads, as strictly, and gives up besides on:
//   - any tag: the general path writes it as {"tag", "value"} or, on an
//     epoch date, reads it as one;
//   - a text key that begins as a number does ('-' or a digit): it could
//     share its name with an integer key, which the general path refuses,
//     and the hcert claim is found by its integer key (hcertFromClaims);
//   - two keys of one map with one name (a duplicate key, or a claim given
//     as its integer and as its name, 4 and "exp");
//   - an exp, nbf or iat that is not an integer NumericDate.
func cwtClaimsPlain(payload []byte) (map[string]any, validity, bool) {
	// As cborDecodePlain: the library's well-formedness pass decides
	// first, so that the hand walk never answers for bytes it refuses.
	if cborDec.Wellformed(payload) != nil {
		return nil, validity{}, false
	}
	var p cborPlain
	major, _, n, rest, ok := p.head(payload)
	if !ok || major != majorMap || !p.count(n, 2, rest) {
		return nil, validity{}, false
	}
	claims := make(map[string]any, n)
	var val validity
	for range n {
		var name string
		var k int64
		var isInt bool
		var x any
		var date *time.Time
		if name, k, isInt, rest, ok = p.jsonKey(rest); !ok {
			return nil, validity{}, false
		}
		if isInt {
			if s, known := cwtClaimNames[k]; known {
				name = s
			}
			date = val.cwtDate(k)
		}
		if _, dup := claims[name]; dup {
			return nil, validity{}, false
		}
		if x, rest, ok = p.item(rest, 1, asClaims); !ok {
			return nil, validity{}, false
		}
		if date != nil {
			n, isInt := x.(int64)
			if !isInt {
				return nil, validity{}, false
			}
			if *date, ok = numericDate(float64(n)); !ok {
				return nil, validity{}, false
			}
		}
		claims[name] = x
	}
	if len(rest) != 0 {
		return nil, validity{}, false
	}
	return claims, val, true
}

// jsonKey reads a map key as its name in the report: an integer as its
// decimal (k, isInt), text as itself. Other keys, and text that begins as
// a number does, are left to the general path (cwtClaimsPlain).
func (p cborPlain) jsonKey(b []byte) (name string, k int64, isInt bool, rest []byte, ok bool) {
	major, _, arg, rest, ok := p.head(b)
	if !ok {
		return "", 0, false, nil, false
	}
	switch major {
	case majorUint, majorNint:
		if arg > math.MaxInt64 {
			return "", 0, false, nil, false
		}
		k = int64(arg)
		if major == majorNint {
			k = -1 ^ k
		}
		return strconv.FormatInt(k, 10), k, true, rest, true
	case majorText:
		if arg > uint64(len(rest)) || !utf8.Valid(rest[:arg]) {
			return "", 0, false, nil, false
		}
		if arg > 0 && (rest[0] == '-' || rest[0] >= '0' && rest[0] <= '9') {
			return "", 0, false, nil, false
		}
		return string(rest[:arg]), 0, false, rest[arg:], true
	}
	return "", 0, false, nil, false
}

// jsonMap reads the n pairs of a map whose head item has read, at depth,
// as cborToJSON (or mdocValue) writes the map: keys by their names, values
// in the same shape.
func (p cborPlain) jsonMap(b []byte, n uint64, depth int, shape cborShape) (any, []byte, bool) {
	out := make(map[string]any, n)
	for range n {
		k, _, _, rest, ok := p.jsonKey(b)
		if !ok {
			return nil, nil, false
		}
		if _, dup := out[k]; dup {
			return nil, nil, false
		}
		var x any
		if x, b, ok = p.item(rest, depth+1, shape); !ok {
			return nil, nil, false
		}
		out[k] = x
	}
	return out, b, true
}

// mdocClaimPlain is mdocClaim of an mdoc element's value read straight
// from its bytes: raw is the elementValue of an IssuerSignedItem that was
// decoded, so it is one well-formed item and the library's pass over it is
// not made again. Like cwtClaimsPlain it answers (ok) only where the general
// path (cborUnmarshal, cborKeysCollide, mdocClaim) would give the same value
// without an error, and it leaves to that path every tag but a full-date
// around text, text keys that begin as numbers do and keys of one name.
func mdocClaimPlain(raw []byte) (any, bool) {
	var p cborPlain
	if b, rest, ok := p.bytes(raw); ok && len(rest) == 0 {
		if t := imageType(b); t != "" {
			return imageClaim(t, len(b)), true
		}
	}
	x, rest, ok := p.item(raw, 0, asMdoc)
	return x, ok && len(rest) == 0
}
