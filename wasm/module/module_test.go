package module_test

import (
	"bytes"
	"testing"

	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/wasm/module"
)

// TestCommittedModuleIsCurrent: the committed module is the module of this
// source. When it fails, the source changed the module: `make wasm`
// rewrites wasm/module/apostille.wasm.br, which goes into the same commit
// (CONTRIBUTING.md).
func TestCommittedModuleIsCurrent(t *testing.T) {
	got := module.Bytes()
	if got == nil {
		t.Fatal("the committed module does not decompress")
	}
	if want := wasmbuild.ForTest(t); !bytes.Equal(got, want) {
		t.Fatalf("wasm/module/%s holds module %s, this source builds %s: run `make wasm` and commit the file",
			module.Compressed, module.SHA256(got)[:12], module.SHA256(want)[:12])
	}
}

// TestDecompressBounded: a file that is not a compressed module is an
// error, not a panic or a huge allocation.
func TestDecompressBounded(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not brotli"), bytes.Repeat([]byte{0xff}, 64)} {
		if got, err := module.Decompress(b); err == nil && len(got) > 0 {
			t.Errorf("%q decompressed to %d bytes", b, len(got))
		}
	}
}
