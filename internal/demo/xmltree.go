package demo

// A small XML tree for the demo's XAdES signatures and its document writer
// (every namespace declared once, on the root, as DigiDoc clients write
// it). What the signatures digest, Exclusive XML Canonicalization 1.0 of a
// subtree, is the verifier's own canonical form of the written bytes
// (verifier.CanonicalXML), so the demo signs exactly what the verifier
// will recompute, with no second canonicaliser to keep in step. Every
// element and attribute the demo writes is prefixed or unqualified; there
// is no default namespace.

import (
	"sort"
	"strings"

	"github.com/apostille/apostille/verifier"
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

// document writes the tree with the root declaring the given prefixes.
func (n *xnode) document(prefixes ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n")
	n.write(&b, prefixes)
	return []byte(b.String())
}

// excC14N is the exclusive canonical form of the subtree at n: n written
// as a document of its own, declaring every prefix on n (an exclusive
// canonical form renders a namespace only where it is visibly used, so
// where the document declares it does not matter), then canonicalised.
func (n *xnode) excC14N() []byte {
	b, err := verifier.CanonicalXML(n.document("asic", "ds", "xades", "xades141"), "", algExcC14N, "", false, verifier.XMLLimits{})
	if err != nil {
		// The demo writes every node itself; a failure is a bug here.
		panic("demo: canonicalising its own XML: " + err.Error())
	}
	return b
}

// write serialises n, declaring the prefixes given here and nowhere below.
func (n *xnode) write(b *strings.Builder, declare []string) {
	b.WriteString("<" + n.name)
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
		k.write(b, nil)
	}
	b.WriteString("</" + n.name + ">")
}

// escapeText and escapeAttr escape as canonical XML does (C14N 1.0 5.2),
// so a document's text reads back as written.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s)
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace(s)
}
