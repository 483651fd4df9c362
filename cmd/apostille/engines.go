package main

import (
	"flag"
	"time"

	"github.com/apostille/apostille/internal/engine"
)

// testModule, when set, is the module the engines run instead of the
// embedded one: tests set the module built from the source they test.
var testModule []byte

// engineFlags are verify's and serve's flags for the engine
// (internal/engine).
type engineFlags struct {
	name       string
	hostCrypto bool
	cacheDir   string
	// maxDocument is --max-document-size, which the command defines
	// (addMaxDocumentFlag) and the module bounds its input by.
	maxDocument int
}

func addEngineFlags(fs *flag.FlagSet) *engineFlags {
	f := &engineFlags{}
	fs.StringVar(&f.name, "engine", "wasm", "wasm (the WebAssembly module, as in the browser) or native (for comparison)")
	fs.BoolVar(&f.hostCrypto, "host-crypto", true, "let the module check signature primitives with native crypto (false: its own, as in a browser)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "where the compiled module is cached (default: the user cache directory)")
	return f
}

// config is the engine the flags ask for, with instances verifications at
// once and timeout per document in the module (0: the default).
func (f *engineFlags) config(instances int, timeout time.Duration, compiling func(dir string, cacheErr error)) engine.Config {
	return engine.Config{
		Name:              f.name,
		Instances:         instances,
		DisableHostCrypto: !f.hostCrypto,
		CacheDir:          f.cacheDir,
		Timeout:           timeout,
		MaxDocument:       f.maxDocument,
		Module:            testModule,
		Compiling:         compiling,
	}
}

// addMaxDocumentFlag defines --max-document-size, verify's and serve's,
// with def as its default: verify's is 0, the verifier's limit per format;
// serve's is an explicit 1 MiB, because the service's memory is bounded by
// connections × the largest document (docs/deploy.md).
func addMaxDocumentFlag(fs *flag.FlagSet, def int) *int {
	return fs.Int("max-document-size", def, "largest document accepted, in bytes, whatever its format; larger ones get too_large without being read further (a JSON Lines line or a JSON request may be four times larger: base64, payload and proof). 0: per format, 1 MiB, and 64 MiB for a signed container (ZIP: ASiC-E, BDOC, ASiC-S), a JSON Lines line then holding a container in base64 or four 1 MiB documents' worth")
}
