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
// an error.
func cborUnmarshal(data []byte, v any) error {
	return cborDec.Unmarshal(data, v)
}

// cborToJSON turns a decoded CBOR value into something encoding/json writes
// deterministically: map keys become strings, byte strings base64url.
func cborToJSON(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[cborKeyString(k)] = cborToJSON(val)
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
