package verifier

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the report's JSON to b: byte for byte what
// encoding/json writes for a Report (same member order, omitempty rules,
// HTML-safe escaping, sorted map keys, ES6 number formatting), without
// reflection. Inside the WebAssembly module encoding/json's reflection
// costs as much as the rest of a verification; reports from the module,
// the native verifier and every host must nevertheless be the same bytes,
// so every engine writes reports with this. A test holds it to
// encoding/json.
func (r *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"report":`...)
	b = appendJSONStr(b, r.Report)
	b = append(b, `,"verdict":`...)
	b = appendJSONStr(b, string(r.Verdict))
	if r.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONStr(b, string(r.Reason))
	}
	b = append(b, `,"warnings":`...)
	b = appendWarnings(b, r.Warnings)
	b = append(b, `,"checks":`...)
	if r.Checks == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range r.Checks {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"check":`...)
			b = appendJSONStr(b, c.Check)
			b = append(b, `,"status":`...)
			b = appendJSONStr(b, string(c.Status))
			b = appendOptStr(b, `,"reason":`, string(c.Reason))
			b = appendOptStr(b, `,"detail":`, c.Detail)
			if e := c.StatusList; e != nil {
				b = append(b, `,"status_list":{"uri":`...)
				b = appendJSONStr(b, e.URI)
				b = append(b, `,"index":`...)
				b = strconv.AppendUint(b, e.Index, 10)
				b = append(b, '}')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r.Document != nil {
		b = append(b, `,"document":`...)
		b = r.Document.appendJSON(b)
	}
	if r.Container != nil {
		b = append(b, `,"container":`...)
		b = r.Container.appendJSON(b)
	}
	if len(r.Attestations) > 0 {
		b = append(b, `,"attestations":[`...)
		for i := range r.Attestations {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Attestations[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if t := r.Trust; t != nil {
		b = append(b, `,"trust":{`...)
		n := len(b)
		b = appendOptStr(b, `,"operator":`, t.Operator)
		b = appendOptStr(b, `,"operator_key":`, t.OperatorKey)
		if t.Sequence != 0 {
			b = append(b, `,"sequence":`...)
			b = strconv.AppendUint(b, t.Sequence, 10)
		}
		b = appendOptStr(b, `,"issued_at":`, t.IssuedAt)
		b = appendOptStr(b, `,"next_update":`, t.NextUpdate)
		if t.AgeSeconds != 0 {
			b = append(b, `,"age_seconds":`...)
			b = strconv.AppendInt(b, t.AgeSeconds, 10)
		}
		b = append(b, `,"signed":`...)
		b = strconv.AppendBool(b, t.Signed)
		if t.StaleAcceptedUnsafe {
			b = append(b, `,"stale_accepted_unsafe":true`...)
		}
		b = dropComma(b, n)
		b = append(b, '}')
	}
	b = append(b, `,"verified_at":`...)
	b = appendJSONStr(b, r.VerifiedAt)
	return append(b, '}')
}

// MarshalJSON writes the report with AppendJSON, so that encoding/json
// callers get the same bytes faster.
func (r *Report) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

func (d *Document) appendJSON(b []byte) []byte {
	b = append(b, `{"format":`...)
	b = appendJSONStr(b, d.Format)
	b = appendOptStr(b, `,"type":`, d.Type)
	if is := d.Issuer; is != nil {
		b = append(b, `,"issuer":{`...)
		n := len(b)
		b = appendOptStr(b, `,"id":`, is.ID)
		b = appendOptStr(b, `,"name":`, is.Name)
		b = appendOptStr(b, `,"country":`, is.Country)
		b = appendOptStr(b, `,"kid":`, is.KeyID)
		b = dropComma(b, n)
		b = append(b, '}')
	}
	b = appendOptStr(b, `,"signed_at":`, d.SignedAt)
	b = appendOptStr(b, `,"valid_from":`, d.ValidFrom)
	b = appendOptStr(b, `,"valid_until":`, d.ValidUntil)
	if s := d.Subject; s != nil {
		b = append(b, `,"subject":{`...)
		n := len(b)
		b = appendOptStr(b, `,"name":`, s.Name)
		b = appendOptStr(b, `,"given_name":`, s.GivenName)
		b = appendOptStr(b, `,"family_name":`, s.FamilyName)
		b = appendOptStr(b, `,"birth_date":`, s.BirthDate)
		b = appendOptStr(b, `,"document_number":`, s.DocumentNumber)
		b = appendOptStr(b, `,"portrait":`, s.Portrait)
		b = dropComma(b, n)
		b = append(b, '}')
	}
	if len(d.Claims) > 0 {
		b = append(b, `,"claims":`...)
		b = appendJSONValue(b, d.Claims)
	}
	if t := d.Technical; t != nil {
		b = append(b, `,"technical":{`...)
		n := len(b)
		b = appendOptStr(b, `,"alg":`, t.Algorithm)
		if len(t.Headers) > 0 {
			b = append(b, `,"headers":`...)
			b = appendJSONValue(b, t.Headers)
		}
		if len(t.Certificates) > 0 {
			b = append(b, `,"certificates":[`...)
			for i := range t.Certificates {
				c := &t.Certificates[i]
				if i > 0 {
					b = append(b, ',')
				}
				b = c.appendJSON(b)
			}
			b = append(b, ']')
		}
		b = dropComma(b, n)
		b = append(b, '}')
	}
	return append(b, '}')
}

func (a *Attestation) appendJSON(b []byte) []byte {
	b = append(b, `{"embassy":`...)
	b = appendJSONStr(b, a.Embassy)
	b = appendOptStr(b, `,"country":`, a.Country)
	b = append(b, `,"cosigned_at":`...)
	b = appendJSONStr(b, a.CosignedAt)
	b = append(b, `,"origin":`...)
	b = appendJSONStr(b, a.Origin)
	b = append(b, `,"index":`...)
	b = strconv.AppendUint(b, a.Index, 10)
	b = append(b, `,"tree_size":`...)
	b = strconv.AppendUint(b, a.TreeSize, 10)
	return append(b, '}')
}

func appendWarnings(b []byte, ws []Warning) []byte {
	if ws == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, w := range ws {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"reason":`...)
		b = appendJSONStr(b, string(w.Reason))
		b = appendOptStr(b, `,"detail":`, w.Detail)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendOptStr appends member (which starts with a comma) and s unless s is
// empty, as omitempty does. Out of line: reports call it at dozens of
// places, each inlined copy module code.
//
//go:noinline
func appendOptStr(b []byte, member, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, member...)
	return appendJSONStr(b, s)
}

// dropComma removes the comma that starts an object's first member, written
// at b[n] by appendOptStr and its kind.
func dropComma(b []byte, n int) []byte {
	if len(b) > n && b[n] == ',' {
		return append(b[:n], b[n+1:]...)
	}
	return b
}

// appendJSONValue appends a value taken from a document (claims, headers):
// the types the JSON parser and the CBOR conversion (cborToJSON) produce,
// written as encoding/json writes them. A value encoding/json cannot write
// (a time beyond year 9999, a NaN) is written as null: a report must be
// written.
func appendJSONValue(b []byte, v any) []byte {
	var failed bool
	return appendJSONVal(b, v, &failed)
}

// marshalJSONValue is json.Marshal for the values appendJSONValue takes:
// false where encoding/json fails.
func marshalJSONValue(v any) ([]byte, bool) {
	var failed bool
	b := appendJSONVal(nil, v, &failed)
	return b, !failed
}

func appendJSONVal(b []byte, v any, failed *bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONStr(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		if x == "" {
			return append(b, '0')
		}
		return append(b, x...)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			*failed = true
		}
		return appendJSONFloat(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case time.Time:
		// CBOR tags 0 and 1 (fxamacker/cbor decodes them as times).
		j, err := x.MarshalJSON()
		if err != nil {
			*failed = true
			return append(b, "null"...)
		}
		return append(b, j...)
	case map[string]any:
		if x == nil {
			return append(b, "null"...)
		}
		// Most claim sets and headers: no allocation, and the values are
		// taken as the keys are, sorted with them, instead of looked up
		// again by key (a map access costs 8 to 10 times native inside the
		// module, docs/PERFORMANCE.md).
		var smallK [16]string
		var smallV [16]any
		if len(x) > len(smallK) {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			vals := make([]any, len(keys))
			for i, k := range keys {
				vals[i] = x[k]
			}
			return appendJSONMembers(b, keys, vals, failed)
		}
		n := 0
		for k, e := range x {
			smallK[n], smallV[n] = k, e
			n++
		}
		keys, vals := smallK[:n], smallV[:n]
		for i := 1; i < n; i++ { // insertion sort: keys are distinct
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
				vals[j], vals[j-1] = vals[j-1], vals[j]
			}
		}
		return appendJSONMembers(b, keys, vals, failed)
	case []any:
		if x == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONVal(b, e, failed)
		}
		return append(b, ']')
	}
	// No other type comes out of the parsers (the fuzz targets of claims
	// and headers hold appendJSONValue to encoding/json).
	*failed = true
	return append(b, "null"...)
}

// appendJSONFloat formats as encoding/json does (ES6 number to string).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendRFC3339 appends t as time.RFC3339 in UTC would format it, whole
// seconds, without the layout interpreter: reports write four times each.
func appendRFC3339(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	hour, min, sec := t.Clock()
	d2 := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = d2(d2(b, year/100), year%100)
	b = d2(append(b, '-'), int(month))
	b = d2(append(b, '-'), day)
	b = d2(append(b, 'T'), hour)
	b = d2(append(b, ':'), min)
	b = d2(append(b, ':'), sec)
	return append(b, 'Z')
}

// jsonSafe marks the bytes encoding/json writes as they are (HTML-safe).
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONStr appends s as encoding/json does with HTML escaping: <, >
// and & as \u00XX, control characters escaped, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped.
func appendJSONStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && jsonPlain8(load64(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONMembers writes an object of keys and their values, in order.
func appendJSONMembers(b []byte, keys []string, vals []any, failed *bool) []byte {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONStr(b, k)
		b = append(b, ':')
		b = appendJSONVal(b, vals[i], failed)
	}
	return append(b, '}')
}
