package verifier

import (
	"bytes"
	"reflect"
)

// DecodeJSON decodes the first JSON value of data into v, a pointer to a
// struct, as json.Decoder with DisallowUnknownFields reads one value from a
// stream: encoding/json's rules but for names, which match exactly
// (jsonfields.go), what follows the value not looked at, a member given
// twice taking its last value, and a member that matches no field (one
// that only folds to one included) an error. Empty data (or only
// whitespace) leaves v as it is.
//
// It is the verifier's own decoder, exported for the module's options
// (wasm/abi), so that the module links no second one: encoding/json's would
// cost it about 58 KB of its brotli budget. v's fields may be of the kinds
// unmarshalJSON supports (strings, bools, int, int64, uint64, float64,
// pointers, slices and structs of those).
func DecodeJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	end, err := scanJSONValue(data)
	if err != nil {
		return err
	}
	return jsonInto{disallowUnknown: true}.value(data[skipSpace(data, 0):end], reflect.ValueOf(v).Elem())
}
