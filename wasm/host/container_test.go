package host

import (
	"archive/zip"
	"bytes"
	"context"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/verifier"
)

// vectorContainer reads a container of the verifier's test vectors.
func vectorContainer(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../verifier/testdata/asice/files/digidoc4j/valid-containers/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withDataFile rewrites the container src with each data file's content
// replaced by n incompressible bytes, stored: a well-formed container of
// about n bytes whose signature, over the old content, no longer matches.
// The other entries are copied as they are, compressed or not.
func withDataFile(t testing.TB, src []byte, n int) []byte {
	t.Helper()
	big := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(big)
	return withContent(t, src, big, zip.Store)
}

// withDeflatedDataFile is withDataFile with n bytes that DEFLATE halves,
// deflated: inflating hands them over in pieces of uneven sizes.
func withDeflatedDataFile(t testing.TB, src []byte, n int) []byte {
	t.Helper()
	big := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{2})
	rng.Read(big)
	for i := range big {
		big[i] = 'a' + big[i]&15
	}
	return withContent(t, src, big, zip.Deflate)
}

// withContent rewrites the container src with each data file's content
// replaced by big, stored or deflated (method).
func withContent(t testing.TB, src, big []byte, method uint16) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	n := len(big)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == "mimetype" || strings.HasPrefix(f.Name, "META-INF/") {
			w, err := zw.CreateRaw(&f.FileHeader)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.OpenRaw()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, r); err != nil {
				t.Fatal(err)
			}
			continue
		}
		h := f.FileHeader
		h.Extra = nil
		if method == zip.Deflate {
			h.Method = zip.Deflate
			w, err := zw.CreateHeader(&h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(big)
			continue
		}
		h.Method, h.Flags = zip.Store, h.Flags&^0x8
		h.CRC32 = crc32.ChecksumIEEE(big)
		h.CompressedSize64, h.UncompressedSize64 = uint64(n), uint64(n)
		w, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(big)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestLargeContainer verifies a container of about 48 MiB through the
// module under the default limits: it is admitted (no too_large), it fits
// the default memory limit (no limit_exceeded), and the module's verdict
// is the native verifier's.
func TestLargeContainer(t *testing.T) {
	doc := withDataFile(t, vectorContainer(t, "one_signature.bdoc"), 48<<20)
	e := benchEngine(t, Config{Instances: 1})
	opts := verifier.Options{Time: benchdocs.At}
	start := time.Now()
	got := decide(t, e.Verify(context.Background(), doc, opts))
	elapsed := time.Since(start)
	var want verdict
	want.Verdict, want.Reason = nativeVerdict(doc, opts)
	if got != want {
		t.Fatalf("module: %+v, native: %+v", got, want)
	}
	switch got.Reason {
	case verifier.TooLarge, verifier.LimitExceeded, verifier.Internal, "":
		t.Fatalf("a %d-byte container: %+v", len(doc), got)
	}
	t.Logf("%d bytes: %s/%s in %s", len(doc), got.Verdict, got.Reason, elapsed.Round(time.Millisecond))

	// The memory the instance grew to for it, from a call of its own.
	inst, err := e.newInstance(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer inst.close(context.Background())
	before := inst.memorySize()
	opts.MaxSize = verifier.MaxSizeFor(doc, 0)
	if _, err := e.call(context.Background(), inst, doc, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("instance memory: %d MiB before, %d MiB after (limit %d MiB)", before>>20, inst.memorySize()>>20, e.limit>>20)
}

func nativeVerdict(doc []byte, opts verifier.Options) (verifier.Verdict, verifier.Reason) {
	set, err := benchdocs.Make()
	if err != nil {
		panic(err)
	}
	tr, err := verifier.ParseTrust("bench", set.Trust)
	if err != nil {
		panic(err)
	}
	opts.Trust = tr
	r := verifier.Verify(doc, opts)
	return r.Verdict, r.Reason
}

// TestSizeLimitPerFormat: the host's check before the module follows the
// verifier's rule (verifier.MaxSizeFor), with MaxInputSize 0 and with an
// explicit one, and a refused document never enters an instance.
func TestSizeLimitPerFormat(t *testing.T) {
	vector := vectorContainer(t, "asice-with-large-data-file.asice") // 2.8 MB
	zipOf := func(n int) []byte {
		b := make([]byte, n)
		copy(b, "PK\x03\x04")
		return b
	}
	perFormat := benchEngine(t, Config{Instances: 1})
	explicit := benchEngine(t, Config{Instances: 1, MaxInputSize: 1 << 20})
	at := verifier.Options{Time: benchdocs.At}
	for _, tc := range []struct {
		name   string
		e      *Engine
		doc    []byte
		max    int // Options.MaxSize
		reason verifier.Reason
	}{
		{"1 MiB + 1, not a ZIP", perFormat, bytes.Repeat([]byte{'A'}, verifier.DefaultMaxSize+1), 0, verifier.TooLarge},
		{"1 MiB, not a ZIP", perFormat, bytes.Repeat([]byte{'A'}, verifier.DefaultMaxSize), 0, verifier.Malformed},
		{"2.8 MB container", perFormat, vector, 0, verifier.ChainUntrusted},
		{"2.8 MB container, MaxInputSize 1 MiB", explicit, vector, 0, verifier.TooLarge},
		{"2.8 MB container, Options.MaxSize 1 MiB", perFormat, vector, 1 << 20, verifier.TooLarge},
		{"64 MiB + 1 ZIP", perFormat, zipOf(verifier.DefaultContainerMaxSize + 1), 0, verifier.TooLarge},
		{"64 MiB + 1 ZIP, Options.MaxSize 100 MiB", perFormat, zipOf(verifier.DefaultContainerMaxSize + 1), 100 << 20, verifier.TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := at
			opts.MaxSize = tc.max
			inst := <-tc.e.slots
			before := inst.memorySize()
			tc.e.slots <- inst
			v := decide(t, tc.e.Verify(context.Background(), tc.doc, opts))
			if v.Reason != tc.reason {
				t.Fatalf("%+v, want reason %s", v, tc.reason)
			}
			if tc.reason == verifier.TooLarge {
				inst := <-tc.e.slots
				after := inst.memorySize()
				tc.e.slots <- inst
				if after != before {
					t.Fatalf("the instance grew from %d to %d bytes for a document it never had to read", before, after)
				}
			}
		})
	}
}
