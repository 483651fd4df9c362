package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// wasmPage is the WebAssembly page size.
const wasmPage = 65536

// ABIVersion is the module ABI this host speaks (docs/abi.md).
const ABIVersion = abi.Version

// instance is one module instance with its trust loaded. One call at a
// time: the pool hands an instance to one goroutine.
type instance struct {
	mod     api.Module
	mem     api.Memory
	input   api.Function
	verifyF api.Function
	stderr  *tailBuffer
	stack   []uint64
	// inPtr and inCap are the input buffer the module last returned: it
	// stays at that address, at least that large, until the next
	// apostille_input call.
	inPtr, inCap uint32
	opts         []byte
	// timer watches this instance's calls (Engine.call).
	timer *time.Timer
}

func (e *Engine) newInstance(ctx context.Context) (*instance, error) {
	inst := &instance{stderr: &tailBuffer{max: 4096}, stack: make([]uint64, 4)}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions("_initialize").
		WithStderr(inst.stderr).
		// wazero's defaults are fake (a clock at 2022-01-01, repeating
		// random bytes). The module decides nothing by them, the time
		// comes with each document, but the Go runtime in it uses them
		// for its scheduler and map seeds: give it real ones.
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(randReader{})
	mod, err := e.rt.InstantiateModule(ctx, e.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("host: instantiating the module: %w", err)
	}
	inst.mod, inst.mem = mod, mod.Memory()
	ver := mod.ExportedFunction(abi.ExportVersion)
	inst.input = mod.ExportedFunction(abi.ExportInput)
	inst.verifyF = mod.ExportedFunction(abi.ExportVerify)
	add := mod.ExportedFunction(abi.ExportTrustAdd)
	if ver == nil || inst.input == nil || inst.verifyF == nil || add == nil || inst.mem == nil {
		mod.Close(ctx)
		return nil, errors.New("host: the module lacks the Apostille ABI exports")
	}
	if v, err := ver.Call(ctx); err != nil || len(v) != 1 || v[0] != ABIVersion {
		mod.Close(ctx)
		return nil, fmt.Errorf("host: the module does not speak ABI version %d", ABIVersion)
	}
	if len(e.cfg.OperatorKeys) > 0 {
		addKey := mod.ExportedFunction(abi.ExportOperatorKeyAdd)
		if addKey == nil {
			mod.Close(ctx)
			return nil, errors.New("host: the module cannot pin operator keys")
		}
		for _, k := range e.cfg.OperatorKeys {
			if err := inst.write(ctx, k); err != nil {
				mod.Close(ctx)
				return nil, err
			}
			res, err := addKey.Call(ctx, uint64(len(k)))
			if err == nil {
				var out []byte
				var isErr bool
				if out, isErr, err = inst.result(res[0]); err == nil && isErr {
					err = errors.New(abi.ErrorText(out))
				}
			}
			if err != nil {
				mod.Close(ctx)
				return nil, fmt.Errorf("host: operator key: %w", err)
			}
		}
	}
	for _, t := range e.cfg.Trust {
		if err := inst.write(ctx, []byte(t.Name), t.Data); err != nil {
			mod.Close(ctx)
			return nil, err
		}
		res, err := add.Call(ctx, uint64(len(t.Name)), uint64(len(t.Data)))
		if err != nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("host: loading trust %q: %w", t.Name, err)
		}
		out, isErr, err := inst.result(res[0])
		if err != nil || isErr {
			mod.Close(ctx)
			if err != nil {
				return nil, fmt.Errorf("host: trust %q: %w", t.Name, err)
			}
			return nil, fmt.Errorf("host: trust %q: %s", t.Name, abi.ErrorText(out))
		}
	}
	return inst, nil
}

// write copies parts one after the other into the module's input buffer.
func (inst *instance) write(ctx context.Context, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if uint32(n) > inst.inCap || inst.inPtr == 0 {
		inst.stack[0] = uint64(n)
		if err := inst.input.CallWithStack(ctx, inst.stack); err != nil {
			return err
		}
		inst.inPtr, inst.inCap = uint32(inst.stack[0]), uint32(n)
	}
	off := inst.inPtr
	for _, p := range parts {
		if !inst.mem.Write(off, p) {
			return errors.New("host: the module's input buffer is outside its memory")
		}
		off += uint32(len(p))
	}
	return nil
}

// result reads a packed result (abi.Unpack). The bytes are the module's:
// copy them before the next call.
func (inst *instance) result(packed uint64) ([]byte, bool, error) {
	ptr, n, isErr := abi.Unpack(packed)
	b, ok := inst.mem.Read(ptr, n)
	if !ok {
		return nil, false, errors.New("host: the module's result is outside its memory")
	}
	return b, isErr, nil
}

// prepare copies a document, its detached parts and the options into the
// instance's input buffer for run.
func (inst *instance) prepare(ctx context.Context, doc []byte, opts verifier.Options) error {
	inst.opts = abi.AppendOptions(inst.opts[:0], &opts)
	if err := inst.write(ctx, doc, opts.Payload, opts.Proof, inst.opts); err != nil {
		return err
	}
	s := inst.stack
	s[0], s[1], s[2], s[3] = uint64(len(doc)), uint64(len(opts.Payload)), uint64(len(opts.Proof)), uint64(len(inst.opts))
	return nil
}

// run calls apostille_verify on what prepare wrote and returns a copy of
// the report.
func (inst *instance) run(ctx context.Context) ([]byte, error) {
	s := inst.stack
	if err := inst.verifyF.CallWithStack(ctx, s); err != nil {
		return nil, err
	}
	out, isErr, err := inst.result(s[0])
	if err != nil {
		return nil, err
	}
	if isErr {
		return nil, &abiError{abi.ErrorText(out)}
	}
	return bytes.Clone(out), nil
}

// abiError is an error result from the module: the host broke the ABI.
type abiError struct{ msg string }

func (e *abiError) Error() string { return "host: the module refused the call: " + e.msg }

func (inst *instance) memorySize() uint32 { return inst.mem.Size() }

func (inst *instance) close(ctx context.Context) {
	if inst.timer != nil {
		inst.timer.Stop()
	}
	inst.mod.Close(ctx)
}
