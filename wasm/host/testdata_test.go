package host

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/apostille/apostille/internal/demo"
)

var update = flag.Bool("update", false, "rewrite testdata from a fresh demo world")

// exampleFiles are the demo world's files that testdata holds for Example
// and examples/verify.
var exampleFiles = []string{
	"trust.jws", "operator.pub.jwk",
	"documents/eu-dcc-vaccination.hc1", "documents/eu-dcc-vaccination-tampered.hc1",
	"documents/ee-birth-certificate.jwt", "documents/ee-birth-certificate.jwt.tlog-proof",
}

// TestTestdataIsTheDemo: the example's files are the demo world's, so that
// they cannot rot while the demo changes.
func TestTestdataIsTheDemo(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Build(dir, ""); err != nil {
		t.Fatal(err)
	}
	for _, f := range exampleFiles {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join("testdata", filepath.Base(f))
		if *update {
			if err := os.WriteFile(dst, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not the demo's %s (go test ./wasm/host -run TestTestdataIsTheDemo -update): %v", dst, f, err)
		}
	}
}
