package verifier

import (
	"strings"
	"testing"
)

// The XML reader's refusals, named by what they break, and what it keeps.

func TestReadXMLRefused(t *testing.T) {
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	cases := []struct {
		name string
		doc  string
		lim  xmlLimits
		want Reason
	}{
		{"doctype", `<!DOCTYPE r><r/>`, xmlLimits{}, XMLForbidden},
		{"xxe-external-entity", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`, xmlLimits{}, XMLForbidden},
		{"billion-laughs", `<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><r>&b;</r>`, xmlLimits{}, XMLForbidden},
		{"undeclared-entity", `<r>&nbsp;</r>`, xmlLimits{}, XMLForbidden},
		{"processing-instruction", `<r><?php x?></r>`, xmlLimits{}, XMLForbidden},
		{"xml-declaration-not-first", ` <?xml version="1.0"?><r/>`, xmlLimits{}, XMLForbidden},
		{"xml-declaration-latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><r/>`, xmlLimits{}, Malformed},
		{"xml-version-1.1", `<?xml version="1.1"?><r/>`, xmlLimits{}, Malformed},
		{"not-utf8", "<r>\xff</r>", xmlLimits{}, Malformed},
		{"nul-character-reference", `<r>&#0;</r>`, xmlLimits{}, Malformed},
		{"second-root", `<r/><s/>`, xmlLimits{}, Malformed},
		{"text-after-root", `<r/>x`, xmlLimits{}, Malformed},
		{"no-root", ` `, xmlLimits{}, Malformed},
		{"unclosed-root", `<r>`, xmlLimits{}, Malformed},
		{"mismatched-end-tag", `<r></s>`, xmlLimits{}, Malformed},
		{"undeclared-prefix", `<p:r/>`, xmlLimits{}, Malformed},
		{"undeclared-attribute-prefix", `<r p:a="1"/>`, xmlLimits{}, Malformed},
		{"duplicate-attribute", `<r a="1" a="2"/>`, xmlLimits{}, Malformed},
		{"same-attribute-under-two-prefixes", `<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>`, xmlLimits{}, Malformed},
		{"duplicate-id", `<r><a Id="x"/><b Id="x"/></r>`, xmlLimits{}, Malformed},
		{"duplicate-id-across-id-and-xml-id", `<r><a Id="x"/><b xml:id="x"/></r>`, xmlLimits{}, Malformed},
		{"prefix-undeclared-xml11-style", `<r xmlns:p="urn:p"><s xmlns:p=""/></r>`, xmlLimits{}, Malformed},
		{"xml-prefix-rebound", `<r xmlns:xml="urn:x"/>`, xmlLimits{}, Malformed},
		{"xmlns-prefix-declared", `<r xmlns:xmlns="urn:x"/>`, xmlLimits{}, Malformed},
		{"default-namespace-is-xml-namespace", `<r xmlns="http://www.w3.org/XML/1998/namespace"/>`, xmlLimits{}, Malformed},
		{"double-colon-name", `<a:b:c xmlns:a="urn:a"/>`, xmlLimits{}, Malformed},
		{"namespace-uri-with-ampersand", `<r xmlns:p="urn:a&amp;b"/>`, xmlLimits{}, Malformed},
		{"10000-nested-elements", deep, xmlLimits{}, LimitExceeded},
		{"depth-limit", `<a><b><c/></b></a>`, xmlLimits{Depth: 2}, LimitExceeded},
		{"element-limit", `<a><b/><c/></a>`, xmlLimits{Elements: 2}, LimitExceeded},
		{"attribute-limit", `<a x="1" y="2" z="3"/>`, xmlLimits{Attrs: 2}, LimitExceeded},
		{"size-limit", `<a>` + strings.Repeat("x", 100) + `</a>`, xmlLimits{Size: 64}, LimitExceeded},
		{"comment-with-double-hyphen", `<r><!-- a -- b --></r>`, xmlLimits{}, Malformed},
		{"cdata-end-in-text", `<r>]]></r>`, xmlLimits{}, Malformed},
		{"lt-in-attribute", `<r a="<"/>`, xmlLimits{}, Malformed},
	}
	for _, c := range cases {
		_, err := readXML([]byte(c.doc), c.lim)
		if errReason(err) != c.want || err == nil {
			t.Errorf("%s: %v (%s), want %s", c.name, err, errReason(err), c.want)
		}
	}
}

func TestReadXMLKeeps(t *testing.T) {
	d, err := readXML([]byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<!-- top -->"+
		"<p:r xmlns:p=\"urn:p\" xmlns=\"urn:d\" a=\"x&#10;y\tz\" p:b=\"1\" Id=\"r\"><c xmlns=\"\">t&amp;<![CDATA[<>]]>\r\n<!--c--></c><d/></p:r>\n"), xmlLimits{})
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root
	if r.Space != "urn:p" || r.Local != "r" || r.Prefix != "p" || len(r.NS) != 2 || r.NS[0] != (xmlNS{"p", "urn:p"}) || r.NS[1] != (xmlNS{"", "urn:d"}) {
		t.Errorf("root %+v", r)
	}
	if v, _ := r.Attr("", "a"); v != "x\ny z" {
		t.Errorf("attribute a %q", v)
	}
	if v, ok := r.Attr("urn:p", "b"); !ok || v != "1" {
		t.Error("attribute p:b")
	}
	if d.ByID("r") != r {
		t.Error("ByID")
	}
	c := r.Child("", "c")
	if c == nil || c.Text() != "t&<>\n" || len(c.Children) != 2 || c.Children[1].Kind != xmlCommentNode || c.Parent != r {
		t.Errorf("child c %+v", c)
	}
	if r.Child("urn:d", "d") == nil || r.Child("", "d") != nil {
		t.Error("default namespace of d")
	}
	if s := c.InScope(); s["p"] != "urn:p" || s[""] != "" {
		t.Errorf("in scope %v", s)
	}
}
