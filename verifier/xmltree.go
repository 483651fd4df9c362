package verifier

// A strict XML reader for XAdES signature documents: readXML builds a tree
// from the tokens of xmltok.go, with its own namespace resolution, and
// refuses what the tree cannot hold exactly. The same tree is what the
// signature code interprets and what c14n.go canonicalises, so what is
// hashed and what is read never come from two parses.
//
// The reader was built on encoding/xml's RawToken, which resolves no
// namespaces, does not normalise white space in attribute values as XML
// 1.0 section 3.3.3 says, and accepts a second root, text after the root,
// processing instructions and a document type (golang/go#43168); those
// rules are readXML's own. The tokenizer that replaced encoding/xml (it is
// slow in WebAssembly, xmltok.go says why) keeps encoding/xml's checks of
// characters, references and comments, and its reasons, exactly; line
// ends in comments are normalised here. A namespace name holding a
// character that canonical XML escapes is refused: libxml2 escapes it
// otherwise than the standard, so no one form of it can be hashed for
// everyone.
//
// API (kept stable for the XAdES code):
//
//	readXML(b, lim) (*xmlDocument, error)  the document; Root is its element
//	xmlLimits{Size, Depth, Elements, Attrs}; zero values take defaults
//	xmlElement{Space, Local, Prefix, Attrs, NS, Children, Parent}
//	  .Child(space, local) / .ChildrenNamed(space, local) / .Elements()
//	  .Attr(space, local) (value, ok) / .Text() / .InScope() / .Contains(e) / .Doc()
//	xmlDocument.ByID(id) *xmlElement  (duplicate Ids are refused by readXML;
//	  Id, ID, id and xml:id share one space of names)
//
// Failures: XMLForbidden for a document type, entity or processing
// instruction; LimitExceeded past a limit; Malformed otherwise.

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Namespace names XML fixes (Namespaces in XML 1.0, section 3).
const (
	xmlNamespace   = "http://www.w3.org/XML/1998/namespace"
	xmlnsNamespace = "http://www.w3.org/2000/xmlns/"
)

// xmlLimits bound the work of reading one document.
type xmlLimits struct {
	Size     int // bytes of the document; default 4 MiB
	Depth    int // element nesting; default 64
	Elements int // elements in the document; default 20,000
	Attrs    int // attributes and namespace declarations of one element; default 64
}

func (l xmlLimits) withDefaults() xmlLimits {
	if l.Size <= 0 {
		l.Size = 4 << 20
	}
	if l.Depth <= 0 {
		l.Depth = 64
	}
	if l.Elements <= 0 {
		l.Elements = 20000
	}
	if l.Attrs <= 0 {
		l.Attrs = 64
	}
	return l
}

// xmlNodeKind says what a child of an element is.
type xmlNodeKind uint8

const (
	xmlElementNode xmlNodeKind = iota
	xmlTextNode
	xmlCommentNode
)

// xmlNode is one child of an element: an element, text (character data
// with references resolved and line ends normalised, CDATA sections
// included) or a comment.
type xmlNode struct {
	Kind xmlNodeKind
	Elem *xmlElement // for xmlElementNode
	Text string      // for xmlTextNode and xmlCommentNode
}

// xmlAttr is an attribute other than a namespace declaration. Space is the
// namespace URI ("" for an unprefixed attribute), Prefix as written.
type xmlAttr struct {
	Space, Local, Prefix, Value string
}

// xmlNS is a namespace declaration: Prefix "" is the default namespace.
type xmlNS struct {
	Prefix, URI string
}

// xmlElement is one element. Space is its namespace URI, Prefix as
// written; NS are the declarations on this element, in document order.
type xmlElement struct {
	Space, Local, Prefix string
	Attrs                []xmlAttr
	NS                   []xmlNS
	Children             []xmlNode
	Parent               *xmlElement
	doc                  *xmlDocument
}

// xmlDocument is a document read by readXML.
type xmlDocument struct {
	Root *xmlElement
	ids  map[string]*xmlElement
	c14n *c14nWriter // canonicalize's, kept for the next call (c14n.go)
}

// idAttrs are the attribute names that identify an element for a
// same-document reference. XMLDSig and XAdES use "Id"; the others are
// counted too so that no second element can answer to a name a
// consumer might resolve.
func isIDAttr(a xmlAttr) bool {
	if a.Space == "" {
		return a.Local == "Id" || a.Local == "ID" || a.Local == "id"
	}
	return a.Space == xmlNamespace && a.Local == "id"
}

// ByID returns the element whose Id is id, or nil.
func (d *xmlDocument) ByID(id string) *xmlElement { return d.ids[id] }

// Doc returns the document e belongs to.
func (e *xmlElement) Doc() *xmlDocument { return e.doc }

// Attr returns the value of the attribute (space, local). The element
// accessors are kept out of line: the XAdES reader calls them at dozens of
// places, and each inlined copy is module code (20 KB in all).
//
//go:noinline
func (e *xmlElement) Attr(space, local string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Space == space && a.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// Elements returns the element children, in order. The lists here are
// counted before they are made, so that each costs one allocation (none
// when empty): in WebAssembly each costs ten times what it does natively.
//
//go:noinline
func (e *xmlElement) Elements() []*xmlElement {
	n := e.elementCount()
	if n == 0 {
		return nil
	}
	out := make([]*xmlElement, 0, n)
	for _, c := range e.Children {
		if c.Kind == xmlElementNode {
			out = append(out, c.Elem)
		}
	}
	return out
}

// elementCount returns the number of element children.
//
//go:noinline
func (e *xmlElement) elementCount() int {
	n := 0
	for _, c := range e.Children {
		if c.Kind == xmlElementNode {
			n++
		}
	}
	return n
}

// ChildrenNamed returns the element children named (space, local).
//
//go:noinline
func (e *xmlElement) ChildrenNamed(space, local string) []*xmlElement {
	first, n := e.firstNamed(space, local)
	if n <= 1 {
		if first == nil {
			return nil
		}
		return []*xmlElement{first}
	}
	out := make([]*xmlElement, 0, n)
	for _, c := range e.Children {
		if c.Kind == xmlElementNode && c.Elem.Space == space && c.Elem.Local == local {
			out = append(out, c.Elem)
		}
	}
	return out
}

// firstNamed returns the first element child named (space, local), nil
// for none, and how many there are: ChildrenNamed for a caller that wants
// one of them, without making the list.
//
//go:noinline
func (e *xmlElement) firstNamed(space, local string) (*xmlElement, int) {
	var first *xmlElement
	n := 0
	for _, c := range e.Children {
		if c.Kind == xmlElementNode && c.Elem.Space == space && c.Elem.Local == local {
			if n++; n == 1 {
				first = c.Elem
			}
		}
	}
	return first, n
}

// named returns the element n is when it is named (space, local), else
// nil: a loop over Children with it lists nothing.
//
//go:noinline
func (n xmlNode) named(space, local string) *xmlElement {
	if n.Kind == xmlElementNode && n.Elem.Space == space && n.Elem.Local == local {
		return n.Elem
	}
	return nil
}

// Child returns the only element child named (space, local); nil when
// there is none or more than one, so a caller that expects one cannot be
// handed the first of two.
//
//go:noinline
func (e *xmlElement) Child(space, local string) *xmlElement {
	if c, n := e.firstNamed(space, local); n == 1 {
		return c
	}
	return nil
}

// Text returns the concatenated text children (comments left out); one
// text child is returned as it is, without a copy.
//
//go:noinline
func (e *xmlElement) Text() string {
	var one string
	n := 0
	for _, c := range e.Children {
		if c.Kind == xmlTextNode {
			one = c.Text
			n++
		}
	}
	if n <= 1 {
		return one
	}
	var b strings.Builder
	for _, c := range e.Children {
		if c.Kind == xmlTextNode {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// Contains reports whether d is e or one of its descendants.
func (e *xmlElement) Contains(d *xmlElement) bool {
	for ; d != nil; d = d.Parent {
		if d == e {
			return true
		}
	}
	return false
}

// InScope returns the namespaces in scope at e, by prefix, the nearest
// declaration winning; a default namespace undeclared with xmlns="" maps
// "" to "".
func (e *xmlElement) InScope() map[string]string {
	m := map[string]string{}
	e.addScope(m)
	return m
}

// addScope adds the declarations of e's ancestors, then e's, to m.
func (e *xmlElement) addScope(m map[string]string) {
	if e.Parent != nil {
		e.Parent.addScope(m)
	}
	for _, ns := range e.NS {
		m[ns.Prefix] = ns.URI
	}
}

// readXML reads a whole document under lim. A UTF-8 byte order mark
// before it is allowed; the XML declaration may only say version 1.0 and
// encoding UTF-8.
func readXML(b []byte, lim xmlLimits) (*xmlDocument, error) {
	return (*xmlScratch)(nil).readXML(b, lim)
}

// readXML is readXML working in x (nil: in new memory), which it leaves
// empty for the next document.
func (x *xmlScratch) readXML(b []byte, lim xmlLimits) (*xmlDocument, error) {
	lim = lim.withDefaults()
	if len(b) > lim.Size {
		return nil, readFail(LimitExceeded, "XML document larger than %d bytes", lim.Size)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, readFail(Malformed, "XML document is not UTF-8")
	}
	var r *xmlReader
	if x == nil {
		r = &xmlReader{xmlScratch: &xmlScratch{}}
	} else {
		r = &x.reader // the scratch's, not made for each document
		r.xmlScratch = x
	}
	r.b, r.s, r.lim, r.doc = b, string(b), lim, &xmlDocument{ids: map[string]*xmlElement{}}
	err := r.read()
	doc := r.doc
	if x != nil {
		x.reset()
	}
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// checkXMLDecl accepts <?xml version="1.0" encoding="UTF-8"
// standalone="..."?> with encoding and standalone optional.
func checkXMLDecl(inst string) error {
	s := attrScan{b: inst, inside: true} // as "<x " + inst + ">"
	var nb, vb [4]string
	names, vals, err := s.scan(nb[:0], vb[:0])
	if err != nil || len(names) == 0 || names[0] != "version" || vals[0] != "1.0" {
		return readFail(Malformed, "XML declaration is not version 1.0")
	}
	for i := 1; i < len(names); i++ {
		switch {
		case names[i] == "encoding" && strings.EqualFold(vals[i], "UTF-8") && i == 1:
		case names[i] == "standalone" && (vals[i] == "yes" || vals[i] == "no"):
		default:
			return readFail(Malformed, "XML declaration other than version 1.0, UTF-8")
		}
	}
	return nil
}

// checkPrefixDecl applies Namespaces in XML 1.0 section 3 to xmlns:p="uri".
func checkPrefixDecl(p, uri string) error {
	switch {
	case uri == "":
		return readFail(Malformed, "XML namespace prefix undeclared (XML 1.1 only)")
	case p == "xmlns", uri == xmlnsNamespace:
		return readFail(Malformed, "XML namespace xmlns declared")
	case (p == "xml") != (uri == xmlNamespace):
		return readFail(Malformed, "XML namespace xml bound to another name")
	}
	return nil
}

func resolvePrefix(scope map[string]string, p string) (string, bool) {
	if p == "xml" {
		return xmlNamespace, true
	}
	uri, ok := scope[p]
	if p == "" {
		return uri, true
	}
	return uri, ok && uri != ""
}

// splitQName splits prefix:local; neither part may be empty or hold a
// second colon.
func splitQName(n string) (prefix, local string, ok bool) {
	i := strings.IndexByte(n, ':')
	if i < 0 {
		return "", n, n != ""
	}
	prefix, local = n[:i], n[i+1:]
	return prefix, local, prefix != "" && local != "" && !strings.Contains(local, ":")
}

// attrScan reads a start tag that is already known well-formed (the
// XML declaration, as "<x version=... >", for checkXMLDecl): its name, then each attribute's name and value, the value
// normalised as XML 1.0 sections 2.11 and 3.3.3 say (line ends to LF, then
// each literal white-space character to a space, references resolved
// after, so &#10; stays a line feed).
// With inside, b is what follows a tag's name, its end standing for the
// tag's '>'.
type attrScan struct {
	b      string
	i      int
	name   string
	inside bool
}

var errAttrScan = errors.New("start tag")

func (s *attrScan) scan(names, vals []string) ([]string, []string, error) {
	bad := errAttrScan
	if !s.inside {
		if len(s.b) < 2 || s.b[0] != '<' {
			return nil, nil, bad
		}
		s.i = 1
		s.name = s.word()
	}
	for {
		s.space()
		if s.i >= len(s.b) {
			if s.inside {
				return names, vals, nil
			}
			return nil, nil, bad
		}
		if c := s.b[s.i]; c == '>' || c == '/' {
			return names, vals, nil
		}
		n := s.word()
		s.space()
		if n == "" || s.i >= len(s.b) || s.b[s.i] != '=' {
			return nil, nil, bad
		}
		s.i++
		s.space()
		if s.i >= len(s.b) || (s.b[s.i] != '"' && s.b[s.i] != '\'') {
			return nil, nil, bad
		}
		q := s.b[s.i]
		end := strings.IndexByte(s.b[s.i+1:], q)
		if end < 0 {
			return nil, nil, bad
		}
		v, ok := attrValue(s.b[s.i+1 : s.i+1+end])
		if !ok {
			return nil, nil, bad
		}
		s.i += end + 2
		names, vals = append(names, n), append(vals, v)
	}
}

func (s *attrScan) word() string {
	j := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n', '=', '>', '/':
			return s.b[j:s.i]
		}
		s.i++
	}
	return s.b[j:s.i]
}

func (s *attrScan) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n') {
		s.i++
	}
}

// attrValue normalises one raw attribute value; one with nothing to
// normalise is returned as it is.
func attrValue(raw string) (string, bool) {
	if !strings.ContainsAny(raw, "\r\n\t<&") {
		return raw, true
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
		case '\n', '\t':
			b.WriteByte(' ')
		case '<':
			return "", false
		case '&':
			j := strings.IndexByte(raw[i:], ';')
			if j < 0 {
				return "", false
			}
			r, ok := xmlCharRef(raw[i+1 : i+j])
			if !ok {
				return "", false
			}
			b.WriteString(r)
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// xmlCharRef resolves a character reference or one of the five
// predefined entities; no other entity exists here.
func xmlCharRef(ref string) (string, bool) {
	switch ref {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "apos":
		return "'", true
	case "quot":
		return `"`, true
	}
	if !strings.HasPrefix(ref, "#") {
		return "", false
	}
	base, digits := 10, ref[1:]
	if strings.HasPrefix(digits, "x") {
		base, digits = 16, digits[1:]
	}
	if digits == "" || len(digits) > 8 || strings.ContainsAny(digits, "+-") {
		return "", false
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !isXMLChar(rune(n)) {
		return "", false
	}
	return string(rune(n)), true
}

// isXMLChar is XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
