package verifier

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestMaxSizeFor(t *testing.T) {
	for _, tc := range []struct {
		name       string
		doc        []byte
		configured int
		want       int
	}{
		{"ZIP, default", []byte("PK\x03\x04rest"), 0, DefaultContainerMaxSize},
		{"ZIP header only", []byte("PK\x03\x04"), 0, DefaultContainerMaxSize},
		{"ZIP, negative", []byte("PK\x03\x04"), -1, DefaultContainerMaxSize},
		{"ZIP, configured", []byte("PK\x03\x04"), 1000, 1000},
		{"ZIP end record first", []byte("PK\x05\x06"), 0, DefaultMaxSize},
		{"truncated ZIP header", []byte("PK\x03"), 0, DefaultMaxSize},
		{"empty", nil, 0, DefaultMaxSize},
		{"JWS", []byte("eyJhbGciOiJFUzI1NiJ9.e30.AA"), 0, DefaultMaxSize},
		{"JWS, configured larger", []byte("eyJ"), 100 << 20, 100 << 20},
		{"ZIP after whitespace", []byte(" PK\x03\x04"), 0, DefaultMaxSize},
	} {
		if got := MaxSizeFor(tc.doc, tc.configured); got != tc.want {
			t.Errorf("%s: MaxSizeFor = %d, want %d", tc.name, got, tc.want)
		}
	}
	// The limit is decided by the first MaxSizePrefix bytes alone, as a
	// streaming reader (the CLI) sees them.
	if MaxSizeFor([]byte("PK\x03\x04")[:MaxSizePrefix], 0) != DefaultContainerMaxSize {
		t.Error("MaxSizePrefix bytes do not decide a container")
	}
}

// zipOf is a ZIP-looking input of n bytes: a local file header signature
// and zeros, which the size check must refuse or admit before reading.
func zipOf(n int) []byte {
	b := make([]byte, n)
	copy(b, "PK\x03\x04")
	return b
}

// bigContainer is a well-formed ASiC-E container of at least n bytes: a
// stored (not compressed) data file of n bytes and a signature file.
func bigContainer(t testing.TB, n int) []byte {
	files := asiceFiles("big.bin", string(bytes.Repeat([]byte{'x'}, n)))
	files[2].deflate = false
	return buildZip(t, files, "").b
}

func TestSizeLimitPerFormat(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	large, err := os.ReadFile("testdata/asice/files/digidoc4j/valid-containers/asice-with-large-data-file.asice")
	if err != nil {
		t.Fatal(err)
	}
	if len(large) <= 2<<20 {
		t.Fatalf("the large vector has %d bytes; the test wants one over 2 MiB", len(large))
	}
	container2 := bigContainer(t, 2<<20)
	for _, tc := range []struct {
		name   string
		doc    []byte
		max    int
		reason Reason
	}{
		{"1 MiB, not a ZIP", bytes.Repeat([]byte{'A'}, DefaultMaxSize), 0, Malformed},
		{"1 MiB + 1, not a ZIP", bytes.Repeat([]byte{'A'}, DefaultMaxSize+1), 0, TooLarge},
		// Its signature file is not XAdES: the reader got that far.
		{"2 MiB container", container2, 0, Malformed},
		// No trust: the signature is judged and its signer unknown.
		{"2.8 MB vector container", large, 0, ChainUntrusted},
		{"2 MiB container, explicit 1 MiB", container2, 1 << 20, TooLarge},
		{"2.8 MB vector container, explicit 1 MiB", large, 1 << 20, TooLarge},
		{"2 MiB not a ZIP, explicit 4 MiB", bytes.Repeat([]byte{'A'}, 2<<20), 4 << 20, Malformed},
		// Zeros after the signature: admitted, then refused by the reader.
		{"64 MiB ZIP", zipOf(DefaultContainerMaxSize), 0, Malformed},
		{"64 MiB + 1 ZIP", zipOf(DefaultContainerMaxSize + 1), 0, TooLarge},
		{"2 MiB after a ZIP end record signature", append([]byte("PK\x05\x06"), make([]byte, 2<<20)...), 0, TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Verify(tc.doc, Options{Time: at, MaxSize: tc.max})
			if r.Reason != tc.reason {
				t.Fatalf("verdict %s, reason %q; want %q", r.Verdict, r.Reason, tc.reason)
			}
		})
	}
}

// TestSizeLimitContainerVerdict checks that a container past the
// non-container limit gets the container reader's answer, not too_large:
// its data file is read and its signature file judged.
func TestSizeLimitContainerVerdict(t *testing.T) {
	r := Verify(bigContainer(t, 2<<20), Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if r.Reason != Malformed || r.Container == nil {
		t.Fatalf("reason %q, container read: %v", r.Reason, r.Container != nil)
	}
}
