package verifier

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"

	"github.com/fxamacker/cbor/v2"
)

// Limits on CBOR from documents. They sit far above what a real COSE, CWT,
// DCC or mdoc document needs, and far below what would cost memory or time.
const (
	// MaxCBORDepth is how deeply CBOR arrays, maps and tags may nest.
	MaxCBORDepth = 24
	// maxCBORItems bounds the elements of one array or pairs of one map.
	maxCBORItems = 65536
)

// cborDec decodes CBOR strictly: duplicate map keys, indefinite lengths,
// invalid UTF-8, nesting deeper than MaxCBORDepth and declared lengths
// beyond the data are all errors, never silently accepted. A DecMode is
// immutable and safe for concurrent use.
var cborDec = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		MaxNestedLevels:   MaxCBORDepth,
		MaxArrayElements:  maxCBORItems,
		MaxMapPairs:       maxCBORItems,
		TagsMd:            cbor.TagsAllowed,
		IntDec:            cbor.IntDecConvertSignedOrFail,
		UTF8:              cbor.UTF8RejectInvalid,
		DefaultMapType:    reflect.TypeOf(map[any]any(nil)),
		BigIntDec:         cbor.BigIntDecodePointer,
		ExtraReturnErrors: cbor.ExtraDecErrorNone,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// cborUnmarshal decodes exactly one CBOR item, strictly; trailing bytes are
// an error. The usual shapes are read by hand (cbordec.go), as the library
// would read them.
func cborUnmarshal(data []byte, v any) error {
	if cborDecodePlain(data, v) {
		return nil
	}
	return cborDec.Unmarshal(data, v)
}

// cborKeysCollide reports whether a map anywhere in v has two keys that
// cborKeyString writes as one name (4 and "4"; a byte string and the text
// of its base64url): such a value says two things under one name.
func cborKeysCollide(v any) bool {
	switch x := v.(type) {
	case map[any]any:
		// Keys of one type (all text, as in a DCC, or all integers)
		// cannot share a name: only a mix needs the names written out.
		var names map[string]struct{}
		if !cborKeysOneType(x) {
			names = make(map[string]struct{}, len(x))
		}
		for k, e := range x {
			if names != nil {
				name := cborKeyString(k)
				if _, dup := names[name]; dup {
					return true
				}
				names[name] = struct{}{}
			}
			if cborKeysCollide(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if cborKeysCollide(e) {
				return true
			}
		}
	case cbor.Tag:
		return cborKeysCollide(x.Content)
	}
	return false
}

// cborKeysOneType reports whether m's keys are all text or all int64,
// the two key types whose distinct values always have distinct names.
func cborKeysOneType(m map[any]any) bool {
	var text, ints bool
	for k := range m {
		switch k.(type) {
		case string:
			text = true
		case int64:
			ints = true
		default:
			return false
		}
	}
	return !(text && ints)
}

// cborToJSON turns a decoded CBOR value into something encoding/json writes
// deterministically: map keys become strings, byte strings base64url.
// Where two keys become one name (refused in claims by cborKeysCollide;
// possible in headers, which are only reported), the key that sorts first
// by cborKeyRank wins, whatever the map's order.
func cborToJSON(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(x))
		var from map[string]any // the key each name was taken from, on a collision
		for k, val := range x {
			name := cborKeyString(k)
			if _, dup := m[name]; dup {
				if from == nil {
					from = make(map[string]any)
					for k2 := range x {
						n2 := cborKeyString(k2)
						if prev, ok := from[n2]; !ok || cborKeyLess(k2, prev) {
							from[n2] = k2
						}
					}
				}
				if from[name] != k {
					continue
				}
			} else if from != nil && from[name] != k {
				continue
			}
			m[name] = cborToJSON(val)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cborToJSON(e)
		}
		return out
	case []byte:
		return base64.RawURLEncoding.EncodeToString(x)
	case cbor.Tag:
		return map[string]any{"tag": x.Number, "value": cborToJSON(x.Content)}
	case *big.Int:
		return x.String()
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	case float32:
		return cborToJSON(float64(x))
	case cbor.SimpleValue:
		return fmt.Sprintf("simple(%d)", x)
	}
	return v
}

func cborKeyString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case []byte:
		return base64.RawURLEncoding.EncodeToString(x)
	}
	return fmt.Sprint(k)
}

// intKey reads an integer map key or label.
func intKey(k any) (int64, bool) {
	switch x := k.(type) {
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// cborKeyLess orders map keys that share a name: integers first, then
// text, then anything else, each by value.
func cborKeyLess(a, b any) bool {
	ra, rb := cborKeyRank(a), cborKeyRank(b)
	if ra != rb {
		return ra < rb
	}
	return fmt.Sprintf("%T%v", a, a) < fmt.Sprintf("%T%v", b, b)
}

func cborKeyRank(k any) int {
	switch k.(type) {
	case int64, uint64:
		return 0
	case string:
		return 1
	}
	return 2
}

// preferredItem walks the well-formed CBOR item at the start of b and
// reports whether every head in it (not the content of byte and text
// strings) is written in its shortest form (RFC 8949 section 4.2.1,
// preferred serialization): 5 as 0x05, not 0x18 0x05. It returns what
// follows the item. An item that is not signed as bytes (a COSE_Sign1's
// envelope, its unprotected header) could otherwise be written many ways:
// one signed document would have many encodings, and many leaves, hashes
// and revocation keys. ok is false also where b is not well-formed.
func preferredItem(b []byte, depth int) (rest []byte, ok bool) {
	if len(b) == 0 || depth > MaxCBORDepth {
		return nil, false
	}
	major, ai := b[0]>>5, b[0]&0x1f
	var arg uint64
	n := 1
	switch {
	case ai < 24:
		arg = uint64(ai)
	case ai <= 27:
		size := 1 << (ai - 24)
		if len(b) < 1+size {
			return nil, false
		}
		for _, c := range b[1 : 1+size] {
			arg = arg<<8 | uint64(c)
		}
		n += size
		// Major type 7 with 25..27 is a float, whose width is its own.
		if major != 7 && (ai == 24 && arg < 24 || ai == 25 && arg <= 0xff || ai == 26 && arg <= 0xffff || ai == 27 && arg <= 0xffffffff) {
			return nil, false
		}
	default:
		return nil, false // indefinite lengths and reserved values
	}
	b = b[n:]
	switch major {
	case 2, 3:
		if uint64(len(b)) < arg {
			return nil, false
		}
		return b[arg:], true
	case 4, 5:
		items := arg
		if major == 5 {
			items *= 2
		}
		if items > uint64(len(b)) {
			return nil, false
		}
		for i := uint64(0); i < items; i++ {
			if b, ok = preferredItem(b, depth+1); !ok {
				return nil, false
			}
		}
		return b, true
	case 6:
		return preferredItem(b, depth+1)
	}
	return b, true
}
