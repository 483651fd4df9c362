package verifier_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// TestDCCInflateAsZlibDemoWorld holds the DCC inflation to compress/zlib
// (dcc_zlib_test.go) on the demo world's certificates, which its issuer
// code compresses with compress/zlib's writer.
func TestDCCInflateAsZlibDemoWorld(t *testing.T) {
	w, _ := demoWorld(t)
	files, err := filepath.Glob(filepath.Join(w.Dir, "documents", "*.hc1"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .hc1 document in the demo world (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if d := verifier.DCCInflateDiff(b); d != "" {
			t.Errorf("%s: %s", filepath.Base(f), d)
		}
	}
	t.Logf("%d certificates", len(files))
}
