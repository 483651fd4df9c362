package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/opsbench"
)

// TestParseOpsRoundTrip: what opsbench.Run prints, parseOps reads, with
// every op and a positive figure.
func TestParseOpsRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := opsbench.Run(&buf, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	got, err := parseOps(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range opsbench.Ops {
		if got[op.Name] <= 0 {
			t.Errorf("op %s: %v", op.Name, got[op.Name])
		}
	}
}

// TestParseOpsRejects: output that is cut short, repeated or garbled is
// an error, not a table with holes.
func TestParseOpsRejects(t *testing.T) {
	var full bytes.Buffer
	if err := opsbench.Run(&full, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(full.String(), "\n")
	for name, text := range map[string]string{
		"empty":     "",
		"missing":   strings.Join(lines[1:], ""),
		"repeated":  full.String() + lines[0],
		"unknown":   full.String() + "nosuchop\t1\n",
		"no tab":    strings.Replace(full.String(), "\t", " ", 1),
		"not float": strings.Replace(full.String(), "\t", "\tx", 1),
		"zero":      full.String()[:strings.IndexByte(full.String(), '\t')+1] + "0\n" + strings.Join(lines[1:], ""),
	} {
		if _, err := parseOps(strings.NewReader(text)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
