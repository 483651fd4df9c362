// Package host runs the Apostille WebAssembly module under wazero: the
// same module, and so the same verdicts, as the citizen's browser, at close
// to native speed for bulk verification.
//
// An Engine compiles the module once (cached on disk across runs), keeps a
// pool of instances each loaded once with the trust, and verifies one
// document per instance at a time. It answers every document with a report:
// an instance that traps, runs out of memory or passes its deadline is
// discarded and replaced, and that document gets an internal or
// limit_exceeded report while the others go on.
//
// The module's signature checks are answered by the host's native Go crypto
// (verifier.VerifyPrimitive), and the digests of large inputs by native
// SHA-2, unless Config.DisableHostCrypto is set; parsing and every decision
// stay inside the module. docs/abi.md describes the ABI.
package host

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/apostille/apostille/verifier"
)

// Defaults for a zero Config.
const (
	// DefaultMemoryLimit bounds each instance's linear memory. A 1 MiB
	// document needs a few tens of MiB at most.
	DefaultMemoryLimit = 256 << 20
	// DefaultTimeout bounds one document's verification. Verifying takes
	// milliseconds; a document that takes this long is hostile or a bug.
	DefaultTimeout = 10 * time.Second
)

// ErrNoModule says that no module was given and the embedded one
// (wasm/module) could not be read.
var ErrNoModule = errors.New("host: no WebAssembly module (the embedded one could not be read; set Config.Module)")

// TrustSource is one trust input as ParseTrust reads it: a trust bundle, a
// JWK Set, a JWK or PEM/DER certificates. Name labels issuers the source
// does not name (usually the file name).
type TrustSource struct {
	Name string
	Data []byte
}

// Config configures an Engine. The zero value is usable: the embedded
// module, the on-disk cache under the user cache directory, GOMAXPROCS
// instances, host crypto on, and the default limits.
type Config struct {
	// Module is the WebAssembly module; nil means the embedded one
	// (wasm/module: the committed reproducible build, decompressed once
	// per process).
	Module []byte
	// Trust is loaded once into every instance.
	Trust []TrustSource
	// OperatorKeys are pinned trust-list operator keys (public JWKs):
	// signed trust bundles in Trust must verify with one of them. The host
	// keeps its own rollback state (internal/trustlist) before handing a
	// signed bundle over.
	OperatorKeys [][]byte

	// CacheDir holds compiled code across runs, and the embedded module
	// decompressed; "" means DefaultCacheDir(). NoCache compiles in memory
	// only.
	CacheDir string
	NoCache  bool
	// Compiling, when set, is called once before a compilation that the
	// on-disk cache cannot answer (a first run), so a command can tell the
	// user why it waits.
	Compiling func()

	// Instances is the size of the pool; 0 means GOMAXPROCS.
	Instances int
	// MemoryLimit bounds each instance's memory in bytes; 0 means
	// DefaultMemoryLimit. An instance that reaches it is replaced and the
	// document gets limit_exceeded.
	MemoryLimit int64
	// MaxInputSize bounds a document in bytes before it is copied into an
	// instance, for every format; 0 means the verifier's default of the
	// document's kind (verifier.MaxSizeFor: 64 MiB for a ZIP container,
	// 1 MiB for anything else). Larger documents get too_large without
	// entering the module.
	MaxInputSize int
	// Timeout bounds one document's verification; 0 means DefaultTimeout.
	// A document that passes it gets limit_exceeded and its instance is
	// replaced. Unless Interruptible is set, the call cannot be stopped
	// (the verifier bounds its own work, so it ends): at the deadline its
	// slot in the pool goes to a new instance so that other documents go
	// on, and the late document gets its report when the call returns.
	// Interruptible makes wazero stop the call at the deadline, at the
	// price of a check at every loop and call in the module: about 5× its
	// running time (measured: docs/PERFORMANCE.md), so it is off by default.
	Timeout       time.Duration
	Interruptible bool

	// DisableHostCrypto makes the module check signatures and compute
	// digests with its own Go code, as it does in a browser. Crypto, when
	// set, replaces the native answer (an HSM, a counting wrapper); nil
	// means verifier.VerifyPrimitive with parsed keys cached by SPKI.
	DisableHostCrypto bool
	Crypto            verifier.CryptoFunc
	// DisableHostHash makes the module compute the digests of large inputs
	// (a container's data files) with its own Go code, while signatures
	// still go to the host: it measures what host hashing saves.
	DisableHostHash bool
}

// Engine verifies documents through the module. It is safe for concurrent
// use; at most Config.Instances verifications run at once.
type Engine struct {
	cfg      Config
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	slots    chan *instance // nil entries are slots without a live instance
	crypto   verifier.CryptoFunc
	hashing  bool // answer hash_update natively
	// hashed counts the bytes hash_update hashed, so that tests can tell
	// that the host's hashing was used.
	hashed atomic.Int64
	// summed counts the sums hash_update answered (an empty state).
	summed atomic.Int64
	limit  uint32 // memory limit in bytes, rounded to pages
}

// New compiles the module (or loads it from the cache), creates one
// instance to check that the module and the trust load, and returns the
// engine. Close releases it.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Module == nil {
		cfg.Module = embeddedModule(cfg)
	}
	if cfg.Module == nil {
		return nil, ErrNoModule
	}
	if cfg.Instances <= 0 {
		cfg.Instances = runtime.GOMAXPROCS(0)
	}
	if cfg.MemoryLimit <= 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	if cfg.MaxInputSize < 0 {
		cfg.MaxInputSize = 0
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	pages := cfg.MemoryLimit / wasmPage
	if pages < 1 || pages > 65536 {
		return nil, fmt.Errorf("host: memory limit %d is out of range", cfg.MemoryLimit)
	}
	e := &Engine{cfg: cfg, limit: uint32(min(pages*wasmPage, 1<<32-wasmPage))}
	e.hashing = !cfg.DisableHostCrypto && !cfg.DisableHostHash
	switch {
	case cfg.DisableHostCrypto:
		e.crypto = nil
	case cfg.Crypto != nil:
		e.crypto = cfg.Crypto
	default:
		e.crypto = newNativeCrypto().verify
	}
	rc := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(uint32(pages)).
		WithCloseOnContextDone(cfg.Interruptible)
	var err error
	e.rt, e.compiled, err = compile(ctx, rc, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, e.rt); err != nil {
		e.rt.Close(ctx)
		return nil, fmt.Errorf("host: WASI: %w", err)
	}
	if err := e.instantiateHostModule(ctx); err != nil {
		e.rt.Close(ctx)
		return nil, err
	}
	first, err := e.newInstance(ctx)
	if err != nil {
		e.rt.Close(ctx)
		return nil, err
	}
	e.slots = make(chan *instance, cfg.Instances)
	e.slots <- first
	for i := 1; i < cfg.Instances; i++ {
		e.slots <- nil
	}
	return e, nil
}

// Close releases the runtime and every instance.
func (e *Engine) Close(ctx context.Context) error {
	return e.rt.Close(ctx)
}

// Instances is the size of the pool.
func (e *Engine) Instances() int { return e.cfg.Instances }

// Verify verifies one document and returns its report JSON, the same bytes
// the native verifier's Report.AppendJSON writes. opts is used as by
// verifier.Verify except Trust (the engine's) and Crypto (the engine's
// host crypto). It never fails: whatever goes wrong gets a report.
func (e *Engine) Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte {
	limit := min(verifier.MaxSizeFor(doc, e.cfg.MaxInputSize), verifier.MaxSizeFor(doc, opts.MaxSize))
	if len(doc) > limit {
		// The verifier decides too_large before reading a byte; asking it
		// natively keeps the report identical without copying the input
		// into an instance.
		opts.Trust, opts.Crypto, opts.Hash, opts.MaxSize = nil, nil, nil, limit
		return verifier.Verify(doc, opts).AppendJSON(nil)
	}
	opts.MaxSize = limit
	var inst *instance
	select {
	case inst = <-e.slots:
	case <-ctx.Done():
		return failureReport(opts.Time, verifier.Internal, "the verification was cancelled before it started")
	}
	if inst == nil {
		var err error
		if inst, err = e.newInstance(ctx); err != nil {
			e.slots <- nil
			return failureReport(opts.Time, verifier.Internal, "no module instance could be started")
		}
	}
	rep, err := e.call(ctx, inst, doc, opts)
	if err != nil {
		if errors.Is(err, errLate) {
			// The timer already gave this slot to a new instance.
			inst.close(context.Background())
			return failureReport(opts.Time, verifier.LimitExceeded, fmt.Sprintf("verification took longer than %s", e.cfg.Timeout))
		}
		reason, detail := e.classify(inst, err)
		inst.close(context.Background())
		e.slots <- nil
		return failureReport(opts.Time, reason, detail)
	}
	if inst.memorySize() > e.limit/2 {
		// A document made this instance grow; wasm memory never shrinks,
		// so a fresh instance keeps the pool's footprint small.
		inst.close(context.Background())
		inst = nil
	}
	e.slots <- inst
	return rep
}

// errLate says that a call outlasted the timeout: its slot in the pool was
// already handed to a new instance.
var errLate = errors.New("host: verification passed its deadline")

// call runs one verification on inst, on the caller's goroutine: handing
// each call to another goroutine, to be able to return at the deadline,
// costs about as much CPU as the verification itself (measured:
// docs/PERFORMANCE.md). Instead a timer watches the call: at the deadline
// it gives the instance's slot in the pool to a new instance, so that the
// other documents go on, and when the call returns its document gets
// limit_exceeded and the instance is closed. With Interruptible, wazero
// stops the call at the deadline instead.
func (e *Engine) call(ctx context.Context, inst *instance, doc []byte, opts verifier.Options) ([]byte, error) {
	if err := inst.prepare(ctx, doc, opts); err != nil {
		return nil, err
	}
	if e.cfg.Interruptible {
		callCtx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
		defer cancel()
		return inst.run(callCtx)
	}
	if inst.timer == nil {
		inst.timer = time.AfterFunc(time.Hour, func() { e.slots <- nil })
	}
	inst.timer.Reset(e.cfg.Timeout)
	rep, err := inst.run(ctx)
	if !inst.timer.Stop() {
		return nil, errLate
	}
	return rep, err
}
