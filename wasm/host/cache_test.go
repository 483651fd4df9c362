package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/module"
)

// newCached starts an engine on dir and reports whether it announced a
// compilation, after checking that it verifies.
func newCached(t *testing.T, dir string) bool {
	t.Helper()
	set, err := benchdocs.Make()
	if err != nil {
		t.Fatal(err)
	}
	compiled := false
	e, err := New(context.Background(), Config{
		Module: wasmbuild.ForTest(t), Trust: []TrustSource{{"bench", set.Trust}}, Instances: 1,
		CacheDir: dir, Compiling: func() { compiled = true },
	})
	if err != nil {
		t.Fatalf("New with cache %s: %v", dir, err)
	}
	defer e.Close(context.Background())
	if v := decide(t, e.Verify(context.Background(), set.Docs[0].Data, verifier.Options{Time: benchdocs.At})); v.Verdict != verifier.Valid {
		t.Fatalf("verdict %+v, want valid", v)
	}
	return compiled
}

// wazeroEntries lists the compiled-code files wazero keeps under dir.
func wazeroEntries(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	if len(m) == 0 {
		t.Fatalf("no compiled code under %s", dir)
	}
	return m
}

func TestCacheColdThenWarm(t *testing.T) {
	dir := t.TempDir()
	if !newCached(t, dir) {
		t.Error("a cold cache did not announce the compilation")
	}
	if newCached(t, dir) {
		t.Error("a warm cache announced a compilation")
	}
}

// TestCacheCorrupt: entries cut short or overwritten are rebuilt, not fatal.
func TestCacheCorrupt(t *testing.T) {
	for _, damage := range []struct {
		name string
		do   func(path string) error
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 100) }},
		{"garbage", func(p string) error {
			return os.WriteFile(p, []byte(strings.Repeat("not compiled code ", 1000)), 0o644)
		}},
		{"flipped", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 0xff
			return os.WriteFile(p, b, 0o644)
		}},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir := t.TempDir()
			newCached(t, dir)
			for _, p := range wazeroEntries(t, dir) {
				if err := damage.do(p); err != nil {
					t.Fatal(err)
				}
			}
			newCached(t, dir)
			// Rebuilt: the next start reads a good entry.
			if newCached(t, dir) {
				t.Error("the cache was not rebuilt")
			}
		})
	}
}

// TestCacheUnusable: a cache path that cannot be a directory means
// compiling in memory, not failing.
func TestCacheUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	newCached(t, file)
}

// TestEmbeddedModuleCopy: the decompressed module is kept in the cache
// directory for the next process, checked against its hash when read: a
// damaged copy is replaced, copies of other modules are removed.
func TestEmbeddedModuleCopy(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "apostille-0000000000000000.wasm")
	os.WriteFile(stale, []byte("an earlier module"), 0o644)
	want := module.Bytes()
	cfg := Config{CacheDir: dir}
	if got := embeddedModule(cfg); !bytes.Equal(got, want) {
		t.Fatal("the embedded module is not the module")
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a copy of another module stayed")
	}
	path := filepath.Join(dir, "apostille-"+module.Key()[:16]+".wasm")
	copied, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(copied[sha256.Size:], want) {
		t.Fatalf("no copy of the module (%v)", err)
	}
	copied[len(copied)/2] ^= 1
	os.WriteFile(path, copied, 0o644)
	if got := embeddedModule(cfg); !bytes.Equal(got, want) {
		t.Fatal("a damaged copy was used")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again[sha256.Size:], want) {
		t.Error("the damaged copy was not replaced")
	}
	if got := embeddedModule(Config{NoCache: true}); !bytes.Equal(got, want) {
		t.Error("without a cache the module is not the module")
	}
}
