package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tetratelabs/wazero"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/wasm/module"
)

// DefaultCacheDir is where compiled code is kept across runs:
// $XDG_CACHE_HOME/apostille/wazero (os.UserCacheDir), or under the system
// temporary directory when there is no user cache directory.
func DefaultCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "apostille", "wazero")
}

// compile compiles the module with the on-disk cache. A cache that cannot be
// used is never fatal: a corrupt or foreign entry is removed and the module
// compiled again; a directory that cannot be created means compiling in
// memory.
func compile(ctx context.Context, rc wazero.RuntimeConfig, cfg Config) (wazero.Runtime, wazero.CompiledModule, error) {
	if cfg.NoCache {
		return compileWith(ctx, rc, nil, cfg.Module)
	}
	dir := cfg.CacheDir
	if dir == "" {
		dir = DefaultCacheDir()
	}
	marker := filepath.Join(dir, markerName(cfg.Module))
	if _, err := os.Stat(marker); err != nil && cfg.Compiling != nil {
		cfg.Compiling()
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return compileWith(ctx, rc, nil, cfg.Module)
	}
	rt, cm, err := compileWith(ctx, rc, cache, cfg.Module)
	if err != nil {
		// wazero refuses an entry that fails its checksum or is cut short
		// rather than recompiling. The entries are wazero's own, in its
		// versioned subdirectories: remove them and compile afresh.
		cache.Close(ctx)
		clearWazeroEntries(dir)
		if cache, err = wazero.NewCompilationCacheWithDir(dir); err != nil {
			return compileWith(ctx, rc, nil, cfg.Module)
		}
		if rt, cm, err = compileWith(ctx, rc, cache, cfg.Module); err != nil {
			return compileWith(ctx, rc, nil, cfg.Module)
		}
	}
	os.WriteFile(marker, nil, 0o644)
	return rt, cm, nil
}

func compileWith(ctx context.Context, rc wazero.RuntimeConfig, cache wazero.CompilationCache, wasm []byte) (wazero.Runtime, wazero.CompiledModule, error) {
	if cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, nil, fmt.Errorf("host: compiling the module: %w", err)
	}
	return rt, cm, nil
}

// embeddedModule returns the module wasm/module embeds. Decompressing it
// costs a process about 45 ms of CPU, a third of a warm one-document
// `apostille verify`; so with an on-disk cache the decompressed module is
// kept there as well, named by the compressed file's SHA-256 and stored
// after its own SHA-256, and later processes read it (5 ms to check)
// instead. A copy that does not match its hash is replaced.
func embeddedModule(cfg Config) []byte {
	if cfg.NoCache {
		return module.Bytes()
	}
	dir := cfg.CacheDir
	if dir == "" {
		dir = DefaultCacheDir()
	}
	path := filepath.Join(dir, "apostille-"+module.Key()[:16]+".wasm")
	if b, err := os.ReadFile(path); err == nil && len(b) > sha256.Size {
		if sum := sha256.Sum256(b[sha256.Size:]); bytes.Equal(sum[:], b[:sha256.Size]) {
			return b[sha256.Size:]
		}
	}
	wasm := module.Bytes()
	if wasm == nil {
		return nil
	}
	// Copies of earlier modules are of no more use.
	if old, err := filepath.Glob(filepath.Join(dir, "apostille-*.wasm")); err == nil {
		for _, p := range old {
			os.Remove(p)
		}
	}
	sum := sha256.Sum256(wasm)
	atomicfile.Write(path, append(sum[:], wasm...), 0o644) // a copy that cannot be written is decompressed next time
	return wasm
}

// markerName names the file that records that this module was compiled
// into the cache on this platform. It only decides whether to announce a
// first compilation; wazero finds its entries itself.
func markerName(wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return "apostille-" + hex.EncodeToString(sum[:8]) + "-" + runtime.GOOS + "-" + runtime.GOARCH + ".compiled"
}

// clearWazeroEntries removes wazero's versioned cache subdirectories
// (wazero-<version>-<arch>-<os>) and the markers, and nothing else in dir.
func clearWazeroEntries(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "wazero-") && e.IsDir() || strings.HasPrefix(name, "apostille-") && strings.HasSuffix(name, ".compiled") {
			os.RemoveAll(filepath.Join(dir, name))
		}
	}
}
