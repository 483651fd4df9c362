package host

import (
	"context"
	"crypto"
	"crypto/x509"
	"sync"

	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// nativeCrypto answers the module's signature checks with Go's native
// crypto. Parsing a public key costs about as much as an ECDSA check, and a
// batch is signed by a handful of keys, so parsed keys are cached by SPKI.
type nativeCrypto struct {
	mu   sync.RWMutex
	keys map[string]crypto.PublicKey
}

// maxCachedKeys bounds the cache: keys also come from certificates that
// documents carry, so a hostile batch could otherwise grow it at will.
const maxCachedKeys = 1024

func newNativeCrypto() *nativeCrypto {
	return &nativeCrypto{keys: make(map[string]crypto.PublicKey)}
}

// verify is a verifier.CryptoFunc deciding exactly as the module would:
// VerifyPrimitive with the key the SPKI holds. A key that does not parse
// is left to the module.
func (c *nativeCrypto) verify(alg string, spki, msg, sig []byte) (valid, handled bool) {
	c.mu.RLock()
	pub, ok := c.keys[string(spki)]
	c.mu.RUnlock()
	if !ok {
		var err error
		if pub, err = x509.ParsePKIXPublicKey(spki); err != nil {
			return false, false
		}
		c.mu.Lock()
		if len(c.keys) >= maxCachedKeys {
			clear(c.keys)
		}
		c.keys[string(spki)] = pub
		c.mu.Unlock()
	}
	return verifier.VerifyPrimitive(alg, pub, msg, sig) == nil, true
}

// instantiateHostModule provides the module's apostille_host imports.
func (e *Engine) instantiateHostModule(ctx context.Context) error {
	i32 := api.ValueTypeI32
	_, err := e.rt.NewHostModuleBuilder(abi.ImportModule).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(e.verifySignature), []api.ValueType{i32, i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).
		WithParameterNames("alg", "alg_len", "spki", "spki_len", "msg", "msg_len", "sig", "sig_len").
		Export(abi.ImportVerifySignature).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(e.hashUpdateImport), []api.ValueType{i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).
		WithParameterNames("alg", "state", "state_len", "data", "data_len", "out", "out_cap").
		Export(abi.ImportHashUpdate).
		Instantiate(ctx)
	return err
}

// verifySignature implements the verify_signature import. It reads the
// module's memory in place: nothing is copied.
func (e *Engine) verifySignature(_ context.Context, mod api.Module, stack []uint64) {
	if e.crypto == nil {
		stack[0] = abi.SignatureNotHandled
		return
	}
	mem := mod.Memory()
	alg, ok1 := mem.Read(uint32(stack[0]), uint32(stack[1]))
	spki, ok2 := mem.Read(uint32(stack[2]), uint32(stack[3]))
	msg, ok3 := mem.Read(uint32(stack[4]), uint32(stack[5]))
	sig, ok4 := mem.Read(uint32(stack[6]), uint32(stack[7]))
	if !ok1 || !ok2 || !ok3 || !ok4 {
		stack[0] = abi.SignatureNotHandled
		return
	}
	valid, handled := e.crypto(string(alg), spki, msg, sig)
	switch {
	case !handled:
		stack[0] = abi.SignatureNotHandled
	case valid:
		stack[0] = abi.SignatureValid
	default:
		stack[0] = abi.SignatureInvalid
	}
}
