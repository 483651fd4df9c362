package verifier

import (
	"testing"
)

// TestAlgorithms signs a JWS and a COSE_Sign1 with a fresh key of every
// supported algorithm and verifies them with Verify's own crypto: valid;
// with one signature bit flipped: signature_invalid.
func TestAlgorithms(t *testing.T) {
	rsa3072 := &testKey{kid: "rs3072", alg: RS256, priv: sharedRSAKey(t, 3072)}
	keys := []*testKey{
		newTestKey(t, "es256", ES256), newTestKey(t, "es384", ES384), newTestKey(t, "es512", ES512),
		newTestKey(t, "ed25519", EdDSA), newEd448Key(t, "ed448"),
		newTestKey(t, "rs256", RS256), newTestKey(t, "rs384", RS384), newTestKey(t, "rs512", RS512), rsa3072,
		newTestKey(t, "ps256", PS256), newTestKey(t, "ps384", PS384), newTestKey(t, "ps512", PS512),
	}
	trust := trustOf(t, keys...)
	payload := []byte(`{"iss":"test","iat":1767225600}`)
	for _, k := range keys {
		docs := map[string][]byte{
			"jws":  []byte(signJWS(t, k, nil, payload)),
			"cose": signCOSE(t, k, cwtPayload(t, map[any]any{int64(1): "test", int64(6): int64(1767225600)})),
		}
		for name, doc := range docs {
			t.Run(k.kid+"/"+name, func(t *testing.T) {
				rep := verify(doc, Options{Trust: trust, Time: testTime})
				wantReport(t, rep, Valid, "")
				if rep.Document == nil || rep.Document.Issuer == nil || rep.Document.Issuer.KeyID != k.kid {
					t.Errorf("issuer not reported: %+v", rep.Document)
				}
				bad := flipSignatureBit(t, name, doc)
				wantReport(t, verify(bad, Options{Trust: trust, Time: testTime}), Invalid, SignatureInvalid)
			})
		}
	}
}

// flipSignatureBit flips the low bit of the signature's last byte.
func flipSignatureBit(t *testing.T, format string, doc []byte) []byte {
	t.Helper()
	out := append([]byte(nil), doc...)
	if format == "cose" {
		out[len(out)-1] ^= 1
		return out
	}
	// Compact JWS: change the last base64url character to another whose
	// decoded bits differ but whose unused bits stay zero.
	i := len(out) - 1
	switch out[i] {
	case 'A':
		out[i] = 'Q'
	default:
		out[i] = 'A'
	}
	return out
}
