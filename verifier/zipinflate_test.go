package verifier

import (
	"bytes"
	"compress/flate"
	"testing"
)

// TestZipInflaterReused holds an archive's shared DEFLATE reader to a new
// reader per entry: the same content and the same failures, whatever the
// entry before it left behind (an error, a stream cut short, bytes after
// its end).
func TestZipInflaterReused(t *testing.T) {
	deflate := func(b []byte) []byte {
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression)
		w.Write(b)
		w.Close()
		return out.Bytes()
	}
	text := bytes.Repeat([]byte("<ds:Signature>abc</ds:Signature>\n"), 300)
	good := deflate(text)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0xff
	crcs := newCRCTable()
	crcOf := func(b []byte) uint32 {
		w := &crcWriter{t: crcs}
		w.Write(b)
		return w.sum
	}
	entry := func(data []byte, usize int, crc uint32) zipEntry {
		return zipEntry{method: zipDeflated, data: data, usize: int64(usize), crc: crc}
	}
	entries := []zipEntry{
		entry(good, len(text), crcOf(text)),
		entry(corrupt, len(text), crcOf(text)),
		entry(good, len(text), crcOf(text)),
		entry(good[:len(good)/3], len(text), crcOf(text)),
		entry(good, len(text)-5, crcOf(text[:len(text)-5])),
		entry(append(bytes.Clone(good), 0, 1, 2), len(text), crcOf(text)),
		entry(good, len(text), crcOf(text)^1),
		entry([]byte{0xff, 0xff}, 4, 0),
		entry(good, len(text), crcOf(text)),
	}
	shared := &inflater{}
	for i := range entries {
		fresh := entries[i]
		fresh.inf = &inflater{}
		reused := entries[i]
		reused.inf = shared
		var a, b bytes.Buffer
		ea, eb := fresh.stream(&a), reused.stream(&b)
		if errReason(ea) != errReason(eb) || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("entry %d: fresh reader %q %d bytes, reused %q %d bytes", i, errReason(ea), a.Len(), errReason(eb), b.Len())
		}
		if i == 0 || i == 2 || i == 8 {
			if eb != nil || !bytes.Equal(b.Bytes(), text) {
				t.Errorf("entry %d: a good entry does not read (%v)", i, eb)
			}
		} else if eb == nil {
			t.Errorf("entry %d: a broken entry reads", i)
		}
	}
	if shared.buf == nil {
		t.Fatal("the shared reader was never used")
	}
}
