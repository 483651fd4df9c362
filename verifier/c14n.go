package verifier

// Canonical XML of an element subtree, as XML Signature canonicalises a
// SignedInfo, a SignedProperties or any element a same-document reference
// names: the document subset is the element with its descendants, its
// attributes and its namespace nodes, so the namespaces in scope from
// ancestors that are not in the subset are part of it.
//
// API (kept stable for the XAdES code):
//
//	c14nMethodOf(uri, prefixList) (c14nMethod, error)
//	canonicalize(e, m, exclude) ([]byte, error)   exclude: an element left out (enveloped signature), or nil
//
// Methods: Canonical XML 1.0 (inclusive; xml:* attributes of the omitted
// ancestors are inherited by the apex), Canonical XML 1.1 (xml:lang and
// xml:space inherited; an inherited xml:base, which 1.1 would have to
// resolve, is refused as unsupported), Exclusive XML Canonicalization 1.0
// (only visibly used namespaces, plus the InclusiveNamespaces PrefixList),
// each with or without comments.
//
// It works on xmltree.go's tree so that the module needs neither etree
// nor goxmldsig; hosts reach it through CanonicalXML (xmlcanon.go), which
// the demo's XAdES writer and internal/tsl's whole-list digest use.

import (
	"slices"
	"strings"
)

// Canonicalisation algorithm identifiers (XMLDSig 1.1 section 6.6).
const (
	c14n10URI             = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	c14n10CommentsURI     = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	c14n11URI             = "http://www.w3.org/2006/12/xml-c14n11"
	c14n11CommentsURI     = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	excC14NURI            = "http://www.w3.org/2001/10/xml-exc-c14n#"
	excC14NCommentsURI    = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	envelopedSignatureURI = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
)

// maxPrefixList bounds an InclusiveNamespaces PrefixList.
const maxPrefixList = 64

// c14nMethod is one canonicalisation method with its parameters.
type c14nMethod struct {
	URI       string
	Exclusive bool
	V11       bool
	Comments  bool
	// Prefixes is the exclusive method's InclusiveNamespaces PrefixList,
	// "" standing for #default.
	Prefixes []string
}

// c14nMethodOf returns the method a URI names; prefixList is the
// InclusiveNamespaces PrefixList of an exclusive method (ignored for the
// others, which take no parameter). An unknown URI is UnsupportedAlg.
func c14nMethodOf(uri, prefixList string) (c14nMethod, error) {
	m := c14nMethod{URI: uri}
	switch uri {
	case c14n10URI:
	case c14n10CommentsURI:
		m.Comments = true
	case c14n11URI:
		m.V11 = true
	case c14n11CommentsURI:
		m.V11, m.Comments = true, true
	case excC14NURI, excC14NCommentsURI:
		m.Exclusive, m.Comments = true, uri == excC14NCommentsURI
		fields := strings.Fields(prefixList)
		if len(fields) > maxPrefixList {
			// Each element of the subset looks at every listed prefix.
			return m, readFail(LimitExceeded, "InclusiveNamespaces PrefixList longer than %d", maxPrefixList)
		}
		for _, p := range fields {
			if p == "#default" {
				p = ""
			}
			m.Prefixes = append(m.Prefixes, p)
		}
	default:
		return m, readFail(UnsupportedAlg, "canonicalisation method not supported")
	}
	return m, nil
}

// canonicalize writes the canonical form of the subtree at e under m,
// leaving out the subtree at exclude (nil for none).
func canonicalize(e *xmlElement, m c14nMethod, exclude *xmlElement) ([]byte, error) {
	w := e.doc.c14nWriter()
	w.m, w.exclude = m, exclude
	size := c14nSize(e) + 64
	if e.Parent != nil {
		e.Parent.addScope(w.scope)
		for p, uri := range w.scope {
			size += len(p) + len(uri) + 10
		}
	}
	w.b = make([]byte, 0, size)
	inherited, err := w.inheritedAttrs(e)
	if err != nil {
		return nil, err
	}
	w.element(e, inherited, true)
	b := w.b
	w.b, w.exclude = nil, nil
	return b, nil
}

// c14nWriter returns the document's writer, emptied, made on first use:
// a document is canonicalised several times (SignedInfo, SignedProperties,
// SignatureValue for each time stamp), one call at a time, and the writer
// and its maps are then made once. Without a document (d nil), a new one.
func (d *xmlDocument) c14nWriter() *c14nWriter {
	var w *c14nWriter
	if d != nil && d.c14n != nil {
		w = d.c14n
		// New maps rather than emptied ones: clearing a map links the
		// runtime's map clearing into the module (2 KB).
		w.scope, w.rendered = map[string]string{}, nil
	} else {
		// The scratch made once, about the size a signature needs.
		w = &c14nWriter{scope: map[string]string{}, decls: make([]string, 0, 8), attrs: make([]xmlAttr, 0, 8), undo: make([]c14nUndo, 0, 16)}
		if d != nil {
			d.c14n = w
		}
	}
	w.decls, w.attrs, w.undo = w.decls[:0], w.attrs[:0], w.undo[:0]
	return w
}

// c14nSize is about the length of e's canonical form, as written (escapes
// and namespaces declared anew make it longer; the buffer then grows): the
// buffer it is written to is made once, of about its size.
func c14nSize(e *xmlElement) int {
	n := 2*(len(e.Prefix)+len(e.Local)) + 6
	for _, a := range e.Attrs {
		n += len(a.Prefix) + len(a.Local) + len(a.Value) + 5
	}
	for _, ns := range e.NS {
		n += len(ns.Prefix) + len(ns.URI) + 10
	}
	for _, c := range e.Children {
		if c.Kind == xmlElementNode {
			n += c14nSize(c.Elem)
		} else {
			n += len(c.Text) + 7
		}
	}
	return n
}

// c14nWriter appends the canonical form to b. decls and attrs are scratch
// for one element at a time (used up before its children are written), so
// that an element costs no allocation of its own. scope maps the prefixes
// in scope at the element being written to their URIs, rendered those
// the output ancestors declared; an element changes them for its
// descendants and undo changes them back when it ends, so that no map is
// made per element.
type c14nWriter struct {
	m        c14nMethod
	exclude  *xmlElement
	b        []byte
	decls    []string
	attrs    []xmlAttr
	sorted   []xmlAttr // attrs in order
	order    []int
	scope    map[string]string
	rendered map[string]string
	undo     []c14nUndo
}

// c14nUndo restores one binding of scope or rendered: old, or none.
type c14nUndo struct {
	rendered    bool
	prefix, old string
	had         bool
}

// bind sets prefix to uri in scope or rendered, to be undone.
//
//go:noinline
func (w *c14nWriter) bind(rendered bool, prefix, uri string) {
	m := w.scope
	if rendered {
		if w.rendered == nil {
			w.rendered = map[string]string{}
		}
		m = w.rendered
	}
	old, had := m[prefix]
	w.undo = append(w.undo, c14nUndo{rendered, prefix, old, had})
	m[prefix] = uri
}

// unbind undoes the bindings after the first n.
func (w *c14nWriter) unbind(n int) {
	for i := len(w.undo) - 1; i >= n; i-- {
		u := w.undo[i]
		m := w.scope
		if u.rendered {
			m = w.rendered
		}
		if u.had {
			m[u.prefix] = u.old
		} else {
			delete(m, u.prefix)
		}
	}
	w.undo = w.undo[:n]
}

// inheritedAttrs are the xml:* attributes the apex takes from its omitted
// ancestors (Canonical XML 1.0 section 2.4; 1.1 section 2.4 keeps xml:lang
// and xml:space, and fixes up xml:base, which is refused here). The
// exclusive method inherits none.
func (w *c14nWriter) inheritedAttrs(e *xmlElement) ([]xmlAttr, error) {
	if w.m.Exclusive {
		return nil, nil
	}
	var out []xmlAttr
	have := map[string]bool{}
	for _, a := range e.Attrs {
		if a.Space == xmlNamespace {
			have[a.Local] = true
		}
	}
	for p := e.Parent; p != nil; p = p.Parent {
		for _, a := range p.Attrs {
			if a.Space != xmlNamespace || have[a.Local] {
				continue
			}
			if w.m.V11 {
				if a.Local == "base" {
					return nil, readFail(UnsupportedAlg, "Canonical XML 1.1 of an element under an xml:base")
				}
				if a.Local != "lang" && a.Local != "space" {
					continue
				}
			}
			have[a.Local] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// element writes e; w.scope and w.rendered are those of its parent.
func (w *c14nWriter) element(e *xmlElement, extra []xmlAttr, apex bool) {
	mark := len(w.undo)
	for _, ns := range e.NS {
		w.bind(false, ns.Prefix, ns.URI)
	}
	scope, rendered := w.scope, w.rendered
	decls := w.decls[:0]
	if w.m.Exclusive {
		decls = append(decls, e.Prefix)
		for _, a := range e.Attrs {
			if a.Prefix != "" && a.Prefix != "xml" {
				decls = append(decls, a.Prefix)
			}
		}
		for _, p := range w.m.Prefixes {
			if _, ok := scope[p]; ok {
				decls = append(decls, p)
			}
		}
	} else if apex {
		for p := range scope {
			decls = append(decls, p)
		}
	} else {
		// Below the apex the output parent has rendered every namespace
		// in its scope: only this element's declarations can differ.
		for _, ns := range e.NS {
			decls = append(decls, ns.Prefix)
		}
	}
	slices.Sort(decls)
	decls = slices.Compact(decls)
	w.decls = decls
	w.b = append(w.b, '<')
	w.qname(e.Prefix, e.Local)
	for _, p := range decls {
		uri := scope[p]
		if prev, ok := rendered[p]; (ok && prev == uri) || (!ok && p == "" && uri == "") {
			continue
		}
		if p != "" && uri == "" {
			continue
		}
		w.bind(true, p, uri)
		if p == "" {
			w.b = append(w.b, ` xmlns="`...)
		} else {
			w.b = append(w.b, " xmlns:"...)
			w.b = append(w.b, p...)
			w.b = append(w.b, `="`...)
		}
		w.b = escapeAttr(w.b, uri)
		w.b = append(w.b, '"')
	}
	attrs := e.Attrs
	if len(extra) > 0 || len(attrs) > 1 {
		all := append(append(w.attrs[:0], attrs...), extra...)
		w.attrs = all
		w.order = sortIndex(len(all), func(i, j int) int {
			if c := strings.Compare(all[i].Space, all[j].Space); c != 0 {
				return c
			}
			return strings.Compare(all[i].Local, all[j].Local)
		}, w.order)
		w.sorted = w.sorted[:0]
		for _, i := range w.order {
			w.sorted = append(w.sorted, all[i])
		}
		attrs = w.sorted
	}
	for _, a := range attrs {
		w.b = append(w.b, ' ')
		w.qname(a.Prefix, a.Local)
		w.b = append(w.b, `="`...)
		w.b = escapeAttr(w.b, a.Value)
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, '>')
	for _, c := range e.Children {
		switch c.Kind {
		case xmlElementNode:
			if c.Elem != w.exclude {
				w.element(c.Elem, nil, false)
			}
		case xmlTextNode:
			w.b = escapeText(w.b, c.Text)
		case xmlCommentNode:
			if w.m.Comments {
				w.b = append(w.b, "<!--"...)
				w.b = append(w.b, c.Text...)
				w.b = append(w.b, "-->"...)
			}
		}
	}
	w.b = append(w.b, "</"...)
	w.qname(e.Prefix, e.Local)
	w.b = append(w.b, '>')
	w.unbind(mark)
}

// qname appends prefix:local, or local without a prefix.
//
//go:noinline
func (w *c14nWriter) qname(prefix, local string) {
	if prefix != "" {
		w.b = append(append(w.b, prefix...), ':')
	}
	w.b = append(w.b, local...)
}

// escapeText escapes character data (Canonical XML 1.0 section 2.3). The
// escapers stay out of line: inlined at each call they cost the module
// kilobytes.
//
//go:noinline
func escapeText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		// Runs with nothing to escape (base64 text) are copied whole.
		j := i
		for j < len(s) && s[j] != '&' && s[j] != '<' && s[j] != '>' && s[j] != '\r' {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// escapeAttr escapes an attribute value (Canonical XML 1.0 section 2.3).
//
//go:noinline
func escapeAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\t':
			b = append(b, "&#x9;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
