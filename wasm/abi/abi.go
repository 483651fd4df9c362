// Package abi is the Apostille WebAssembly module's ABI, in one place for
// both of its sides: the module (wasm/guest) and the Go host (wasm/host)
// import it, so that its version, the names of its exports and imports, the
// packing of results, the answers of the host's signature check and hash
// update and the options JSON cannot drift apart. docs/abi.md describes the same ABI for
// other hosts; wasm/js/apostille.mjs speaks it in JavaScript, and a test
// holds it to the Go host on every option (wasm/host, wasm/js/test).
//
// The package is pure Go and small: it is linked into the module, which
// every citizen downloads. It decodes JSON with the verifier's own decoder
// (verifier.DecodeJSON), never encoding/json.
package abi

import (
	"unicode/utf8"

	"github.com/apostille/apostille/verifier"
)

// Version is what apostille_abi_version returns; docs/abi.md describes
// version 2. It changes when the exports, the imports a host must give or
// their layouts change incompatibly: version 2 added the import
// hash_update, which a host of version 1 does not give.
const Version = 2

// The module's exports.
const (
	ExportVersion        = "apostille_abi_version"
	ExportInput          = "apostille_input"
	ExportOperatorKeyAdd = "apostille_operator_key_add"
	ExportTrustAdd       = "apostille_trust_add"
	ExportTrustReset     = "apostille_trust_reset"
	ExportVerify         = "apostille_verify"
)

// The host's signature check, which the module imports (docs/abi.md, host
// crypto), and its answers. Any other answer counts as NotHandled.
const (
	ImportModule          = "apostille_host"
	ImportVerifySignature = "verify_signature"

	SignatureInvalid    = 0
	SignatureValid      = 1
	SignatureNotHandled = 2
)

// ErrorFlag marks a result that is an error ({"error": "…"}) rather than
// the requested output: bit 31 of the result's length half.
const ErrorFlag = 1 << 31

// Pack packs a result into one value: addr << 32 | n, with ErrorFlag set
// in n for an error. n must be below ErrorFlag (the module's memory is
// smaller).
func Pack(addr uint32, n int, isErr bool) uint64 {
	v := uint64(addr)<<32 | uint64(uint32(n)&^ErrorFlag)
	if isErr {
		v |= ErrorFlag
	}
	return v
}

// Unpack is the inverse of Pack.
func Unpack(packed uint64) (addr, n uint32, isErr bool) {
	n = uint32(packed)
	return uint32(packed >> 32), n &^ ErrorFlag, n&ErrorFlag != 0
}

// OK is the result of a call that loaded what it was given
// (apostille_trust_add, apostille_operator_key_add).
const OK = `{"ok":true}`

// AppendError appends an error result's JSON, {"error": msg}.
func AppendError(b []byte, msg string) []byte {
	b = append(b, `{"error":`...)
	b = AppendString(b, msg)
	return append(b, '}')
}

// ErrorText reads the text of an error result; the whole result when it is
// not {"error": "…"}.
func ErrorText(result []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if verifier.DecodeJSON(result, &e) != nil || e.Error == "" {
		return string(result)
	}
	return e.Error
}

// AppendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 as U+FFFD (as encoding/json writes it,
// without its HTML escaping, which a JSON reader does not need).
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
