package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/apostille/apostille/internal/wasmbuild"
)

// TestEngines: both engines write the same report for the same document,
// and say which they are; an unknown name is refused.
func TestEngines(t *testing.T) {
	ctx := context.Background()
	tr, err := (&Loader{Files: Files{Trust: []string{path(world.man.SignedTrust)}, OperatorKeys: []string{path(world.man.OperatorKey)}}}).Load()
	if err != nil {
		t.Fatal(err)
	}
	compiled := ""
	cfg := Config{Name: "wasm", Instances: 1, Module: wasmbuild.ForTest(t), CacheDir: t.TempDir(), Compiling: func(dir string) { compiled = dir }}
	module, err := New(ctx, cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer module.Close(ctx)
	if compiled != cfg.CacheDir {
		t.Errorf("Compiling told %q, want %q", compiled, cfg.CacheDir)
	}
	cfg.Name = "native"
	native, err := New(ctx, cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	if module.Name() != "wasm" || native.Name() != "native" {
		t.Errorf("names %q, %q", module.Name(), native.Name())
	}
	for _, s := range world.man.Samples {
		doc, opts := sample(t, s.File[len("documents/"):])
		if m, n := module.Verify(ctx, doc, opts), native.Verify(ctx, doc, opts); string(m) != string(n) {
			t.Errorf("%s: module %s\nnative %s", s.File, m, n)
		}
	}
	cfg.Name = "quantum"
	if _, err := New(ctx, cfg, tr); !errors.Is(err, ErrUnknownEngine) {
		t.Errorf("unknown engine: %v", err)
	}
}
