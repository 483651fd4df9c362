package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// largeContainer is a 2.8 MB container of the verifier's vectors: over the
// 1 MiB limit of other documents, under the containers' 64 MiB.
func largeContainer(t *testing.T) string {
	t.Helper()
	p := "../../verifier/testdata/asice/files/digidoc4j/valid-containers/asice-with-large-data-file.asice"
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() <= 2<<20 {
		t.Fatalf("%s has %d bytes; the test wants over 2 MiB", p, st.Size())
	}
	return p
}

// TestVerifyContainerSize: by default a container over 1 MiB is verified
// (the demo trust does not know its signer: chain_untrusted), by both
// engines and from a file or a JSON Lines line; an explicit
// --max-document-size applies to containers too; any other document over
// 1 MiB is too_large.
func TestVerifyContainerSize(t *testing.T) {
	w := buildWorld(t)
	big := largeContainer(t)
	data, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(map[string]any{"id": "big", "document": "base64:" + base64.StdEncoding.EncodeToString(data)})
	lines := writeFile(t, filepath.Join(t.TempDir(), "in.jsonl"), append(rec, '\n'))
	notZIP := writeFile(t, filepath.Join(t.TempDir(), "big.jwt"), bytes.Repeat([]byte{'A'}, verifier.DefaultMaxSize+1))
	for _, c := range []struct {
		name   string
		args   []string
		reason verifier.Reason
	}{
		{"container, wasm", []string{big}, verifier.ChainUntrusted},
		{"container, native", []string{"--engine", "native", big}, verifier.ChainUntrusted},
		{"container, JSON Lines", []string{"--jsonl", lines}, verifier.ChainUntrusted},
		{"container, explicit 1 MiB", []string{"--max-document-size", "1048576", big}, verifier.TooLarge},
		{"container, explicit 1 MiB, native", []string{"--engine", "native", "--max-document-size", "1048576", big}, verifier.TooLarge},
		{"container in JSON Lines, explicit 1 MiB", []string{"--max-document-size", "1048576", "--jsonl", lines}, verifier.TooLarge},
		{"1 MiB + 1, not a ZIP", []string{notZIP}, verifier.TooLarge},
		{"1 MiB + 1, not a ZIP, native", []string{"--engine", "native", notZIP}, verifier.TooLarge},
		{"1 MiB + 1, not a ZIP, explicit 2 MiB", []string{"--max-document-size", "2097152", notZIP}, verifier.Malformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl"}, c.args...)
			_, out, stderr := runCLI(args...)
			recs := jsonlRecords(t, out)
			if len(recs) != 1 || recs[0]["reason"] != string(c.reason) {
				t.Fatalf("%v, want reason %s\n%s", recs, c.reason, stderr)
			}
		})
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestReadCappedSize: with --max-document-size 0 the first bytes decide the
// limit, and no more than the limit and one byte is read.
func TestReadCappedSize(t *testing.T) {
	zipOf := func(n int) io.Reader {
		return io.MultiReader(strings.NewReader("PK\x03\x04"), io.LimitReader(zeros{}, int64(n-4)))
	}
	for _, c := range []struct {
		name     string
		r        io.Reader
		max      int
		tooLarge bool
		readMax  int
	}{
		{"64 MiB ZIP", zipOf(verifier.DefaultContainerMaxSize), 0, false, verifier.DefaultContainerMaxSize},
		{"64 MiB + 1 ZIP", zipOf(verifier.DefaultContainerMaxSize + 1), 0, true, verifier.DefaultContainerMaxSize + 1},
		{"100 MiB ZIP", zipOf(100 << 20), 0, true, verifier.DefaultContainerMaxSize + 1},
		{"2 MiB ZIP, explicit 1 MiB", zipOf(2 << 20), 1 << 20, true, 1<<20 + 1},
		{"1 MiB, not a ZIP", io.LimitReader(zeros{}, 1<<20), 0, false, 1 << 20},
		{"10 MiB, not a ZIP", io.LimitReader(zeros{}, 10<<20), 0, true, 1<<20 + 1},
		{"3 bytes", strings.NewReader("PK\x03"), 0, false, 3},
		{"empty", strings.NewReader(""), 0, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr := &countingReader{r: c.r}
			_, fail := readCapped(cr, c.max)
			if got := fail != nil && fail.reason == verifier.TooLarge; got != c.tooLarge || (fail != nil && !got) {
				t.Fatalf("failure %+v, want too_large: %v", fail, c.tooLarge)
			}
			if cr.n > c.readMax {
				t.Fatalf("read %d bytes, at most %d expected", cr.n, c.readMax)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestJSONLLineSize: a line may hold a 64 MiB container in base64 by
// default, and four documents' worth with an explicit size.
func TestJSONLLineSize(t *testing.T) {
	rec, _ := json.Marshal(map[string]any{"id": "an id of some length", "document": "base64:" + base64.StdEncoding.EncodeToString(make([]byte, verifier.DefaultContainerMaxSize))})
	if n := lineLimit(0); n < len(rec)+1 || n > len(rec)+8192 {
		t.Errorf("lineLimit(0) = %d for a record of %d bytes", n, len(rec))
	}
	if n := lineLimit(0); n < 4*verifier.DefaultMaxSize {
		t.Errorf("lineLimit(0) = %d, below four non-container documents", n)
	}
	if n := lineLimit(100); n != 4*100+4096 {
		t.Errorf("lineLimit(100) = %d", n)
	}
}

// TestMaxDocumentDefaults: serve's default is an explicit 1 MiB for every
// format, since the service's memory is bounded by connections × the
// largest document (verify's, per format, is TestVerifyContainerSize's).
func TestMaxDocumentDefaults(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if a := addAPIFlags(fs); *a.maxDocument != verifier.DefaultMaxSize {
		t.Errorf("serve: --max-document-size defaults to %d", *a.maxDocument)
	}
}
