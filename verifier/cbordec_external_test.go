package verifier_test

import (
	"testing"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/hardening"
	"github.com/apostille/apostille/verifier"
)

// TestCBORPlainDemoWorld holds the hand-read CBOR to fxamacker/cbor on
// the demo world's documents (the mDL with its device signature, the
// DCCs, the CWTs) and the hardening cases, item by item; the hand path must
// take most of the demo world's decodings, or it saves nothing.
func TestCBORPlainDemoWorld(t *testing.T) {
	mix, err := benchdocs.MakeMix()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := hardening.Cases()
	if err != nil {
		t.Fatal(err)
	}
	taken, claims, elements := map[string]int{}, map[string]int{}, map[string]int{}
	check := func(name, format string, doc []byte) {
		problems, n := verifier.CBORPlainMismatches(doc)
		cp, c, e := verifier.ClaimsPlainMismatches(doc)
		for _, p := range append(problems, cp...) {
			t.Errorf("%s: %s", name, p)
		}
		taken[format] += n
		claims[format] += c
		elements[format] += e
	}
	for _, d := range mix.Docs {
		check(d.Name, d.Format, d.Data)
	}
	for _, c := range cases {
		check(c.Name, "hardening", c.Doc)
	}
	t.Logf("hand decodings taken: %v; read by hand as claims: %v, as element values: %v", taken, claims, elements)
	for _, f := range []string{"mdoc", "dcc", "cwt"} {
		if taken[f] < 10 {
			t.Errorf("%s: the hand path took %d decodings", f, taken[f])
		}
	}
	for _, f := range []string{"dcc", "cwt"} {
		if claims[f] < 3 {
			t.Errorf("%s: the claims of %d items were read by hand", f, claims[f])
		}
	}
	if elements["mdoc"] < 30 {
		t.Errorf("mdoc: %d items were read by hand as element values", elements["mdoc"])
	}
}
