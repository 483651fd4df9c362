package verifier

import (
	"crypto"
	"fmt"
	"time"
)

// KBMaxAge is how old a key binding JWT may be when the caller expects a
// nonce: a live presentation is made for this request, moments ago. Without
// a nonce (an archived presentation checked later) only a future iat fails.
const KBMaxAge = 5 * time.Minute

// bindingRequired says whether the caller requires holder binding: asked
// for outright, or implied by anything it gave to check a binding against
// (an expected audience or nonce, a session transcript, a reader key).
func (o *Options) bindingRequired() bool {
	h := o.Holder
	return h.RequireBinding || h.Audience != "" || h.Nonce != "" || len(h.SessionTranscript) > 0 || len(h.ReaderKey) > 0
}

// checkKeyBinding verifies the key binding JWT of an SD-JWT+KB (RFC 9901
// sections 4.3 and 7.3): signed by the key in the issuer-signed cnf, typed
// kb+jwt, bound to this presentation by sd_hash, fresh, and for the
// audience and nonce the caller expects.
func (v *verification) checkKeyBinding(sd *sdJWT, processed map[string]any, hashID crypto.Hash) {
	fail := func(format string, a ...any) {
		v.rep.fail(CheckHolderBinding, HolderBindingInvalid, fmt.Sprintf(format, a...))
	}
	if sd.kb == nil {
		if v.opts.bindingRequired() {
			fail("key binding is required and the presentation has no key binding JWT")
			return
		}
		v.rep.skip(CheckHolderBinding, "the presentation has no key binding JWT")
		return
	}
	if len(sd.kb) > 0 && sd.kb[0] == '{' {
		fail("the key binding JWT is not a compact JWT")
		return
	}
	kb, err := parseJWSMemo(sd.kb, nil, v.headerMemo())
	if err != nil {
		fail("the key binding JWT cannot be read: %v", err)
		return
	}
	if kb.h.Typ != "kb+jwt" {
		fail("the key binding JWT is typed %q, not kb+jwt", clip(kb.h.Typ))
		return
	}
	alg := Alg(kb.h.Alg)
	if _, ok := algs[alg]; !ok || forbiddenAlg(kb.h.Alg) {
		fail("the key binding JWT's algorithm %q is not accepted", clip(kb.h.Alg))
		return
	}
	key, err := cnfKey(processed)
	if err != nil {
		fail("%v", err)
		return
	}
	if !key.allows(alg) {
		fail("the holder key is not for %s", alg)
		return
	}
	if !v.opts.checkSig(alg, key, kb.signingInputView(), kb.sig) {
		fail("the key binding JWT's signature does not verify with the holder key")
		return
	}
	claims, val, err := jwtClaims(kb.payload)
	if err != nil || claims == nil {
		fail("the key binding JWT's claims cannot be read")
		return
	}
	sdHash, _ := claims["sd_hash"].(string)
	if sdHash == "" || sdHash != sdDigestWith(v.opts.Hash, hashID, sd.presented) {
		fail("sd_hash does not match this presentation")
		return
	}
	now, skew := v.opts.Time, v.opts.skew()
	switch {
	case val.iat.IsZero():
		fail("the key binding JWT has no iat")
		return
	case val.iat.After(now.Add(skew)):
		fail("the key binding JWT is issued in the future, on %s", timeString(val.iat))
		return
	case v.opts.Holder.Nonce != "" && now.Sub(val.iat) > KBMaxAge+skew:
		fail("the key binding JWT was made on %s, longer ago than %s", timeString(val.iat), KBMaxAge)
		return
	}
	aud, _ := claims["aud"].(string)
	nonce, _ := claims["nonce"].(string)
	switch {
	case aud == "" || nonce == "":
		fail("the key binding JWT lacks aud or nonce")
		return
	case v.opts.Holder.Audience != "" && aud != v.opts.Holder.Audience:
		fail("the key binding JWT is for audience %q", clip(aud))
		return
	case v.opts.Holder.Nonce != "" && nonce != v.opts.Holder.Nonce:
		fail("the key binding JWT answers another nonce")
		return
	}
	v.rep.pass(CheckHolderBinding, "signed by the holder key for this presentation")
}

// cnfKey is the holder key of the processed payload: cnf.jwk (RFC 7800).
func cnfKey(processed map[string]any) (*Key, error) {
	cnf, ok := processed["cnf"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the issuer-signed data binds no holder key (cnf)")
	}
	raw, ok := cnf["jwk"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the holder key is not given as cnf.jwk")
	}
	b, ok := marshalJSONValue(raw)
	if !ok {
		return nil, fmt.Errorf("the holder key cannot be read")
	}
	j, err := ParseJWK(b)
	if err != nil {
		return nil, fmt.Errorf("the holder key cannot be read: %v", err)
	}
	k, err := jwkKey(j)
	if err != nil {
		return nil, fmt.Errorf("the holder key cannot be used: %v", err)
	}
	return k, nil
}
