package verifier

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// zlibDCCInflate is dccInflate before zlib.go, kept as the oracle:
// compress/zlib over a bytes.Reader, read through a reader limited to
// MaxDCCInflated+1 bytes, then no byte left after the stream.
func zlibDCCInflate(z []byte) ([]byte, error) {
	br := bytes.NewReader(z)
	r, err := zlib.NewReader(br)
	if err != nil {
		return nil, coseMalformed("the certificate is not zlib-compressed: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxDCCInflated+1))
	if err != nil {
		return nil, coseMalformed("the compressed certificate is corrupt: %v", err)
	}
	if len(out) > MaxDCCInflated {
		return nil, &coseError{LimitExceeded, fmt.Sprintf("the certificate inflates to more than %d bytes", MaxDCCInflated)}
	}
	if br.Len() > 0 {
		return nil, coseMalformed("%d bytes follow the compressed certificate", br.Len())
	}
	return out, nil
}

// dccInflateDiff says how dccInflate, with a new decoder and with one
// from pool, differs from the oracle on z: accept or refuse, the reason,
// and on success the bytes. "" when they agree.
func dccInflateDiff(pool *inflaters, z []byte) string {
	want, wantErr := zlibDCCInflate(z)
	for _, p := range []*inflaters{nil, pool} {
		got, gotErr := dccInflate(p, z)
		if (gotErr == nil) != (wantErr == nil) {
			return fmt.Sprintf("%d bytes: zlib %v, dccInflate %v", len(z), wantErr, gotErr)
		}
		if gotErr != nil {
			if a, b := gotErr.(*coseError).reason, wantErr.(*coseError).reason; a != b {
				return fmt.Sprintf("%d bytes: zlib %s (%v), dccInflate %s (%v)", len(z), b, wantErr, a, gotErr)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			return fmt.Sprintf("%d bytes: outputs differ (%d and %d bytes)", len(z), len(want), len(got))
		}
	}
	return ""
}

// DCCInflateDiff is dccInflateDiff of the zlib stream of an "HC1:" text,
// for the external test of the demo world's certificates.
func DCCInflateDiff(text []byte) string {
	b45, err := dccUnprefix(text)
	if err != nil {
		return err.Error()
	}
	z, err := base45Decode(b45)
	if err != nil {
		return err.Error()
	}
	return dccInflateDiff(newInflaters(), z)
}

// zlibOf compresses chunks at level, with a sync flush (an empty stored
// block) after each when flush is set.
func zlibOf(t testing.TB, level int, flush bool, chunks ...[]byte) []byte {
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		w.Write(c)
		if flush {
			w.Flush()
		}
	}
	w.Close()
	return b.Bytes()
}

// dccZlibCase is one stream for the comparison, named for a failure.
type dccZlibCase struct {
	name string
	z    []byte
}

// dccZlibSeeds are the conformance suite's compressed certificates,
// compress/zlib's streams of certificate-like, textual, random and
// bound-sized data at every level, with and without sync flushes (one at
// exactly the bound among them), and hand-made headers and trailers.
func dccZlibSeeds(t testing.TB) []dccZlibCase {
	var cases []dccZlibCase
	add := func(name string, z []byte) { cases = append(cases, dccZlibCase{name, z}) }
	var certs [][]byte
	for _, p := range dccVectorFiles(t) {
		v := loadDCCVector(t, p)
		z := hexOf(v.COMPRESSED)
		if v.COMPRESSED == "" {
			b45 := []byte(v.BASE45)
			if v.BASE45 == "" {
				b45, _ = dccUnprefix([]byte(v.PREFIX))
			}
			z, _ = base45Decode(b45)
		}
		if len(z) > 0 {
			add(p, z)
		}
		if c := hexOf(v.COSE); len(c) > 0 {
			certs = append(certs, c)
		}
	}
	if len(cases) < 80 {
		t.Fatalf("only %d compressed certificates in testdata/dcc", len(cases))
	}
	rng := rand.New(rand.NewSource(3))
	random := make([]byte, 3*MaxDCCInflated)
	rng.Read(random)
	text := []byte(strings.Repeat(`{"v":[{"ci":"URN:UVCI:01:EE:ABC123","co":"EE","dn":2,"dt":"2026-01-12"}]}`+"\n", 2000))
	zeros := make([]byte, 4*MaxDCCInflated)
	inputs := map[string][]byte{"empty": nil, "one": {0}, "hello": []byte("hello, hello, hello")}
	for i, c := range certs[:min(len(certs), 8)] {
		inputs[fmt.Sprint("cose", i)] = c
	}
	for _, n := range []int{MaxDCCInflated - 1, MaxDCCInflated, MaxDCCInflated + 1, MaxDCCInflated + 2, MaxDCCInflated + 300} {
		inputs[fmt.Sprint("text", n)] = text[:n]
		inputs[fmt.Sprint("random", n)] = random[:n]
		inputs[fmt.Sprint("zeros", n)] = zeros[:n]
	}
	inputs["zeros-4x"] = zeros
	inputs["random-3x"] = random
	for name, in := range inputs {
		for level := zlib.HuffmanOnly; level <= zlib.BestCompression; level++ {
			add(fmt.Sprintf("%s/level%d", name, level), zlibOf(t, level, false, in))
		}
	}
	// Sync flushes hand flate's output out at an empty stored block: at,
	// before and after the bound, then the final block, then more.
	for _, n := range []int{MaxDCCInflated - 1, MaxDCCInflated, MaxDCCInflated + 1, MaxDCCInflated + 2} {
		for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.HuffmanOnly} {
			for _, in := range [][]byte{text, random} {
				add(fmt.Sprintf("flush%d/level%d", n, level), zlibOf(t, level, true, in[:n]))
				add(fmt.Sprintf("flush%d+more/level%d", n, level), zlibOf(t, level, true, in[:n], in[n:n+10]))
				add(fmt.Sprintf("flush%d+empty/level%d", n, level), zlibOf(t, level, true, in[:n], nil))
			}
		}
	}
	// Headers: every CMF and FLG before a valid body, with FDICT the
	// DICTID of the empty dictionary (1) and another, whole or cut.
	body := zlibOf(t, zlib.DefaultCompression, false, []byte("hello, hello, hello"))[2:]
	for h := 0; h < 1<<16; h++ {
		z := append([]byte{byte(h >> 8), byte(h)}, body...)
		if h&0x20 != 0 {
			// FDICT: without a DICTID the body's first bytes are read as one.
			cases = append(cases, dccZlibCase{fmt.Sprintf("header %04x", h), z})
			z = append([]byte{byte(h >> 8), byte(h), 0, 0, 0, 1}, body...)
		}
		cases = append(cases, dccZlibCase{fmt.Sprintf("header %04x", h), z})
	}
	for _, d := range [][]byte{{0x78, 0xbb}, {0x78, 0xbb, 0, 0, 0}, {0x78, 0xbb, 0, 0, 0, 1}, {0x78, 0xbb, 0, 0, 0, 2}, {0x78, 0xbb, 0, 1, 0, 1}} {
		add(fmt.Sprintf("fdict %x", d), d)
		add(fmt.Sprintf("fdict %x+body", d), append(bytes.Clone(d), body...))
	}
	for _, z := range [][]byte{nil, {0x78}, {0x78, 0x9c}, {0x78, 0x9c, 0x03}, {0x78, 0x9c, 0x03, 0x00}, {0x78, 0x9c, 0x03, 0x00, 0, 0, 0, 1}, {0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0, 0, 0, 1}, {0x78, 0x9c, 0x07}, {0x08, 0x1d, 0x03, 0x00, 0, 0, 0, 1}, {0x88, 0x98}, {0x79, 0x9c}} {
		add(fmt.Sprintf("hand %x", z), z)
	}
	// Trailers: cut, wrong and followed by bytes.
	n := len(cases)
	for _, c := range cases[:n] {
		z := c.z
		if strings.HasPrefix(c.name, "header ") || len(z) < 6 {
			continue
		}
		for k := 1; k <= 4; k++ {
			add(fmt.Sprintf("%s cut %d", c.name, k), z[:len(z)-k])
		}
		for k := 1; k <= 4; k++ {
			w := bytes.Clone(z)
			w[len(w)-k] ^= 0x80
			add(fmt.Sprintf("%s adler byte -%d", c.name, k), w)
		}
		add(c.name+" +0", append(bytes.Clone(z), 0))
		add(c.name+" +garbage", append(bytes.Clone(z), "garbage"...))
		add(c.name+" +stream", append(bytes.Clone(z), z...))
	}
	return cases
}

// cutsNearBound are the streams of bound-sized data cut at every length
// about where the output passes the bound, and flipped there: where flate
// finds a truncation or an error before or after giving the bound's bytes.
func cutsNearBound(t testing.TB) []dccZlibCase {
	var cases []dccZlibCase
	rng := rand.New(rand.NewSource(4))
	random := make([]byte, MaxDCCInflated+600)
	rng.Read(random)
	text := []byte(strings.Repeat("apostille verifies documents. ", 3000))[:MaxDCCInflated+600]
	for _, in := range [][]byte{random, text} {
		for _, level := range []int{zlib.NoCompression, zlib.HuffmanOnly, zlib.BestSpeed, zlib.BestCompression} {
			for _, flush := range []bool{false, true} {
				var z []byte
				if flush {
					z = zlibOf(t, level, true, in[:MaxDCCInflated+1], in[MaxDCCInflated+1:])
				} else {
					z = zlibOf(t, level, false, in)
				}
				// Where the compressed data reaches the bound, about.
				at := 2 + int(int64(len(z)-6)*(MaxDCCInflated+1)/int64(len(in)))
				for k := max(0, at-400); k < min(len(z), at+400); k++ {
					cases = append(cases, dccZlibCase{fmt.Sprintf("level %d flush %v cut at %d", level, flush, k), z[:k]})
					w := bytes.Clone(z)
					w[k] ^= byte(1 << rng.Intn(8))
					cases = append(cases, dccZlibCase{fmt.Sprintf("level %d flush %v flip at %d", level, flush, k), w})
				}
			}
		}
	}
	return cases
}

// mutate changes z at random: flips, overwrites, cuts, inserts, splices.
func mutate(rng *rand.Rand, z []byte, other []byte) []byte {
	z = bytes.Clone(z)
	for n := 1 + rng.Intn(3); n > 0; n-- {
		switch k := rng.Intn(6); {
		case len(z) == 0 || k == 5:
			i := rng.Intn(len(z) + 1)
			ins := make([]byte, 1+rng.Intn(8))
			rng.Read(ins)
			z = append(z[:i], append(ins, z[i:]...)...)
		case k == 0 || k == 1:
			z[rng.Intn(len(z))] ^= byte(1 << rng.Intn(8))
		case k == 2:
			z[rng.Intn(len(z))] = byte(rng.Intn(256))
		case k == 3:
			z = z[:rng.Intn(len(z))]
		case k == 4:
			if len(other) > 0 {
				i, j := rng.Intn(len(z)), rng.Intn(len(other))
				z = append(z[:i], other[j:j+min(len(other)-j, 1+rng.Intn(64))]...)
			}
		}
	}
	return z
}

func TestDCCInflateAsZlib(t *testing.T) {
	pool := newInflaters()
	seeds := dccZlibSeeds(t)
	good := 0
	for _, c := range seeds {
		if d := dccInflateDiff(pool, c.z); d != "" {
			t.Fatalf("%s: %s", c.name, d)
		}
		if _, err := dccInflate(pool, c.z); err == nil {
			good++
		}
	}
	if good < 300 {
		t.Fatalf("only %d of %d seeds inflate", good, len(seeds))
	}
	cuts := cutsNearBound(t)
	for _, c := range cuts {
		if d := dccInflateDiff(pool, c.z); d != "" {
			t.Fatalf("%s: %s", c.name, d)
		}
	}
	t.Logf("%d seeds, %d inflate; %d cut or flipped near the bound", len(seeds), good, len(cuts))
	// Random streams: mutated seeds (small ones mostly, for time), and
	// a valid header before random DEFLATE data and a random trailer.
	rng := rand.New(rand.NewSource(5))
	var small []dccZlibCase
	for _, c := range seeds {
		if len(c.z) < 4096 && !strings.HasPrefix(c.name, "header ") {
			small = append(small, c)
		}
	}
	for i := 0; i < 100000; i++ {
		var z []byte
		switch {
		case i%4 == 3:
			z = make([]byte, 2+rng.Intn(40))
			rng.Read(z)
			z[0], z[1] = 0x78, 0x9c
		case i%50 == 0:
			c := seeds[rng.Intn(len(seeds))]
			z = mutate(rng, c.z, small[rng.Intn(len(small))].z)
		default:
			c := small[rng.Intn(len(small))]
			z = mutate(rng, c.z, small[rng.Intn(len(small))].z)
		}
		if d := dccInflateDiff(pool, z); d != "" {
			t.Fatalf("random stream %d (%x): %s", i, z[:min(len(z), 64)], d)
		}
	}
}

// TestDCCInflateBound: a stream that inflates past the bound is refused
// as too large after decoding about the bound's bytes of it, not all.
func TestDCCInflateBound(t *testing.T) {
	// 64 MiB of zeros in 64 KiB of zlib.
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 {
		w.Write(zero)
	}
	w.Close()
	var counted countWriter
	z := &inflater{}
	s := &inflateState{src: b.Bytes()[2:], w: &counted, size: MaxDCCInflated + 1}
	z.decode(s)
	if !s.long || !s.past || counted > MaxDCCInflated+1 || s.out > MaxDCCInflated+1 {
		t.Fatalf("long %v past %v, %d bytes written, %d decoded", s.long, s.past, counted, s.out)
	}
	_, err := dccInflate(nil, b.Bytes())
	if err == nil || err.(*coseError).reason != LimitExceeded {
		t.Fatalf("a zlib bomb: %v", err)
	}
	// Exactly the bound is accepted; one byte more is not.
	for _, c := range []struct {
		n    int
		want Reason
	}{{MaxDCCInflated, ""}, {MaxDCCInflated + 1, LimitExceeded}} {
		out, err := dccInflate(nil, zlibOf(t, zlib.DefaultCompression, false, zero[:c.n]))
		switch {
		case c.want == "" && (err != nil || len(out) != c.n):
			t.Errorf("%d bytes: %d bytes, %v", c.n, len(out), err)
		case c.want != "" && (err == nil || err.(*coseError).reason != c.want):
			t.Errorf("%d bytes: %v, want %s", c.n, err, c.want)
		}
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func FuzzDCCInflateAsZlib(f *testing.F) {
	for _, c := range dccZlibSeeds(f) {
		if !strings.HasPrefix(c.name, "header ") && len(c.z) < 1<<14 {
			f.Add(c.z)
		}
	}
	// A few of the bound-sized streams, flushed at the bound among them.
	f.Add(zlibOf(f, flate.BestSpeed, true, make([]byte, MaxDCCInflated+1), []byte("more")))
	f.Add(zlibOf(f, flate.HuffmanOnly, false, bytes.Repeat([]byte("ab"), MaxDCCInflated/2+1)))
	pool := newInflaters()
	f.Fuzz(func(t *testing.T, z []byte) {
		if d := dccInflateDiff(pool, z); d != "" {
			t.Fatal(d)
		}
	})
}

// The header test values are what compress/zlib's reader checks, spelled
// out: CMF 0x78 (deflate, 32 KiB window), FCHECK making it a multiple of
// 31, FDICT (0x20) with DICTID 1.
func TestZlibHeaderRules(t *testing.T) {
	body := zlibOf(t, zlib.DefaultCompression, false, []byte("abc"))
	for _, c := range []struct {
		name string
		z    []byte
		ok   bool
	}{
		{"default", body, true},
		{"checksum off", append([]byte{0x78, 0x9d}, body[2:]...), false},
		{"CM 7", append([]byte{0x77, 0x85}, body[2:]...), false},
		{"CINFO 8", append([]byte{0x88, 0x98}, body[2:]...), false},
		{"CINFO 0", append([]byte{0x08, 0x1d}, body[2:]...), true},
		{"FDICT, empty dictionary", append([]byte{0x78, 0xbb, 0, 0, 0, 1}, body[2:]...), true},
		{"FDICT, a dictionary", append([]byte{0x78, 0xbb, 0, 0, 0, 2}, body[2:]...), false},
		{"FDICT, cut", []byte{0x78, 0xbb, 0, 0}, false},
		{"empty", nil, false},
	} {
		h := binary.BigEndian.Uint16(append(bytes.Clone(c.z), 0, 0))
		if c.name != "checksum off" && c.name != "empty" && h%31 != 0 {
			t.Fatalf("%s: the test header is not a multiple of 31", c.name)
		}
		out, err := dccInflate(nil, c.z)
		if (err == nil) != c.ok || (c.ok && string(out) != "abc") {
			t.Errorf("%s: %q, %v", c.name, out, err)
		}
		if !c.ok && err.(*coseError).reason != Malformed {
			t.Errorf("%s: %v", c.name, err.(*coseError).reason)
		}
	}
}

// BenchmarkDCCInflate compares dccInflate with the code before zlib.go,
// both with pooled decoders, over the conformance suite's compressed
// certificates.
func BenchmarkDCCInflate(b *testing.B) {
	var zs [][]byte
	for _, c := range dccZlibSeeds(b)[:80] {
		if _, err := zlibDCCInflate(c.z); err == nil {
			zs = append(zs, c.z)
		}
	}
	pool := newInflaters()
	b.Run("inflate", func(b *testing.B) {
		for b.Loop() {
			for _, z := range zs {
				dccInflate(pool, z)
			}
		}
	})
	// The code before zlib.go, with its zlib reader reused.
	b.Run("zlib", func(b *testing.B) {
		var r io.ReadCloser
		for b.Loop() {
			for _, z := range zs {
				br := bytes.NewReader(z)
				var err error
				if r == nil {
					r, err = zlib.NewReader(br)
				} else {
					err = r.(zlib.Resetter).Reset(br, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
				io.ReadAll(io.LimitReader(r, MaxDCCInflated+1))
			}
		}
	})
}
