package verifier

import (
	"bytes"
	"testing"
)

// unwrap24Seeds are tag-24 items in the shapes the hand-read path takes
// and in shapes it must leave to the library.
var unwrap24Seeds = [][]byte{
	{0xd8, 0x18, 0x43, 0xa1, 0x01, 0x02},             // the usual shape
	{0xd8, 0x18, 0x40},                               // empty byte string
	{0xd9, 0x00, 0x18, 0x42, 0x01, 0x02},             // tag number in two bytes
	{0xd8, 0x18, 0x58, 0x02, 0x01, 0x02},             // length in one more byte
	{0xd8, 0x18, 0x43, 0xa1, 0x01},                   // short
	{0xd8, 0x18, 0x41, 0x01, 0x00},                   // trailing byte
	{0xd8, 0x18, 0x5f, 0x41, 0x01, 0xff},             // indefinite length
	{0xd8, 0x18, 0x61, 0x61},                         // a text string
	{0xd8, 0x19, 0x41, 0x01},                         // tag 25
	{0xd8, 0x18, 0xd8, 0x18, 0x41, 0x01},             // a tag inside
	{0xd8, 0x18, 0x5b, 0, 0, 0, 0, 0, 0, 0, 1, 0x07}, // eight-byte length
	{0xd8, 0x18, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x07},
	{0xd8},
	{},
}

// TestUnwrap24AsLibrary holds the hand-read path to fxamacker/cbor: where
// it answers, the library gives the same bytes.
func TestUnwrap24AsLibrary(t *testing.T) {
	for i, raw := range unwrap24Seeds {
		checkUnwrap24(t, i, raw)
	}
}

// FuzzUnwrap24 is TestUnwrap24AsLibrary on any input.
func FuzzUnwrap24(f *testing.F) {
	for _, s := range unwrap24Seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkUnwrap24(t, 0, raw) })
}

func checkUnwrap24(t *testing.T, i int, raw []byte) {
	got, ok := unwrap24Plain(raw)
	if !ok {
		return
	}
	want, err := unwrap24Library(raw)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("seed %d (% x): hand-read % x, library % x, %v", i, raw, got, want, err)
	}
	if len(raw) > 0 && len(got) > 0 && &got[0] == &raw[len(raw)-len(got)] {
		t.Errorf("seed %d: the bytes share the input", i)
	}
}
