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
		m := &coseSign1{protectedRaw: part}
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
