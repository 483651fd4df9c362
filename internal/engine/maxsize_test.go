package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

// TestMaxDocumentPerFormat: with MaxDocument 0 the module engine admits a
// container over 1 MiB and refuses anything else over 1 MiB before the
// module, as the native engine does; an explicit MaxDocument applies to
// containers too.
func TestMaxDocumentPerFormat(t *testing.T) {
	ctx := context.Background()
	tr, err := (&Loader{Files: Files{Trust: []string{path(world.man.SignedTrust)}, OperatorKeys: []string{path(world.man.OperatorKey)}}}).Load()
	if err != nil {
		t.Fatal(err)
	}
	container, err := os.ReadFile("../../verifier/testdata/asice/files/digidoc4j/valid-containers/asice-with-large-data-file.asice")
	if err != nil {
		t.Fatal(err)
	}
	notZIP := bytes.Repeat([]byte{'A'}, verifier.DefaultMaxSize+1)
	cfg := Config{Name: "wasm", Instances: 1, Module: wasmbuild.ForTest(t), CacheDir: t.TempDir()}
	perFormat, err := New(ctx, cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer perFormat.Close(ctx)
	cfg.MaxDocument = 1 << 20
	explicit, err := New(ctx, cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer explicit.Close(ctx)
	native, err := New(ctx, Config{Name: "native"}, tr)
	if err != nil {
		t.Fatal(err)
	}
	opts := verifier.Options{Time: at}
	for _, c := range []struct {
		name   string
		e      Engine
		doc    []byte
		reason verifier.Reason
	}{
		{"2.8 MB container", perFormat, container, verifier.ChainUntrusted},
		{"2.8 MB container, native", native, container, verifier.ChainUntrusted},
		{"2.8 MB container, MaxDocument 1 MiB", explicit, container, verifier.TooLarge},
		{"1 MiB + 1, not a ZIP", perFormat, notZIP, verifier.TooLarge},
		{"1 MiB + 1, not a ZIP, native", native, notZIP, verifier.TooLarge},
	} {
		var r struct{ Reason verifier.Reason }
		if err := json.Unmarshal(c.e.Verify(ctx, c.doc, opts), &r); err != nil || r.Reason != c.reason {
			t.Errorf("%s: reason %q (%v), want %q", c.name, r.Reason, err, c.reason)
		}
	}
	if m, n := perFormat.Verify(ctx, container, opts), native.Verify(ctx, container, opts); string(m) != string(n) {
		t.Errorf("the container: module %s\nnative %s", m, n)
	}
}
