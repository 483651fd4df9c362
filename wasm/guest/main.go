//go:build wasip1

// Command guest is the Apostille WebAssembly module: the verifier behind a
// small ABI (docs/abi.md) that browsers, Node and the Go host call alike.
//
// Build it as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o apostille.wasm ./wasm/guest
//
// The module committed in wasm/module is `make wasm`'s build: Go 1.26.8
// and internal/wasmbuild's flags, byte for byte reproducible. The command
// above leaves those flags out, the runtime's linked GODEBUG among them
// (wasmbuild.GODEBUG): its module decides alike but runs slower.
//
// The host calls _initialize once, loads trust once per instance, then calls
// apostille_verify for each document. The ABI's constants, result packing
// and options JSON are wasm/abi's, which the Go host shares; the export
// names below are abi.Export*. The module reads no clock, file,
// environment or network to decide anything: the verification time and the
// trust come in through the ABI.
package main

import (
	"bytes"
	"unsafe"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// The module's state. A host calls one export at a time on an instance, so
// nothing here is shared between concurrent calls.
var (
	// in is the input buffer the host writes into (apostille_input).
	in []byte
	// out holds the last result; it stays valid until the next call.
	out []byte
	// trust is what apostille_trust_add loaded.
	trust = &verifier.Trust{}
	// operatorKeys are the pinned trust-list operator keys
	// (apostille_operator_key_add) that signed bundles must verify with.
	operatorKeys []*verifier.OperatorKey
	// lastOptJSON and lastOpts are the options of the previous call.
	lastOptJSON []byte
	lastOpts    verifier.Options
	lastOptErr  error
)

func main() {}

//go:wasmexport apostille_abi_version
func abiVersionExport() uint32 { return abi.Version }

// apostille_input returns the address of a buffer of at least size bytes
// that the host fills before apostille_verify or apostille_trust_add. The
// buffer is reused: it is valid until the next apostille_input.
//
//go:wasmexport apostille_input
func inputExport(size uint32) unsafe.Pointer {
	if int(size) > cap(in) || in == nil {
		in = make([]byte, max(int(size), 64<<10))
	}
	in = in[:cap(in)]
	return unsafe.Pointer(unsafe.SliceData(in))
}

// apostille_operator_key_add pins one trust-list operator key (a public JWK
// with kid and alg) from the input buffer. Signed trust bundles given to
// apostille_trust_add afterwards must verify with a pinned key.
//
//go:wasmexport apostille_operator_key_add
func operatorKeyAddExport(dataLen uint32) uint64 {
	data, _, ok := take(in, dataLen)
	if !ok {
		return fail("input layout exceeds the input buffer")
	}
	k, err := verifier.ParseOperatorKey(append([]byte(nil), data...))
	if err != nil {
		return fail(err.Error())
	}
	operatorKeys = append(operatorKeys, k)
	return result(append(out[:0], abi.OK...), false)
}

// apostille_trust_add parses one trust source (a signed trust bundle, a
// trust bundle, a JWK Set, a JWK or PEM/DER certificates) from the input
// buffer, laid out as name | data, and adds it to the instance's trust. A
// signed bundle must verify with a key pinned by apostille_operator_key_add;
// a refused one is an error whose message starts with its reason code
// (trust_invalid).
//
//go:wasmexport apostille_trust_add
func trustAddExport(nameLen, dataLen uint32) uint64 {
	name, rest, ok := take(in, nameLen)
	data, _, ok2 := take(rest, dataLen)
	if !ok || !ok2 {
		return fail("input layout exceeds the input buffer")
	}
	// ParseTrust may keep slices of data (a DER certificate's Raw); the
	// input buffer is overwritten by the next call, so it gets a copy.
	t, err := verifier.LoadTrust(string(name), append([]byte(nil), data...), operatorKeys)
	if err != nil {
		return fail(err.Error())
	}
	trust.Add(t)
	return result(append(out[:0], abi.OK...), false)
}

// apostille_trust_reset forgets all trust loaded so far.
//
//go:wasmexport apostille_trust_reset
func trustResetExport() { trust = &verifier.Trust{} }

// apostille_verify verifies one document. The input buffer holds
// document | payload | proof | options, where options is the JSON of
// docs/abi.md and payload and proof are the raw detached content and
// tlog-proof (each may be empty). It returns the report JSON.
//
//go:wasmexport apostille_verify
func verifyExport(docLen, payloadLen, proofLen, optsLen uint32) uint64 {
	doc, rest, ok1 := take(in, docLen)
	payload, rest, ok2 := take(rest, payloadLen)
	proof, rest, ok3 := take(rest, proofLen)
	optJSON, _, ok4 := take(rest, optsLen)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return fail("input layout exceeds the input buffer")
	}
	// A batch passes the same options with every document: decoding them
	// once saves a tenth of a verification.
	if !bytes.Equal(optJSON, lastOptJSON) || lastOptErr != nil {
		lastOptJSON = append(lastOptJSON[:0], optJSON...)
		lastOpts, lastOptErr = abi.ParseOptions(optJSON)
	}
	if lastOptErr != nil {
		return fail("options: " + lastOptErr.Error())
	}
	opts := lastOpts
	opts.Trust = trust
	opts.Payload = nonEmpty(payload)
	opts.Proof = nonEmpty(proof)
	opts.Crypto = hostCrypto
	opts.Hash = hostHash
	rep := verifier.Verify(doc, opts)
	return result(rep.AppendJSON(out[:0]), false)
}

// take splits the first n bytes off b.
func take(b []byte, n uint32) (head, rest []byte, ok bool) {
	if uint64(n) > uint64(len(b)) {
		return nil, nil, false
	}
	return b[:n:n], b[n:], true
}

func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// result keeps b as the current output and packs its address and length
// into one value (abi.Pack).
func result(b []byte, isErr bool) uint64 {
	out = b
	return abi.Pack(uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))), len(b), isErr)
}

// fail returns an error result: {"error": msg}. The texts are the module's
// own messages, which may quote (clipped) names from a trust source;
// abi.AppendError escapes them.
func fail(msg string) uint64 {
	return result(abi.AppendError(out[:0], msg), true)
}
