package verifier

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// checkAttrScanInside holds the scan of an XML declaration's inside
// (attrScan.inside, what checkXMLDecl does) to the scan of the start tag
// "<x " + inst + ">" it stands for.
func checkAttrScanInside(t *testing.T, inst string) {
	t.Helper()
	w := attrScan{b: "<x " + inst + ">"}
	wn, wv, werr := w.scan(nil, nil)
	g := attrScan{b: inst, inside: true}
	gn, gv, gerr := g.scan(nil, nil)
	if (gerr == nil) != (werr == nil) || gerr == nil && (!slices.Equal(gn, wn) || !slices.Equal(gv, wv)) {
		t.Fatalf("%q: %q %q %v, wrapped %q %q %v", inst, gn, gv, gerr, wn, wv, werr)
	}
}

var xmlDeclPieces = []string{
	" ", "\t", "\r\n", "version", "encoding", "standalone", "=", `"`, "'", "1.0", "UTF-8", "yes", ">", "/", "?",
	"&amp;", "&#9;", "&x;", "<", "x", `"1.0"`, `'no'`,
}

func TestAttrScanInside(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(xmlDeclPieces[rng.IntN(len(xmlDeclPieces))])
		}
		checkAttrScanInside(t, b.String())
	}
	checkAttrScanInside(t, ` version="1.0" encoding="UTF-8" standalone="no"`)
}

func FuzzAttrScanInside(f *testing.F) {
	f.Add(` version="1.0" encoding="UTF-8"`)
	f.Add(`version='1.0'/`)
	f.Fuzz(checkAttrScanInside)
}
