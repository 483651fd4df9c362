package main

import (
	"bytes"
	"testing"
)

// TestRun runs the example on the demo files wasm/host's example uses.
func TestRun(t *testing.T) {
	td := "../../wasm/host/testdata/"
	var out, errb bytes.Buffer
	code := run([]string{"-trust", td + "trust.jws", "-trust-key", td + "operator.pub.jwk", "-at", "2026-11-27T12:00:00Z",
		td + "eu-dcc-vaccination.hc1", td + "ee-birth-certificate.jwt", td + "eu-dcc-vaccination-tampered.hc1"}, &out, &errb)
	want := "eu-dcc-vaccination.hc1: valid\nee-birth-certificate.jwt: valid\neu-dcc-vaccination-tampered.hc1: invalid (signature_invalid)\n"
	if code != 1 || out.String() != want {
		t.Fatalf("exit %d, output:\n%s\nwant:\n%s\nstderr: %s", code, &out, want, &errb)
	}
	// Without the pinned key the signed bundle is refused: a usage error.
	if code := run([]string{"-trust", td + "trust.jws", td + "eu-dcc-vaccination.hc1"}, &out, &errb); code != 2 {
		t.Errorf("without the operator key: exit %d", code)
	}
}
