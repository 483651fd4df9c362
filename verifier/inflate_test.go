package verifier

import (
	"bytes"
	"compress/flate"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flateInflate is zipEntry.stream's inflation before inflate.go, kept as
// the oracle: compress/flate read to the declared size, then to its end,
// then no stored byte left.
func flateInflate(w io.Writer, data []byte, usize int64) error {
	br := bytes.NewReader(data)
	fr := flate.NewReader(br)
	n, err := io.Copy(w, io.LimitReader(fr, usize))
	if err != nil || n != usize {
		return readFail(Malformed, "short")
	}
	var one [1]byte
	if k, err := fr.Read(one[:]); k != 0 || err != io.EOF {
		return readFail(Malformed, "long")
	}
	if br.Len() != 0 {
		return readFail(Malformed, "trailing")
	}
	return nil
}

// compareInflate fails t unless inflate and the oracle agree on data and
// usize: the same reason, and on success the same bytes. What either
// wrote before failing is not compared (the callers drop it), only that
// inflate never wrote more than usize.
func compareInflate(t *testing.T, z *inflater, data []byte, usize int64) bool {
	t.Helper()
	var a, b bytes.Buffer
	ea := flateInflate(&a, data, usize)
	eb := z.inflate(&b, data, usize)
	if (ea == nil) != (eb == nil) || (ea != nil && errReason(ea) != errReason(eb)) {
		t.Fatalf("%d bytes, usize %d: flate %v, inflate %v", len(data), usize, ea, eb)
	}
	if ea == nil && !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("%d bytes, usize %d: outputs differ", len(data), usize)
	}
	if usize >= 0 && int64(b.Len()) > usize {
		t.Fatalf("%d bytes, usize %d: inflate wrote %d bytes", len(data), usize, b.Len())
	}
	return eb == nil
}

type inflateSeed struct {
	data  []byte
	usize int64
}

// inflateSeeds are streams of compress/flate's writer at every level
// (stored, Huffman only, empty among them), their corrupted, truncated
// and extended variants, and the deflated entries of the ASiC corpus.
func inflateSeeds(t testing.TB) []inflateSeed {
	var seeds []inflateSeed
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 70000)
	rng.Read(random)
	text := []byte(strings.Repeat("<ds:Reference URI=\"test.txt\"><ds:DigestValue>abc=</ds:DigestValue></ds:Reference>\n", 900))
	inputs := [][]byte{nil, {0}, []byte("a"), []byte("hello, hello, hello"), text, random[:300], random, append(bytes.Clone(text), random[:40000]...)}
	for _, in := range inputs {
		for level := flate.HuffmanOnly; level <= flate.BestCompression; level++ {
			var out bytes.Buffer
			w, err := flate.NewWriter(&out, level)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(in)
			if level == flate.BestSpeed {
				w.Flush() // an empty stored block before the final one
			}
			w.Close()
			seeds = append(seeds, inflateSeed{out.Bytes(), int64(len(in))})
		}
	}
	filepath.WalkDir("testdata/asice", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		entries, err := readZip(b, zipLimits{1000, 1 << 30, 1 << 30, 1 << 20, 1 << 20}, nil)
		if err != nil {
			return nil
		}
		for _, e := range entries {
			if e.method == zipDeflated && len(e.data) < 1<<20 {
				seeds = append(seeds, inflateSeed{e.data, e.usize})
			}
		}
		return nil
	})
	n := len(seeds)
	for _, s := range seeds[:n] {
		d := s.data
		seeds = append(seeds,
			inflateSeed{d, s.usize - 1}, inflateSeed{d, s.usize + 1},
			inflateSeed{append(bytes.Clone(d), 0), s.usize})
		if len(d) > 0 {
			seeds = append(seeds, inflateSeed{d[:len(d)-1], s.usize}, inflateSeed{d[:len(d)/2], s.usize})
			for k := 0; k < 3; k++ {
				c := bytes.Clone(d)
				c[rng.Intn(len(c))] ^= byte(1 << rng.Intn(8))
				seeds = append(seeds, inflateSeed{c, s.usize})
			}
		}
	}
	return seeds
}

func TestInflateAsFlate(t *testing.T) {
	seeds := inflateSeeds(t)
	if len(seeds) < 200 {
		t.Fatalf("only %d seeds: the ASiC corpus was not read", len(seeds))
	}
	z := &inflater{}
	good := 0
	for _, s := range seeds {
		if compareInflate(t, z, s.data, s.usize) {
			good++
		}
	}
	if good < 100 {
		t.Fatalf("only %d of %d seeds inflate", good, len(seeds))
	}
	t.Logf("%d seeds, %d inflate", len(seeds), good)
	// Hand-made streams for flate's edge rules.
	for _, s := range []inflateSeed{
		{[]byte{0x03, 0x00}, 0},                   // fixed, empty
		{[]byte{0x01, 0x00, 0x00, 0xff, 0xff}, 0}, // stored, empty
		{[]byte{0x01, 0x00, 0x00, 0xff, 0xfe}, 0}, // stored, NLEN wrong
		{[]byte{0x07}, 0},                         // type 3
		{[]byte{0x4b, 0x04, 0x02, 0x00}, 3},       // "aaa" with a match of distance 1
		{[]byte{0x73, 0x04, 0x00}, 1},
		{[]byte{0x03, 0x01, 0x00}, 0},
	} {
		compareInflate(t, z, s.data, s.usize)
		for u := s.usize - 1; u <= s.usize+3; u++ {
			compareInflate(t, z, s.data, u)
		}
	}
	// Random short streams, mostly invalid, of every block type.
	for i := 0; i < 200000; i++ {
		d := make([]byte, 1+rand.Intn(24))
		rng.Read(d)
		compareInflate(t, z, d, int64(rng.Intn(40)))
	}
}

var rng = rand.New(rand.NewSource(2))

func FuzzInflateAsFlate(f *testing.F) {
	for _, s := range inflateSeeds(f) {
		f.Add(s.data, s.usize)
	}
	z := &inflater{}
	f.Fuzz(func(t *testing.T, data []byte, usize int64) {
		if usize > 1<<24 {
			usize = 1 << 24 // bounds the oracle's work, not inflate's
		}
		compareInflate(t, z, data, usize)
	})
}

// BenchmarkInflate compares inflate with compress/flate natively on the
// largest deflated signature XML of the ASiC corpus and on 4 MiB of text
// (the verifier's sources, repeated).
func BenchmarkInflate(b *testing.B) {
	var sig inflateSeed
	filepath.WalkDir("testdata/asice", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		entries, err := readZip(data, zipLimits{1000, 1 << 30, 1 << 30, 1 << 20, 1 << 20}, nil)
		if err != nil {
			return nil
		}
		for _, e := range entries {
			if e.method == zipDeflated && strings.Contains(e.name, "signatures") && e.usize > sig.usize {
				sig = inflateSeed{e.data, e.usize}
			}
		}
		return nil
	})
	var text []byte
	srcs, _ := filepath.Glob("*.go")
	for len(text) < 4<<20 {
		for _, p := range srcs {
			s, _ := os.ReadFile(p)
			text = append(text, s...)
		}
	}
	text = text[:4<<20]
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.DefaultCompression)
	w.Write(text)
	w.Close()
	for _, c := range []struct {
		name string
		s    inflateSeed
	}{{"signature-xml", sig}, {"text-4MiB", inflateSeed{out.Bytes(), int64(len(text))}}} {
		if c.s.usize == 0 {
			b.Fatalf("%s: no input", c.name)
		}
		b.Run(c.name+"/inflate", func(b *testing.B) {
			z := &inflater{}
			b.SetBytes(c.s.usize)
			for b.Loop() {
				if err := z.inflate(io.Discard, c.s.data, c.s.usize); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/flate", func(b *testing.B) {
			b.SetBytes(c.s.usize)
			for b.Loop() {
				if err := flateInflate(io.Discard, c.s.data, c.s.usize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
