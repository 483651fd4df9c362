package verifier

import (
	"unicode"
	"unicode/utf8"
)

// Names that a person or another reader would take for one another must
// not be two things: JSON members that fold onto a field ("\u212Aeys" is
// keys to a reader that folds case), files of a container that would
// extract onto one another on a case-insensitive file system.

// foldName maps a name to one key per case-folding class, the
// equivalence strings.EqualFold uses: each rune becomes the smallest lower
// case form in its Unicode simple folding orbit, so "K", "k" and the Kelvin
// sign U+212A are all "k", and "S", "s" and the long s U+017F all "s" (for
// ASCII, plain lower case).
func foldName(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return foldRunes(s)
		}
	}
	return asciiLower(s)
}

func foldRunes(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		m := unicode.ToLower(r)
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, unicode.ToLower(f))
		}
		b = append(b, m)
	}
	return string(b)
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
