package verifier

// readXMLOracle is readXML as it was before xmltok.go: the same tree built
// from encoding/xml's RawToken stream. It is kept, in a test file only, as
// the oracle of xmltree_diff_test.go: the hand-written tokenizer must
// accept, refuse (with the same reason) and build exactly what this one
// does, but for the deliberate refusals documented there.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

func readXMLOracle(b []byte, lim xmlLimits) (*xmlDocument, error) {
	lim = lim.withDefaults()
	if len(b) > lim.Size {
		return nil, readFail(LimitExceeded, "XML document larger than %d bytes", lim.Size)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, readFail(Malformed, "XML document is not UTF-8")
	}
	r := &oracleReader{b: b, lim: lim, doc: &xmlDocument{ids: map[string]*xmlElement{}}}
	if err := r.read(); err != nil {
		return nil, err
	}
	return r.doc, nil
}

type oracleReader struct {
	b      []byte
	lim    xmlLimits
	doc    *xmlDocument
	d      *xml.Decoder
	cur    *xmlElement
	depth  int
	count  int
	scopes []map[string]string // namespaces in scope at each open element
	ended  bool                // the root element is closed
}

func (r *oracleReader) read() error {
	r.d = xml.NewDecoder(bytes.NewReader(r.b))
	r.d.Strict = true
	var prev int64
	first := true
	for {
		tok, err := r.d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) && strings.Contains(se.Msg, "entity &") && !strings.Contains(se.Msg, "&#") {
				return readFail(XMLForbidden, "XML entity reference")
			}
			return readFail(Malformed, "XML is not well-formed")
		}
		off := r.d.InputOffset()
		if err := r.token(tok, r.b[prev:off], first); err != nil {
			return err
		}
		prev, first = off, false
	}
	if r.doc.Root == nil || !r.ended {
		return readFail(Malformed, "XML document has no complete root element")
	}
	return nil
}

func (r *oracleReader) token(tok xml.Token, raw []byte, first bool) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return r.start(t, raw)
	case xml.EndElement:
		if r.cur == nil || t.Name.Space != r.cur.Prefix || t.Name.Local != r.cur.Local {
			return readFail(Malformed, "XML end tag does not match its start tag")
		}
		r.cur = r.cur.Parent
		r.scopes = r.scopes[:len(r.scopes)-1]
		r.depth--
		if r.cur == nil {
			r.ended = true
		}
	case xml.CharData:
		if r.cur == nil {
			if len(bytes.Trim(t, " \t\r\n")) != 0 {
				return readFail(Malformed, "XML text outside the root element")
			}
			return nil
		}
		n := len(r.cur.Children)
		if n > 0 && r.cur.Children[n-1].Kind == xmlTextNode {
			r.cur.Children[n-1].Text += string(t)
		} else {
			r.cur.Children = append(r.cur.Children, xmlNode{Kind: xmlTextNode, Text: string(t)})
		}
	case xml.Comment:
		if r.cur != nil {
			// encoding/xml leaves line ends in comments as written;
			// XML 1.0 section 2.11 normalises them in the whole document.
			c := strings.ReplaceAll(strings.ReplaceAll(string(t), "\r\n", "\n"), "\r", "\n")
			r.cur.Children = append(r.cur.Children, xmlNode{Kind: xmlCommentNode, Text: c})
		}
	case xml.ProcInst:
		if t.Target != "xml" || !first {
			return readFail(XMLForbidden, "XML processing instruction")
		}
		return checkXMLDecl(string(t.Inst))
	case xml.Directive:
		return readFail(XMLForbidden, "XML document type or other declaration")
	default:
		return readFail(Malformed, "unexpected XML token")
	}
	return nil
}

func (r *oracleReader) start(t xml.StartElement, raw []byte) error {
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
	if len(t.Attr) > r.lim.Attrs {
		return readFail(LimitExceeded, "XML element with more than %d attributes", r.lim.Attrs)
	}
	s := attrScan{b: string(raw)}
	names, vals, err := s.scan(nil, nil)
	if err != nil || len(names) != len(t.Attr) || s.name != rawName(t.Name) {
		return readFail(Malformed, "XML start tag")
	}
	e := &xmlElement{Parent: r.cur, doc: r.doc}
	type pending struct{ prefix, local, value string }
	var attrs []pending
	seen := map[string]bool{}
	for i, n := range names {
		if n != rawName(t.Attr[i].Name) || seen[n] {
			return readFail(Malformed, "XML attribute repeated or misread")
		}
		seen[n] = true
		prefix, local, ok := splitQName(n)
		if !ok {
			return readFail(Malformed, "XML attribute name is not a qualified name")
		}
		if (prefix == "xmlns" || prefix == "" && local == "xmlns") && strings.ContainsAny(vals[i], "&<\"\t\n\r") {
			// Canonical XML escapes these in a namespace URI and
			// libxml2 (xmlsec1, libdigidocpp) writes & as &#38;: two
			// implementations would hash two different forms.
			return readFail(Malformed, "XML namespace name with a character canonicalisation escapes")
		}
		switch {
		case prefix == "" && local == "xmlns":
			if vals[i] == xmlNamespace || vals[i] == xmlnsNamespace {
				return readFail(Malformed, "XML default namespace bound to a reserved name")
			}
			e.NS = append(e.NS, xmlNS{"", vals[i]})
		case prefix == "xmlns":
			if err := checkPrefixDecl(local, vals[i]); err != nil {
				return err
			}
			if local != "xml" {
				e.NS = append(e.NS, xmlNS{local, vals[i]})
			}
		default:
			attrs = append(attrs, pending{prefix, local, vals[i]})
		}
	}
	if r.cur != nil {
		r.cur.Children = append(r.cur.Children, xmlNode{Kind: xmlElementNode, Elem: e})
	} else {
		r.doc.Root = e
	}
	r.cur = e
	// The scope is built once per element that declares a namespace and
	// shared by the others, so a deep document costs no more than its size.
	var scope map[string]string
	if n := len(r.scopes); n > 0 {
		scope = r.scopes[n-1]
	}
	if len(e.NS) > 0 || scope == nil {
		next := make(map[string]string, len(scope)+len(e.NS))
		for k, v := range scope {
			next[k] = v
		}
		for _, ns := range e.NS {
			next[ns.Prefix] = ns.URI
		}
		scope = next
	}
	r.scopes = append(r.scopes, scope)
	prefix, local, ok := splitQName(s.name)
	if !ok {
		return readFail(Malformed, "XML element name is not a qualified name")
	}
	e.Prefix, e.Local = prefix, local
	if e.Space, ok = resolvePrefix(scope, prefix); !ok {
		return readFail(Malformed, "XML element prefix is not declared")
	}
	for _, a := range attrs {
		space := ""
		if a.prefix != "" {
			if space, ok = resolvePrefix(scope, a.prefix); !ok {
				return readFail(Malformed, "XML attribute prefix is not declared")
			}
		}
		for _, b := range e.Attrs {
			if b.Space == space && b.Local == a.local {
				return readFail(Malformed, "XML attribute repeated under two prefixes")
			}
		}
		at := xmlAttr{Space: space, Local: a.local, Prefix: a.prefix, Value: a.value}
		e.Attrs = append(e.Attrs, at)
		if isIDAttr(at) {
			if _, dup := r.doc.ids[at.Value]; dup {
				return readFail(Malformed, "XML Id used twice")
			}
			r.doc.ids[at.Value] = e
		}
	}
	return nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
