package verifier

import (
	"errors"
	"fmt"
)

// base45Alphabet is the 45-character alphabet of RFC 9285 section 4,
// chosen because it is exactly the QR code alphanumeric mode.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a byte to its digit value, or -1.
var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

// errBase45Length is a base45 string whose length leaves one character over.
var errBase45Length = errors.New("base45: the length leaves a single character, which encodes nothing")

// base45Decode decodes RFC 9285 base45 strictly: characters outside the
// alphabet, a dangling single character and groups whose value does not fit
// their bytes (a triple above 65535, a pair above 255) are errors, so that
// every byte string has exactly one accepted encoding.
func base45Decode(s []byte) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errBase45Length
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		n := min(3, len(s)-i)
		v := 0
		for j := n - 1; j >= 0; j-- {
			d := base45Value[s[i+j]]
			if d < 0 {
				return nil, fmt.Errorf("base45: character %d is not in the alphabet", i+j)
			}
			v = v*45 + int(d)
		}
		if n == 3 {
			if v > 0xffff {
				return nil, fmt.Errorf("base45: group at %d encodes %d, more than two bytes hold", i, v)
			}
			out = append(out, byte(v>>8), byte(v))
		} else {
			if v > 0xff {
				return nil, fmt.Errorf("base45: final pair encodes %d, more than a byte holds", v)
			}
			out = append(out, byte(v))
		}
	}
	return out, nil
}
