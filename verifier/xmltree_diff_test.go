package verifier

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// readXML against readXMLOracle, the encoding/xml reader it replaced: for
// every input both refuse with the same reason, or both build the same
// tree (names, prefixes, namespaces, attributes, text, comments, Ids) with
// the same canonical forms, or readXML refuses a deliberate class:
//
//   - errXMLSurrogateRef: a character reference to a surrogate code point
//     in text, which encoding/xml read as U+FFFD (xmltok.go says why).

// diffScratch is the reader memory compareXMLReaders reads every document
// in, as a container verification does its manifest and signatures: what
// one document, read or refused, leaves in it must not change the next.
var diffScratch struct {
	sync.Mutex
	x xmlScratch
}

// compareXMLReaders fails t where readXML and the oracle part.
func compareXMLReaders(t *testing.T, data []byte, lim xmlLimits) {
	t.Helper()
	diffScratch.Lock()
	got, gerr := diffScratch.x.readXML(data, lim)
	diffScratch.Unlock()
	want, werr := readXMLOracle(data, lim)
	if gerr == errXMLSurrogateRef {
		if !bytes.Contains(data, []byte("&#")) {
			t.Fatalf("surrogate reference refused in a document without one")
		}
		return
	}
	if (gerr == nil) != (werr == nil) || errReason(gerr) != errReason(werr) {
		t.Fatalf("readXML: %v (%s); oracle: %v (%s)", gerr, errReason(gerr), werr, errReason(werr))
	}
	if gerr != nil {
		return
	}
	pairs := map[*xmlElement]*xmlElement{}
	if d := diffXMLElement(got.Root, want.Root, pairs, "/"); d != "" {
		t.Fatalf("trees differ at %s", d)
	}
	if len(got.ids) != len(want.ids) {
		t.Fatalf("%d Ids, oracle %d", len(got.ids), len(want.ids))
	}
	for id, we := range want.ids {
		if ge := got.ids[id]; ge == nil || pairs[we] != ge {
			t.Fatalf("Id %q names another element", id)
		}
	}
	for _, u := range []string{c14n10CommentsURI, c14n11URI, excC14NURI, excC14NCommentsURI} {
		m, _ := c14nMethodOf(u, "")
		g, gerr := canonicalize(got.Root, m, nil)
		w, werr := canonicalize(want.Root, m, nil)
		if errReason(gerr) != errReason(werr) || (gerr == nil) != (werr == nil) || !bytes.Equal(g, w) {
			t.Fatalf("canonical forms (%s) differ: %v / %v\n%q\n%q", u, gerr, werr, g, w)
		}
	}
}

// diffXMLElement returns where g and w differ ("" for nowhere), pairing
// each element of w with its twin in g.
func diffXMLElement(g, w *xmlElement, pairs map[*xmlElement]*xmlElement, at string) string {
	pairs[w] = g
	at += w.Prefix + ":" + w.Local
	switch {
	case g.Space != w.Space || g.Local != w.Local || g.Prefix != w.Prefix:
		return at + " (name)"
	case fmt.Sprint(g.Attrs) != fmt.Sprint(w.Attrs):
		return fmt.Sprintf("%s (attributes %q, oracle %q)", at, g.Attrs, w.Attrs)
	case fmt.Sprint(g.NS) != fmt.Sprint(w.NS):
		return at + " (namespace declarations)"
	case len(g.Children) != len(w.Children):
		return fmt.Sprintf("%s (%d children, oracle %d)", at, len(g.Children), len(w.Children))
	case g.doc == nil || (g.Parent == nil) != (w.Parent == nil) || g.Parent != nil && pairs[w.Parent] != g.Parent:
		return at + " (parent or document)"
	}
	for i, wc := range w.Children {
		gc := g.Children[i]
		if gc.Kind != wc.Kind || gc.Text != wc.Text || (gc.Elem == nil) != (wc.Elem == nil) {
			return fmt.Sprintf("%s child %d (%d %q, oracle %d %q)", at, i, gc.Kind, gc.Text, wc.Kind, wc.Text)
		}
		if wc.Elem != nil {
			if d := diffXMLElement(gc.Elem, wc.Elem, pairs, at+"/"); d != "" {
				return d
			}
		}
	}
	return ""
}

// xmlEdgeCases are what the tokenizer must read as encoding/xml did, found
// by reading encoding/xml: each of its paths, its order of errors within a
// token and its odd acceptances.
var xmlEdgeCases = []string{
	// references
	`<r>&amp;&lt;&gt;&apos;&quot;&#65;&#x41;&#x0000000000041;&#0000000065;</r>`,
	`<r>&#X41;</r>`, `<r>&#;</r>`, `<r>&#x;</r>`, `<r>&#12a;</r>`, `<r>&#1114111;</r>`, `<r>&#1114112;</r>`,
	`<r>&#99999999999999999999999;</r>`, `<r>&#0;</r>`, `<r>&#1;&foo;</r>`, `<r>&foo;&#1;</r>`, `<r>&#xFFFE;</r>`,
	`<r>&#xD800;</r>`, `<r a="&#xD800;"/>`, `<r>&</r>`, `<r>& </r>`, `<r>&;</r>`, `<r>&1;</r>`, `<r>&é;</r>`,
	`<r>&amp</r>`, `<r>&amp`, `<r>&`, `<r>&#`, `<r>&#x`, `<r>&#x4`, `<r>&AMP;</r>`, `<r>&amp ;</r>`,
	// text
	"<r>a\r\nb\rc\r\r\nd</r>", "<r>\x01</r>", "<r>\x01&foo;</r>", "<r>]]></r>", "<r>]]]></r>", "<r>]]&amp;></r>",
	"<r>]]</r>", "<r>\uFFFE</r>", "<r>\uFFFF</r>", "<r>\uFFFD\uFEFF\U0010FFFF</r>", "<r>\x7f\u0085</r>",
	"\uFEFF<r/>", "\xef\xbb\xbf\xef\xbb\xbf<r/>", " \t\r\n<r/> \n", "&#32;<r/>", "&#33;<r/>", "x<r/>", "<r/>&foo;",
	// CDATA
	"<r><![CDATA[]]></r>", "<r><![CDATA[a\r\nb\r]]]]><![CDATA[>]]></r>", "<r><![CDATA[\x01]]></r>", "<r><![CDATA[x",
	"<r><![CDAT[x]]></r>", "<r><![cdata[x]]></r>", "<![CDATA[ ]]><r/>", "<![CDATA[x]]><r/>", "<r>a<![CDATA[b]]>c</r>",
	// comments
	"<r><!----></r>", "<r><!---></r>", "<r><!--->--></r>", "<r><!-- a --></r>", "<r><!-- a ---></r>", "<r><!- a --></r>",
	"<r><!-- \x01 --></r>", "<r><!-- \r\n\r --></r>", "<!-- x --><r/><!-- y -->", "<r><!--", "<r><!-- -- --></r>",
	// processing instructions and the declaration
	`<?xml version="1.0"?><r/>`, `<?xml version='1.0' encoding='utf-8'?><r/>`, `<?xml?><r/>`, `<?xml ?><r/>`,
	`<?xml version="1.0" standalone="no"?><r/>`, `<?xml encoding="UTF-8" version="1.0"?><r/>`,
	` <?xml version="1.0"?><r/>`, ` <?xml version="1.1"?><r/>`, ` <?xml encoding="latin1"?><r/>`,
	`<r><?xml version="1.0"?></r>`, `<r><?xml version="2"?></r>`, `<?XML version="1.0"?><r/>`, `<?xml-stylesheet x?><r/>`,
	`<? x?><r/>`, `<?1x?><r/>`, `<?x`, `<?x ?`, `<?x?><r/>`, `<r><?pi ??></r>`, `<?xml version="1.0"`,
	`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n<r/>", `<?xml version="1.0"encoding="UTF-8"?><r/>`,
	`<?xml versionx="1.1" version="1.0"?><r/>`, `<?xml version= "1.1"?><r/>`,
	// declarations
	`<!DOCTYPE r><r/>`, `<!DOCTYPE r`, `<!DOCTYPE r [<!ENTITY x "y">]><r/>`, `<!DOCTYPE r [<!ENTITY x "y>">]`,
	`<!DOCTYPE r [<!-- > -->]><r/>`, `<!DOCTYPE r [<!-- > -->`, `<!>`, `<!>>`, `<!D<>`, `<!D<>>`, `<!'>`, `<!"a>"`,
	`<r><!ELEMENT x></r>`, `<!`, `<!-`, `<!D<!-`, `<!D<!--`,
	// start and end tags
	`<r a="1"b="2"/>`, `<r a = '1' />`, `<r a="1" / >`, `<r a=1/>`, `<r a/>`, `<r a="1"`, `<r a="1`, `<r a=`, `<r a`, `<r`,
	`<`, `<r/`, `<r/ >`, `<r >`, `<r></r >`, `<r></ r>`, `<r></r`, `<r></r x>`, `</r>`, `<r/></r>`, `<:r/>`, `<r:/>`,
	`<a:b:c/>`, `<r a:b:c="1"/>`, `<r :a="1"/>`, `<é/>`, `<·/>`, `<a·/>`, "<a\u00a0/>", `<1/>`, `<-a/>`, `<.a/>`, `<_a/>`,
	`<r a="x&#10;y&#9;z&#13;"/>`, "<r a=\"x\r\ny\rz\tw\n\"/>", `<r a="&#1;"/>`, `<r a="&#1;&foo;"/>`, `<r a="&foo;&#0000000065;"/>`,
	`<r a="&#0000000065;"/>`, `<r a="&#x0000000041;"/>`, `<r a="&#x00000041;"/>`, `<r a="<"/>`, `<r a="'"/>`, `<r a='"'/>`,
	`<r a=">"/>`, `<r a="]]>"/>`, "<r a=\"\x01\"/>", "<r a=\"\uFFFF\"/>", `<r xmlns:p="urn:p" p:a="1" a="2"/>`,
	`<r xmlns="urn:x"><s xmlns=""/></r>`, `<r xml:lang="et" xml:id="a"/>`, `<r xmlns:xml="http://www.w3.org/XML/1998/namespace"/>`,
	`<r xmlns:p="urn:a&#10;b"/>`, `<r xmlns="&#9;"/>`, `<r><s></r></s>`, `<r><s/></r><r/>`, `<r/><!-- x --> `,
	`<p:r xmlns:p="urn:p"></p:r>`, `<p:r xmlns:p="urn:p"></q:r>`, `<p:r xmlns:p="urn:p"></r>`, `<r Id="a"><s ID="a"/></r>`,
	`<r a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9" a="10"/>`, `<r a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9"/>`,
}

// xmlDiffInputs are the documents the table test reads: every XML file of
// the containers of testdata/asice, the trusted lists of internal/tsl, the
// C14N vectors, the inputs of TestReadXMLRefused and the edge cases.
func xmlDiffInputs(tb testing.TB) map[string][]byte {
	in := map[string][]byte{}
	for _, v := range loadASiCVectors(tb) {
		data := v.read(tb)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			continue
		}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, 8<<20))
			rc.Close()
			if err == nil {
				in[v.File+"/"+f.Name] = b
			}
		}
	}
	tsl, _ := filepath.Glob("../internal/tsl/testdata/*/*.xml")
	for _, p := range tsl {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		in[p] = b
	}
	for i, v := range c14nVectors {
		in[fmt.Sprintf("c14n vector %d", i)] = v.c.document(make([]byte, 32))
	}
	for i, s := range xmlEdgeCases {
		in[fmt.Sprintf("edge case %d", i)] = []byte(s)
	}
	return in
}

func TestReadXMLDifferential(t *testing.T) {
	in := xmlDiffInputs(t)
	signatures := 0
	for name, data := range in {
		if strings.Contains(name, "signatures") {
			signatures++
		}
		t.Run(name, func(t *testing.T) {
			compareXMLReaders(t, data, xmlLimits{})
			compareXMLReaders(t, data, fuzzXMLLimits)
		})
	}
	if signatures < 80 {
		t.Errorf("%d signature files in the corpus", signatures)
	}
}

// TestReadXMLLimitsDifferential: the order of a limit against the checks
// of the same start tag.
func TestReadXMLLimitsDifferential(t *testing.T) {
	docs := []string{
		`<a><b x="&#0000000065;"/></a>`, `<a><b x="&#1;"/></a>`, `<a><b x="&foo;"/></a>`, `<a><b x="1" x="2"/></a>`,
		`<a/><b x="&#1;"/>`, `<a/><b/>`, `<a><b p:x="1"/></a>`, `<a><b x="1" y="2" z="3"/></a>`, `<a><b x="1" y="2" z="&#1;"/></a>`,
		`<a><b x="1" y="2" z="&#xD800;"/></a>`, `<a><p:b/></a>`,
		"<a" + strings.Repeat(` b=""`, 100000) + "/>", "<a" + strings.Repeat(` b=""`, 100000) + ` c="&foo;"/>`,
	}
	for _, d := range docs {
		for _, lim := range []xmlLimits{{Depth: 1}, {Elements: 1}, {Attrs: 2}, {Size: 8}} {
			t.Run(d[:min(len(d), 40)], func(t *testing.T) { compareXMLReaders(t, []byte(d), lim) })
		}
	}
}

func FuzzReadXMLDifferential(f *testing.F) {
	xmlSeeds(f)
	for _, s := range xmlEdgeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareXMLReaders(t, data, fuzzXMLLimits)
	})
}

var xmlRandomDocs = flag.Int("xmlrandom", 20000, "documents TestReadXMLDifferentialRandom builds")

// xmlPieces are what TestReadXMLDifferentialRandom builds documents of:
// the bytes and sequences where the two tokenizers' paths part.
var xmlPieces = []string{
	"<", ">", "/", "/>", "</", "r", "a", "p:", ":", "=", `"`, "'", " ", "\t", "\r", "\n", "\r\n", "&", "#", "x", ";",
	"&amp;", "&lt;", "&#65;", "&#x41;", "&#0;", "&#xD800;", "&#xFFFE;", "&#1114112;", "&foo;", "]", "]]>", "<!--", "-->",
	"--", "-", "<![CDATA[", "<!DOCTYPE r", "<!", "[", "<?", "?>", "<?xml", `version="1.0"`, `encoding="UTF-8"`, "?",
	"xmlns", `xmlns:p="urn:p"`, `xmlns="urn:d"`, `xmlns:p=""`, "Id", `Id="i"`, "é", "·", "\u00a0", "\x01", "\uFFFE", "\x7f",
	"<r>", "</r>", "<p:r>", "</p:r>", "<s/>", "1", ".", "_",
}

// TestReadXMLDifferentialRandom compares the readers on documents made of
// xmlPieces at random (a fixed seed): small, and dense in the places
// where a hand-written tokenizer goes wrong, which the coverage-guided
// fuzzer reaches slowly from the large seeds.
func TestReadXMLDifferentialRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range *xmlRandomDocs {
		b.Reset()
		if rng.IntN(2) == 0 {
			b.WriteString("<r>")
		}
		for range rng.IntN(12) {
			b.WriteString(xmlPieces[rng.IntN(len(xmlPieces))])
		}
		if rng.IntN(2) == 0 {
			b.WriteString("</r>")
		}
		doc := b.String()
		func() {
			defer func() {
				if t.Failed() {
					t.Logf("document %q", doc)
				}
			}()
			for _, lim := range []xmlLimits{{}, {Depth: 2, Attrs: 2, Elements: 3}} {
				compareXMLReaders(t, []byte(doc), lim)
			}
		}()
	}
}
