package verifier

// DigiDoc containers as ZIP archives: ASiC-E (ETSI EN 319 162-1, with BDOC
// 2.1, which is ASiC-E with its own signature profile) and ASiC-S. readASiC
// opens one and says what it holds: its data files (name, media type, size,
// SHA-256, content on demand), its signature files (raw, one XAdES signature
// document each, for the XAdES reader) and its manifest. It judges no
// signature. Every rule that makes the archive mean one thing is checked
// here: see readASiC.

import (
	"bytes"
	"crypto"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode"
)

// The container media types, as the mimetype entry and the manifest's "/"
// entry give them.
const (
	asicEMediaType = "application/vnd.etsi.asic-e+zip"
	asicSMediaType = "application/vnd.etsi.asic-s+zip"
	// asicSDefaultType is the media type of an ASiC-S data file when the
	// container has no manifest (libdigidocpp does the same).
	asicSDefaultType = "application/octet-stream"
)

// asicLimits bound the work of opening one container. The zero value takes
// the defaults below; every limit is checked from the central directory
// before any entry is inflated, and inflating proves the declared sizes.
type asicLimits struct {
	Entries    int   // entries in the archive; default 1000
	EntrySize  int64 // uncompressed bytes of one entry; default 256 MiB
	TotalSize  int64 // uncompressed bytes of all entries; default 256 MiB
	XMLSize    int64 // uncompressed bytes of the manifest and of each signature file; default 4 MiB
	Ratio      int64 // largest compression ratio of an entry (zip bombs); default 100
	RatioFloor int64 // entries up to this size are not held to Ratio; default 1 MiB
}

func (l asicLimits) withDefaults() asicLimits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.Entries <= 0 {
		l.Entries = 1000
	}
	def(&l.EntrySize, 256<<20)
	def(&l.TotalSize, 256<<20)
	def(&l.XMLSize, 4<<20)
	def(&l.Ratio, 100)
	def(&l.RatioFloor, 1<<20)
	return l
}

// asicDeviation is a departure from EN 319 162-1 that changes nothing of
// what the container means and that the reference validators (digidoc4j,
// libdigidocpp) accept; readASiC reports it and the caller decides whether
// to warn or refuse.
type asicDeviation string

const (
	// mimetypeCompressed: the mimetype entry is deflated, not stored.
	mimetypeCompressed asicDeviation = "mimetype_compressed"
	// mimetypeExtraField: the mimetype entry's local header has an extra
	// field, which moves the media type away from byte 38.
	mimetypeExtraField asicDeviation = "mimetype_extra_field"
	// mimetypePadded: the mimetype content has a UTF-8 byte order mark or
	// trailing white space around the media type.
	mimetypePadded asicDeviation = "mimetype_padded"
)

// asicContainer is an opened container.
type asicContainer struct {
	// MediaType is asicEMediaType or asicSMediaType.
	MediaType string
	// DataFiles are the entries outside META-INF/ other than mimetype and
	// directories, in central directory order.
	DataFiles []*asicFile
	// Signatures are the META-INF/*signatures*.xml entries, in central
	// directory order, each with its content in XML.
	Signatures []*asicFile
	// Manifest is META-INF/manifest.xml as read, nil when there is none
	// (allowed in ASiC-S only).
	Manifest []manifestEntry
	// Ignored are the names of the other META-INF/ entries, which are not
	// read (a CAdES signature.p7s, an ASiCManifest, a .DS_Store): the caller
	// decides whether one it cannot judge makes the container undecided.
	Ignored []string
	// Deviations are the tolerated departures from the standard.
	Deviations []asicDeviation
}

// asicFile is one data file or signature file of a container.
type asicFile struct {
	// Name is the entry's name: UTF-8, relative, "/"-separated.
	Name string
	// Display is Name as a report or a page shows it (displayName).
	Display string
	// MediaType is a data file's media type from the manifest.
	MediaType string
	// Size is the uncompressed size in bytes.
	Size int64
	// SHA256 is a data file's SHA-256.
	SHA256 [32]byte
	// hashed says SHA256 is set: the entry was digested when the container
	// was opened.
	hashed bool
	// XML is a signature file's content.
	XML []byte

	entry *zipEntry
}

// Digest hashes the entry's content with h, streaming: a XAdES reference
// names its own digest algorithm.
func (f *asicFile) Digest(h crypto.Hash) ([]byte, error) {
	if !h.Available() {
		return nil, readFail(UnsupportedAlg, "digest algorithm %v is not available", h)
	}
	if h == crypto.SHA256 && f.hashed {
		// Computed when the container was opened, from the same proven
		// bytes: a container of tens of MiB is then inflated and hashed
		// once however many signatures reference its data files, which
		// keeps it within the host's time limit.
		return bytes.Clone(f.SHA256[:]), nil
	}
	d := f.entry.hash.new(h)
	if err := f.entry.stream(d); err != nil {
		return nil, err
	}
	return d.Sum(nil), nil
}

// Content returns the entry's content (Size bytes, within the limits the
// container was opened with).
func (f *asicFile) Content() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(int(f.Size))
	if err := f.entry.stream(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readASiC opens a container from its bytes. Failures carry a reason:
//
//   - Malformed: not a well-formed ZIP by the rules of zipread.go; a name
//     that is empty, absolute, has a backslash, a control character, an
//     empty, "." or ".." segment, or names a file that is also a folder; two
//     names equal, also after Unicode case folding; META-INF in another case;
//     mimetype not the first entry, or not a media type; an ASiC-E container
//     without manifest; a manifest that is not strictly well-formed, lacks
//     the "/" entry with the container's media type, names a file twice,
//     names a file the container lacks, or leaves a data file out; an ASiC-S
//     container with other than one data file (at the root) or with more
//     than one signature file.
//   - UnsupportedFormat: no mimetype entry (ASiC-S may omit it; such a
//     container is not read), a mimetype of another format (OpenDocument,
//     BDOC 1.0), encryption, ZIP64, a compression method other than stored
//     and deflated.
//   - LimitExceeded: a limit of asicLimits.
//
// hf makes the data files' digests and the entries' CRCs (nil: the
// verifier's own). sc is the memory to work in (nil: new memory); the
// container uses it until the caller gives it back.
func readASiC(data []byte, lim asicLimits, hf HashFunc, sc *containerScratch) (*asicContainer, error) {
	lim = lim.withDefaults()
	var inf *inflater
	var xs *xmlScratch
	if sc != nil {
		inf, xs = &sc.inf, &sc.xml
	}
	entries, err := readZip(data, zipLimits{lim.Entries, lim.EntrySize, lim.TotalSize, lim.Ratio, lim.RatioFloor}, inf)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		entries[i].hash = hf
	}
	if err := checkNames(entries); err != nil {
		return nil, err
	}
	c := &asicContainer{}
	var manifest *zipEntry
	mimetype := -1
	// The files are made in one list, not one by one.
	files := make([]asicFile, 0, len(entries))
	for i := range entries {
		ze := &entries[i]
		name := ze.name
		var list *[]*asicFile
		switch {
		case name == "mimetype":
			mimetype = i
		case strings.HasSuffix(name, "/"):
			// A folder entry: it holds nothing (checkNames).
		case name == "META-INF/manifest.xml":
			manifest = ze
		case isSignatureName(name):
			if ze.usize > lim.XMLSize {
				return nil, readFail(LimitExceeded, "a signature file of %d bytes; the limit is %d", ze.usize, lim.XMLSize)
			}
			list = &c.Signatures
		case strings.HasPrefix(name, "META-INF/"):
			c.Ignored = append(c.Ignored, name)
		default:
			list = &c.DataFiles
		}
		if list != nil {
			files = append(files, asicFile{Name: name, Display: displayName(name), Size: ze.usize, entry: ze})
			*list = append(*list, &files[len(files)-1])
		}
	}
	if err := c.readMimetype(entries, mimetype); err != nil {
		return nil, err
	}
	if manifest != nil && manifest.usize > lim.XMLSize {
		return nil, readFail(LimitExceeded, "a manifest of %d bytes; the limit is %d", manifest.usize, lim.XMLSize)
	}
	if err := c.verifyEntries(entries, manifest, xs); err != nil {
		return nil, err
	}
	if c.MediaType == asicSMediaType {
		if len(c.DataFiles) != 1 || strings.Contains(c.DataFiles[0].Name, "/") {
			return nil, readFail(Malformed, "an ASiC-S container holds one data file at its root; this one holds %d", len(c.DataFiles))
		}
		if len(c.Signatures) > 1 {
			return nil, readFail(Malformed, "an ASiC-S container holds one signature file; this one holds %d", len(c.Signatures))
		}
	}
	if manifest == nil {
		if c.MediaType == asicEMediaType {
			return nil, readFail(Malformed, "an ASiC-E container without META-INF/manifest.xml")
		}
		c.DataFiles[0].MediaType = asicSDefaultType
		return c, nil
	}
	return c, c.applyManifest(entries)
}

// isSignatureName says whether an entry is a XAdES signature file:
// META-INF/*signatures*.xml (EN 319 162-1 4.4.3.2), the rule libdigidocpp
// applies too ("signatures" anywhere after META-INF/).
func isSignatureName(name string) bool {
	rest, ok := strings.CutPrefix(name, "META-INF/")
	return ok && strings.Contains(rest, "signatures") && strings.HasSuffix(rest, ".xml")
}

// readMimetype checks the mimetype entry and sets the media type.
func (c *asicContainer) readMimetype(entries []zipEntry, i int) error {
	if i < 0 {
		return readFail(UnsupportedFormat, "a ZIP archive without a mimetype entry is not read as a container")
	}
	ze := &entries[i]
	if ze.start != 0 {
		return readFail(Malformed, "mimetype is not the first entry of the archive")
	}
	if ze.usize > 256 {
		return readFail(Malformed, "mimetype is too long to be a media type")
	}
	b := bytes.NewBuffer(make([]byte, 0, ze.usize))
	if err := ze.stream(b); err != nil {
		return err
	}
	if ze.method != zipStored {
		c.Deviations = append(c.Deviations, mimetypeCompressed)
	}
	if ze.localExtra {
		c.Deviations = append(c.Deviations, mimetypeExtraField)
	}
	raw := b.Bytes()
	mtb := bytes.TrimRight(bytes.TrimPrefix(raw, []byte("\ufeff")), " \t\r\n\f\v")
	if len(mtb) != len(raw) {
		c.Deviations = append(c.Deviations, mimetypePadded)
	}
	// The two media types are taken as the constants, not copied.
	switch string(mtb) {
	case asicEMediaType:
		c.MediaType = asicEMediaType
		return nil
	case asicSMediaType:
		c.MediaType = asicSMediaType
		return nil
	}
	switch mt := string(mtb); {
	case isMediaType(mt):
		return readFail(UnsupportedFormat, "a container of media type %q", clip(mt))
	}
	return readFail(Malformed, "mimetype does not hold a media type")
}

// isMediaType reports whether s has the shape type/subtype of RFC 6838
// (restricted names, no parameters).
func isMediaType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	name := func(p string) bool {
		if p == "" || len(p) > 127 {
			return false
		}
		for _, r := range p {
			if !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$&-^_.+", r))) {
				return false
			}
		}
		return true
	}
	return ok && name(typ) && name(sub)
}

// verifyEntries inflates every entry once: data files into their SHA-256,
// the manifest and signature files into memory, the rest to nowhere. It
// proves each entry's size and CRC. A data file's digest is made just
// before its entry is inflated and summed just after, so that one digest
// (with a host's buffer) is alive at a time; it is reset for the next.
func (c *asicContainer) verifyEntries(entries []zipEntry, manifest *zipEntry, xs *xmlScratch) error {
	sinks := map[*zipEntry]io.Writer{}
	data := map[*zipEntry]*asicFile{}
	for _, f := range c.DataFiles {
		data[f.entry] = f
	}
	// The XML files are read into buffers of their declared sizes (within
	// the limits, checked before), which streaming proves.
	xmls := map[*zipEntry]*bytes.Buffer{}
	for _, f := range c.Signatures {
		xmls[f.entry] = bytes.NewBuffer(make([]byte, 0, f.entry.usize))
		sinks[f.entry] = xmls[f.entry]
	}
	var mb bytes.Buffer
	if manifest != nil {
		mb.Grow(int(manifest.usize))
		sinks[manifest] = &mb
	}
	var d hash.Hash
	for i := range entries {
		ze := &entries[i]
		w := sinks[ze]
		f := data[ze]
		if f != nil {
			if d == nil {
				d = ze.hash.new(crypto.SHA256)
			} else {
				d.Reset()
			}
			w = d
		}
		if w == nil {
			w = io.Discard
		}
		if err := ze.stream(w); err != nil {
			return err
		}
		if f != nil {
			d.Sum(f.SHA256[:0])
			f.hashed = true
		}
	}
	for _, f := range c.Signatures {
		f.XML = xmls[f.entry].Bytes()
	}
	if manifest != nil {
		m, err := parseManifest(mb.Bytes(), xs)
		if err != nil {
			return err
		}
		c.Manifest = m
	}
	return nil
}

// applyManifest checks the manifest against the archive and gives each data
// file its media type. Folder entries ("…/") are skipped, as OpenDocument
// allows them; entries naming other files of the archive (mimetype,
// META-INF files) are allowed and ignored; every other must name a data
// file, as libdigidocpp requires.
func (c *asicContainer) applyManifest(entries []zipEntry) error {
	byName := map[string]*asicFile{}
	for _, f := range c.DataFiles {
		byName[f.Name] = f
	}
	inArchive := map[string]bool{}
	for i := range entries {
		inArchive[entries[i].name] = true
	}
	seen := map[string]bool{}
	root := false
	for _, e := range c.Manifest {
		switch {
		case e.Path == "/":
			if root {
				return readFail(Malformed, "the manifest gives the container's media type twice")
			}
			if e.MediaType != c.MediaType {
				return readFail(Malformed, "the manifest gives the container another media type than mimetype")
			}
			root = true
			continue
		case e.Path == "":
			return readFail(Malformed, "a manifest entry with an empty full-path")
		case strings.HasSuffix(e.Path, "/"):
			continue
		}
		if seen[e.Path] {
			return readFail(Malformed, "the manifest lists %q twice", clip(displayName(e.Path)))
		}
		seen[e.Path] = true
		if f := byName[e.Path]; f != nil {
			f.MediaType = e.MediaType
			continue
		}
		if !inArchive[e.Path] {
			return readFail(Malformed, "the manifest lists %q, which the container lacks", clip(displayName(e.Path)))
		}
	}
	if !root {
		return readFail(Malformed, "the manifest does not give the container's media type")
	}
	for _, f := range c.DataFiles {
		if !seen[f.Name] {
			return readFail(Malformed, "the data file %q is not in the manifest", clip(f.Display))
		}
	}
	return nil
}

// checkNames checks every entry name: a relative path of non-empty
// segments, none "." or "..", no backslash, no control character, at most
// 1024 bytes; unique, also after Unicode case folding; no file that is also
// a folder of another entry; META-INF spelled in capitals only. (Two names
// that differ only by Unicode normalization are not caught: that needs the
// normalization tables, which the module does not carry.)
func checkNames(entries []zipEntry) error {
	files, folders := map[string]bool{}, map[string]bool{}
	folded := make([]string, len(entries))
	for i := range entries {
		name := entries[i].name
		path, dir := strings.CutSuffix(name, "/")
		if len(name) > 1024 {
			return readFail(LimitExceeded, "an entry name of %d bytes; the limit is 1024", len(name))
		}
		if path == "" || strings.HasPrefix(path, "/") || strings.ContainsRune(path, '\\') {
			return readFail(Malformed, "an entry name %q is empty, absolute or has a backslash", clip(displayName(name)))
		}
		for _, r := range path {
			if unicode.IsControl(r) {
				return readFail(Malformed, "an entry name has a control character")
			}
		}
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return readFail(Malformed, "an entry name %q has an empty, \".\" or \"..\" segment", clip(displayName(name)))
			}
		}
		if dir && entries[i].usize != 0 {
			return readFail(Malformed, "a folder entry %q holds data", clip(displayName(name)))
		}
		first, _, _ := strings.Cut(path, "/")
		if first != "META-INF" && foldName(first) == "meta-inf" { // foldName("META-INF")
			return readFail(Malformed, "an entry under %q: META-INF in another case", clip(displayName(first)))
		}
		folded[i] = foldName(path)
		if files[folded[i]] {
			return readFail(Malformed, "two entries named %q (names are compared ignoring case)", clip(displayName(name)))
		}
		files[folded[i]] = true
		folders[folded[i]] = dir
	}
	// A file may not also be a folder: "a" and "a/b" would extract onto
	// each other.
	for i := range entries {
		p := folded[i]
		for j := strings.LastIndexByte(p, '/'); j > 0; j = strings.LastIndexByte(p[:j], '/') {
			if files[p[:j]] && !folders[p[:j]] {
				return readFail(Malformed, "%q is a file and a folder", clip(displayName(entries[i].name)))
			}
		}
	}
	return nil
}

// displayName is a name as a report or a page shows it. A name is shown as
// it is, except for the characters that could make a person read another
// name than the one in the archive: format characters (bidirectional
// overrides and isolates such as U+202E, which can turn "txt.exe" around,
// zero-width characters, the byte order mark), line and paragraph
// separators, private-use and unassigned code points. Each is written as
// \uXXXX (or \UXXXXXXXX). Names cannot hold a backslash (checkNames), so
// the escapes cannot be confused with the name's own text.
func displayName(name string) string {
	if printableASCII(name) {
		return name // every character shown as it is: no copy
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Zl, unicode.Zp) ||
			!unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08X`, r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// printableASCII says whether s holds only U+0020 to U+007E, characters
// displayName shows as they are.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
