package verifier

import (
	"os"
	"strings"
	"testing"
)

// examplePolicy is the C2SP tlog-policy example with generated keys.
func examplePolicy(t testing.TB) (string, map[string]*testCosigner) {
	t.Helper()
	b, err := os.ReadFile("testdata/c2sp/tlog-policy.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "LOGKEY", newTestLog(t, "log.example", "log").vkey, 1)
	ws := map[string]*testCosigner{}
	for _, n := range []string{"X1", "X2", "X3", "Y1", "Y2", "Y3"} {
		ws[n] = newCosigner("w.example/"+n, n)
		text = strings.Replace(text, n+"KEY", ws[n].vkey, 1)
	}
	return text, ws
}

func TestPolicyExample(t *testing.T) {
	text, _ := examplePolicy(t)
	p, err := parsePolicy([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.logs) != 1 || len(p.witnesses) != 6 || p.quorum == nil {
		t.Fatalf("parsed %d logs, %d witnesses", len(p.logs), len(p.witnesses))
	}
	byName := map[string]*policyWitness{}
	for _, w := range p.witnesses {
		byName[w.name] = w
	}
	for _, c := range []struct {
		cosigned []string
		want     bool
	}{
		{[]string{"X1", "X2", "Y3"}, true},
		{[]string{"X1", "X3", "Y1", "Y2"}, true},
		{[]string{"X1", "Y1", "Y2", "Y3"}, false}, // one X is not two
		{[]string{"X1", "X2", "X3"}, false},       // no Y
		{nil, false},
	} {
		set := map[*policyWitness]bool{}
		for _, n := range c.cosigned {
			set[byName[n]] = true
		}
		if got := p.quorum.satisfied(set); got != c.want {
			t.Errorf("%v: satisfied %v, want %v", c.cosigned, got, c.want)
		}
	}
}

func TestPolicySyntax(t *testing.T) {
	lg := newTestLog(t, "log.example", "log").vkey
	a := newCosigner("a.example", "a").vkey
	b := newCosigner("b.example", "b").vkey
	ok := []string{
		"quorum none\n",
		"  # comment\n\tlog " + lg + " https://log.example/\n\nwitness A " + a + "\nquorum A",
		"log " + lg + "\nwitness A " + a + " https://a.example/\nwitness B " + b + "\ngroup G 2 A B\nquorum G\n",
		"witness \xe2\x84\xaa " + a + "\nquorum \xe2\x84\xaa\n", // opaque non-ASCII names
	}
	for _, s := range ok {
		if _, err := parsePolicy([]byte(s)); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := map[string]string{
		"no quorum":          "log " + lg + "\n",
		"two quorums":        "quorum none\nquorum none\n",
		"undefined quorum":   "quorum A\n",
		"forward reference":  "group G any A\nwitness A " + a + "\nquorum G\n",
		"duplicate name":     "witness A " + a + "\nwitness A " + b + "\nquorum A\n",
		"duplicate key":      "witness A " + a + "\nwitness B " + a + "\nquorum A\n",
		"member twice":       "witness A " + a + "\ngroup G 2 A A\nquorum G\n",
		"threshold too high": "witness A " + a + "\ngroup G 2 A\nquorum G\n",
		"threshold zero":     "witness A " + a + "\ngroup G 0 A\nquorum G\n",
		"threshold 01":       "witness A " + a + "\ngroup G 01 A\nquorum G\n",
		"none as member":     "witness A " + a + "\ngroup G any none\nquorum G\n",
		"witness named none": "witness none " + a + "\nquorum none\n",
		"log as witness":     "witness A " + lg + "\nquorum A\n",
		"witness as log":     "log " + a + "\nquorum none\n",
		"unknown keyword":    "witnesses A " + a + "\nquorum A\n",
		"control char":       "quorum none\r\n",
		"trailing comment":   "quorum none # not a comment\n",
		"empty group":        "group G any\nquorum G\n",
	}
	for name, s := range bad {
		if _, err := parsePolicy([]byte(s)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
