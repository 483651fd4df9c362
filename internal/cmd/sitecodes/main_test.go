package main

import (
	"slices"
	"testing"
)

// TestCheckNames reads the real verifier/report.go: every check a report
// can carry must be found, or the page's translation check would pass on
// a short list.
func TestCheckNames(t *testing.T) {
	names, err := checkNames("../../../verifier/report.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"decode", "signature", "issuer_trust", "validity_period", "embassy_attestation", "revocation"} {
		if !slices.Contains(names, want) {
			t.Errorf("check %q not found in %v", want, names)
		}
	}
	if _, err := checkNames("no-such-file.go"); err == nil {
		t.Error("a missing source was read")
	}
}
