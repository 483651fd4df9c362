// Package engine is how a host of the verifier verifies documents: the
// command line (`apostille verify`) and the service (`apostille serve`,
// internal/server) both go through it, so that they decide alike and each
// mechanism below exists once.
//
// A document travels like this:
//
//  1. Trust is loaded once (Loader.Load): every trust file is read once,
//     signed bundles are opened with the pinned operator keys and checked
//     against the rollback state (internal/trustlist), and the status list
//     files are read. A refused signed bundle does not fail the load: it
//     is kept as Trust.Refused, and every document is answered with the
//     refusal. Trust.Fingerprint covers every byte read, so that the
//     service reloads only when a file changed.
//  2. An Engine is made for that trust (New): the WebAssembly module under
//     wazero (Module, "wasm", the same artifact as the citizen's browser,
//     which parses the trust sources itself in each of its instances) or the
//     verifier in this process (Native, "native"). Both write the same
//     report bytes.
//  3. Each document is verified by Verify: a refused trust answers with its
//     refusal; otherwise the engine verifies the document with the trust's
//     status lists. When the report's revocation check says status_unknown
//     and names the list it needs (verifier.ReadSummary), the host's fetch
//     function gets that list and the document is verified once more with
//     it. The verifier itself never fetches.
//  4. Many documents go through a Pool: a bounded number of workers, at
//     most a window of documents in memory, and the reports delivered in
//     input order.
//
// What a host adds around this is its own: the CLI its flags, inputs and
// output formats; the service HTTP, limits, metrics and logs.
package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// Engine verifies one document and returns its report JSON. It never
// fails: whatever goes wrong is a report. Engines are safe for concurrent
// use.
type Engine interface {
	Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte
	// Name says which engine it is, "wasm" or "native", for logs.
	Name() string
	Close(ctx context.Context) error
}

// Native runs the verifier in this process with one trust.
type Native struct{ Trust *verifier.Trust }

// Verify verifies doc with the engine's trust.
func (n Native) Verify(_ context.Context, doc []byte, opts verifier.Options) []byte {
	opts.Trust = n.Trust
	return verifier.Verify(doc, opts).AppendJSON(nil)
}

// Name is "native".
func (Native) Name() string { return "native" }

// Close does nothing: the native engine holds nothing.
func (Native) Close(context.Context) error { return nil }

// Module runs the WebAssembly module under wazero (wasm/host).
type Module struct{ *host.Engine }

// Name is "wasm".
func (Module) Name() string { return "wasm" }

// NewModule makes a module engine with cfg and the trust: its sources and
// pinned operator keys are loaded into every instance.
func NewModule(ctx context.Context, cfg host.Config, t *Trust) (Module, error) {
	cfg.Trust, cfg.OperatorKeys = t.Sources, t.OperatorKeys
	e, err := host.New(ctx, cfg)
	if err != nil {
		return Module{}, err
	}
	return Module{e}, nil
}

// Config says which engine to make.
type Config struct {
	// Name is "wasm" (the module, as in the browser) or "native".
	Name string
	// Instances bounds the module's concurrent verifications; 0 means
	// GOMAXPROCS.
	Instances int
	// DisableHostCrypto makes the module check signatures with its own
	// crypto, as in a browser.
	DisableHostCrypto bool
	// CacheDir holds the compiled module across runs; "" means
	// host.DefaultCacheDir().
	CacheDir string
	// Timeout bounds one document in the module; 0 means
	// host.DefaultTimeout.
	Timeout time.Duration
	// Module is the WebAssembly module; nil means the embedded one
	// (wasm/module). Tests set one built from source.
	Module []byte
	// MaxDocument bounds a document in bytes before it enters the module,
	// for every format; 0 means the verifier's default of the document's
	// kind (verifier.MaxSizeFor: 64 MiB for a ZIP container, 1 MiB for
	// anything else). Larger documents get too_large.
	MaxDocument int
	// Compiling, when set, is told before a compilation that the on-disk
	// cache cannot answer (a first run), with the cache directory; or,
	// with the error, that the directory cannot be used, so the module is
	// compiled in memory (and will be at every start).
	Compiling func(cacheDir string, cacheErr error)
}

// ErrUnknownEngine is New's answer to a name that is neither "wasm" nor
// "native".
var ErrUnknownEngine = errors.New("unknown engine (wasm or native)")

// New makes the engine cfg names for trust t.
func New(ctx context.Context, cfg Config, t *Trust) (Engine, error) {
	switch cfg.Name {
	case "native":
		return Native{t.Parsed}, nil
	case "wasm":
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownEngine, cfg.Name)
	}
	dir := cfg.CacheDir
	if dir == "" {
		dir = host.DefaultCacheDir()
	}
	hc := host.Config{
		Module:            cfg.Module,
		Instances:         cfg.Instances,
		Timeout:           cfg.Timeout,
		MaxInputSize:      cfg.MaxDocument,
		CacheDir:          dir,
		DisableHostCrypto: cfg.DisableHostCrypto,
	}
	// wasm/host compiles in memory when the cache cannot be used; saying
	// "cached" then would be wrong, so the directory is tried first.
	if err := writable(dir); err != nil {
		hc.NoCache = true
		if cfg.Compiling != nil {
			cfg.Compiling(dir, err)
		}
	} else if cfg.Compiling != nil {
		hc.Compiling = func() { cfg.Compiling(dir, nil) }
	}
	return NewModule(ctx, hc, t)
}

// writable says whether files can be created in dir, creating it if need
// be.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}
