package verifier

// Start tags: the tokenizer's reading of one (xmltok.go), then readXML's
// judgement of it, in encoding/xml's order: a tag is read whole, with the
// checks of its names, reference syntax and value characters, before a
// second root and the limits are looked at, and those before the rest.

import "strings"

// startTag reads <name attr="value" ...> or its empty form; p is after
// '<'. The tag is read whole before it is judged (startElement), as
// encoding/xml did.
func (r *xmlReader) startTag(p int) (int, error) {
	b := r.b
	q := scanName(b, p)
	if q == p || q == len(b) || !nameOK(b[p:q]) {
		return 0, errXMLSyntax()
	}
	n0, n1 := p, q
	p = q
	attrs := r.attrs[:0]
	count, empty := 0, false
	for {
		p = skipXMLSpace(b, p)
		if p == len(b) {
			return 0, errXMLSyntax()
		}
		if b[p] == '>' {
			p++
			break
		}
		if b[p] == '/' {
			if p+1 == len(b) || b[p+1] != '>' {
				return 0, errXMLSyntax()
			}
			p, empty = p+2, true
			break
		}
		// No white space needed before an attribute, as in encoding/xml.
		a := rawAttr{n0: p, n1: scanName(b, p)}
		if a.n1 == p || a.n1 == len(b) || !nameOK(b[p:a.n1]) {
			return 0, errXMLSyntax()
		}
		p = skipXMLSpace(b, a.n1)
		if p == len(b) || b[p] != '=' {
			return 0, errXMLSyntax()
		}
		p = skipXMLSpace(b, p+1)
		if p == len(b) || b[p] != '"' && b[p] != '\'' {
			return 0, errXMLSyntax()
		}
		var err error
		if p, err = r.scanAttrValue(&a, p); err != nil {
			return 0, err
		}
		// Past the limit they are only counted (the tag is refused once
		// read), so memory stays within the limit however many there are.
		if count++; count <= r.lim.Attrs {
			attrs = append(attrs, a)
		}
	}
	r.attrs = attrs
	if err := r.startElement(n0, n1, attrs, count); err != nil {
		return 0, err
	}
	if empty {
		r.end()
	}
	return p, nil
}

// scanAttrValue scans the quoted value at b[p] into a, with the tokenizer's
// checks (references, characters); the value itself is made, normalised,
// by startElement.
func (r *xmlReader) scanAttrValue(a *rawAttr, p int) (int, error) {
	b := r.b
	quote := b[p]
	p++
	a.v0 = p
	bad := false
	for {
		if p == len(b) {
			return 0, errXMLSyntax()
		}
		c := b[p]
		if xmlByteClass[c]&cAttr != 0 {
			p++
			continue
		}
		switch c {
		case quote:
			a.v1 = p
			if bad {
				return 0, readFail(Malformed, "XML attribute value holds a character outside XML's Char")
			}
			return p + 1, nil
		case '<':
			return 0, readFail(Malformed, "XML attribute value holds <")
		case '&':
			rn, q, err := r.ref(p)
			if err != nil {
				return 0, err
			}
			// encoding/xml read a surrogate as U+FFFD here; attrValue
			// refuses it later, with the Char check of readXML.
			bad = bad || !isXMLChar(rn) && (rn < 0xD800 || rn > 0xDFFF)
			p, a.norm = q, true
		case '\t', '\n', '\r':
			p, a.norm = p+1, true
		case '"', '\'':
			p++
		case 0xEF:
			bad = bad || notCharAt(b, p)
			p++
		default: // a control character
			bad = true
			p++
		}
	}
}

// startElement judges a start tag the tokenizer has read whole: a second
// root and the limits first, then the attribute values (normalised as XML
// 1.0 section 3.3.3 says), names and namespaces. count is the number of
// attributes in the tag, raw the first of them (all, within the limit).
func (r *xmlReader) startElement(name0, name1 int, raw []rawAttr, count int) error {
	if r.ended {
		return readFail(Malformed, "XML document has a second root element")
	}
	r.depth++
	r.count++
	if r.depth > r.lim.Depth {
		return readFail(LimitExceeded, "XML nesting deeper than %d", r.lim.Depth)
	}
	if r.count > r.lim.Elements {
		return readFail(LimitExceeded, "XML document with more than %d elements", r.lim.Elements)
	}
	if count > r.lim.Attrs {
		return readFail(LimitExceeded, "XML element with more than %d attributes", r.lim.Attrs)
	}
	e := r.newElement()
	e.Parent, e.doc = r.cur, r.doc
	// The attributes and declarations are written where they stay, at the
	// free end of their slabs, and taken when the tag is judged (a copy
	// would write each string twice, with a write barrier each while the
	// collector runs).
	attrs, nss := slabRoom(&r.attrSlab, len(raw)), slabRoom(&r.nsSlab, len(raw))
	var seen map[string]bool // past a few attributes; below, a look back
	if len(raw) > 8 {
		seen = make(map[string]bool, len(raw))
	}
	for i, a := range raw {
		n := r.s[a.n0:a.n1]
		if seen != nil {
			if seen[n] {
				return readFail(Malformed, "XML attribute repeated")
			}
			seen[n] = true
		} else {
			for _, o := range raw[:i] {
				if r.s[o.n0:o.n1] == n {
					return readFail(Malformed, "XML attribute repeated")
				}
			}
		}
		v := r.s[a.v0:a.v1]
		if a.norm {
			var ok bool
			if v, ok = attrValue(r.s[a.v0:a.v1]); !ok {
				return readFail(Malformed, "XML attribute value")
			}
		}
		prefix, local, ok := splitQName(n)
		if !ok {
			return readFail(Malformed, "XML attribute name is not a qualified name")
		}
		if (prefix == "xmlns" || prefix == "" && local == "xmlns") && strings.ContainsAny(v, "&<\"\t\n\r") {
			// Canonical XML escapes these in a namespace URI and
			// libxml2 (xmlsec1, libdigidocpp) writes & as &#38;: two
			// implementations would hash two different forms.
			return readFail(Malformed, "XML namespace name with a character canonicalisation escapes")
		}
		switch {
		case prefix == "" && local == "xmlns":
			if v == xmlNamespace || v == xmlnsNamespace {
				return readFail(Malformed, "XML default namespace bound to a reserved name")
			}
			nss = append(nss, xmlNS{"", internNS(v)})
		case prefix == "xmlns":
			if err := checkPrefixDecl(local, v); err != nil {
				return err
			}
			if local != "xml" {
				nss = append(nss, xmlNS{local, internNS(v)})
			}
		default:
			attrs = append(attrs, xmlAttr{Local: local, Prefix: prefix, Value: v})
		}
	}
	e.NS = slabTake(&r.nsSlab, nss)
	if r.cur != nil {
		r.kids = append(r.kids, xmlNode{Kind: xmlElementNode, Elem: e})
	} else {
		r.doc.Root = e
	}
	r.cur = e
	r.open = append(r.open, openMark{len(r.kids), len(r.undo)})
	// One map holds the namespaces in scope, changed by the declarations
	// of an element and changed back when it ends (xmlReader.end): no map
	// is made for an element, and each lookup is one.
	if r.scope == nil {
		r.scope = map[string]string{}
	}
	scope := r.scope
	for _, ns := range e.NS {
		old, had := scope[ns.Prefix]
		r.undo = append(r.undo, nsUndo{prefix: ns.Prefix, old: old, had: had})
		scope[ns.Prefix] = ns.URI
	}
	prefix, local, ok := splitQName(r.s[name0:name1])
	if !ok {
		return readFail(Malformed, "XML element name is not a qualified name")
	}
	e.Prefix, e.Local = prefix, local
	if p := e.Parent; p != nil && len(e.NS) == 0 && p.Prefix == prefix {
		// The parent's scope and prefix: its namespace, without a lookup.
		e.Space = p.Space
	} else if e.Space, ok = resolvePrefix(scope, prefix); !ok {
		return readFail(Malformed, "XML element prefix is not declared")
	}
	for i := range attrs {
		a := &attrs[i]
		if a.Prefix != "" {
			if a.Space, ok = resolvePrefix(scope, a.Prefix); !ok {
				return readFail(Malformed, "XML attribute prefix is not declared")
			}
		}
		for _, b := range attrs[:i] {
			if b.Space == a.Space && b.Local == a.Local {
				return readFail(Malformed, "XML attribute repeated under two prefixes")
			}
		}
		if isIDAttr(*a) {
			if _, dup := r.doc.ids[a.Value]; dup {
				return readFail(Malformed, "XML Id used twice")
			}
			r.doc.ids[a.Value] = e
		}
	}
	e.Attrs = slabTake(&r.attrSlab, attrs)
	return nil
}

// knownNamespaces are the namespace names the verifier compares elements'
// with. A declaration of one takes the constant, so that a comparison
// with it finds the same pointer and stops there: the module's memequal
// compares byte by byte otherwise, and element names are compared often.
var knownNamespaces = [...]string{dsNS, xadesNS, xades141NS, asicNS, manifestNS, excC14NURI}

//go:noinline
func internNS(uri string) string {
	for _, k := range knownNamespaces {
		if uri == k {
			return k
		}
	}
	return uri
}
