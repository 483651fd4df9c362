package verifier

import (
	"bytes"
	"crypto"
	"hash"
	"hash/crc32"
	"os"
	"testing"
	"time"
)

// TestOptionsHash: a host's digests are taken for a container's entries
// (SHA-256 of the data files, CRC-32 of every entry) and change nothing in
// the report; a CRC-32 that is not a hash.Hash32, and names the host does
// not offer, leave the verifier's own.
func TestOptionsHash(t *testing.T) {
	doc, err := os.ReadFile("testdata/asice/files/digidoc4j/valid-containers/one_signature.bdoc")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	want := Verify(doc, opts).AppendJSON(nil)
	for _, tc := range []struct {
		name  string
		crc   func() hash.Hash
		calls []string
	}{
		{"host CRC-32", func() hash.Hash { return crc32.NewIEEE() }, []string{"SHA-256", "CRC-32"}},
		{"CRC-32 not a Hash32", func() hash.Hash { return crypto.SHA256.New() }, []string{"SHA-256", "CRC-32"}},
		{"no CRC-32", func() hash.Hash { return nil }, []string{"SHA-256", "CRC-32"}},
	} {
		asked := map[string]int{}
		o := opts
		o.Hash = func(alg string) hash.Hash {
			asked[alg]++
			switch alg {
			case "SHA-256":
				return crypto.SHA256.New()
			case "CRC-32":
				return tc.crc()
			}
			return nil
		}
		got := Verify(doc, o).AppendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the report differs with the host's digests:\n got %s\nwant %s", tc.name, got, want)
		}
		for _, alg := range tc.calls {
			if asked[alg] == 0 {
				t.Errorf("%s: %s was never asked of the host", tc.name, alg)
			}
		}
	}
}
