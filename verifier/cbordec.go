package verifier

import (
	"bytes"
	"encoding/base64"
	"math"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// CBOR read by hand, in the shapes documents use. fxamacker/cbor decodes
// through reflection and a typeInfo cache behind a sync.Map; inside
// WebAssembly that is most of an mdoc's time and much of a CWT's or a
// DCC's. cborDecodePlain decodes what it fully understands and leaves the
// rest to the library: where it answers, the library would have accepted
// the same bytes and produced the same value (TestCBORPlainAsLibrary,
// FuzzCBORPlain), so every document decodes as before and every error is
// still the library's. It is stricter than the library, never looser: it
// refuses any tag the library gives a meaning to, floats, simple values
// other than false, true and null, integers beyond int64, map keys other
// than integers and text, invalid UTF-8 anywhere, and counts depth on tags
// too; all of those go to the library.

// cborPlain is one decoding by hand: the bytes it reads and what it knows
// of them. own is a copy of the input, made once, which the byte strings
// and raw items of the result share, as the library's copies would not
// share the caller's input.
// The major types read here that cose.go and cborhead.go do not name.
const (
	majorUint = 0
	majorNint = 1
	majorText = 3
)

type cborPlain struct {
	own []byte
}

// cborDecodePlain decodes data into v by hand when v is one of the types
// the verifier decodes and data is in a shape read here, and reports
// whether it did. v is written only on success.
func cborDecodePlain(data []byte, v any) bool {
	switch v.(type) {
	case *any, *map[any]any, *[]byte, *map[string]cbor.RawMessage, *mdocIssuerSignedItem, *mdocMSO, *mdocIssuerSigned, *mdocDeviceResponse:
	default:
		return false
	}
	// The library's own well-formedness pass is a second walk of the
	// bytes, but keeping it costs the module less of its size budget than
	// leaving it out (brotli, measured: 4.4 KB) and guards the hand path.
	if len(data) == 0 || cborDec.Wellformed(data) != nil {
		return false
	}
	p := cborPlain{own: append([]byte(nil), data...)}
	b := p.own
	var rest []byte
	var ok bool
	switch dst := v.(type) {
	case *any:
		var x any
		if x, rest, ok = p.value(b, 0); ok && len(rest) == 0 {
			*dst = x
		}
	case *map[any]any:
		if len(*dst) != 0 || !isMajor(b, majorMap) {
			return false
		}
		var x any
		if x, rest, ok = p.value(b, 0); ok && len(rest) == 0 {
			*dst = x.(map[any]any)
		}
	case *[]byte:
		var x []byte
		if x, rest, ok = p.bytes(b); ok && len(rest) == 0 {
			*dst = x
		}
	case *map[string]cbor.RawMessage:
		if len(*dst) != 0 {
			return false
		}
		var x map[string]cbor.RawMessage
		if x, rest, ok = p.rawMap(b, 0); ok && len(rest) == 0 {
			*dst = x
		}
	case *mdocIssuerSignedItem:
		var x mdocIssuerSignedItem
		if rest, ok = p.issuerSignedItem(b, 0, &x); ok && len(rest) == 0 {
			*dst = x
		}
	case *mdocMSO:
		var x mdocMSO
		if rest, ok = p.mso(b, 0, &x); ok && len(rest) == 0 {
			*dst = x
		}
	case *mdocIssuerSigned:
		var x mdocIssuerSigned
		if rest, ok = p.issuerSigned(b, 0, &x); ok && len(rest) == 0 {
			*dst = x
		}
	case *mdocDeviceResponse:
		var x mdocDeviceResponse
		if rest, ok = p.deviceResponse(b, 0, &x); ok && len(rest) == 0 {
			*dst = x
		}
	}
	return ok && len(rest) == 0
}

func isMajor(b []byte, major byte) bool { return len(b) > 0 && b[0]>>5 == major }

// head reads a definite head of any major type: its argument and what
// follows. Reserved and indefinite additional information is refused, and
// so is a two-byte simple value below 32, which the library refuses.
func (cborPlain) head(b []byte) (major byte, ai byte, arg uint64, rest []byte, ok bool) {
	if len(b) == 0 {
		return 0, 0, 0, nil, false
	}
	major, ai = b[0]>>5, b[0]&0x1f
	b = b[1:]
	var n int
	switch {
	case ai < 24:
		return major, ai, uint64(ai), b, true
	case ai == 24:
		n = 1
	case ai == 25:
		n = 2
	case ai == 26:
		n = 4
	case ai == 27:
		n = 8
	default:
		return 0, 0, 0, nil, false
	}
	if len(b) < n {
		return 0, 0, 0, nil, false
	}
	for _, c := range b[:n] {
		arg = arg<<8 | uint64(c)
	}
	if major == 7 && ai == 24 && arg < 32 {
		return 0, 0, 0, nil, false
	}
	return major, ai, arg, b[n:], true
}

// count checks a definite array or map length against the data left (each
// item takes at least a byte) and the strict decoder's bound.
func (cborPlain) count(n uint64, items uint64, rest []byte) bool {
	return n <= maxCBORItems && n*items <= uint64(len(rest))
}

// skip walks one strict item and returns what follows it.
func (p cborPlain) skip(b []byte, depth int) ([]byte, bool) {
	if depth > MaxCBORDepth {
		return nil, false
	}
	major, _, arg, rest, ok := p.head(b)
	if !ok {
		return nil, false
	}
	switch major {
	case majorBytes, majorText:
		if arg > uint64(len(rest)) || major == majorText && !utf8.Valid(rest[:arg]) {
			return nil, false
		}
		return rest[arg:], true
	case majorArray, majorMap:
		items := uint64(1)
		if major == majorMap {
			items = 2
		}
		if depth+1 > MaxCBORDepth || !p.count(arg, items, rest) {
			return nil, false
		}
		for i := uint64(0); i < arg*items; i++ {
			if rest, ok = p.skip(rest, depth+1); !ok {
				return nil, false
			}
		}
		return rest, true
	case majorTag:
		if !builtinTagContent(arg, rest) {
			return nil, false
		}
		return p.skip(rest, depth+1)
	}
	return rest, true
}

// builtinTagContent is the library's check of what follows a tag it
// knows, made even inside raw items: an RFC 3339 time is text, an epoch
// time a number, a bignum a byte string.
func builtinTagContent(tag uint64, content []byte) bool {
	if len(content) == 0 {
		return false
	}
	switch major := content[0] >> 5; tag {
	case 0:
		return major == majorText
	case 1:
		return major == majorUint || major == majorNint || content[0] >= 0xf9 && content[0] <= 0xfb
	case 2, 3:
		return major == majorBytes
	}
	return true
}

// raw is one strict item, as the bytes it was written in.
func (p cborPlain) raw(b []byte, depth int) (cbor.RawMessage, []byte, bool) {
	rest, ok := p.skip(b, depth)
	if !ok {
		return nil, nil, false
	}
	n := len(b) - len(rest)
	return cbor.RawMessage(b[:n:n]), rest, true
}

// tagsWithMeaning are the tags the library decodes into something other
// than cbor.Tag, or checks the content of, or strips: they go to it.
func tagWithMeaning(n uint64) bool {
	return n <= 3 || n >= 21 && n <= 23 || n == 55799
}

// value decodes one item as the library decodes it into an any.
func (p cborPlain) value(b []byte, depth int) (any, []byte, bool) {
	return p.item(b, depth, asValue)
}

// What item makes of an item (cborclaims.go says why the last two).
type cborShape uint8

const (
	asValue  cborShape = iota // what the library makes of it in an any
	asClaims                  // the value as cborToJSON writes it: byte strings as base64url text, maps as map[string]any of the keys' names (jsonKey), no tags
	asMdoc                    // the value as mdocValue writes it: asClaims with a full-date (tag 1004) as its text
)

// item decodes one item in the given shape.
func (p cborPlain) item(b []byte, depth int, shape cborShape) (any, []byte, bool) {
	if depth > MaxCBORDepth {
		return nil, nil, false
	}
	major, ai, arg, rest, ok := p.head(b)
	if !ok {
		return nil, nil, false
	}
	switch major {
	case majorUint:
		if arg > math.MaxInt64 {
			return nil, nil, false
		}
		return int64(arg), rest, true
	case majorNint:
		if arg > math.MaxInt64 {
			return nil, nil, false
		}
		return int64(-1) ^ int64(arg), rest, true
	case majorBytes:
		if arg > uint64(len(rest)) {
			return nil, nil, false
		}
		if shape != asValue {
			return base64.RawURLEncoding.EncodeToString(rest[:arg]), rest[arg:], true
		}
		return rest[:arg:arg], rest[arg:], true
	case majorText:
		if arg > uint64(len(rest)) || !utf8.Valid(rest[:arg]) {
			return nil, nil, false
		}
		return string(rest[:arg]), rest[arg:], true
	case majorArray:
		if depth+1 > MaxCBORDepth || !p.count(arg, 1, rest) {
			return nil, nil, false
		}
		out := make([]any, arg)
		for i := range out {
			if out[i], rest, ok = p.item(rest, depth+1, shape); !ok {
				return nil, nil, false
			}
		}
		return out, rest, true
	case majorMap:
		if depth+1 > MaxCBORDepth || !p.count(arg, 2, rest) {
			return nil, nil, false
		}
		if shape != asValue {
			return p.jsonMap(rest, arg, depth, shape)
		}
		out := make(map[any]any, arg)
		for range arg {
			var k, x any
			if !isMajor(rest, majorUint) && !isMajor(rest, majorNint) && !isMajor(rest, majorText) {
				return nil, nil, false
			}
			if k, rest, ok = p.item(rest, depth+1, asValue); !ok {
				return nil, nil, false
			}
			if _, dup := out[k]; dup {
				return nil, nil, false
			}
			if x, rest, ok = p.item(rest, depth+1, asValue); !ok {
				return nil, nil, false
			}
			out[k] = x
		}
		return out, rest, true
	case majorTag:
		if shape == asMdoc && arg == 1004 && isMajor(rest, majorText) {
			return p.item(rest, depth+1, shape)
		}
		if shape != asValue || tagWithMeaning(arg) {
			return nil, nil, false
		}
		x, rest, ok := p.item(rest, depth+1, asValue)
		if !ok {
			return nil, nil, false
		}
		return cbor.Tag{Number: arg, Content: x}, rest, true
	}
	switch ai {
	case 20, 21:
		return ai == 21, rest, true
	case 22:
		return nil, rest, true
	}
	return nil, nil, false
}

// text reads a text string.
func (p cborPlain) text(b []byte) (string, []byte, bool) {
	t, rest, ok := p.textBytes(b)
	return string(t), rest, ok
}

// textBytes reads a text string without making a string of it.
func (p cborPlain) textBytes(b []byte) ([]byte, []byte, bool) {
	major, _, arg, rest, ok := p.head(b)
	if !ok || major != majorText || arg > uint64(len(rest)) || !utf8.Valid(rest[:arg]) {
		return nil, nil, false
	}
	return rest[:arg], rest[arg:], true
}

// bytes reads a byte string; the library gives an empty one as a non-nil
// empty slice.
func (p cborPlain) bytes(b []byte) ([]byte, []byte, bool) {
	major, _, arg, rest, ok := p.head(b)
	if !ok || major != majorBytes || arg > uint64(len(rest)) {
		return nil, nil, false
	}
	return rest[:arg:arg], rest[arg:], true
}

// uint reads an unsigned integer into a uint64.
func (p cborPlain) uint(b []byte) (uint64, []byte, bool) {
	major, _, arg, rest, ok := p.head(b)
	if !ok || major != majorUint {
		return 0, nil, false
	}
	return arg, rest, true
}

// fields reads a map into a struct whose fields the library would match by
// the text keys names: field is called with the index of the name a key
// matches exactly, and the bytes of its value, and returns what follows
// the value. Keys of other types, a key that would match a name only
// without regard to case (the library's second try), and a key that comes
// twice go to the library; other keys are skipped, as the library does.
func (p cborPlain) fields(b []byte, depth int, names []string, field func(i int, v []byte) ([]byte, bool)) ([]byte, bool) {
	major, _, n, rest, ok := p.head(b)
	if !ok || major != majorMap || depth+1 > MaxCBORDepth || !p.count(n, 2, rest) || n > 64 {
		return nil, false
	}
	var seen [64][]byte
	for i := range n {
		var k []byte
		if k, rest, ok = p.textBytes(rest); !ok {
			return nil, false
		}
		for _, s := range seen[:i] {
			if bytes.Equal(s, k) {
				return nil, false
			}
		}
		seen[i] = k
		match := -1
		for j, name := range names {
			if string(k) == name {
				match = j
				break
			}
			if len(k) == len(name) && bytes.EqualFold(k, []byte(name)) {
				return nil, false
			}
		}
		if match < 0 {
			rest, ok = p.skip(rest, depth+1)
		} else {
			rest, ok = field(match, rest)
		}
		if !ok {
			return nil, false
		}
	}
	return rest, true
}

// rawMap reads a map of text keys to raw items.
func (p cborPlain) rawMap(b []byte, depth int) (map[string]cbor.RawMessage, []byte, bool) {
	major, _, n, rest, ok := p.head(b)
	if !ok || major != majorMap || depth+1 > MaxCBORDepth || !p.count(n, 2, rest) {
		return nil, nil, false
	}
	out := make(map[string]cbor.RawMessage, n)
	for range n {
		var k string
		var v cbor.RawMessage
		if k, rest, ok = p.text(rest); !ok {
			return nil, nil, false
		}
		if _, dup := out[k]; dup {
			return nil, nil, false
		}
		if v, rest, ok = p.raw(rest, depth+1); !ok {
			return nil, nil, false
		}
		out[k] = v
	}
	return out, rest, true
}

func (p cborPlain) issuerSignedItem(b []byte, depth int, it *mdocIssuerSignedItem) ([]byte, bool) {
	return p.fields(b, depth, []string{"digestID", "random", "elementIdentifier", "elementValue"}, func(i int, v []byte) (rest []byte, ok bool) {
		switch i {
		case 0:
			it.DigestID, rest, ok = p.uint(v)
		case 1:
			it.Random, rest, ok = p.bytes(v)
		case 2:
			it.ElementIdentifier, rest, ok = p.text(v)
		default:
			it.ElementValue, rest, ok = p.raw(v, depth+1)
		}
		return rest, ok
	})
}

func (p cborPlain) issuerSigned(b []byte, depth int, is *mdocIssuerSigned) ([]byte, bool) {
	return p.fields(b, depth, []string{"nameSpaces", "issuerAuth"}, func(i int, v []byte) (rest []byte, ok bool) {
		if i == 1 {
			is.IssuerAuth, rest, ok = p.raw(v, depth+1)
			return rest, ok
		}
		// map[string][]cbor.RawMessage
		major, _, n, rest, ok := p.head(v)
		if !ok || major != majorMap || depth+2 > MaxCBORDepth || !p.count(n, 2, rest) {
			return nil, false
		}
		is.NameSpaces = make(map[string][]cbor.RawMessage, n)
		for range n {
			var k string
			if k, rest, ok = p.text(rest); !ok {
				return nil, false
			}
			if _, dup := is.NameSpaces[k]; dup {
				return nil, false
			}
			var m uint64
			if major, _, m, rest, ok = p.head(rest); !ok || major != majorArray || depth+3 > MaxCBORDepth || !p.count(m, 1, rest) {
				return nil, false
			}
			items := make([]cbor.RawMessage, m)
			for j := range items {
				if items[j], rest, ok = p.raw(rest, depth+3); !ok {
					return nil, false
				}
			}
			is.NameSpaces[k] = items
		}
		return rest, true
	})
}

func (p cborPlain) deviceResponse(b []byte, depth int, r *mdocDeviceResponse) ([]byte, bool) {
	return p.fields(b, depth, []string{"version", "documents", "status"}, func(i int, v []byte) (rest []byte, ok bool) {
		switch i {
		case 0:
			r.Version, rest, ok = p.text(v)
			return rest, ok
		case 2:
			r.Status, rest, ok = p.uint(v)
			return rest, ok
		}
		major, _, n, rest, ok := p.head(v)
		if !ok || major != majorArray || depth+2 > MaxCBORDepth || !p.count(n, 1, rest) {
			return nil, false
		}
		r.Documents = make([]mdocDocument, n)
		for j := range r.Documents {
			if rest, ok = p.document(rest, depth+2, &r.Documents[j]); !ok {
				return nil, false
			}
		}
		return rest, true
	})
}

func (p cborPlain) document(b []byte, depth int, d *mdocDocument) ([]byte, bool) {
	return p.fields(b, depth, []string{"docType", "issuerSigned", "deviceSigned"}, func(i int, v []byte) (rest []byte, ok bool) {
		switch i {
		case 0:
			d.DocType, rest, ok = p.text(v)
		case 1:
			rest, ok = p.issuerSigned(v, depth+1, &d.IssuerSigned)
		default:
			d.DeviceSigned = &mdocDeviceSigned{}
			rest, ok = p.deviceSigned(v, depth+1, d.DeviceSigned)
		}
		return rest, ok
	})
}

func (p cborPlain) deviceSigned(b []byte, depth int, ds *mdocDeviceSigned) ([]byte, bool) {
	return p.fields(b, depth, []string{"nameSpaces", "deviceAuth"}, func(i int, v []byte) (rest []byte, ok bool) {
		if i == 0 {
			ds.NameSpaces, rest, ok = p.raw(v, depth+1)
			return rest, ok
		}
		return p.fields(v, depth+1, []string{"deviceSignature", "deviceMac"}, func(i int, v []byte) (rest []byte, ok bool) {
			if i == 0 {
				ds.DeviceAuth.DeviceSignature, rest, ok = p.raw(v, depth+2)
			} else {
				ds.DeviceAuth.DeviceMac, rest, ok = p.raw(v, depth+2)
			}
			return rest, ok
		})
	})
}

func (p cborPlain) mso(b []byte, depth int, m *mdocMSO) ([]byte, bool) {
	names := []string{"version", "digestAlgorithm", "valueDigests", "deviceKeyInfo", "docType", "status", "validityInfo"}
	return p.fields(b, depth, names, func(i int, v []byte) (rest []byte, ok bool) {
		switch i {
		case 0:
			m.Version, rest, ok = p.text(v)
		case 1:
			m.DigestAlgorithm, rest, ok = p.text(v)
		case 2:
			m.ValueDigests, rest, ok = p.valueDigests(v, depth+1)
		case 3:
			rest, ok = p.fields(v, depth+1, []string{"deviceKey"}, func(_ int, v []byte) (rest []byte, ok bool) {
				m.DeviceKeyInfo.DeviceKey, rest, ok = p.raw(v, depth+2)
				return rest, ok
			})
		case 4:
			m.DocType, rest, ok = p.text(v)
		case 5:
			m.Status, rest, ok = p.raw(v, depth+1)
		default:
			vi := &m.ValidityInfo
			rest, ok = p.fields(v, depth+1, []string{"signed", "validFrom", "validUntil"}, func(i int, v []byte) (rest []byte, ok bool) {
				t := [...]*time.Time{&vi.Signed, &vi.ValidFrom, &vi.ValidUntil}[i]
				*t, rest, ok = p.time(v)
				return rest, ok
			})
		}
		return rest, ok
	})
}

// valueDigests reads map[string]map[uint64][]byte.
func (p cborPlain) valueDigests(b []byte, depth int) (map[string]map[uint64][]byte, []byte, bool) {
	major, _, n, rest, ok := p.head(b)
	if !ok || major != majorMap || depth+1 > MaxCBORDepth || !p.count(n, 2, rest) {
		return nil, nil, false
	}
	out := make(map[string]map[uint64][]byte, n)
	for range n {
		var k string
		if k, rest, ok = p.text(rest); !ok {
			return nil, nil, false
		}
		if _, dup := out[k]; dup {
			return nil, nil, false
		}
		var m uint64
		if major, _, m, rest, ok = p.head(rest); !ok || major != majorMap || depth+2 > MaxCBORDepth || !p.count(m, 2, rest) {
			return nil, nil, false
		}
		digests := make(map[uint64][]byte, m)
		for range m {
			var id uint64
			var d []byte
			if id, rest, ok = p.uint(rest); !ok {
				return nil, nil, false
			}
			if _, dup := digests[id]; dup {
				return nil, nil, false
			}
			if d, rest, ok = p.bytes(rest); !ok {
				return nil, nil, false
			}
			digests[id] = d
		}
		out[k] = digests
	}
	return out, rest, true
}

// time reads a time.Time as the library does from an RFC 3339 text,
// tagged 0 or not. Epoch times (tag 1, numbers) go to the library.
func (p cborPlain) time(b []byte) (time.Time, []byte, bool) {
	if tag, rest, ok := readCBORHead(b, majorTag); ok {
		if tag != 0 {
			return time.Time{}, nil, false
		}
		b = rest
	}
	s, rest, ok := p.text(b)
	if !ok {
		return time.Time{}, nil, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, nil, false
	}
	return t, rest, true
}
