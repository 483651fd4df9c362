package verifier

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// A ZIP writer for tests, written out field by field so that a test can
// build exactly the archive it means, well-formed or not: every header
// field can be overridden after the fact through the offsets it returns.

// zfile is one entry to write.
type zfile struct {
	name       string
	data       []byte
	deflate    bool
	descriptor bool   // sizes and CRC in a data descriptor (flag 3)
	flags      uint16 // extra general purpose flags
	extra      []byte // local header extra field
	cdExtra    []byte // central directory extra field
	comment    string // entry comment
}

// zbuilt is a written archive with the offsets of its records.
type zbuilt struct {
	b       []byte
	local   []int // offset of each entry's local header
	central []int // offset of each entry's central directory header
	end     int   // offset of the end record
}

// buildZip writes files as an archive with a comment after the end record.
func buildZip(t testing.TB, files []zfile, comment string) *zbuilt {
	t.Helper()
	z := &zbuilt{}
	var b bytes.Buffer
	type meta struct {
		method, flags uint16
		crc           uint32
		csize, usize  int
	}
	var metas []meta
	for _, f := range files {
		m := meta{flags: f.flags | zipFlagUTF8, crc: crc32.ChecksumIEEE(f.data), usize: len(f.data)}
		stored := f.data
		if f.deflate {
			m.method = zipDeflated
			var c bytes.Buffer
			w, _ := flate.NewWriter(&c, flate.BestCompression)
			w.Write(f.data)
			w.Close()
			stored = c.Bytes()
		}
		m.csize = len(stored)
		if f.descriptor {
			m.flags |= zipFlagDescriptor
		}
		z.local = append(z.local, b.Len())
		h := make([]byte, zipLocalLen)
		binary.LittleEndian.PutUint32(h, zipLocalSig)
		binary.LittleEndian.PutUint16(h[4:], 20)
		binary.LittleEndian.PutUint16(h[6:], m.flags)
		binary.LittleEndian.PutUint16(h[8:], m.method)
		if !f.descriptor {
			binary.LittleEndian.PutUint32(h[14:], m.crc)
			binary.LittleEndian.PutUint32(h[18:], uint32(m.csize))
			binary.LittleEndian.PutUint32(h[22:], uint32(m.usize))
		}
		binary.LittleEndian.PutUint16(h[26:], uint16(len(f.name)))
		binary.LittleEndian.PutUint16(h[28:], uint16(len(f.extra)))
		b.Write(h)
		b.WriteString(f.name)
		b.Write(f.extra)
		b.Write(stored)
		if f.descriptor {
			d := make([]byte, 16)
			binary.LittleEndian.PutUint32(d, zipDescriptorSig)
			binary.LittleEndian.PutUint32(d[4:], m.crc)
			binary.LittleEndian.PutUint32(d[8:], uint32(m.csize))
			binary.LittleEndian.PutUint32(d[12:], uint32(m.usize))
			b.Write(d)
		}
		metas = append(metas, m)
	}
	cdOff := b.Len()
	for i, f := range files {
		m := metas[i]
		z.central = append(z.central, b.Len())
		h := make([]byte, zipCentralLen)
		binary.LittleEndian.PutUint32(h, zipCentralSig)
		binary.LittleEndian.PutUint16(h[4:], 20)
		binary.LittleEndian.PutUint16(h[6:], 20)
		binary.LittleEndian.PutUint16(h[8:], m.flags)
		binary.LittleEndian.PutUint16(h[10:], m.method)
		binary.LittleEndian.PutUint32(h[16:], m.crc)
		binary.LittleEndian.PutUint32(h[20:], uint32(m.csize))
		binary.LittleEndian.PutUint32(h[24:], uint32(m.usize))
		binary.LittleEndian.PutUint16(h[28:], uint16(len(f.name)))
		binary.LittleEndian.PutUint16(h[30:], uint16(len(f.cdExtra)))
		binary.LittleEndian.PutUint16(h[32:], uint16(len(f.comment)))
		binary.LittleEndian.PutUint32(h[42:], uint32(z.local[i]))
		b.Write(h)
		b.WriteString(f.name)
		b.Write(f.cdExtra)
		b.WriteString(f.comment)
	}
	z.end = b.Len()
	e := make([]byte, zipEndLen)
	binary.LittleEndian.PutUint32(e, zipEndSig)
	binary.LittleEndian.PutUint16(e[8:], uint16(len(files)))
	binary.LittleEndian.PutUint16(e[10:], uint16(len(files)))
	binary.LittleEndian.PutUint32(e[12:], uint32(z.end-cdOff))
	binary.LittleEndian.PutUint32(e[16:], uint32(cdOff))
	binary.LittleEndian.PutUint16(e[20:], uint16(len(comment)))
	b.Write(e)
	b.WriteString(comment)
	z.b = b.Bytes()
	return z
}

// put16 and put32 overwrite a little-endian field of the archive.
func (z *zbuilt) put16(at int, v uint16) *zbuilt {
	binary.LittleEndian.PutUint16(z.b[at:], v)
	return z
}

func (z *zbuilt) put32(at int, v uint32) *zbuilt {
	binary.LittleEndian.PutUint32(z.b[at:], v)
	return z
}

// The parts of a well-formed ASiC-E container.
const (
	testManifestHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` + "\n" +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>` + "\n"
	testManifestTail = `</manifest:manifest>` + "\n"
)

// testManifest is a manifest listing the named data files as text/plain.
func testManifest(names ...string) []byte {
	s := testManifestHead
	for _, n := range names {
		s += `<manifest:file-entry manifest:full-path="` + n + `" manifest:media-type="text/plain"/>` + "\n"
	}
	return []byte(s + testManifestTail)
}

// asiceFiles are the entries of a well-formed ASiC-E container holding the
// given data files (name, content, name, content …) and one signature file.
func asiceFiles(data ...string) []zfile {
	var names []string
	var datafiles []zfile
	for i := 0; i+1 < len(data); i += 2 {
		names = append(names, data[i])
		datafiles = append(datafiles, zfile{name: data[i], data: []byte(data[i+1]), deflate: true})
	}
	files := []zfile{
		{name: "mimetype", data: []byte(asicEMediaType)},
		{name: "META-INF/manifest.xml", data: testManifest(names...), deflate: true},
	}
	files = append(files, datafiles...)
	return append(files, zfile{name: "META-INF/signatures0.xml", data: []byte("<signature/>"), deflate: true, descriptor: true})
}
