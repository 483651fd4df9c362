package verifier

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// unmarshalJSON is json.Unmarshal for the few structs the verifier reads
// (trust bundles, JWKs, the JWS JSON serialization, the module's options),
// without encoding/json: linking it would cost the WebAssembly module about
// 80 KB of its 1.5 MB brotli budget, while reflect is linked anyway (the
// CBOR decoder uses it). data must have passed checkJSON or scanJSONValue:
// the syntax is not checked again.
//
// The rules are encoding/json's, which decoded these structs before, but
// for one (tests hold the two together on every input where that one does
// not apply):
//
//   - a member matches a field by its json tag (or Go name) exactly (RFC
//     8259), unlike encoding/json, which also matches without regard to case
//     and reads "\u212Aid" (with a Kelvin sign) as "kid": a member that only
//     folds to a field is an unknown member. Strict callers refuse such
//     near-duplicates outright (checkJSON with fold); members of embedded
//     structs count;
//   - members are applied in order, a later one overwriting an earlier one
//     (strict callers refuse duplicate names before);
//   - null leaves a string, number, bool or struct as it is and sets a
//     pointer or a slice to nil; a json.RawMessage keeps "null";
//   - a value of another type than the field's is an error;
//   - a member that matches no field is ignored (an error with
//     disallowUnknown, as json.Decoder.DisallowUnknownFields);
//   - an array decodes into the slice's existing elements first, and an
//     empty array gives an empty slice, not nil.
//
// Only the kinds those structs use are supported: strings, bools, int,
// int64, uint64, float64, pointers, slices, structs and json.RawMessage (a
// test holds every decoded struct to them).
func unmarshalJSON(data []byte, v any) error {
	return jsonInto{}.value(data, reflect.ValueOf(v).Elem())
}

// errJSONType is a value whose type does not fit where it goes.
var errJSONType = errors.New("a JSON value has the wrong type")

// jsonUnknownError is a member that matches no field, with
// disallowUnknown.
type jsonUnknownError struct{ name string }

func (e *jsonUnknownError) Error() string { return `unknown member "` + clip(e.name) + `"` }

var rawMessageType = reflect.TypeFor[json.RawMessage]()

type jsonInto struct {
	disallowUnknown bool
}

func (d jsonInto) value(raw []byte, v reflect.Value) error {
	if v.Type() == rawMessageType {
		v.SetBytes(append(v.Bytes()[:0], raw...))
		return nil
	}
	if raw[0] == 'n' {
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice:
			v.SetZero()
		}
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch c := raw[0]; {
	case c == '{':
		if v.Kind() != reflect.Struct {
			return errJSONType
		}
		return d.object(raw, v)
	case c == '[':
		if v.Kind() != reflect.Slice {
			return errJSONType
		}
		return d.array(raw, v)
	case c == '"':
		if v.Kind() != reflect.String {
			return errJSONType
		}
		s, _ := jsonString(raw)
		v.SetString(s)
	case c == 't' || c == 'f':
		if v.Kind() != reflect.Bool {
			return errJSONType
		}
		v.SetBool(c == 't')
	default:
		return d.number(string(raw), v)
	}
	return nil
}

// number sets an integer (in range, no fraction or exponent) or a float.
func (d jsonInto) number(s string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return errJSONType
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return errJSONType
		}
		v.SetUint(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errJSONType
		}
		v.SetFloat(f)
	default:
		return errJSONType
	}
	return nil
}

func (d jsonInto) object(raw []byte, v reflect.Value) error {
	fields := jsonFieldsOf(v.Type(), nil, nil)
	p := jsonDecoder{data: raw, i: 1}
	p.ws()
	if raw[p.i] == '}' {
		return nil
	}
	for {
		p.ws()
		name := p.str()
		p.ws()
		p.i++ // :
		p.ws()
		start := p.i
		p.skip()
		if f := matchJSONField(fields, name); f != nil {
			if err := d.value(raw[start:p.i], v.FieldByIndex(f.index)); err != nil {
				return err
			}
		} else if d.disallowUnknown {
			return &jsonUnknownError{name}
		}
		p.ws()
		if raw[p.i] == '}' {
			return nil
		}
		p.i++ // ,
	}
}

// array decodes into a slice as encoding/json does: into the elements
// already there, then into new ones.
func (d jsonInto) array(raw []byte, v reflect.Value) error {
	p := jsonDecoder{data: raw, i: 1}
	p.ws()
	i := 0
	for raw[p.i] != ']' {
		p.ws()
		start := p.i
		p.skip()
		if i >= v.Cap() {
			v.Grow(1)
		}
		if i >= v.Len() {
			v.SetLen(i + 1)
		}
		if err := d.value(raw[start:p.i], v.Index(i)); err != nil {
			return err
		}
		i++
		p.ws()
		if raw[p.i] == ',' {
			p.i++
		}
	}
	if i < v.Len() {
		v.SetLen(i)
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

// jsonField is a struct field a member can set.
type jsonField struct {
	name  string
	index []int
}

// jsonFieldsOf lists t's fields by JSON name, those of embedded structs
// included (none of the verifier's structs has two fields of one name).
func jsonFieldsOf(t reflect.Type, index []int, out []jsonField) []jsonField {
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(index[:len(index):len(index)], i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			out = jsonFieldsOf(sf.Type, idx, out)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		switch name {
		case "-":
			continue
		case "":
			name = sf.Name
		}
		out = append(out, jsonField{name, idx})
	}
	return out
}

// matchJSONField finds the field for a member name, spelled exactly.
func matchJSONField(fields []jsonField, name string) *jsonField {
	for i := range fields {
		if fields[i].name == name {
			return &fields[i]
		}
	}
	return nil
}

// skip moves past the (valid) value at d.i.
func (d *jsonDecoder) skip() {
	depth := 0
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch c {
		case '"':
			for d.i++; d.data[d.i] != '"'; d.i++ {
				if d.data[d.i] == '\\' {
					d.i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return
			}
			depth--
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return
			}
		}
		d.i++
		// A string, object or array ends at its last byte; a number or a
		// literal at the first byte that is not part of it.
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			return
		}
	}
}
