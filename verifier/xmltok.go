package verifier

// The tokenizer under readXML. It replaced encoding/xml's Decoder, which
// reads one byte at a time through an io.ByteReader: an interface call per
// byte (getc, text, readName), cheap natively but, compiled to
// WebAssembly, 38% of a DigiDoc container's time in the module. This
// one walks the []byte with an index and allocates only the strings the
// tree keeps.
//
// It accepts and refuses what encoding/xml in Strict mode did, with the
// same reasons, checked against encoding/xml itself by
// xmltree_diff_test.go: names after XML 1.0 first edition (xmlnames.go);
// references only to the five predefined entities and to characters;
// Char checked in text, CDATA and attribute values (not in comments, as
// encoding/xml did not); "--" only at a comment's end; "]]>" never in
// text; CR LF and a lone CR read as LF in text and CDATA. Where
// encoding/xml's error said "entity &name", the reason is XMLForbidden
// (an entity the document would have to declare), otherwise Malformed.
// The one deliberate difference: a character reference to a surrogate
// code point in text (&#xD800;), which encoding/xml turned silently into
// U+FFFD, is refused (errXMLSurrogateRef): XML 1.0's Legal Character
// constraint forbids it and libxml2 refuses it, so the tree would hold a
// character no other verifier reads.
//
// Start tags are read in xmlstarttag.go.

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// errXMLSurrogateRef refuses a character reference to a surrogate in text
// (see above); the differential test knows it by identity.
var errXMLSurrogateRef error = &readError{Malformed, "XML character reference to a surrogate code point"}

// Classes of bytes, one table lookup per byte in the scanning loops.
const (
	cName      = 1 << iota // encoding/xml's readName goes on over it (all bytes from 0x80)
	cNameFirst             // an ASCII character that may start a name
	cNameNext              // an ASCII character that may follow in a name
	cText                  // needs no look in text: a Char, not < & ] CR or a lead byte EF
	cAttr                  // the same in an attribute value: not < & " ' TAB LF CR EF
)

var xmlByteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit := '0' <= c && c <= '9'
		if letter || digit || c == '_' || c == ':' || c == '.' || c == '-' || c >= 0x80 {
			t[c] |= cName
		}
		if letter || c == '_' || c == ':' {
			t[c] |= cNameFirst
		}
		if letter || digit || c == '_' || c == ':' || c == '.' || c == '-' {
			t[c] |= cNameNext
		}
		if (c >= 0x20 || c == '\t' || c == '\n') && c != '<' && c != '&' && c != ']' && c != 0xEF {
			t[c] |= cText
		}
		if c >= 0x20 && c != '<' && c != '&' && c != '"' && c != '\'' && c != 0xEF {
			t[c] |= cAttr
		}
	}
	return t
}()

type xmlReader struct {
	b     []byte
	s     string // b as a string, made once: the tree's names, values and text are cut from it
	lim   xmlLimits
	doc   *xmlDocument
	cur   *xmlElement
	depth int
	count int
	ended bool // the root element is closed
	*xmlScratch

	// The tree is allocated in slabs, not an object per element, attribute
	// list and child list: in WebAssembly an allocation costs ten times
	// what it does natively, and the tree was most of a container's.
	elems    []xmlElement
	nodeSlab []xmlNode
	attrSlab []xmlAttr
	nsSlab   []xmlNS
}

// xmlScratch is the reader's working memory, none of it part of the tree,
// kept from one document to the next (containerscratch.go). An open
// element's children gather in kids (open holds where each open
// element's begin) and are copied to the slab, exactly sized, when it ends.
type xmlScratch struct {
	scope  map[string]string // the namespaces in scope at the open element
	undo   []nsUndo          // how to restore scope, innermost declaration last
	reader xmlReader         // the reader, emptied after each document
	attrs  []rawAttr         // the attributes of the start tag being read
	buf    []byte            // text with references or CRs, decoded
	kids   []xmlNode
	open   []openMark
}

// openMark is where an open element's children begin in kids and its
// declarations in undo.
type openMark struct{ kids, undo int }

// nsUndo restores a prefix's binding as it was before an element declared
// it: old, or none (the canonicaliser's type, rendered false: one type,
// one equality function in the module).
type nsUndo = c14nUndo

// reset empties the scratch after a document, dropping what refers to it
// (the slices of plain numbers and bytes hold nothing to drop) and any
// buffer a large document grew.
func (x *xmlScratch) reset() {
	const most = 4096 // items kept of a slice, 64 KiB of buf
	x.reader = xmlReader{}
	x.scope = nil // a new one for the next document (clearing a map costs the module 2 KB of code)
	if cap(x.undo) > most {
		x.undo = nil
	} else {
		clear(x.undo[:cap(x.undo)])
		x.undo = x.undo[:0]
	}
	if cap(x.kids) > most {
		x.kids = nil
	} else {
		clear(x.kids[:cap(x.kids)])
		x.kids = x.kids[:0]
	}
	if cap(x.attrs) > most {
		x.attrs = nil
	}
	if cap(x.open) > most {
		x.open = nil
	}
	x.open = x.open[:0]
	if cap(x.buf) > 16*most {
		x.buf = nil
	}
}

// newElement returns a zero element from the slab.
func (r *xmlReader) newElement() *xmlElement {
	if len(r.elems) == cap(r.elems) {
		r.elems = make([]xmlElement, 0, slabSize(cap(r.elems), 256))
	}
	r.elems = r.elems[:len(r.elems)+1]
	return &r.elems[len(r.elems)-1]
}

// slabSize is the size of the next slab after one of n: twice as large,
// from 16 to most.
func slabSize(n, most int) int {
	return min(max(2*n, 16), most)
}

// slabRoom returns an empty slice at the free end of *slab with room for n
// items, for slabTake; a new slab is begun when the old has not the room.
func slabRoom[T any](slab *[]T, n int) []T {
	s := *slab
	if cap(s)-len(s) < n {
		s = make([]T, 0, max(slabSize(cap(s), 512), n))
		*slab = s
	}
	return s[len(s):]
}

// slabTake takes from *slab the items appended to a slice slabRoom
// returned (nil for none), with no room to grow into the next.
func slabTake[T any](slab *[]T, got []T) []T {
	n := len(got)
	if n == 0 {
		return nil
	}
	*slab = (*slab)[:len(*slab)+n]
	return got[:n:n]
}

// slabCopy returns a copy of src cut from *slab (nil for none), with no
// room to grow into the slab's next items.
//
//go:noinline
func slabCopy[T any](slab *[]T, src []T) []T {
	n := len(src)
	if n == 0 {
		return nil
	}
	s := *slab
	if cap(s)-len(s) < n {
		s = make([]T, 0, max(slabSize(cap(s), 512), n))
	}
	i := len(s)
	s = append(s, src...)
	*slab = s
	return s[i : i+n : i+n]
}

// rawAttr is an attribute of a start tag as written: b[n0:n1] its name,
// b[v0:v1] its value between the quotes; norm says the value holds a
// reference or white space other than a space.
type rawAttr struct {
	n0, n1, v0, v1 int
	norm           bool
}

func (r *xmlReader) read() error {
	b := r.b
	for p, first := 0, true; p < len(b); first = false {
		var err error
		if b[p] != '<' {
			p, err = r.text(p)
		} else {
			p, err = r.markup(p+1, first)
		}
		if err != nil {
			return err
		}
	}
	if r.doc.Root == nil || !r.ended {
		return readFail(Malformed, "XML document has no complete root element")
	}
	return nil
}

func errXMLSyntax() error { return readFail(Malformed, "XML is not well-formed") }

// scanName returns the end of the run of name bytes at p.
func scanName(b []byte, p int) int {
	for p < len(b) && xmlByteClass[b[p]]&cName != 0 {
		p++
	}
	return p
}

func skipXMLSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n') {
		p++
	}
	return p
}

// nameOK is what encoding/xml asks of an element or attribute name: a
// name with at most one colon.
func nameOK(n []byte) bool {
	return isXMLName(n) && bytes.Count(n, []byte{':'}) <= 1
}

// markup reads what starts with '<'; p is just after it.
func (r *xmlReader) markup(p int, first bool) (int, error) {
	b := r.b
	if p == len(b) {
		return 0, errXMLSyntax()
	}
	switch b[p] {
	case '/':
		return r.endTag(p + 1)
	case '?':
		return r.procInst(p+1, first)
	case '!':
		return r.bang(p + 1)
	}
	return r.startTag(p)
}

func (r *xmlReader) endTag(p int) (int, error) {
	b := r.b
	q := scanName(b, p)
	if q == p || q == len(b) {
		return 0, errXMLSyntax()
	}
	name := b[p:q]
	q = skipXMLSpace(b, q)
	if q == len(b) || b[q] != '>' {
		return 0, errXMLSyntax()
	}
	// A name equal to its start tag's is a name; any other is refused.
	e := r.cur
	if e == nil || !sameQName(name, e.Prefix, e.Local) {
		return 0, readFail(Malformed, "XML end tag does not match its start tag")
	}
	r.end()
	return q + 1, nil
}

func sameQName(n []byte, prefix, local string) bool {
	if prefix == "" {
		return string(n) == local
	}
	return len(n) == len(prefix)+1+len(local) && string(n[:len(prefix)]) == prefix &&
		n[len(prefix)] == ':' && string(n[len(prefix)+1:]) == local
}

func (r *xmlReader) end() {
	m := r.open[len(r.open)-1]
	r.open = r.open[:len(r.open)-1]
	for i := len(r.undo) - 1; i >= m.undo; i-- {
		if u := r.undo[i]; u.had {
			r.scope[u.prefix] = u.old
		} else {
			delete(r.scope, u.prefix)
		}
	}
	r.undo = r.undo[:m.undo]
	k := m.kids
	r.cur.Children = slabCopy(&r.nodeSlab, r.kids[k:])
	// Not cleared here (each clear of pointers costs write barriers while
	// the collector runs): what is left past len(kids) is the tree's own,
	// and the scratch is cleared when the document ends (reset).
	r.kids = r.kids[:k]
	r.cur = r.cur.Parent
	r.depth--
	if r.cur == nil {
		r.ended = true
	}
}

// procInst reads <?target ...?>: the XML declaration if it comes first,
// refused otherwise.
func (r *xmlReader) procInst(p int, first bool) (int, error) {
	b := r.b
	q := scanName(b, p)
	if q == p || q == len(b) || !isXMLName(b[p:q]) {
		return 0, errXMLSyntax()
	}
	target := r.s[p:q]
	q = skipXMLSpace(b, q)
	k := bytes.Index(b[q:], []byte("?>"))
	if k < 0 {
		return 0, errXMLSyntax()
	}
	if target != "xml" {
		return 0, readFail(XMLForbidden, "XML processing instruction")
	}
	inst := r.s[q : q+k]
	// encoding/xml's own look at any <?xml ...?>, before readXML's.
	if v := procInstParam("version=", inst); v != "" && v != "1.0" {
		return 0, readFail(Malformed, "XML version other than 1.0")
	}
	if e := procInstParam("encoding=", inst); e != "" && !strings.EqualFold(e, "utf-8") {
		return 0, readFail(Malformed, "XML encoding other than UTF-8")
	}
	if !first {
		return 0, readFail(XMLForbidden, "XML processing instruction")
	}
	if err := checkXMLDecl(inst); err != nil {
		return 0, err
	}
	return q + k + 2, nil
}

// procInstParam is encoding/xml's procInst: the value of name="..." or
// name='...' in s, found loosely (the first param, "name=", followed by a
// quote), "" if none.
func procInstParam(param, s string) string {
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || len(param)+k >= len(sub) {
			return ""
		}
		i += len(param) + k + 1
		if c := sub[len(param)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang reads a comment, a CDATA section or a declaration; p is after "<!".
func (r *xmlReader) bang(p int) (int, error) {
	b := r.b
	if p == len(b) {
		return 0, errXMLSyntax()
	}
	switch b[p] {
	case '-':
		if p+1 == len(b) || b[p+1] != '-' {
			return 0, errXMLSyntax()
		}
		p += 2
		// The first "--" ends the comment and must be followed by '>'.
		k := bytes.Index(b[p:], []byte("--"))
		if k < 0 || p+k+2 == len(b) || b[p+k+2] != '>' {
			return 0, errXMLSyntax()
		}
		r.comment(p, p+k)
		return p + k + 3, nil
	case '[':
		if !bytes.HasPrefix(b[p+1:], []byte("CDATA[")) {
			return 0, errXMLSyntax()
		}
		p += 7
		k := bytes.Index(b[p:], []byte("]]>"))
		if k < 0 {
			return 0, errXMLSyntax()
		}
		if err := r.cdata(p, p+k); err != nil {
			return 0, err
		}
		return p + k + 3, nil
	}
	if !declarationEnds(b, p) {
		return 0, errXMLSyntax()
	}
	return 0, readFail(XMLForbidden, "XML document type or other declaration")
}

// declarationEnds reports whether the declaration (<!DOCTYPE ...> and the
// like) whose first byte is b[p] ends before the input does, as
// encoding/xml scans it: quotes and nested <...> counted, comments
// skipped. Ended, it is refused as XMLForbidden; cut short, as Malformed.
func declarationEnds(b []byte, p int) bool {
	p++ // the first byte is taken as it is
	var quote byte
	depth := 0
	for p < len(b) {
		c := b[p]
		p++
		if quote == 0 && c == '>' && depth == 0 {
			return true
		}
	handle:
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			for _, want := range []byte("!--") {
				if p == len(b) {
					return false
				}
				c = b[p]
				p++
				if c != want {
					depth++
					goto handle
				}
			}
			k := bytes.Index(b[p:], []byte("-->"))
			if k < 0 {
				return false
			}
			p += k + 3
		}
	}
	return false
}

// ref reads the reference at b[p] == '&' as encoding/xml did: the
// character it stands for and the index after its ';'. A reference to an
// entity other than the five predefined ones is XMLForbidden; a broken
// character reference, or one past U+10FFFF, is Malformed.
func (r *xmlReader) ref(p int) (rune, int, error) {
	b := r.b
	j := p + 1
	if j == len(b) {
		return 0, 0, errXMLSyntax()
	}
	if b[j] == '#' {
		j++
		base := uint64(10)
		if j < len(b) && b[j] == 'x' {
			base, j = 16, j+1
		}
		start := j
		var n uint64
		for ; j < len(b); j++ {
			d := uint64(hexDigit(b[j]))
			if d >= base {
				break
			}
			// Held just past the largest code point so that any
			// number of digits cannot overflow.
			if n = n*base + d; n > utf8.MaxRune {
				n = utf8.MaxRune + 1
			}
		}
		if j == len(b) || b[j] != ';' || j == start || n > utf8.MaxRune {
			return 0, 0, readFail(Malformed, "XML character reference")
		}
		return rune(n), j + 1, nil
	}
	q := scanName(b, j)
	if q == len(b) {
		return 0, 0, errXMLSyntax()
	}
	if b[q] == ';' {
		switch string(b[j:q]) {
		case "lt":
			return '<', q + 1, nil
		case "gt":
			return '>', q + 1, nil
		case "amp":
			return '&', q + 1, nil
		case "apos":
			return '\'', q + 1, nil
		case "quot":
			return '"', q + 1, nil
		}
	}
	return 0, 0, readFail(XMLForbidden, "XML entity reference")
}

func hexDigit(c byte) uint8 {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// notCharAt reports whether the character at b[p], a lead byte 0xEF of
// valid UTF-8, is U+FFFE or U+FFFF, the only characters of three bytes
// outside XML's Char (surrogates are not valid UTF-8).
func notCharAt(b []byte, p int) bool {
	return p+2 < len(b) && b[p+1] == 0xBF && b[p+2] >= 0xBE
}

// text reads character data from p to the next '<' or the end.
func (r *xmlReader) text(p int) (int, error) {
	b := r.b
	start, mark := p, p // b[mark:p] is not yet in r.buf
	decoded, bad := false, false
	buf := r.buf[:0]
scan:
	for p < len(b) {
		if p+8 <= len(b) && xmlText8(load64(r.s, p)) {
			p += 8
			continue
		}
		c := b[p]
		if xmlByteClass[c]&cText != 0 {
			p++
			continue
		}
		switch c {
		case '<':
			break scan
		case '&':
			rn, q, err := r.ref(p)
			if err != nil {
				return 0, err
			}
			if 0xD800 <= rn && rn <= 0xDFFF {
				return 0, errXMLSurrogateRef
			}
			bad = bad || !isXMLChar(rn)
			buf = utf8.AppendRune(append(buf, b[mark:p]...), rn)
			p, mark, decoded = q, q, true
		case '\r':
			buf = append(append(buf, b[mark:p]...), '\n')
			if p++; p < len(b) && b[p] == '\n' {
				p++
			}
			mark, decoded = p, true
		case ']':
			if p+2 < len(b) && b[p+1] == ']' && b[p+2] == '>' {
				return 0, readFail(Malformed, "XML text holds ]]>")
			}
			p++
		case 0xEF:
			bad = bad || notCharAt(b, p)
			p++
		default: // a control character
			bad = true
			p++
		}
	}
	if bad {
		return 0, readFail(Malformed, "XML text holds a character outside XML's Char")
	}
	if decoded {
		buf = append(buf, b[mark:p]...)
		r.buf = buf
		return p, r.chars(string(buf))
	}
	return p, r.chars(r.s[start:p])
}

// cdata takes the content of a CDATA section, b[i:j]: no references, line
// ends read as in text.
func (r *xmlReader) cdata(i, j int) error {
	t := r.b[i:j]
	for p := 0; p < len(t); p++ {
		if c := t[p]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xEF && notCharAt(t, p) {
			return readFail(Malformed, "XML CDATA section holds a character outside XML's Char")
		}
	}
	if bytes.IndexByte(t, '\r') >= 0 {
		r.buf = normalizeNewlines(r.buf[:0], t)
		return r.chars(string(r.buf))
	}
	return r.chars(r.s[i:j])
}

// normalizeNewlines appends t to dst with CR LF and a lone CR as LF.
func normalizeNewlines(dst, t []byte) []byte {
	for p := 0; p < len(t); p++ {
		if t[p] != '\r' {
			dst = append(dst, t[p])
			continue
		}
		dst = append(dst, '\n')
		if p+1 < len(t) && t[p+1] == '\n' {
			p++
		}
	}
	return dst
}

// chars adds text to the open element, joined to a text node just
// before it. Outside the root only white space may stand.
func (r *xmlReader) chars(t string) error {
	if r.cur == nil {
		if len(strings.Trim(t, " \t\r\n")) != 0 {
			return readFail(Malformed, "XML text outside the root element")
		}
		return nil
	}
	n := len(r.kids)
	if n > r.open[len(r.open)-1].kids && r.kids[n-1].Kind == xmlTextNode {
		r.kids[n-1].Text += t
	} else {
		r.kids = append(r.kids, xmlNode{Kind: xmlTextNode, Text: t})
	}
	return nil
}

// comment keeps a comment inside the root, its line ends normalised
// (XML 1.0 section 2.11); one outside the root is dropped.
func (r *xmlReader) comment(i, j int) {
	if r.cur == nil {
		return
	}
	t := r.s[i:j]
	if strings.IndexByte(t, '\r') >= 0 {
		t = string(normalizeNewlines(nil, r.b[i:j]))
	}
	r.kids = append(r.kids, xmlNode{Kind: xmlCommentNode, Text: t})
}
