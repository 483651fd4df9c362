package tsl

import (
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// excC14N is Exclusive XML Canonicalization 1.0 (without comments) of a
// whole list, as its signature's reference asks for.
//
// goxmldsig has exclusive canonicalisation (etreeutils.TransformExcC14n),
// but since v1.6.1 it stops at a fixed budget of 1000 elements
// (goxmldsig issue 202), and a trusted list has thousands: the EU LOTL of
// 2023-09-27 about 1,400, the Estonian list about 2,600, a large national
// list tens of thousands. Read bounds the input itself (size and depth,
// before parsing), so here the same algorithm runs without that budget;
// the result is serialised with etree's canonical settings, as goxmldsig
// does. The small pieces (SignedInfo, SignedProperties) still go through
// goxmldsig's own canonicalisers.
func excC14N(el *etree.Element, prefixList string) []byte {
	incl := map[string]bool{}
	for _, p := range strings.Fields(prefixList) {
		if p == "#default" {
			p = ""
		}
		incl[p] = true
	}
	out := excElement(el, map[string]string{}, map[string]string{}, incl)
	doc := etree.NewDocument()
	doc.SetRoot(out)
	doc.WriteSettings = etree.WriteSettings{CanonicalAttrVal: true, CanonicalEndTags: true, CanonicalText: true}
	b, _ := doc.WriteToBytes()
	return b
}

// excElement returns a canonical copy of el: namespace declarations only
// where a prefix is visibly used and not already rendered with that URI by
// an output ancestor, attributes in canonical order, no comments. scope
// holds the namespaces in scope, rendered those the output ancestors
// declared.
func excElement(el *etree.Element, scope, rendered map[string]string, incl map[string]bool) *etree.Element {
	sc := make(map[string]string, len(scope)+2)
	for k, v := range scope {
		sc[k] = v
	}
	var attrs []etree.Attr
	used := map[string]bool{el.Space: true}
	for _, a := range el.Attr {
		switch {
		case a.Space == "xmlns":
			sc[a.Key] = a.Value
		case a.Space == "" && a.Key == "xmlns":
			sc[""] = a.Value
		default:
			if a.Space != "" && a.Space != "xml" {
				used[a.Space] = true
			}
			attrs = append(attrs, a)
		}
	}
	for p := range incl {
		if _, ok := sc[p]; ok {
			used[p] = true
		}
	}
	rd := make(map[string]string, len(rendered)+1)
	for k, v := range rendered {
		rd[k] = v
	}
	for p := range used {
		uri := sc[p]
		prev, had := rendered[p]
		if p == "" {
			if uri == prev || (!had && uri == "") {
				continue
			}
			attrs = append(attrs, etree.Attr{Key: "xmlns", Value: uri})
			rd[""] = uri
			continue
		}
		if had && prev == uri {
			continue
		}
		attrs = append(attrs, etree.Attr{Space: "xmlns", Key: p, Value: uri})
		rd[p] = uri
	}
	sort.Sort(etreeutils.SortedAttrs(attrs))
	out := etree.NewElement(el.Tag)
	out.Space = el.Space
	out.Attr = attrs
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			out.AddChild(excElement(t, sc, rd, incl))
		case *etree.CharData:
			out.CreateText(t.Data)
		case *etree.ProcInst:
			out.CreateProcInst(t.Target, t.Inst)
		}
	}
	return out
}
