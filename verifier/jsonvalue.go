package verifier

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// decodeJSON decodes JSON that checkJSON has accepted into the values
// encoding/json gives for an any: map[string]any, []any, string, bool, nil,
// and numbers as json.Number (useNumber) or float64. It is the same result
// without reflection, which inside the WebAssembly module costs more than
// the rest of a verification. A float64 out of range is an error, as in
// encoding/json. A test holds it to encoding/json on every input.
//
// Syntax, duplicate names and depth are checkJSON's to decide: data must
// have passed it.
func decodeJSON(data []byte, useNumber bool) (any, error) {
	d := jsonDecoder{data: data, useNumber: useNumber}
	d.ws()
	v := d.value()
	return v, d.err
}

// decodeJSONViews is decodeJSON (numbers as float64) whose strings without
// escapes are views of data instead of copies: data must never be written
// again. Inside the WebAssembly module an allocation costs more than
// decoding the string it holds.
func decodeJSONViews(data []byte) (any, error) {
	d := jsonDecoder{data: data, views: true}
	d.ws()
	v := d.value()
	return v, d.err
}

// errJSONRange is a number encoding/json cannot hold in a float64.
var errJSONRange = errors.New("JSON number out of range")

type jsonDecoder struct {
	data      []byte
	i         int
	useNumber bool
	views     bool // strings without escapes are views of data
	err       error
}

func (d *jsonDecoder) ws() { d.i = skipSpace(d.data, d.i) }

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (d *jsonDecoder) value() any {
	if d.i >= len(d.data) {
		d.fail(errJSONSyntax)
		return nil
	}
	switch c := d.data[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.str()
	case 't':
		d.i += 4
		return true
	case 'f':
		d.i += 5
		return false
	case 'n':
		d.i += 4
		return nil
	}
	return d.number()
}

func (d *jsonDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *jsonDecoder) object() any {
	d.i++ // {
	m := make(map[string]any)
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return m
	}
	for d.err == nil {
		d.ws()
		k := d.str()
		d.ws()
		d.i++ // :
		d.ws()
		m[k] = d.value()
		if d.next('}') {
			break
		}
	}
	return m
}

func (d *jsonDecoder) array() any {
	d.i++ // [
	a := make([]any, 0, 4)
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return a
	}
	for d.err == nil {
		d.ws()
		a = append(a, d.value())
		if d.next(']') {
			break
		}
	}
	return a
}

// next reads what follows a member or an element: the closing byte or a
// comma. It reports whether the object or array is done, or broken (err).
func (d *jsonDecoder) next(closing byte) bool {
	d.ws()
	if d.i >= len(d.data) {
		d.fail(errJSONSyntax)
		return true
	}
	c := d.data[d.i]
	d.i++
	switch c {
	case closing:
		return true
	case ',':
		return false
	}
	d.fail(errJSONSyntax)
	return true
}

func (d *jsonDecoder) number() any {
	start := d.i
	for d.i < len(d.data) {
		switch c := d.data[d.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			d.i++
			continue
		}
		break
	}
	s := string(d.data[start:d.i])
	if d.useNumber {
		return json.Number(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.fail(errJSONRange)
	}
	return f
}

// str decodes a string at d.i as encoding/json does: escapes resolved, a
// lone or broken surrogate and each invalid UTF-8 byte becoming U+FFFD.
func (d *jsonDecoder) str() string {
	data := d.data
	start := d.i + 1 // after the opening quote
	// The common case: no escape, valid UTF-8. The index is a local and
	// the common byte takes one branch: inside the WebAssembly module a
	// field written on every byte and a chain of comparisons cost more
	// than the rest of the loop (docs/PERFORMANCE.md).
	i := start
	for ; i < len(data); i++ {
		c := data[i]
		if jsonStrPlain[c] {
			continue
		}
		if c == '"' {
			s := data[start:i]
			d.i = i + 1
			if utf8.Valid(s) {
				if d.views && len(s) > 0 {
					return unsafe.String(&s[0], len(s))
				}
				return string(s)
			}
			return d.slowStr(s)
		}
		if c == '\\' {
			break
		}
	}
	d.i = i
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case '\\':
			d.i += 2
			continue
		case '"':
			s := d.data[start:d.i]
			d.i++
			return d.slowStr(s)
		}
		d.i++
	}
	d.fail(errJSONSyntax)
	return ""
}

// jsonStrPlain marks the bytes that go on a JSON string without a second
// look: all but the quote, the backslash and control characters.
var jsonStrPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// slowStr unescapes the contents of a string (between its quotes).
func (d *jsonDecoder) slowStr(s []byte) string {
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			if r+1 >= len(s) {
				d.fail(errJSONSyntax)
				return string(b)
			}
			switch e := s[r+1]; e {
			case '"', '\\', '/', '\'':
				b = append(b, e)
				r += 2
			case 'b':
				b = append(b, '\b')
				r += 2
			case 'f':
				b = append(b, '\f')
				r += 2
			case 'n':
				b = append(b, '\n')
				r += 2
			case 'r':
				b = append(b, '\r')
				r += 2
			case 't':
				b = append(b, '\t')
				r += 2
			case 'u':
				rr := hex4(s[r+2:])
				if rr < 0 {
					d.fail(errJSONSyntax)
					return string(b)
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s[r+2:])); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							r += 6
							break
						}
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
			default:
				d.fail(errJSONSyntax)
				return string(b)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			if rr == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[r:r+size]...)
			}
			r += size
		}
	}
	return string(b)
}

// hex4 reads four hex digits, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// jsonString decodes raw as a JSON string the way json.Unmarshal into a
// string does, reporting false for anything but a string.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	d := jsonDecoder{data: raw}
	s := d.str()
	return s, d.err == nil && d.i == len(raw)
}
