package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
	var cacheErr error
	cfg := Config{Name: "wasm", Instances: 1, Module: wasmbuild.ForTest(t), CacheDir: t.TempDir(), Compiling: func(dir string, err error) { compiled, cacheErr = dir, err }}
	module, err := New(ctx, cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer module.Close(ctx)
	if compiled != cfg.CacheDir || cacheErr != nil {
		t.Errorf("Compiling told %q, %v; want %q", compiled, cacheErr, cfg.CacheDir)
	}
	// A cache directory that cannot be created is said to be one: the
	// module is compiled in memory, not "cached".
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	inMemory := cfg
	inMemory.CacheDir = filepath.Join(blocked, "cache")
	compiled, cacheErr = "", nil
	m2, err := New(ctx, inMemory, tr)
	if err != nil {
		t.Fatal(err)
	}
	m2.Close(ctx)
	if compiled != inMemory.CacheDir || cacheErr == nil {
		t.Errorf("an unusable cache: Compiling told %q, %v", compiled, cacheErr)
	}
	if _, err := os.Stat(inMemory.CacheDir); err == nil {
		t.Error("a cache was written after all")
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
