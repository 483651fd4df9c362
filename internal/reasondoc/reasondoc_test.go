package reasondoc

import (
	"bytes"
	"os"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// TestReasonsDocCurrent fails when docs/reasons.md is not what
// `go generate ./verifier` makes of verifier/reasons.go.
func TestReasonsDocCurrent(t *testing.T) {
	src, err := os.ReadFile("../../verifier/reasons.go")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(codes); err != nil {
		t.Fatal(err)
	}
	want := Markdown(codes)
	got, err := os.ReadFile("../../docs/reasons.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/reasons.md is stale: run go generate ./verifier")
	}
}

// TestEveryReasonDocumented ties the documentation to the codes the
// verifier exports, so neither can gain a code the other lacks.
func TestEveryReasonDocumented(t *testing.T) {
	src, err := os.ReadFile("../../verifier/reasons.go")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, c := range codes {
		documented[c.Code] = true
	}
	for _, r := range verifier.Reasons() {
		if !documented[string(r)] {
			t.Errorf("reason %q is not documented", r)
		}
	}
	if len(codes) != len(verifier.Reasons()) {
		t.Errorf("%d documented codes, %d in verifier.Reasons()", len(codes), len(verifier.Reasons()))
	}
}
