package abi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPack(t *testing.T) {
	for _, c := range []struct {
		addr  uint32
		n     int
		isErr bool
	}{
		{0, 0, false}, {1 << 20, 7, true}, {0xffffffff, ErrorFlag - 1, false}, {0xffffffff, ErrorFlag - 1, true},
	} {
		addr, n, isErr := Unpack(Pack(c.addr, c.n, c.isErr))
		if addr != c.addr || int(n) != c.n || isErr != c.isErr {
			t.Errorf("%+v: unpacked %d %d %v", c, addr, n, isErr)
		}
	}
	// The layout docs/abi.md gives, which other hosts rely on.
	if got := Pack(0x12345678, 0x9, true); got != 0x12345678_80000009 {
		t.Errorf("Pack = %#x", got)
	}
}

// TestAppendString: what encoding/json reads back is the string, invalid
// UTF-8 as U+FFFD per byte.
func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" backslash\\ slash/", "\x00\x01\x1f\x7f", "é€😀", "\xff\xfe", "<&>\u2028", strings.Repeat("x", 300)} {
		b := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s is not a JSON string: %v", s, b, err)
		}
		if want := string([]rune(s)); got != want {
			t.Errorf("%q: read back %q", s, got)
		}
	}
}

func TestErrorResult(t *testing.T) {
	b := AppendError(nil, `bad "input"`)
	if !json.Valid(b) {
		t.Fatalf("%s is not JSON", b)
	}
	if got := ErrorText(b); got != `bad "input"` {
		t.Errorf("ErrorText = %q", got)
	}
	if got := ErrorText([]byte("not json")); got != "not json" {
		t.Errorf("ErrorText of no JSON = %q", got)
	}
}
