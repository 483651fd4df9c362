package verifier

import (
	"bytes"
	"reflect"
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
}

// sign1Seeds are COSE_Sign1 envelopes in the shapes sign1EnvelopePlain
// takes and in shapes it must leave to the library.
var sign1Seeds = [][]byte{
	{0x84, 0x40, 0xa0, 0x40, 0x40},                                           // untagged, all empty
	{0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x42, 0x01, 0x02, 0x41, 0x09}, // tag 18
	{0xd8, 0x3d, 0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40},                         // tag 61, then 18
	{0xd8, 0x3d, 0x84, 0x40, 0xa0, 0xf6, 0x40},                               // tag 61, detached payload
	{0xd2, 0xd8, 0x3d, 0x84, 0x40, 0xa0, 0x40, 0x40},                         // 18 then 61: the library's
	{0xd8, 0x3d, 0xd8, 0x3d, 0x84, 0x40, 0xa0, 0x40, 0x40},                   // nested CWT tags
	{0xd1, 0x84, 0x40, 0xa0, 0x40, 0x40},                                     // tag 17, a MAC
	{0x83, 0x40, 0xa0, 0x40},                                                 // three members
	{0x85, 0x40, 0xa0, 0x40, 0x40, 0x40},                                     // five members
	{0x84, 0x40, 0xa0, 0x40, 0x40, 0x00},                                     // trailing byte
	{0x84, 0x58, 0x00, 0xa0, 0x40, 0x40},                                     // a longer head than needed
	{0x84, 0x40, 0xa1, 0x61, 0xff, 0x01, 0x40, 0x40},                         // invalid UTF-8 in a key
	{0x84, 0x5f, 0x41, 0x01, 0xff, 0xa0, 0x40, 0x40},                         // indefinite byte string
	{0x84, 0x40, 0xa0, 0xd8, 0x18, 0x40, 0x40},                               // a tagged payload
	{0x9f, 0x40, 0xa0, 0x40, 0x40, 0xff},                                     // indefinite array
	{0xd2},
	{},
}

// TestSign1EnvelopeAsLibrary holds the hand-read envelope and byte strings
// to fxamacker/cbor: where the hand path answers, the library gives the
// same members.
func TestSign1EnvelopeAsLibrary(t *testing.T) {
	for i, raw := range sign1Seeds {
		checkSign1Envelope(t, i, raw)
		// The first four are the shapes documents have: the hand path
		// must take them, or it saves nothing.
		if _, _, ok := sign1EnvelopePlain(raw); i < 4 && !ok {
			t.Errorf("seed %d (% x): left to the library", i, raw)
		}
	}
	for i, d := range vectorDocuments(t) {
		checkSign1Envelope(t, 1000+i, d)
	}
}

// FuzzSign1Envelope is TestSign1EnvelopeAsLibrary on any input.
func FuzzSign1Envelope(f *testing.F) {
	for _, s := range sign1Seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkSign1Envelope(t, 0, raw) })
}

func checkSign1Envelope(t *testing.T, i int, raw []byte) {
	if b, ok := plainBytesPlain(raw); ok {
		var want []byte
		if err := cborUnmarshal(raw, &want); err != nil || !bytes.Equal(b, want) || (b == nil) != (want == nil) {
			t.Errorf("seed %d (% x): hand-read byte string % x, library % x, %v", i, raw, b, want, err)
		}
	}
	cwt, a, ok := sign1EnvelopePlain(raw)
	if ok && len(raw) > 0 && len(a.Signature) > 0 && &a.Signature[0] == &raw[len(raw)-len(a.Signature)] {
		t.Errorf("seed %d: the members share the input", i)
	}
	if ok {
		if wcwt, wa, err := sign1EnvelopeLibrary(raw); err == nil && (cwt != wcwt || !bytes.Equal(a.Protected, wa.Protected) ||
			!bytes.Equal(a.Unprotected, wa.Unprotected) || !bytes.Equal(a.Payload, wa.Payload) || !bytes.Equal(a.Signature, wa.Signature)) {
			t.Errorf("seed %d (% x): hand-read %v %x, library %v %x", i, raw, cwt, a, wcwt, wa)
		}
	}
	// What parseSign1 makes of it must not depend on the path.
	for _, p := range []sign1Profile{{}, {claimsHeader: true}, {kidTwice: true}} {
		got, gerr := parseSign1(raw, p)
		want, werr := parseSign1With(raw, p, sign1EnvelopeLibrary)
		if coseReason(gerr) != coseReason(werr) || !reflect.DeepEqual(got, want) {
			t.Errorf("seed %d (% x): parseSign1 %v %v, through the library %v %v", i, raw, got, gerr, want, werr)
		}
	}
}

func coseReason(err error) Reason {
	if err == nil {
		return ""
	}
	if ce, ok := err.(*coseError); ok {
		return ce.reason
	}
	return "other"
}
