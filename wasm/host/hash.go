package host

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"encoding/binary"
	"hash"
	"hash/crc32"

	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/wasm/abi"
)

// hashUpdate is hash_update's work, natively: it restores a digest of
// algorithm alg from state, writes data to it and appends the new state to
// out (docs/abi.md gives the states); with an empty state it appends the
// sum of data instead. ok is false for an unknown algorithm or a state
// that is not one of alg's: a SHA-2 digest's UnmarshalBinary checks its
// magic and length, a CRC-32 state is 4 bytes.
func hashUpdate(alg uint32, state, data, out []byte) (_ []byte, ok bool) {
	var d hash.Hash
	switch alg {
	case abi.HashSHA256:
		d = sha256.New()
	case abi.HashSHA384:
		d = sha512.New384()
	case abi.HashSHA512:
		d = sha512.New()
	case abi.HashCRC32:
		if len(state) == 0 {
			return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(data)), true
		}
		if len(state) != 4 {
			return out, false
		}
		return binary.BigEndian.AppendUint32(out, crc32.Update(binary.BigEndian.Uint32(state), crc32.IEEETable, data)), true
	default:
		return out, false
	}
	if len(state) == 0 {
		d.Write(data)
		return d.Sum(out), true
	}
	if d.(encoding.BinaryUnmarshaler).UnmarshalBinary(state) != nil {
		return out, false
	}
	d.Write(data)
	out, err := d.(encoding.BinaryAppender).AppendBinary(out)
	return out, err == nil
}

// hashUpdateImport implements the hash_update import (docs/abi.md): the
// module's digest state, restored natively, fed the data, marshalled back
// into the module's buffer. It keeps nothing between calls and reads the data in
// place. Whatever it cannot answer (hashing off, a range outside memory, an
// unknown algorithm, a state that does not restore, a buffer too small) is
// answered abi.HashNotHandled, and the module hashes the data itself.
func (e *Engine) hashUpdateImport(_ context.Context, mod api.Module, stack []uint64) {
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
	next, ok := hashUpdate(alg, state, data, buf[:0])
	if !ok || len(next) > len(out) || len(next) > len(buf) {
		return
	}
	copy(out, next)
	e.hashed.Add(int64(len(data)))
	if len(state) == 0 {
		e.summed.Add(1)
	}
	stack[0] = api.EncodeI32(int32(len(next)))
}
