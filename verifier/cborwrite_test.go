package verifier

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// cborEnc is fxamacker/cbor's canonical encoder (RFC 8949 core
// deterministic encoding): what the verifier's hand-written CBOR
// (cborwrite.go) is held to, and what tests build documents with.
var cborEnc = func() cbor.EncMode {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

// cborRawSeeds are embedded items for the well-formedness check: each
// kind of head, tags 0 to 3 with fitting and unfitting content, chained
// tags, indefinite lengths, reserved and short heads, trailing bytes.
var cborRawSeeds = [][]byte{
	nil, {}, {0x00}, {0x17}, {0x18, 0x18}, {0x18}, {0x19, 0x01}, {0x1b, 0, 0, 0, 0, 0, 0, 0, 1}, {0x1c}, {0x1f}, {0x3f},
	{0x40}, {0x41}, {0x42, 1, 2}, {0x5f, 0x41, 1, 0xff}, {0x60}, {0x61, 'a'}, {0x61, 0xff}, {0x7f, 0xff},
	{0x80}, {0x81}, {0x82, 0, 0}, {0x9f, 0xff}, {0xa0}, {0xa1, 0, 0}, {0xa1, 0}, {0xbf, 0xff},
	{0xc0, 0x60}, {0xc0, 0x00}, {0xc0, 0xc0, 0x60}, {0xc1, 0x00}, {0xc1, 0x20}, {0xc1, 0xf9, 0, 0}, {0xc1, 0xfa, 0, 0, 0, 0},
	{0xc1, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0}, {0xc1, 0xf4}, {0xc1, 0x60}, {0xc2, 0x40}, {0xc3, 0x41, 1}, {0xc2, 0x00}, {0xc3, 0x60},
	{0xd8, 0x18, 0x41, 0xa0}, {0xd8, 0x18, 0xc0, 0x60}, {0xd8, 0x18, 0xc0, 0x00}, {0xc6}, {0xc6, 0xc7}, {0xdf, 0x00},
	{0xf4}, {0xf5}, {0xf6}, {0xf7}, {0xf0}, {0xf8, 0x10}, {0xf8, 0x20}, {0xf9, 0x7e, 0x00}, {0xfa, 0x7f, 0x80, 0, 0}, {0xfb, 0, 0, 0, 0, 0, 0, 0},
	{0xfc}, {0xff}, {0x00, 0x00}, {0x82, 0x00}, {0xa1, 0x61, 'k', 0x81, 0xc0, 0x60}, {0xa1, 0x61, 'k', 0x81, 0xc0, 0x01},
	{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, {0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0}, {0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0},
}

// encoderEmbeds reports whether fxamacker/cbor's encoder embeds raw.
func encoderEmbeds(raw []byte) bool {
	_, err := cborEnc.Marshal(cbor.RawMessage(raw))
	return err == nil
}

func TestCBORWellFormedMatchesEncoder(t *testing.T) {
	seeds := append([][]byte{}, cborRawSeeds...)
	// Nesting at and beyond the encoder's limit, in arrays and in tags.
	for _, head := range []byte{0x81, 0xc6} {
		for _, n := range []int{maxCBORWellFormedDepth, maxCBORWellFormedDepth + 1} {
			seeds = append(seeds, append(bytes.Repeat([]byte{head}, n), 0x00))
		}
	}
	for _, raw := range seeds {
		if len(raw) == 0 {
			continue // embedded as null: appendCBORRaw's to decide
		}
		if got, want := cborWellFormed(raw), encoderEmbeds(raw); got != want {
			t.Errorf("% x (%d bytes): well-formed %v, the encoder embeds it: %v", raw[:min(len(raw), 16)], len(raw), got, want)
		}
	}
}

// FuzzCBORWellFormed holds the well-formedness check to the encoder's.
func FuzzCBORWellFormed(f *testing.F) {
	for _, raw := range cborRawSeeds {
		f.Add(raw)
	}
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 0 && cborWellFormed(raw) != encoderEmbeds(raw) {
			t.Fatalf("% x: well-formed %v, the encoder disagrees", raw, cborWellFormed(raw))
		}
	})
}

// TestDeviceAuthenticationMatchesEncoder holds the hand-written
// DeviceAuthenticationBytes and MAC_structure to what the encoder wrote for
// them, for transcripts and name spaces empty, well-formed or not.
func TestDeviceAuthenticationMatchesEncoder(t *testing.T) {
	raws := append([][]byte{}, cborRawSeeds...)
	raws = append(raws, bytes.Repeat([]byte{0x41, 0xa5}, 200))
	for _, docType := range []string{"", "org.iso.18013.5.1.mDL", strings.Repeat("é", 200)} {
		for _, st := range raws {
			for _, ns := range raws[:12] {
				got, gotErr := deviceAuthenticationBytes(st, docType, ns)
				da, wantErr := cborEnc.Marshal([]any{"DeviceAuthentication", cbor.RawMessage(st), docType, cbor.RawMessage(ns)})
				var want []byte
				if wantErr == nil {
					want, wantErr = cborEnc.Marshal(cbor.Tag{Number: tagEncodedCBOR, Content: da})
				}
				if (gotErr != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
					t.Fatalf("transcript % x, name spaces % x: %x %v, encoder %x %v", st, ns, got, gotErr, want, wantErr)
				}
			}
		}
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536} {
		content := bytes.Repeat([]byte{0xa5}, n)
		for _, protected := range [][]byte{nil, {}, {0xa1, 0x01, 0x05}, content} {
			want, err := cborEnc.Marshal([]any{"MAC0", protected, []byte{}, content})
			if err != nil {
				t.Fatal(err)
			}
			if got := mac0Structure(protected, content); !bytes.Equal(got, want) {
				t.Fatalf("MAC_structure, content %d bytes, protected %x: differs from the encoder's", n, protected)
			}
		}
		want, err := cborEnc.Marshal(cbor.Tag{Number: tagEncodedCBOR, Content: content})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCBORTag24(nil, content); !bytes.Equal(got, want) {
			t.Fatalf("tag 24 of %d bytes differs from the encoder's", n)
		}
	}
}
