package verifier

import (
	"testing"
	"unicode"
)

// TestDisplayNamePrintableASCII holds displayName's shortcut to its rule:
// every character from U+0020 to U+007E is one it shows as it is.
func TestDisplayNamePrintableASCII(t *testing.T) {
	for r := rune(0x20); r <= 0x7e; r++ {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Zl, unicode.Zp) ||
			!unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs) {
			t.Errorf("%q would be escaped", r)
		}
	}
	for in, want := range map[string]string{
		"": "", "META-INF/x y~.xml": "META-INF/x y~.xml", "\x1f": `\u001F`, "\x7f": `\u007F`, "é": "é", "a\u202eb": `a\u202Eb`,
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFoldMetaINF: checkNames compares with foldName("META-INF") written
// out.
func TestFoldMetaINF(t *testing.T) {
	if foldName("META-INF") != "meta-inf" {
		t.Fatal(foldName("META-INF"))
	}
}
