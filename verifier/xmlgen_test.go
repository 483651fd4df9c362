package verifier

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// xmlGen writes random signature documents for the xmlsec1 oracle
// (TestXMLSecOracleGenerated): namespaces declared, redeclared and
// undeclared at every level, prefixed and default, attributes in and out
// of namespaces, xml:* attributes, text with references, CDATA, CR/LF and
// tabs, comments, white space inside tags.
type xmlGen struct {
	r *rand.Rand
}

var genURIs = []string{"urn:a", "urn:b", "urn:c", "http://example.com/x?y=1;z", ""}
var genPrefixes = []string{"a", "b", "p", "xades"}

// scope is prefix -> URI ("" the default).
func (g *xmlGen) decls(scope map[string]string, n int) (string, map[string]string) {
	out := map[string]string{}
	for k, v := range scope {
		out[k] = v
	}
	var b strings.Builder
	used := map[string]bool{}
	for i := 0; i < n; i++ {
		uri := genURIs[g.r.IntN(len(genURIs))]
		if g.r.IntN(3) == 0 {
			if used[""] {
				continue
			}
			used[""] = true
			fmt.Fprintf(&b, `%sxmlns="%s"`, g.space(), uri)
			out[""] = uri
			continue
		}
		if uri == "" {
			continue
		}
		p := genPrefixes[g.r.IntN(len(genPrefixes))]
		if used[p] {
			continue
		}
		used[p] = true
		fmt.Fprintf(&b, `%sxmlns:%s="%s"`, g.space(), p, uri)
		out[p] = uri
	}
	return b.String(), out
}

func (g *xmlGen) space() string {
	return []string{" ", " ", "  ", "\n ", "\t", "\r\n"}[g.r.IntN(6)]
}

func (g *xmlGen) name(scope map[string]string) (qn, prefix string) {
	var ps []string
	for p, u := range scope {
		if p != "" && u != "" {
			ps = append(ps, p)
		}
	}
	local := []string{"e", "f", "SignedProperties", "g"}[g.r.IntN(4)]
	if len(ps) > 0 && g.r.IntN(2) == 0 {
		sortStrings(ps)
		p := ps[g.r.IntN(len(ps))]
		return p + ":" + local, p
	}
	return local, ""
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (g *xmlGen) attrs(scope map[string]string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for i := g.r.IntN(4); i > 0; i-- {
		local := []string{"x", "y", "Z", "a"}[g.r.IntN(4)]
		var ps []string
		for p, u := range scope {
			if p != "" && u != "" {
				ps = append(ps, p)
			}
		}
		sortStrings(ps)
		qn, key := local, "|"+local
		switch k := g.r.IntN(5); {
		case k == 0 && len(ps) > 0:
			p := ps[g.r.IntN(len(ps))]
			qn, key = p+":"+local, scope[p]+"|"+local
		case k == 1:
			l := []string{"lang", "space"}[g.r.IntN(2)]
			qn, key = "xml:"+l, "xml|"+l
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		q := []string{`"`, `'`}[g.r.IntN(2)]
		fmt.Fprintf(&b, "%s%s%s=%s%s%s%s", g.space(), qn, []string{"", " "}[g.r.IntN(2)], []string{"", " "}[g.r.IntN(2)], q, g.attrValue(q), q)
	}
	return b.String()
}

var genAttrBits = []string{"v", "1", " ", "\t", "\n", "\r\n", "&#9;", "&#10;", "&#13;", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", ">", "Ž", "&#x17D;"}

func (g *xmlGen) attrValue(q string) string {
	var b strings.Builder
	for i := g.r.IntN(5); i > 0; i-- {
		b.WriteString(genAttrBits[g.r.IntN(len(genAttrBits))])
	}
	if q == `"` {
		b.WriteString("'")
	} else {
		b.WriteString(`"`)
	}
	return b.String()
}

var genTextBits = []string{"text", " ", "\n", "\r\n", "\r", "\t", "&amp;", "&lt;", "&gt;", ">", "&#13;", "&#xD;", "&#10;", "\"", "'", "<![CDATA[<&>\r\n]]>", "<!-- c -->", "<!---->", "Õ", "&#x10000;"}

func (g *xmlGen) text() string {
	var b strings.Builder
	for i := g.r.IntN(3); i > 0; i-- {
		b.WriteString(genTextBits[g.r.IntN(len(genTextBits))])
	}
	return b.String()
}

// element writes an element and its subtree; target puts Id="t" on it.
func (g *xmlGen) element(scope map[string]string, depth int, target bool) (string, string) {
	d, sc := g.decls(scope, g.r.IntN(3))
	qn, prefix := g.name(sc)
	idType := ""
	var b strings.Builder
	b.WriteString("<" + qn + d)
	if target {
		b.WriteString(g.space() + `Id="t"`)
		local := qn[strings.IndexByte(qn, ':')+1:]
		if uri := sc[prefix]; uri != "" {
			idType = uri + ":" + local
		} else {
			idType = local
		}
	}
	b.WriteString(g.attrs(sc))
	if g.r.IntN(4) == 0 {
		b.WriteString(g.space()[:1] + "/>")
		return b.String(), idType
	}
	b.WriteString(">")
	for i := g.r.IntN(4); i > 0 && depth < 5; i-- {
		b.WriteString(g.text())
		e, _ := g.element(sc, depth+1, false)
		b.WriteString(e)
	}
	b.WriteString(g.text())
	b.WriteString("</" + qn + ">")
	return b.String(), idType
}

var genMethods = []string{c14n10URI, c14n10CommentsURI, c14n11URI, c14n11CommentsURI, excC14NURI, excC14NCommentsURI, ""}

// next returns a random case.
func (g *xmlGen) next() subtreeCase {
	var c subtreeCase
	outerDecls, scope := g.decls(map[string]string{}, g.r.IntN(4))
	if g.r.IntN(4) != 0 {
		c.Outer = "<r" + outerDecls + g.attrs(scope) + ">" + g.text() + "%s" + g.text() + "</r>"
	} else {
		scope = map[string]string{}
	}
	scope["ds"] = dsNamespace
	var before, after string
	if g.r.IntN(2) == 0 {
		before, _ = g.element(scope, 3, false)
	}
	if g.r.IntN(2) == 0 {
		after, _ = g.element(scope, 3, false)
	}
	// The target sits at some depth inside the Object.
	wrapOpen, wrapClose := "", ""
	sc := scope
	for i := g.r.IntN(3); i > 0; i-- {
		d, s2 := g.decls(sc, g.r.IntN(3))
		qn, _ := g.name(s2)
		wrapOpen += "<" + qn + d + g.attrs(s2) + ">" + g.text()
		wrapClose = g.text() + "</" + qn + ">" + wrapClose
		sc = s2
	}
	target, idType := g.element(sc, 2, true)
	c.Object = before + wrapOpen + target + wrapClose + after
	c.IDType = idType
	c.Transform = genMethods[g.r.IntN(len(genMethods))]
	if c.Transform == excC14NURI || c.Transform == excC14NCommentsURI {
		var pl []string
		for _, p := range append(genPrefixes, "#default", "ds") {
			if g.r.IntN(4) == 0 {
				pl = append(pl, p)
			}
		}
		c.PrefixList = strings.Join(pl, " ")
		if c.PrefixList == "" && g.r.IntN(2) == 0 {
			c.PrefixList = " "
		}
	}
	c.SignedC14N = genMethods[g.r.IntN(len(genMethods)-1)]
	if g.r.IntN(2) == 0 {
		c.SignedInfo = "<!--" + []string{" si ", "", "x\r\ny"}[g.r.IntN(3)] + "-->"
	}
	return c
}
