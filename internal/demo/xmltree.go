package demo

// A small XML tree for the demo's XAdES signatures, with two writers: the
// document form (every namespace declared once, on the root, as DigiDoc
// clients write it) and Exclusive XML Canonicalization 1.0 of a subtree
// (https://www.w3.org/TR/xml-exc-c14n/), which is what the signatures
// digest. Owning both writers means the digested bytes are exactly the
// canonical form of what the document holds, with no canonicaliser
// guessing at a serialiser's choices. Every element and attribute the demo
// writes is prefixed or unqualified; there is no default namespace.

import (
	"sort"
	"strings"
)

var xmlNamespaces = map[string]string{
	"asic":     "http://uri.etsi.org/02918/v1.2.1#",
	"ds":       "http://www.w3.org/2000/09/xmldsig#",
	"xades":    "http://uri.etsi.org/01903/v1.3.2#",
	"xades141": "http://uri.etsi.org/01903/v1.4.1#",
}

type xnode struct {
	name  string      // prefix:local
	attrs [][2]string // unqualified attributes
	text  string
	kids  []*xnode
}

// el makes an element; attrs are name, value pairs.
func el(name string, attrs ...string) *xnode {
	n := &xnode{name: name}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.attrs = append(n.attrs, [2]string{attrs[i], attrs[i+1]})
	}
	return n
}

func (n *xnode) add(kids ...*xnode) *xnode {
	n.kids = append(n.kids, kids...)
	return n
}

func (n *xnode) txt(s string) *xnode {
	n.text = s
	return n
}

func prefixOf(name string) string {
	p, _, _ := strings.Cut(name, ":")
	return p
}

// document writes the tree with the root declaring the given prefixes.
func (n *xnode) document(prefixes ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n")
	n.write(&b, prefixes, nil)
	return []byte(b.String())
}

// excC14N is the exclusive canonical form of the subtree at n.
func (n *xnode) excC14N() []byte {
	var b strings.Builder
	n.write(&b, nil, map[string]bool{})
	return []byte(b.String())
}

// write serialises n. With rendered nil, the prefixes given are declared
// here and nowhere below; otherwise (canonical form) a prefix is declared
// where it is visibly used and no output ancestor declared it.
func (n *xnode) write(b *strings.Builder, declare []string, rendered map[string]bool) {
	b.WriteString("<" + n.name)
	if rendered != nil {
		if p := prefixOf(n.name); !rendered[p] {
			rendered = cloneSet(rendered)
			rendered[p] = true
			declare = []string{p}
		}
	}
	sort.Strings(declare)
	for _, p := range declare {
		b.WriteString(" xmlns:" + p + `="` + escapeAttr(xmlNamespaces[p]) + `"`)
	}
	attrs := append([][2]string(nil), n.attrs...)
	sort.Slice(attrs, func(i, j int) bool { return attrs[i][0] < attrs[j][0] })
	for _, a := range attrs {
		b.WriteString(" " + a[0] + `="` + escapeAttr(a[1]) + `"`)
	}
	b.WriteString(">")
	b.WriteString(escapeText(n.text))
	for _, k := range n.kids {
		k.write(b, nil, rendered)
	}
	b.WriteString("</" + n.name + ">")
}

func cloneSet(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// escapeText and escapeAttr escape as canonical XML does (C14N 1.0 5.2).
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s)
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace(s)
}
