//go:build wasip1

package main

import (
	"unsafe"

	"github.com/apostille/apostille/wasm/abi"
)

// verifySignature is the optional host crypto import (docs/abi.md,
// abi.ImportVerifySignature): the host checks one signature primitive
// natively and answers abi.SignatureValid, abi.SignatureInvalid or
// abi.SignatureNotHandled (the module checks it itself; any other value
// counts as not handled).
// Every host must provide the import; a host without native crypto answers
// "not handled" (the JS host does).
//
//go:wasmimport apostille_host verify_signature
func verifySignature(alg unsafe.Pointer, algLen uint32, spki unsafe.Pointer, spkiLen uint32,
	msg unsafe.Pointer, msgLen uint32, sig unsafe.Pointer, sigLen uint32) int32

// hostCrypto is the verifier.CryptoFunc that offers each signature check to
// the host.
func hostCrypto(alg string, spki, msg, sig []byte) (valid, handled bool) {
	switch verifySignature(
		unsafe.Pointer(unsafe.StringData(alg)), uint32(len(alg)),
		unsafe.Pointer(unsafe.SliceData(spki)), uint32(len(spki)),
		unsafe.Pointer(unsafe.SliceData(msg)), uint32(len(msg)),
		unsafe.Pointer(unsafe.SliceData(sig)), uint32(len(sig))) {
	case abi.SignatureValid:
		return true, true
	case abi.SignatureInvalid:
		return false, true
	}
	return false, false
}
