package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Limits on status list tokens (draft-ietf-oauth-status-list). A list is
// read only as far as the index a document asks for (zlibByteAt), so a
// zlib bomb costs at most MaxStatusListBytes of decompression and no more
// memory than the decoder's buffer.
const (
	// MaxStatusListBytes bounds how far into a decompressed status list the
	// verifier reads: 16 MiB holds 134 million one-bit statuses.
	MaxStatusListBytes = 16 << 20
	// maxStatusListToken bounds one status list token, compressed.
	maxStatusListToken = 8 << 20
	// maxStatusCandidates bounds how many lists with the document's uri are
	// checked, so that a host handing in many cannot cost a signature each.
	maxStatusCandidates = 8
)

// Status types (draft-ietf-oauth-status-list section 7).
const (
	statusValid     = 0x00
	statusInvalid   = 0x01
	statusSuspended = 0x02
)

// statusList is a parsed, not yet verified, status list token.
type statusList struct {
	sub      string
	iat, exp time.Time
	ttl      int64
	bits     int
	lst      []byte // the compressed list (zlib)
	sig      signed
	// signers remembers whose key signed a list of the trust's own
	// (listSigners); nil for a list given with a request.
	signers *listSigners
}

// errStatusList wraps what makes a status list token unusable.
type statusListError struct{ msg string }

func (e *statusListError) Error() string { return e.msg }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func listErr(format string, a ...any) error {
	return &statusListError{fmt.Sprintf(format, a...)}
}

// StatusListInfo is what a host needs to cache a status list token: its
// uri (sub), when it was issued, when it expires and how long it may be
// cached. It is read without checking the signature; only Verify decides
// whether a list is trusted.
type StatusListInfo struct {
	URI      string
	IssuedAt time.Time
	Expires  time.Time // zero when the list states no exp
	TTL      time.Duration
}

// ReadStatusListInfo reads a status list token's metadata, unverified.
func ReadStatusListInfo(token []byte) (StatusListInfo, error) {
	l, err := parseStatusList(token, nil)
	if err != nil {
		return StatusListInfo{}, err
	}
	return StatusListInfo{URI: l.sub, IssuedAt: l.iat, Expires: l.exp, TTL: time.Duration(l.ttl) * time.Second}, nil
}

// parseStatusList parses a status list token: a JWT (typ statuslist+jwt)
// or a CWT (typ statuslist+cwt), raw or as base64 or hex text.
func parseStatusList(token []byte, t *Trust) (*statusList, error) {
	if len(token) > maxStatusListToken {
		return nil, listErr("the status list token is larger than %d bytes", maxStatusListToken)
	}
	if isCBORStart(token) {
		return parseStatusCWT(token, t)
	}
	text := bytes.TrimSpace(token)
	if bytes.Count(text, []byte{'.'}) == 2 && isJOSEText(text) {
		return parseStatusJWT(text)
	}
	if b, ok := unwrapText(text); ok && isCBORStart(b) {
		return parseStatusCWT(b, t)
	}
	return nil, listErr("neither a status list JWT nor a CWT")
}

func parseStatusJWT(text []byte) (*statusList, error) {
	j, err := parseJWS(text, nil)
	if err != nil {
		return nil, listErr("status list JWT: %v", err)
	}
	if j.h.Typ != "statuslist+jwt" && j.h.Typ != "application/statuslist+jwt" {
		return nil, listErr("the JWT type is %q, not statuslist+jwt", clip(j.h.Typ))
	}
	claims, val, err := jwtClaims(j.payload)
	if err != nil || claims == nil {
		return nil, listErr("the status list claims are not a JSON object")
	}
	l := &statusList{iat: val.iat, exp: val.exp}
	l.sig = signed{alg: j.h.Alg, algUnprotected: j.algUnprotected, kid: j.h.Kid, msg: j.signingInput(), sig: j.sig, signedAt: val.iat}
	for i, c := range j.h.X5c {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return nil, listErr("x5c[%d] is not base64", i)
		}
		l.sig.chain = append(l.sig.chain, der)
	}
	l.sub, _ = claims["sub"].(string)
	if ttl, ok := claims["ttl"]; ok {
		if l.ttl, err = positiveInt(ttl); err != nil {
			return nil, listErr("ttl: %v", err)
		}
	}
	sl, ok := claims["status_list"].(map[string]any)
	if !ok {
		return nil, listErr("no status_list object")
	}
	if l.bits, err = bitsValue(sl["bits"]); err != nil {
		return nil, err
	}
	lst, ok := sl["lst"].(string)
	if !ok {
		return nil, listErr("status_list.lst is not a string")
	}
	if l.lst, err = b64url(lst); err != nil {
		return nil, listErr("status_list.lst is not base64url")
	}
	return l, l.required()
}

// CWT claim keys of a status list token and of a referenced token's status.
const (
	cwtStatusList = 65533
	cwtTTL        = 65534
	cwtStatus     = 65535
)

func parseStatusCWT(data []byte, t *Trust) (*statusList, error) {
	m, err := parseSign1(data, sign1Profile{})
	if err != nil {
		return nil, listErr("status list CWT: %v", err)
	}
	if typ := coseType(m); typ != "application/statuslist+cwt" && typ != "statuslist+cwt" {
		return nil, listErr("the CWT type is %q, not application/statuslist+cwt", clip(typ))
	}
	if m.detached {
		return nil, listErr("a status list CWT carries its payload")
	}
	alg, err := m.alg()
	if err != nil {
		return nil, listErr("%v", err)
	}
	kid, err := m.kid(t)
	if err != nil {
		return nil, listErr("%v", err)
	}
	chain, err := m.x5chain()
	if err != nil {
		return nil, listErr("%v", err)
	}
	var raw map[any]any
	if err := cborUnmarshal(m.payload, &raw); err != nil {
		return nil, listErr("the status list claims are not a CBOR map")
	}
	l := &statusList{}
	for k, x := range raw {
		n, ok := intKey(k)
		if !ok {
			continue
		}
		switch n {
		case 2:
			if l.sub, ok = x.(string); !ok {
				return nil, listErr("sub is not text")
			}
		case 4, 6:
			tm, ok := cborTime(x)
			if !ok {
				return nil, listErr("claim %d is not a NumericDate", n)
			}
			if n == 4 {
				l.exp = tm
			} else {
				l.iat = tm
			}
		case cwtTTL:
			if l.ttl, err = positiveInt(x); err != nil {
				return nil, listErr("ttl: %v", err)
			}
		case cwtStatusList:
			sl, ok := x.(map[any]any)
			if !ok {
				return nil, listErr("the status list is not a map")
			}
			if l.bits, err = bitsValue(sl["bits"]); err != nil {
				return nil, err
			}
			if l.lst, ok = sl["lst"].([]byte); !ok {
				return nil, listErr("status_list.lst is not a byte string")
			}
		}
	}
	if l.lst == nil {
		return nil, listErr("no status list claim (65533)")
	}
	msg, err := m.sigStructure(m.payload, nil)
	if err != nil {
		return nil, listErr("cannot build the signed structure")
	}
	l.sig = signed{alg: alg, algUnprotected: m.algUnprotected(), kid: kid, chain: chain, msg: msg, sig: m.signature, signedAt: l.iat, allowUnnamed: true}
	return l, l.required()
}

// required checks the claims every status list token carries.
func (l *statusList) required() error {
	switch {
	case l.sub == "":
		return listErr("the status list names no sub (its uri)")
	case l.iat.IsZero():
		return listErr("the status list has no iat")
	}
	return nil
}

// bitsValue reads status_list.bits, which is 1, 2, 4 or 8.
func bitsValue(x any) (int, error) {
	n, err := positiveInt(x)
	if err != nil || (n != 1 && n != 2 && n != 4 && n != 8) {
		return 0, listErr("status_list.bits must be 1, 2, 4 or 8")
	}
	return int(n), nil
}

// positiveInt reads a positive integer from JSON (json.Number) or CBOR
// (int64, uint64).
func positiveInt(x any) (int64, error) {
	n, err := nonNegativeInt(x)
	if err == nil && n == 0 {
		err = errors.New("must be positive")
	}
	return int64(n), err
}

// maxIndex keeps integers in a range where every arithmetic on them is
// exact, in Go and in JavaScript hosts alike.
const maxIndex = 1<<53 - 1

// nonNegativeInt reads an integer ≥ 0 from decoded JSON or CBOR. Floats are
// accepted when integral, as plain encoding/json hands them over.
func nonNegativeInt(x any) (uint64, error) {
	var n uint64
	switch v := x.(type) {
	case json.Number:
		u, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return 0, errors.New("not a non-negative integer")
		}
		n = u
	case uint64:
		n = v
	case int64:
		if v < 0 {
			return 0, errors.New("negative")
		}
		n = uint64(v)
	case float64:
		if v < 0 || v != float64(uint64(v)) {
			return 0, errors.New("not a non-negative integer")
		}
		n = uint64(v)
	default:
		return 0, errors.New("not an integer")
	}
	if n > maxIndex {
		return 0, errors.New("too large")
	}
	return n, nil
}

// errIndexRange says the list is shorter than the index.
var errIndexRange = errors.New("the index is beyond the end of the status list")

// errListTooLong says the index lies beyond what the verifier reads.
var errListTooLong = fmt.Errorf("the index lies beyond the %d bytes a status list may hold here", MaxStatusListBytes)

// statusAt decompresses the list only as far as idx and returns its status
// value. Bits are counted from the least significant bit of each byte. The
// decoder comes from pool (nil: a new one).
func (l *statusList) statusAt(pool *inflaters, idx uint64) (byte, error) {
	bitPos := idx * uint64(l.bits)
	bytePos := bitPos / 8
	if bytePos >= MaxStatusListBytes {
		return 0, errListTooLong
	}
	inf := pool.inflater()
	b, err := inf.zlibByteAt(l.lst, int64(bytePos))
	pool.putInflater(inf)
	switch err {
	case nil:
	case errZlibShort:
		return 0, errIndexRange
	case errZlibHeader, errZlibDictionary:
		return 0, listErr("the status list is not zlib: %v", err)
	default:
		return 0, listErr("the status list cannot be decompressed: %v", err)
	}
	shift := bitPos % 8
	mask := byte(1<<l.bits - 1)
	return (b >> shift) & mask, nil
}
