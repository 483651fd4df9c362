package verifier

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestReadASiC(t *testing.T) {
	z := buildZip(t, asiceFiles("a.txt", "hello", "sub/b.txt", strings.Repeat("text ", 1000)), "LIB DigiDoc4j")
	c, err := readASiC(z.b, asicLimits{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MediaType != asicEMediaType || len(c.DataFiles) != 2 || len(c.Signatures) != 1 || len(c.Deviations) != 0 || len(c.Ignored) != 0 {
		t.Fatalf("container %+v", c)
	}
	b := c.DataFiles[1]
	want := []byte(strings.Repeat("text ", 1000))
	if b.Name != "sub/b.txt" || b.MediaType != "text/plain" || b.Size != int64(len(want)) || b.SHA256 != sha256.Sum256(want) {
		t.Fatalf("data file %+v", b)
	}
	if got, err := b.Content(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("content %q, %v", got, err)
	}
	sum := sha512.Sum384(want)
	if got, err := b.Digest(crypto.SHA384); err != nil || !bytes.Equal(got, sum[:]) {
		t.Fatal("SHA-384 digest differs")
	}
	if string(c.Signatures[0].XML) != "<signature/>" || c.Signatures[0].Name != "META-INF/signatures0.xml" {
		t.Fatalf("signature file %+v", c.Signatures[0])
	}
}

func TestReadASiCS(t *testing.T) {
	files := []zfile{
		{name: "mimetype", data: []byte(asicSMediaType)},
		{name: "doc.pdf", data: []byte("%PDF"), deflate: true},
		{name: "META-INF/signatures.xml", data: []byte("<s/>"), deflate: true},
		{name: "META-INF/.DS_Store", data: []byte{0}},
	}
	c, err := readASiC(buildZip(t, files, "").b, asicLimits{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MediaType != asicSMediaType || len(c.DataFiles) != 1 || c.DataFiles[0].MediaType != asicSDefaultType || c.Manifest != nil ||
		!slices.Equal(c.Ignored, []string{"META-INF/.DS_Store"}) {
		t.Fatalf("container %+v", c)
	}
}

// TestASiCDeviations: what the standard forbids but changes nothing and
// the reference validators accept is reported, not refused.
func TestASiCDeviations(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func([]zfile) []zfile
		want []asicDeviation
	}{
		{"mimetype-deflated", func(f []zfile) []zfile { f[0].deflate = true; return f }, []asicDeviation{mimetypeCompressed}},
		{"mimetype-extra-field", func(f []zfile) []zfile { f[0].extra = []byte{0x55, 0x54, 1, 0, 0}; return f }, []asicDeviation{mimetypeExtraField}},
		{"mimetype-newline", func(f []zfile) []zfile { f[0].data = []byte(asicEMediaType + "\n"); return f }, []asicDeviation{mimetypePadded}},
		{"mimetype-bom", func(f []zfile) []zfile { f[0].data = []byte("\ufeff" + asicEMediaType); return f }, []asicDeviation{mimetypePadded}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := readASiC(buildZip(t, tc.edit(asiceFiles("a.txt", "x")), "").b, asicLimits{}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Deviations, tc.want) {
				t.Fatalf("deviations %v, want %v", c.Deviations, tc.want)
			}
		})
	}
}

// TestASiCHostile: archives built to mislead, each with its reason code.
func TestASiCHostile(t *testing.T) {
	ok := func(files ...string) []zfile { return asiceFiles(files...) }
	build := func(files []zfile) *zbuilt { return buildZip(t, files, "") }
	manifestFor := func(f []zfile, names ...string) []zfile {
		f[1].data = testManifest(names...)
		return f
	}
	for _, tc := range []struct {
		name string
		zip  func() []byte
		want Reason
	}{
		{"not-a-zip", func() []byte { return []byte("PK\x03\x04 just text") }, Malformed},
		{"truncated", func() []byte { b := build(ok("a.txt", "x")).b; return b[:len(b)-10] }, Malformed},
		{"truncated-half", func() []byte { b := build(ok("a.txt", "x")).b; return b[:len(b)/2] }, Malformed},
		{"trailing-data", func() []byte { return append(build(ok("a.txt", "x")).b, "garbage"...) }, Malformed},
		{"prepended-data", func() []byte { return append([]byte("MZ stub "), build(ok("a.txt", "x")).b...) }, Malformed},
		{"two-end-records", func() []byte {
			// A comment that holds a second end record whose own (empty)
			// comment also reaches the end.
			z := build(ok("a.txt", "x"))
			fake := bytes.Clone(z.b[z.end : z.end+zipEndLen])
			binary.LittleEndian.PutUint16(fake[20:], 0)
			b := bytes.Clone(z.b)
			binary.LittleEndian.PutUint16(b[z.end+20:], zipEndLen)
			return append(b, fake...)
		}, Malformed},
		{"gap-between-entries", func() []byte {
			// A hidden second archive between the entries and the central
			// directory: the directory offset moved past it.
			z := build(ok("a.txt", "x"))
			cd := binary.LittleEndian.Uint32(z.b[z.end+16:])
			b := append(bytes.Clone(z.b[:cd]), "hidden bytes"...)
			b = append(b, z.b[cd:]...)
			binary.LittleEndian.PutUint32(b[z.end+12+16:], cd+12)
			return b
		}, Malformed},
		{"zip-bomb-declared", func() []byte {
			z := build(ok("a.txt", "x"))
			return z.put32(z.central[2]+24, 300<<20).b
		}, LimitExceeded},
		{"zip-bomb-ratio", func() []byte { return build(ok("zeros.bin", strings.Repeat("\x00", 2<<20))).b }, LimitExceeded},
		{"too-many-entries", func() []byte {
			f := ok()
			for i := range 1001 {
				f = append(f, zfile{name: fmt.Sprintf("f%04d", i)})
			}
			return build(f).b
		}, LimitExceeded},
		{"size-lie-shorter", func() []byte {
			z := build(ok("a.txt", strings.Repeat("y", 5000)))
			z.put32(z.central[2]+24, 4000)
			return z.put32(z.local[2]+22, 4000).b
		}, Malformed},
		{"size-lie-longer", func() []byte {
			z := build(ok("a.txt", "short"))
			z.put32(z.central[2]+24, 50)
			return z.put32(z.local[2]+22, 50).b
		}, Malformed},
		{"crc-mismatch", func() []byte {
			z := build(ok("a.txt", "x"))
			z.put32(z.central[2]+16, 1)
			return z.put32(z.local[2]+14, 1).b
		}, Malformed},
		{"local-name-differs", func() []byte {
			z := build(ok("a.txt", "x"))
			z.b[z.local[2]+zipLocalLen] = 'b' // local says b.txt, directory a.txt
			return z.b
		}, Malformed},
		{"local-flags-differ", func() []byte { z := build(ok("a.txt", "x")); return z.put16(z.local[2]+6, zipFlagUTF8|1<<1).b }, Malformed},
		{"local-sizes-differ", func() []byte { z := build(ok("a.txt", "xyz")); return z.put32(z.local[2]+22, 2).b }, Malformed},
		{"descriptor-differs", func() []byte {
			f := ok("a.txt", "x")
			f[2].descriptor = true
			z := build(f)
			descriptor := z.local[3] - 16 // entry 2's, just before entry 3
			return z.put32(descriptor+12, 9).b
		}, Malformed},
		{"encrypted-entry", func() []byte {
			f := ok("a.txt", "x")
			f[2].flags = zipFlagEncrypted
			return build(f).b
		}, UnsupportedFormat},
		{"method-bzip2", func() []byte {
			z := build(ok("a.txt", "x"))
			z.put16(z.central[2]+10, 12)
			return z.put16(z.local[2]+8, 12).b
		}, UnsupportedFormat},
		{"zip64-extra", func() []byte {
			f := ok("a.txt", "x")
			f[2].cdExtra = []byte{1, 0, 0, 0}
			return build(f).b
		}, UnsupportedFormat},
		{"unicode-path-extra", func() []byte {
			f := ok("a.txt", "x")
			f[2].extra = append([]byte{0x75, 0x70, 10, 0, 1, 0, 0, 0, 0}, "b.txt"...)
			return build(f).b
		}, Malformed},
		{"duplicate-names", func() []byte {
			return build(manifestFor(append(ok("a.txt", "x"), zfile{name: "a.txt", data: []byte("y")}), "a.txt")).b
		}, Malformed},
		{"duplicate-central-entry", func() []byte {
			// Two directory entries for one local record.
			z := build(ok("a.txt", "x"))
			cd := z.b[z.central[2]:z.central[3]]
			b := append(bytes.Clone(z.b[:z.end]), cd...)
			e := bytes.Clone(z.b[z.end:])
			binary.LittleEndian.PutUint16(e[8:], 5)
			binary.LittleEndian.PutUint16(e[10:], 5)
			binary.LittleEndian.PutUint32(e[12:], binary.LittleEndian.Uint32(e[12:])+uint32(len(cd)))
			return append(b, e...)
		}, Malformed},
		{"names-differ-in-case", func() []byte { return build(ok("Report.pdf", "x", "report.PDF", "y")).b }, Malformed},
		{"names-differ-in-unicode-case", func() []byte { return build(ok("ÕIGUS.txt", "x", "õigus.txt", "y")).b }, Malformed},
		{"kelvin-sign", func() []byte { return build(ok("k.txt", "x", "\u212a.txt", "y")).b }, Malformed},
		{"dot-dot", func() []byte { return build(ok("../evil.txt", "x")).b }, Malformed},
		{"dot-dot-inside", func() []byte { return build(ok("a/../../evil.txt", "x")).b }, Malformed},
		{"dot-segment", func() []byte { return build(ok("./a.txt", "x")).b }, Malformed},
		{"absolute-path", func() []byte { return build(ok("/etc/passwd", "x")).b }, Malformed},
		{"backslash", func() []byte { return build(ok("..\\evil.txt", "x")).b }, Malformed},
		{"empty-segment", func() []byte { return build(ok("a//b.txt", "x")).b }, Malformed},
		{"control-character", func() []byte { return build(ok("a\nb.txt", "x")).b }, Malformed},
		{"invalid-utf8-name", func() []byte { return build(ok("a\xff.txt", "x")).b }, Malformed},
		{"file-and-folder", func() []byte { return build(ok("a", "x", "a/b.txt", "y")).b }, Malformed},
		{"folder-with-data", func() []byte { return build(append(ok("a.txt", "x"), zfile{name: "d/", data: []byte("z")})).b }, Malformed},
		{"meta-inf-lower-case", func() []byte { return build(ok("meta-inf/signatures1.xml", "x")).b }, Malformed},
		{"mimetype-missing", func() []byte { return build(ok("a.txt", "x")[1:]).b }, UnsupportedFormat},
		{"mimetype-not-first", func() []byte {
			f := ok("a.txt", "x")
			f[0], f[1] = f[1], f[0]
			return build(f).b
		}, Malformed},
		{"mimetype-other-format", func() []byte {
			f := ok("a.txt", "x")
			f[0].data = []byte("application/vnd.oasis.opendocument.text")
			return build(f).b
		}, UnsupportedFormat},
		{"mimetype-not-a-media-type", func() []byte {
			f := ok("a.txt", "x")
			f[0].data = []byte("incorrect mimetype\n")
			return build(f).b
		}, Malformed},
		{"manifest-missing", func() []byte { f := ok("a.txt", "x"); return build(append(f[:1], f[2:]...)).b }, Malformed},
		{"file-not-in-manifest", func() []byte { return build(append(ok("a.txt", "x"), zfile{name: "added.txt", data: []byte("y")})).b }, Malformed},
		{"manifest-lists-missing-file", func() []byte { return build(manifestFor(ok("a.txt", "x"), "a.txt", "gone.txt")).b }, Malformed},
		{"manifest-lists-missing-meta-inf-file", func() []byte {
			return build(manifestFor(ok("a.txt", "x"), "a.txt", "META-INF/signatures9.xml")).b
		}, Malformed},
		{"manifest-lists-twice", func() []byte { return build(manifestFor(ok("a.txt", "x"), "a.txt", "a.txt")).b }, Malformed},
		{"manifest-other-media-type", func() []byte {
			f := ok("a.txt", "x")
			f[1].data = bytes.Replace(f[1].data, []byte("asic-e+zip"), []byte("asic-s+zip"), 1)
			return build(f).b
		}, Malformed},
		{"manifest-doctype", func() []byte {
			f := ok("a.txt", "x")
			f[1].data = []byte(`<!DOCTYPE m [<!ENTITY e "a.txt">]>` + string(f[1].data[39:]))
			return build(f).b
		}, Malformed},
		{"manifest-entity-expansion", func() []byte {
			f := ok("a.txt", "x")
			f[1].data = bytes.Replace(f[1].data, []byte(`full-path="a.txt"`), []byte(`full-path="&e;"`), 1)
			return build(f).b
		}, Malformed},
		{"manifest-encrypted-entry", func() []byte {
			f := ok("a.txt", "x")
			f[1].data = bytes.Replace(f[1].data, []byte(`media-type="text/plain"/>`),
				[]byte(`media-type="text/plain"><manifest:encryption-data/></manifest:file-entry>`), 1)
			return build(f).b
		}, Malformed},
		{"manifest-unknown-attribute", func() []byte {
			f := ok("a.txt", "x")
			f[1].data = bytes.Replace(f[1].data, []byte(`full-path="a.txt"`), []byte(`full-path="a.txt" manifest:full-path2="b"`), 1)
			return build(f).b
		}, Malformed},
		{"manifest-too-large", func() []byte {
			f := ok("a.txt", "x")
			f[1].data, f[1].deflate = append(f[1].data, bytes.Repeat([]byte(" "), 5<<20)...), false
			return build(f).b
		}, LimitExceeded},
		{"asics-two-data-files", func() []byte {
			return build([]zfile{{name: "mimetype", data: []byte(asicSMediaType)}, {name: "a", data: []byte("1")}, {name: "b", data: []byte("2")}}).b
		}, Malformed},
		{"asics-two-signature-files", func() []byte {
			return build([]zfile{{name: "mimetype", data: []byte(asicSMediaType)}, {name: "a", data: []byte("1")},
				{name: "META-INF/signatures.xml"}, {name: "META-INF/signatures1.xml"}}).b
		}, Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.zip()
			var err error
			alloc := allocatedBy(func() { _, err = readASiC(data, asicLimits{}, nil, nil) })
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errReason(err); got != tc.want {
				t.Fatalf("reason %s (%v), want %s", got, err, tc.want)
			}
			if limit := uint64(len(data))*2 + 1<<20; alloc > limit {
				t.Fatalf("allocated %d bytes for a %d-byte archive", alloc, len(data))
			}
		})
	}
}

// TestASiCBombMemory: a deflated entry that inflates to far more than it
// declares, under limits that let the declaration through, is refused with
// little memory.
func TestASiCBombMemory(t *testing.T) {
	z := buildZip(t, asiceFiles("a.txt", strings.Repeat("\x00", 16<<20)), "")
	z.put32(z.central[2]+24, 100)
	z.put32(z.local[2]+22, 100)
	var err error
	alloc := allocatedBy(func() { _, err = readASiC(z.b, asicLimits{Ratio: 1 << 30}, nil, nil) })
	if errReason(err) != Malformed {
		t.Fatalf("reason %s (%v)", errReason(err), err)
	}
	if alloc > 2<<20 {
		t.Fatalf("allocated %d bytes", alloc)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"leping.pdf":                  "leping.pdf",
		"Õigusakt ÄÖÜ.txt":            "Õigusakt ÄÖÜ.txt",
		"invoice\u202efdp.exe":        `invoice\u202Efdp.exe`,
		"a\u200bb.txt":                `a\u200Bb.txt`,
		"tag\U000E0041.txt":           `tag\U000E0041.txt`,
		"private\ue000.txt":           `private\uE000.txt`,
		"line\u2028break.txt":         `line\u2028break.txt`,
		"folder/M1n1 Testäöüõ!.txt":   "folder/M1n1 Testäöüõ!.txt",
		"日本語のファイル.txt":                "日本語のファイル.txt",
		"unassigned\U0003FFFD.txt":    `unassigned\U0003FFFD.txt`,
		"combining a\u0308 stays.txt": "combining a\u0308 stays.txt",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestManifestOtherEntries: a manifest may list folders and the archive's
// own META-INF files (OpenDocument writers do); they give no data file.
func TestManifestOtherEntries(t *testing.T) {
	f := asiceFiles("a.txt", "x")
	f[1].data = bytes.Replace(testManifest("a.txt", "META-INF/signatures0.xml", "folder/"), []byte(`full-path="folder/" manifest:media-type="text/plain"`),
		[]byte(`full-path="folder/" manifest:media-type=""`), 1)
	c, err := readASiC(buildZip(t, f, "").b, asicLimits{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DataFiles) != 1 || c.DataFiles[0].MediaType != "text/plain" || len(c.Manifest) != 4 {
		t.Fatalf("container %+v", c)
	}
}
