package verifier

// A strict reader of the ZIP archives that carry DigiDoc containers
// (asic.go). It reads what ASiC needs (APPNOTE 6.3, stored and deflated
// entries, data descriptors) and refuses everything that lets two readers
// see two different archives: bytes that belong to no entry (prepended,
// between entries, after the end record except its comment), a local header
// that disagrees with the central directory, two end records, ZIP64 (whose
// second set of sizes a 32-bit reader would not see), a second name in a
// Unicode path field, encryption. Archives are read from memory; nothing is
// allocated by a declared size, and every entry is inflated once to prove
// its declared size and CRC true before anyone reads it (asic.go).

import (
	"cmp"
	"encoding/binary"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/apostille/apostille/internal/crc32ieee"
)

// ZIP record signatures and sizes (APPNOTE 4.3).
const (
	zipLocalSig       = 0x04034b50
	zipCentralSig     = 0x02014b50
	zipEndSig         = 0x06054b50
	zipEnd64LocSig    = 0x07064b50
	zipDescriptorSig  = 0x08074b50
	zipLocalLen       = 30
	zipCentralLen     = 46
	zipEndLen         = 22
	zipMaxCommentLen  = 0xffff
	zipFlagEncrypted  = 1 << 0
	zipFlagDescriptor = 1 << 3
	zipFlagStrongEnc  = 1 << 6
	zipFlagUTF8       = 1 << 11
	zipFlagMaskedHdr  = 1 << 13
	// zipFlagsAllowed are the general purpose bits a container may set:
	// the deflate level hints (1, 2), data descriptor (3) and UTF-8 (11).
	zipFlagsAllowed = 1<<1 | 1<<2 | zipFlagDescriptor | zipFlagUTF8
	zipStored       = 0
	zipDeflated     = 8
)

// zipEntry is one member of an archive, checked and verified.
type zipEntry struct {
	name   string
	flags  uint16
	method uint16
	crc    uint32
	csize  int64
	usize  int64
	data   []byte    // the entry's bytes as stored (compressed when deflated)
	inf    *inflater // the archive's, shared by its entries (inflate.go)
	// hash makes the host's digests and CRC, when it offers them
	// (Options.Hash).
	hash HashFunc
	// localExtra says the local header has an extra field (ASiC forbids
	// one on mimetype).
	localExtra bool
	// start and end delimit the entry's record: local header, data,
	// data descriptor.
	start, end int
	// tee is what stream writes to, held here so that it is not made for
	// each entry.
	tee crcTee
	own crcOwn // the CRC-32 state without a host's (newCRC)
}

// zipLimits bound the work of reading one archive; see asicLimits.
type zipLimits struct {
	entries    int
	entrySize  int64
	totalSize  int64
	ratio      int64
	ratioFloor int64
}

// readZip reads the central directory of data and checks every entry
// against its local header and the limits. It returns the entries in
// central directory order, not yet inflated: the caller streams each once
// (zipEntry.stream), which proves its sizes and CRC, before trusting it.
// inf is the inflater they share (nil: a new one).
func readZip(data []byte, lim zipLimits, inf *inflater) ([]zipEntry, error) {
	if len(data) < zipEndLen || binary.LittleEndian.Uint32(data) != zipLocalSig {
		return nil, readFail(Malformed, "not a ZIP archive, or bytes before its first entry")
	}
	end, err := findEnd(data)
	if err != nil {
		return nil, err
	}
	e := data[end:]
	count := int(binary.LittleEndian.Uint16(e[10:]))
	cdSize := int(binary.LittleEndian.Uint32(e[12:]))
	cdOff := int(binary.LittleEndian.Uint32(e[16:]))
	if binary.LittleEndian.Uint16(e[4:]) != 0 || binary.LittleEndian.Uint16(e[6:]) != 0 ||
		int(binary.LittleEndian.Uint16(e[8:])) != count {
		return nil, readFail(Malformed, "a multi-disk archive")
	}
	if count == 0xffff || cdSize == 0xffffffff || cdOff == 0xffffffff ||
		(end >= 20 && binary.LittleEndian.Uint32(data[end-20:]) == zipEnd64LocSig) {
		return nil, readFail(UnsupportedFormat, "a ZIP64 archive")
	}
	if count == 0 {
		return nil, readFail(Malformed, "an empty archive")
	}
	if count > lim.entries {
		return nil, readFail(LimitExceeded, "%d entries; the limit is %d", count, lim.entries)
	}
	if cdOff+cdSize != end || cdSize < count*zipCentralLen {
		return nil, readFail(Malformed, "the central directory does not end where the end record starts")
	}
	entries := make([]zipEntry, 0, count)
	if inf == nil {
		inf = &inflater{}
	}
	cd := data[cdOff:end]
	cds := string(cd) // the names are cut from one copy, not made one by one
	var total int64
	for i := 0; i < count; i++ {
		ze := zipEntry{inf: inf}
		n, err := readCentral(cd, cds, &ze, cdOff)
		if err != nil {
			return nil, err
		}
		cd, cds = cd[n:], cds[n:]
		if ze.usize > lim.entrySize {
			return nil, readFail(LimitExceeded, "an entry of %d bytes; the limit is %d", ze.usize, lim.entrySize)
		}
		if total += ze.usize; total > lim.totalSize {
			return nil, readFail(LimitExceeded, "more than %d bytes in all entries", lim.totalSize)
		}
		if ze.usize > lim.ratioFloor && ze.usize > ze.csize*lim.ratio {
			return nil, readFail(LimitExceeded, "an entry compressed more than %d to 1", lim.ratio)
		}
		entries = append(entries, ze)
	}
	if len(cd) != 0 {
		return nil, readFail(Malformed, "the central directory has bytes after its last entry")
	}
	for i := range entries {
		if err := readLocal(data, &entries[i], cdOff); err != nil {
			return nil, err
		}
	}
	if err := checkTiling(entries, cdOff); err != nil {
		return nil, err
	}
	return entries, nil
}

// findEnd finds the end of central directory record: the one place where
// its signature is followed by a comment that reaches exactly to the end of
// the input. Nothing may follow the comment, and a comment that holds a
// second such record is ambiguous. Every place in the last 64 KiB is
// looked at; eight at a time where none holds the signature's first byte
// (swar.go), which in compressed data is nearly everywhere.
func findEnd(data []byte) (int, error) {
	found := -1
	lo := max(0, len(data)-zipEndLen-zipMaxCommentLen)
	for i := len(data) - zipEndLen; i >= lo; i-- {
		if i-7 >= lo && !swarHas(binary.LittleEndian.Uint64(data[i-7:]), zipEndSig&0xff) {
			i -= 7 // none of i-7..i starts the signature
			continue
		}
		if binary.LittleEndian.Uint32(data[i:]) != zipEndSig {
			continue
		}
		if i+zipEndLen+int(binary.LittleEndian.Uint16(data[i+20:])) != len(data) {
			continue
		}
		if found >= 0 {
			return 0, readFail(Malformed, "two end of central directory records")
		}
		found = i
	}
	if found < 0 {
		return 0, readFail(Malformed, "no end of central directory record at the end: truncated, or bytes after the archive")
	}
	return found, nil
}

// readCentral reads one central directory header from the start of cd (cds
// is cd as a string) and returns its length.
func readCentral(cd []byte, cds string, ze *zipEntry, cdOff int) (int, error) {
	if len(cd) < zipCentralLen || binary.LittleEndian.Uint32(cd) != zipCentralSig {
		return 0, readFail(Malformed, "a central directory header cannot be read")
	}
	flags := binary.LittleEndian.Uint16(cd[8:])
	ze.method = binary.LittleEndian.Uint16(cd[10:])
	ze.crc = binary.LittleEndian.Uint32(cd[16:])
	csize, usize := binary.LittleEndian.Uint32(cd[20:]), binary.LittleEndian.Uint32(cd[24:])
	nameLen := int(binary.LittleEndian.Uint16(cd[28:]))
	extraLen := int(binary.LittleEndian.Uint16(cd[30:]))
	commentLen := int(binary.LittleEndian.Uint16(cd[32:]))
	disk := binary.LittleEndian.Uint16(cd[34:])
	off := binary.LittleEndian.Uint32(cd[42:])
	n := zipCentralLen + nameLen + extraLen + commentLen
	if len(cd) < n {
		return 0, readFail(Malformed, "a central directory header runs past the directory")
	}
	if flags&(zipFlagEncrypted|zipFlagStrongEnc|zipFlagMaskedHdr) != 0 {
		return 0, readFail(UnsupportedFormat, "an encrypted entry")
	}
	if flags&^zipFlagsAllowed != 0 {
		return 0, readFail(Malformed, "an entry with reserved flags set")
	}
	if ze.method != zipStored && ze.method != zipDeflated {
		return 0, readFail(UnsupportedFormat, "an entry compressed with method %d (ASiC allows stored and deflated)", ze.method)
	}
	if csize == 0xffffffff || usize == 0xffffffff || off == 0xffffffff {
		return 0, readFail(UnsupportedFormat, "a ZIP64 entry")
	}
	if disk != 0 || int(off) >= cdOff {
		return 0, readFail(Malformed, "an entry's local header is outside the archive's entries")
	}
	name := cd[zipCentralLen : zipCentralLen+nameLen]
	if nameLen == 0 || !utf8.Valid(name) {
		return 0, readFail(Malformed, "an entry name is empty or not UTF-8")
	}
	if err := checkExtra(cd[zipCentralLen+nameLen : zipCentralLen+nameLen+extraLen]); err != nil {
		return 0, err
	}
	ze.name = cds[zipCentralLen : zipCentralLen+nameLen]
	ze.csize, ze.usize, ze.start = int64(csize), int64(usize), int(off)
	if ze.method == zipStored && ze.csize != ze.usize {
		return 0, readFail(Malformed, "a stored entry whose sizes differ")
	}
	ze.flags = flags
	return n, nil
}

// checkExtra walks an extra field. It must be well-formed, and it may not
// carry what would change how the entry is read: ZIP64 sizes (0x0001), a
// second, Unicode name (0x7075, Info-ZIP), AES encryption (0x9901).
func checkExtra(x []byte) error {
	for len(x) > 0 {
		if len(x) < 4 || len(x) < 4+int(binary.LittleEndian.Uint16(x[2:])) {
			return readFail(Malformed, "an extra field is cut short")
		}
		switch binary.LittleEndian.Uint16(x) {
		case 0x0001:
			return readFail(UnsupportedFormat, "a ZIP64 entry")
		case 0x7075:
			return readFail(Malformed, "an entry carries a second name (Unicode path extra field)")
		case 0x9901:
			return readFail(UnsupportedFormat, "an encrypted entry")
		}
		x = x[4+int(binary.LittleEndian.Uint16(x[2:])):]
	}
	return nil
}

// readLocal reads an entry's local header and data descriptor and checks
// them against its central directory header.
func readLocal(data []byte, ze *zipEntry, cdOff int) error {
	flags := ze.flags
	at := ze.start
	if cdOff-at < zipLocalLen || binary.LittleEndian.Uint32(data[at:]) != zipLocalSig {
		return readFail(Malformed, "an entry's local header cannot be read")
	}
	h := data[at : at+zipLocalLen]
	lflags := binary.LittleEndian.Uint16(h[6:])
	lmethod := binary.LittleEndian.Uint16(h[8:])
	lcrc := binary.LittleEndian.Uint32(h[14:])
	lcsize, lusize := binary.LittleEndian.Uint32(h[18:]), binary.LittleEndian.Uint32(h[22:])
	nameLen := int(binary.LittleEndian.Uint16(h[26:]))
	extraLen := int(binary.LittleEndian.Uint16(h[28:]))
	body := at + zipLocalLen + nameLen + extraLen
	if body > cdOff || int64(cdOff-body) < ze.csize {
		return readFail(Malformed, "an entry runs into the central directory")
	}
	if string(data[at+zipLocalLen:at+zipLocalLen+nameLen]) != ze.name {
		return readFail(Malformed, "an entry's local header names another file than the central directory")
	}
	if lflags != flags || lmethod != ze.method {
		return readFail(Malformed, "an entry's local header and central directory disagree on flags or method")
	}
	if err := checkExtra(data[at+zipLocalLen+nameLen : body]); err != nil {
		return err
	}
	ze.localExtra = extraLen > 0
	same := lcrc == ze.crc && int64(lcsize) == ze.csize && int64(lusize) == ze.usize
	if flags&zipFlagDescriptor == 0 && !same {
		return readFail(Malformed, "an entry's local header and central directory disagree on sizes or CRC")
	}
	if flags&zipFlagDescriptor != 0 && !same && (lcrc != 0 || lcsize != 0 || lusize != 0) {
		return readFail(Malformed, "an entry's local header and central directory disagree on sizes or CRC")
	}
	ze.data = data[body : body+int(ze.csize)]
	ze.end = body + int(ze.csize)
	if flags&zipFlagDescriptor != 0 {
		n, err := readDescriptor(data[ze.end:cdOff], ze)
		if err != nil {
			return err
		}
		ze.end += n
	}
	return nil
}

// readDescriptor reads the data descriptor after an entry's data (APPNOTE
// 4.3.9): CRC and 32-bit sizes, with or without its signature. Both must
// agree with the central directory.
func readDescriptor(d []byte, ze *zipEntry) (int, error) {
	match := func(b []byte) bool {
		return len(b) >= 12 && binary.LittleEndian.Uint32(b) == ze.crc &&
			int64(binary.LittleEndian.Uint32(b[4:])) == ze.csize && int64(binary.LittleEndian.Uint32(b[8:])) == ze.usize
	}
	if len(d) >= 16 && binary.LittleEndian.Uint32(d) == zipDescriptorSig && match(d[4:]) {
		return 16, nil
	}
	if match(d) {
		return 12, nil
	}
	return 0, readFail(Malformed, "an entry's data descriptor is missing or disagrees with the central directory")
}

// checkTiling checks that the entries' records cover the bytes before the
// central directory exactly: no prepended data, no gaps that could hide
// another archive, no two entries sharing bytes.
func checkTiling(entries []zipEntry, cdOff int) error {
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(entries[a].start, entries[b].start) })
	at := 0
	for _, i := range idx {
		if entries[i].start != at {
			return readFail(Malformed, "bytes between or shared by entries")
		}
		at = entries[i].end
	}
	if at != cdOff {
		return readFail(Malformed, "bytes between the last entry and the central directory")
	}
	return nil
}

// stream writes the entry's content to w. Deflated data must be one
// complete DEFLATE stream filling exactly the stored bytes, inflating to
// exactly the declared size, with the declared CRC: anything else means
// that the archive lies about what it holds.
func (ze *zipEntry) stream(w io.Writer) error {
	sum := newCRC(ze)
	if d := ze.hash.crc32(); d != nil {
		sum = d
	}
	ze.tee = crcTee{sum, w}
	var err error
	if ze.method == zipStored {
		ze.tee.Write(ze.data)
	} else {
		err = ze.inf.inflate(&ze.tee, ze.data, ze.usize)
	}
	ze.tee = crcTee{} // w is the caller's
	if err != nil {
		return err
	}
	return ze.checkCRC(sum)
}

// crcTee writes to a CRC-32 and to w, as io.MultiWriter(sum, w) does.
type crcTee struct {
	sum crc32Writer
	w   io.Writer
}

func (t *crcTee) Write(p []byte) (int, error) {
	n, err := t.sum.Write(p)
	if err == nil && n == len(p) {
		n, err = t.w.Write(p)
	}
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

func (ze *zipEntry) checkCRC(sum crc32Writer) error {
	if sum.Sum32() != ze.crc {
		return readFail(Malformed, "an entry's CRC does not match its data")
	}
	return nil
}

// crcTable is the table of the ZIP CRC-32, made by the inflater that first
// needs it (a table kept in the package would be global state).
type crcTable = crc32ieee.Table

func newCRCTable() *crcTable { return crc32ieee.MakeTable() }

// crcTable returns the CRC-32 table of z's archives, made on first use.
func (z *inflater) crcTable() *crcTable {
	if z.crcs == nil {
		z.crcs = newCRCTable()
	}
	return z.crcs
}

// crc32Writer is a CRC-32 being computed: the verifier's crcWriter or a
// host's hash.Hash32.
type crc32Writer interface {
	io.Writer
	Sum32() uint32
}

// crcWriter computes the CRC-32 of what is written to it.
type crcWriter struct {
	t   *crcTable
	sum uint32
}

func (w *crcWriter) Write(p []byte) (int, error) {
	w.sum = crc32ieee.Update(w.sum, w.t, p)
	return len(p), nil
}

func (w *crcWriter) Sum32() uint32 { return w.sum }
