//go:build wasip1

package main

import (
	"unsafe"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// hashUpdate is the optional host hashing import (docs/abi.md,
// abi.ImportHashUpdate): the host restores the digest state (Go's
// marshalled form), writes data and puts the new state in out, returning
// its length, or a negative number when it does not hash (the JS host).
// Every host must provide the import.
//
//go:wasmimport apostille_host hash_update
func hashUpdate(alg uint32, state unsafe.Pointer, stateLen uint32, data unsafe.Pointer, dataLen uint32,
	out unsafe.Pointer, outCap uint32) int32

// hostHasher makes the digests the verifier takes for large inputs; it
// stops asking a host that does not hash.
var hostHasher = &abi.HostHasher{Update: func(alg uint32, state, data, out []byte) int32 {
	return hashUpdate(alg,
		unsafe.Pointer(unsafe.SliceData(state)), uint32(len(state)),
		unsafe.Pointer(unsafe.SliceData(data)), uint32(len(data)),
		unsafe.Pointer(unsafe.SliceData(out)), uint32(len(out)))
}}

// hostHash is verifier.Options.Hash for every document: the method value
// made once.
var hostHash verifier.HashFunc = hostHasher.New
