package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
	"github.com/apostille/apostille/wasm/module"
)

// engine verifies one document and returns its report JSON. Both engines
// write the same bytes for the same input.
type engine interface {
	verify(ctx context.Context, doc []byte, opts verifier.Options) []byte
	close()
}

// embeddedModule returns the module built into this binary; tests replace
// it with one built from the current source.
var embeddedModule = module.Bytes

// nativeEngine runs the verifier in this process.
type nativeEngine struct{ trust *verifier.Trust }

func (n nativeEngine) verify(_ context.Context, doc []byte, opts verifier.Options) []byte {
	opts.Trust = n.trust
	return verifier.Verify(doc, opts).AppendJSON(nil)
}

func (nativeEngine) close() {}

// wasmEngine runs the embedded WebAssembly module under wazero: the same
// artifact as the citizen's browser.
type wasmEngine struct{ e *host.Engine }

func (w wasmEngine) verify(ctx context.Context, doc []byte, opts verifier.Options) []byte {
	return w.e.Verify(ctx, doc, opts)
}

func (w wasmEngine) close() { w.e.Close(context.Background()) }

// engineConfig is what --engine and its companions ask for.
type engineConfig struct {
	name       string // "wasm" or "native"
	explicit   bool   // --engine was given
	jobs       int
	hostCrypto bool
	cacheDir   string
	trust      []host.TrustSource
	// operatorKeys are pinned trust-list operator keys for signed bundles.
	operatorKeys [][]byte
	parsed       *verifier.Trust
	// timeout bounds one document in the module (0: host.DefaultTimeout);
	// serve sets its request deadline.
	timeout time.Duration
}

func newEngine(cfg engineConfig, stderr io.Writer) (engine, error) {
	switch cfg.name {
	case "native":
		return nativeEngine{cfg.parsed}, nil
	case "wasm":
	default:
		return nil, fmt.Errorf("unknown --engine %q (wasm or native)", cfg.name)
	}
	mod := embeddedModule()
	if mod == nil {
		if cfg.explicit {
			return nil, host.ErrNoModule
		}
		fmt.Fprintln(stderr, "apostille verify: this build embeds no WebAssembly module (build with `make build`); verifying natively")
		return nativeEngine{cfg.parsed}, nil
	}
	dir := cfg.cacheDir
	if dir == "" {
		dir = host.DefaultCacheDir()
	}
	e, err := host.New(context.Background(), host.Config{
		Module:            mod,
		Trust:             cfg.trust,
		OperatorKeys:      cfg.operatorKeys,
		Instances:         cfg.jobs,
		Timeout:           cfg.timeout,
		CacheDir:          dir,
		DisableHostCrypto: !cfg.hostCrypto,
		Compiling: func() {
			fmt.Fprintf(stderr, "apostille verify: compiling the verification module once (cached in %s)\n", dir)
		},
	})
	if err != nil {
		return nil, err
	}
	return wasmEngine{e}, nil
}
