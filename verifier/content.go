package verifier

import (
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Is a payload claims, or content? A JWS or COSE_Sign1 may sign anything;
// JWT and CWT claims are only one kind of payload. A payload is read as
// claims when it is syntactically a JSON object or a CBOR map, whatever
// else is wrong with it; it must then pass the strict decoders (duplicate
// names, nesting, indefinite lengths, NumericDate types) or the claims are
// malformed. Bytes that merely start like an object or a map (RTF starts
// with '{'; one binary file in eight starts with a map head) are content.
// A document whose type says it carries claims (JWT, CWT) must carry them.

// cborProbe checks well-formedness by RFC 8949 alone: no duplicate-key,
// depth or length policy, so that "is this CBOR at all" does not depend on
// what the strict decoder then refuses.
var cborProbe = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyQuiet,
		IndefLength:      cbor.IndefLengthAllowed,
		MaxNestedLevels:  65535,
		MaxArrayElements: 2147483647,
		MaxMapPairs:      2147483647,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// looksLikeCBORMap reports whether payload is one well-formed CBOR map.
func looksLikeCBORMap(payload []byte) bool {
	return len(payload) > 0 && payload[0]>>5 == 5 && cborProbe.Wellformed(payload) == nil
}

// jwtTyped reports whether a JOSE typ or cty says the payload is a JWT
// (RFC 7519 section 5.1: "JWT"; RFC 8725 section 3.11: "…+jwt").
func jwtTyped(typ string) bool {
	t := strings.TrimPrefix(strings.ToLower(typ), "application/")
	return t == "jwt" || strings.HasSuffix(t, "+jwt")
}

// cwtTyped reports whether a COSE typ or content type says the payload is a
// CWT: "application/cwt" or CoAP content format 61 (RFC 8392 section 9).
func cwtTyped(typ string) bool {
	return strings.EqualFold(typ, "application/cwt") || typ == "61"
}
