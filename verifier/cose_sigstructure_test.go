package verifier

import (
	"bytes"
	"testing"
)

// TestSigStructureMatchesEncoder holds the written-out Sig_structure to the
// canonical CBOR encoder at every length boundary of its byte strings.
func TestSigStructureMatchesEncoder(t *testing.T) {
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536, 70000} {
		part := bytes.Repeat([]byte{0xa5}, n)
		// A header with attributes is signed as received; the bytes stand
		// in for one whatever they hold.
		m := &coseSign1{protectedRaw: part, protected: map[any]any{int64(labelAlg): int64(-7)}}
		for _, aad := range [][]byte{nil, {}, part} {
			got, err := m.sigStructure(part, aad)
			if err != nil {
				t.Fatal(err)
			}
			if aad == nil {
				aad = []byte{}
			}
			want, err := cborEnc.Marshal([]any{"Signature1", part, aad, part})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("length %d, aad %d: Sig_structure differs from the encoder's", n, len(aad))
			}
		}
	}
}

// TestSigStructureEmptyProtected: a protected header with no attributes,
// sent as an encoded empty map (h'A0'), is signed as a zero-length bstr
// (RFC 9052 section 4.4), as the COSE WG's sign-pass-01 is.
func TestSigStructureEmptyProtected(t *testing.T) {
	m := &coseSign1{protectedRaw: []byte{0xa0}, protected: map[any]any{}}
	got, err := m.sigStructure([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := cborEnc.Marshal([]any{"Signature1", []byte{}, []byte{}, []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("an empty protected header is not signed as h''")
	}
}
