package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
	"unsafe"
)

// parseJSON is checkJSON (without case folding) and decodeJSON in one pass:
// the same acceptance and the same errors as checkJSON, the same values as
// encoding/json. The hot path (every JWS header and claims set) reads its
// input once instead of three times; tests hold it to both.
func parseJSON(data []byte, useNumber bool) (any, error) {
	// The decoded strings without escapes (most of them) are views of one
	// private copy of the input instead of one allocation each: inside the
	// WebAssembly module an allocation costs more than parsing the string.
	// The copy is never written, so the views are as immutable as strings.
	return parseJSONOwned(bytes.Clone(data), useNumber)
}

// parseJSONOwned is parseJSON on data the caller owns and never writes
// again (a buffer it decoded): the strings are views of data itself.
func parseJSONOwned(data []byte, useNumber bool) (any, error) {
	p := jsonParser{jsonDecoder: jsonDecoder{data: data, useNumber: useNumber}}
	p.arena = unsafe.String(unsafe.SliceData(data), len(data))
	v := p.top()
	if p.err != nil {
		return nil, p.err
	}
	if p.rangeErr != nil {
		return v, p.rangeErr
	}
	return v, nil
}

// parseJSONMembers is checkJSON (without case folding) and a split of the
// top-level object into its members, each value as the raw bytes received
// (views of data), as decoding into map[string]json.RawMessage gives them,
// in one pass and without reflection.
func parseJSONMembers(data []byte) (map[string]json.RawMessage, error) {
	// Values are only checked here, not built; numbers stay text.
	p := jsonParser{jsonDecoder: jsonDecoder{data: data, useNumber: true}, members: make(map[string]json.RawMessage, 8), discard: true}
	isObject := skipSpace(data, 0) < len(data) && data[skipSpace(data, 0)] == '{'
	if p.top(); p.err != nil {
		return nil, p.err
	}
	if !isObject {
		return nil, errNotObject
	}
	return p.members, nil
}

// top parses the one value data holds, with nothing but whitespace around
// it.
func (p *jsonParser) top() any {
	p.ws()
	v := p.pvalue(0)
	if p.err == nil {
		p.ws()
		if p.i != len(p.data) {
			p.err = errJSONSyntax
		}
	}
	return v
}

// errNotObject is JSON that is valid but not an object.
var errNotObject = errors.New("not a JSON object")

// jsonParser adds checkJSON's rules to jsonDecoder. Syntax errors stop it
// (err); a float64 out of range is remembered (rangeErr) and decoding goes
// on, as in encoding/json.
type jsonParser struct {
	jsonDecoder
	rangeErr error
	// members, when set, collects the raw members of the top-level object.
	members map[string]json.RawMessage
	// discard checks values without building them: allocations are most
	// of the cost of parsing inside the WebAssembly module.
	discard bool
	// arena, when set, is a copy of data that strings are cut from.
	arena string
}

func (p *jsonParser) pvalue(depth int) any {
	if depth > maxJSONDepth {
		p.fail(errJSONDepth)
		return nil
	}
	if p.i >= len(p.data) {
		p.fail(errJSONSyntax)
		return nil
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.pobject(depth)
	case c == '[':
		return p.parray(depth)
	case c == '"':
		s, _ := p.pstr(p.discard)
		if p.discard {
			return nil
		}
		return s
	case c == 't':
		return p.plit("true", true)
	case c == 'f':
		return p.plit("false", false)
	case c == 'n':
		return p.plit("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.pnumber()
	}
	p.fail(errJSONSyntax)
	return nil
}

func (p *jsonParser) plit(l string, v any) any {
	if len(p.data)-p.i < len(l) || string(p.data[p.i:p.i+len(l)]) != l {
		p.fail(errJSONSyntax)
		return nil
	}
	p.i += len(l)
	return v
}

func (p *jsonParser) pobject(depth int) any {
	p.i++ // {
	var m map[string]any
	var seen map[string]struct{} // names, when values are not kept
	switch {
	case !p.discard:
		m = make(map[string]any)
	case depth > 0 || p.members == nil:
		seen = make(map[string]struct{})
	}
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return m
	}
	for p.err == nil {
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			p.fail(errJSONSyntax)
			break
		}
		name, ok := p.pstr(false)
		if !ok {
			break
		}
		if p.isDup(m, seen, depth, name) {
			p.fail(errDuplicateName)
			break
		}
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			p.fail(errJSONSyntax)
			break
		}
		p.i++
		p.ws()
		start := p.i
		v := p.pvalue(depth + 1)
		if p.err != nil {
			break
		}
		switch {
		case m != nil:
			m[name] = v
		case seen != nil:
			seen[name] = struct{}{}
		}
		if depth == 0 && p.members != nil {
			p.members[name] = json.RawMessage(p.data[start:p.i:p.i])
		}
		if p.next('}') {
			break
		}
	}
	return m
}

// isDup reports whether an object already has a member called name.
func (p *jsonParser) isDup(m map[string]any, seen map[string]struct{}, depth int, name string) bool {
	var dup bool
	switch {
	case m != nil:
		_, dup = m[name]
	case seen != nil:
		_, dup = seen[name]
	case depth == 0:
		_, dup = p.members[name]
	}
	return dup
}

func (p *jsonParser) parray(depth int) any {
	p.i++ // [
	var a []any
	if !p.discard {
		a = make([]any, 0, 4)
	}
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return a
	}
	for p.err == nil {
		p.ws()
		v := p.pvalue(depth + 1)
		if p.err != nil {
			break
		}
		if !p.discard {
			a = append(a, v)
		}
		if p.next(']') {
			break
		}
	}
	return a
}

// pnumber checks JSON's number grammar, then decodes as decodeJSON does.
func (p *jsonParser) pnumber() any {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := 0
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
		digits++
	}
	// A leading zero stands alone: "01" is "0" followed by trailing data.
	if digits > 1 && p.data[start+(p.i-start-digits)] == '0' {
		p.i = start + (p.i - start - digits) + 1
	}
	if digits == 0 {
		p.fail(errJSONSyntax)
		return nil
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if !p.digits() {
			return nil
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return nil
		}
	}
	end := p.i
	if p.useNumber && p.arena != "" {
		return json.Number(p.arena[start:end])
	}
	p.i = start
	v := p.number()
	p.i = end
	if p.jsonDecoder.err != nil {
		// decodeJSON's only number error: out of float64 range.
		if p.rangeErr == nil {
			p.rangeErr = p.jsonDecoder.err
		}
		p.jsonDecoder.err = nil
	}
	return v
}

func (p *jsonParser) digits() bool {
	n := 0
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
		n++
	}
	if n == 0 {
		p.fail(errJSONSyntax)
	}
	return n > 0
}

// pstr checks a string as checkJSON does and decodes it, unless skip. UTF-8
// is checked where checkJSON checks it: in strings without escapes.
func (p *jsonParser) pstr(skip bool) (string, bool) {
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.data) {
		// Plain bytes first, with a local index and one branch a byte (as
		// in jsonDecoder.str).
		data, i := p.data, p.i
		for i < len(data) && jsonStrPlain[data[i]] {
			i++
		}
		if p.i = i; i == len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			p.i++
			raw := p.data[start+1 : p.i-1]
			if !escaped {
				if !utf8.Valid(raw) {
					p.fail(errJSONSyntax)
					return "", false
				}
				if skip {
					return "", true
				}
				if p.arena != "" {
					return p.arena[start+1 : p.i-1], true
				}
				return string(raw), true
			}
			if skip {
				return "", true
			}
			return p.slowStr(raw), true
		case c == '\\':
			escaped = true
			if p.i+1 >= len(p.data) {
				p.fail(errJSONSyntax)
				return "", false
			}
			switch p.data[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.data) || hex4(p.data[p.i+2:p.i+6]) < 0 {
					p.fail(errJSONSyntax)
					return "", false
				}
				p.i += 6
			default:
				p.fail(errJSONSyntax)
				return "", false
			}
		default: // a control character
			p.fail(errJSONSyntax)
			return "", false
		}
	}
	p.fail(errJSONSyntax)
	return "", false
}
