package host

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/verifier"
)

// wasmPage is the WebAssembly page size.
const wasmPage = 65536

// ABIVersion is the module ABI this host speaks (docs/abi.md).
const ABIVersion = 1

// errorFlag marks an error result (docs/abi.md).
const errorFlag = 1 << 31

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
	ver := mod.ExportedFunction("apostille_abi_version")
	inst.input = mod.ExportedFunction("apostille_input")
	inst.verifyF = mod.ExportedFunction("apostille_verify")
	add := mod.ExportedFunction("apostille_trust_add")
	if ver == nil || inst.input == nil || inst.verifyF == nil || add == nil || inst.mem == nil {
		mod.Close(ctx)
		return nil, errors.New("host: the module lacks the Apostille ABI exports")
	}
	if v, err := ver.Call(ctx); err != nil || len(v) != 1 || v[0] != ABIVersion {
		mod.Close(ctx)
		return nil, fmt.Errorf("host: the module does not speak ABI version %d", ABIVersion)
	}
	if len(e.cfg.OperatorKeys) > 0 {
		addKey := mod.ExportedFunction("apostille_operator_key_add")
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
					var msg struct{ Error string }
					json.Unmarshal(out, &msg)
					err = errors.New(msg.Error)
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
			var msg struct{ Error string }
			json.Unmarshal(out, &msg)
			return nil, fmt.Errorf("host: trust %q: %s", t.Name, msg.Error)
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

// result reads a packed result (docs/abi.md): address << 32 | length, bit
// 31 of the length flagging an error. The bytes are the module's: copy
// them before the next call.
func (inst *instance) result(packed uint64) ([]byte, bool, error) {
	ptr, n := uint32(packed>>32), uint32(packed)
	isErr := n&errorFlag != 0
	n &^= errorFlag
	b, ok := inst.mem.Read(ptr, n)
	if !ok {
		return nil, false, errors.New("host: the module's result is outside its memory")
	}
	return b, isErr, nil
}

// prepare copies a document, its detached parts and the options into the
// instance's input buffer for run.
func (inst *instance) prepare(ctx context.Context, doc []byte, opts verifier.Options) error {
	inst.opts = appendOptions(inst.opts[:0], &opts)
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
		var msg struct{ Error string }
		json.Unmarshal(out, &msg)
		return nil, &abiError{msg.Error}
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

// appendOptions writes the options JSON of docs/abi.md.
func appendOptions(b []byte, o *verifier.Options) []byte {
	b = append(b, '{')
	if !o.Time.IsZero() {
		b = append(b, `"at":"`...)
		b = o.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	if o.Format != "" {
		b = append(b, `"format":`...)
		b = strconv.AppendQuote(b, string(o.Format))
		b = append(b, ',')
	}
	if o.MaxSize > 0 {
		b = append(b, `"max_size":`...)
		b = strconv.AppendInt(b, int64(o.MaxSize), 10)
		b = append(b, ',')
	}
	if o.ClockSkew != 0 {
		b = append(b, `"clock_skew_seconds":`...)
		b = strconv.AppendFloat(b, max(o.ClockSkew, 0).Seconds(), 'g', -1, 64)
		b = append(b, ',')
	}
	if len(o.ExternalAAD) > 0 {
		b = append(b, `"external_aad":"`...)
		b = base64.StdEncoding.AppendEncode(b, o.ExternalAAD)
		b = append(b, `",`...)
	}
	if h := o.Holder; h.Audience != "" || h.Nonce != "" || h.RequireBinding || len(h.SessionTranscript) > 0 {
		hj, _ := json.Marshal(map[string]any{
			"audience": h.Audience, "nonce": h.Nonce, "require_binding": h.RequireBinding,
			"session_transcript": base64.StdEncoding.EncodeToString(h.SessionTranscript),
		})
		b = append(b, `"holder":`...)
		b = append(b, hj...)
		b = append(b, ',')
	}
	if len(o.StatusLists) > 0 {
		b = append(b, `"status_lists":[`...)
		for i, s := range o.StatusLists {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, s)
			b = append(b, '"')
		}
		b = append(b, `],`...)
	}
	if o.AcceptStaleTrustUnsafe {
		b = append(b, `"accept_stale_trust_unsafe":true,`...)
	}
	if b[len(b)-1] == ',' {
		b = b[:len(b)-1]
	}
	return append(b, '}')
}
