package host

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/wasm/abi"
)

// hashUpdate implements the hash_update import (docs/abi.md): the module's
// digest state, restored natively, fed the data, marshalled back into the
// module's buffer. It keeps nothing between calls and reads the data in
// place. Whatever it cannot answer (hashing off, a range outside memory, an
// unknown algorithm, a state that does not restore, a buffer too small) is
// answered abi.HashNotHandled, and the module hashes the data itself.
func (e *Engine) hashUpdate(_ context.Context, mod api.Module, stack []uint64) {
	alg := uint32(stack[0])
	stack[0] = api.EncodeI32(abi.HashNotHandled)
	if !e.hashing {
		return
	}
	mem := mod.Memory()
	state, ok1 := mem.Read(uint32(stack[1]), uint32(stack[2]))
	data, ok2 := mem.Read(uint32(stack[3]), uint32(stack[4]))
	out, ok3 := mem.Read(uint32(stack[5]), uint32(stack[6]))
	if !ok1 || !ok2 || !ok3 || len(state) > abi.HashStateCap {
		return
	}
	// The new state is built in a buffer of the host's and copied only
	// when it fits: out may overlap state or data.
	var buf [abi.HashStateCap]byte
	next, ok := abi.HashUpdate(alg, state, data, buf[:0])
	if !ok || len(next) > len(out) || len(next) > len(buf) {
		return
	}
	copy(out, next)
	e.hashed.Add(int64(len(data)))
	stack[0] = api.EncodeI32(int32(len(next)))
}
