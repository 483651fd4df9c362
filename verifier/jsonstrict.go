package verifier

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of any JSON the verifier reads.
const maxJSONDepth = 64

var (
	errDuplicateName = errors.New("duplicate member name")
	errJSONSyntax    = errors.New("invalid JSON")
	errJSONDepth     = errors.New("JSON nested too deeply")
)

// checkJSON validates that data is exactly one JSON value with no duplicate
// member names in any object, nested at most maxJSONDepth deep. Names are
// compared after unescaping ("\u0061lg" is "alg"); with fold, also under
// Unicode case folding ("ALG", "\u212Aid" with a Kelvin sign, "\u017Fequence"
// with a long s), so that {"keys":[…],"\u212Aeys":[…]} is refused: member
// names match exactly (RFC 8259), and a near-duplicate would be read as the
// member itself by a reader that folds (encoding/json does) while others
// ignore it.
//
// encoding/json alone keeps the last duplicate, which lets a header say two
// things at once (RFC 7515 section 5.2 requires rejecting it).
func checkJSON(data []byte, fold bool) error {
	s := jsonScanner{data: data, fold: fold}
	s.ws()
	if err := s.value(0); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.data) {
		return errJSONSyntax
	}
	return nil
}

type jsonScanner struct {
	data []byte
	i    int
	fold bool
	// lax accepts what encoding/json's syntax accepts: duplicate names
	// and invalid UTF-8 in strings (see scanJSONValue).
	lax bool
}

// scanJSONValue checks the JSON value at the start of data (after
// whitespace) with encoding/json's syntax and returns where it ends, as
// json.Decoder reads one value from a stream: what follows it is not
// looked at. Nesting is still bounded by maxJSONDepth.
func scanJSONValue(data []byte) (int, error) {
	s := jsonScanner{data: data, lax: true}
	s.ws()
	err := s.value(0)
	return s.i, err
}

func (s *jsonScanner) ws() { s.i = skipSpace(s.data, s.i) }

func (s *jsonScanner) value(depth int) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	if s.i >= len(s.data) {
		return errJSONSyntax
	}
	switch c := s.data[s.i]; {
	case c == '{':
		return s.object(depth)
	case c == '[':
		s.i++
		s.ws()
		if s.i < len(s.data) && s.data[s.i] == ']' {
			s.i++
			return nil
		}
		for {
			s.ws()
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.data) {
				return errJSONSyntax
			}
			if s.data[s.i] == ']' {
				s.i++
				return nil
			}
			if s.data[s.i] != ',' {
				return errJSONSyntax
			}
			s.i++
		}
	case c == '"':
		_, err := s.str(false)
		return err
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return errJSONSyntax
}

func (s *jsonScanner) object(depth int) error {
	s.i++ // {
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return nil
	}
	// Few names are compared in a slice; many in a map, so that an object
	// with 100,000 members stays linear.
	var names []string
	var set map[string]struct{}
	for {
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			return errJSONSyntax
		}
		name, err := s.str(!s.lax)
		if err != nil {
			return err
		}
		if !s.lax {
			if s.fold {
				name = foldName(name)
			}
			if names, set, err = addName(names, set, name); err != nil {
				return err
			}
		}
		s.ws()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return errJSONSyntax
		}
		s.i++
		s.ws()
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.data) {
			return errJSONSyntax
		}
		if s.data[s.i] == '}' {
			s.i++
			return nil
		}
		if s.data[s.i] != ',' {
			return errJSONSyntax
		}
		s.i++
	}
}

// addName adds an object's member name to those seen before, refusing a
// duplicate.
func addName(names []string, set map[string]struct{}, name string) ([]string, map[string]struct{}, error) {
	if set != nil {
		if _, dup := set[name]; dup {
			return nil, nil, errDuplicateName
		}
		set[name] = struct{}{}
		return names, set, nil
	}
	for _, n := range names {
		if n == name {
			return nil, nil, errDuplicateName
		}
	}
	names = append(names, name)
	if len(names) > 16 {
		set = make(map[string]struct{}, 64)
		for _, n := range names {
			set[n] = struct{}{}
		}
	}
	return names, set, nil
}

// str scans a string; with decode it returns the unescaped value.
func (s *jsonScanner) str(decode bool) (string, error) {
	start := s.i
	s.i++ // opening quote
	escaped := false
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			raw := s.data[start:s.i]
			if !escaped && !s.lax && !utf8.Valid(raw) {
				return "", errJSONSyntax
			}
			switch {
			case !decode:
				return "", nil
			case !escaped:
				return string(raw[1 : len(raw)-1]), nil
			}
			// Escapes resolved as encoding/json resolves them (jsonvalue.go).
			v, _ := jsonString(raw)
			return v, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.data) {
				return "", errJSONSyntax
			}
			switch s.data[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.data) {
					return "", errJSONSyntax
				}
				for _, h := range s.data[s.i+2 : s.i+6] {
					if !isHex(h) {
						return "", errJSONSyntax
					}
				}
				s.i += 6
			default:
				return "", errJSONSyntax
			}
		case c < 0x20:
			return "", errJSONSyntax
		default:
			s.i++
		}
	}
	return "", errJSONSyntax
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (s *jsonScanner) lit(l string) error {
	if !bytes.HasPrefix(s.data[s.i:], []byte(l)) {
		return errJSONSyntax
	}
	s.i += len(l)
	return nil
}

func (s *jsonScanner) number() error {
	start := s.i
	if s.data[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.data) && s.data[s.i] >= '0' && s.data[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.data) && s.data[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return errJSONSyntax
	}
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return errJSONSyntax
		}
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		if s.i < len(s.data) && (s.data[s.i] == '+' || s.data[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return errJSONSyntax
		}
	}
	if s.i == start {
		return errJSONSyntax
	}
	return nil
}

// strictUnmarshal checks data with checkJSON (near-duplicate names refused
// under case folding) and decodes it into v (unmarshalJSON, exact names).
func strictUnmarshal(data []byte, v any) error {
	if err := checkJSON(data, true); err != nil {
		return err
	}
	return unmarshalJSON(data, v)
}
