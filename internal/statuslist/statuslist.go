// Package statuslist issues IETF Token Status Lists
// (draft-ietf-oauth-status-list): the packed, zlib-compressed status array
// and its signed JWT or CWT. The demo world and tests use it; verifying
// lists is the verifier's (verifier/statuslist.go).
package statuslist

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/veraison/go-cose"
)

// Status values (draft section 7.1).
const (
	Valid     = 0x00
	Invalid   = 0x01
	Suspended = 0x02
)

// List is a status list under construction: one status per index.
type List struct {
	Bits     int
	statuses []byte
}

// New makes a list of size statuses of bits each (1, 2, 4 or 8), all Valid.
func New(bits, size int) (*List, error) {
	if bits != 1 && bits != 2 && bits != 4 && bits != 8 {
		return nil, fmt.Errorf("statuslist: bits must be 1, 2, 4 or 8, not %d", bits)
	}
	return &List{Bits: bits, statuses: make([]byte, size)}, nil
}

// Set sets the status at idx.
func (l *List) Set(idx int, status byte) {
	l.statuses[idx] = status & byte(1<<l.Bits-1)
}

// Packed is the uncompressed byte array: statuses packed from the least
// significant bit of each byte.
func (l *List) Packed() []byte {
	per := 8 / l.Bits
	out := make([]byte, (len(l.statuses)+per-1)/per)
	for i, s := range l.statuses {
		out[i/per] |= s << (uint(i%per) * uint(l.Bits))
	}
	return out
}

// Compressed is the packed array compressed with DEFLATE in ZLIB format at
// the best compression.
func (l *List) Compressed() []byte {
	return Compress(l.Packed())
}

// Compress zlib-compresses b at the best compression.
func Compress(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Token describes a status list token to sign.
type Token struct {
	URI      string // sub: the uri documents refer to
	Issuer   string // iss, optional
	IssuedAt time.Time
	Expires  time.Time     // exp; zero for none
	TTL      time.Duration // ttl; zero for none
	Bits     int
	Lst      []byte // the compressed list
}

// SignJWT signs the token as a JWT of type statuslist+jwt with jwx v3.
func SignJWT(t Token, alg, kid string, key crypto.Signer) ([]byte, error) {
	claims := map[string]any{
		"sub": t.URI,
		"iat": t.IssuedAt.Unix(),
		"status_list": map[string]any{
			"bits": t.Bits,
			"lst":  base64.RawURLEncoding.EncodeToString(t.Lst),
		},
	}
	if t.Issuer != "" {
		claims["iss"] = t.Issuer
	}
	if !t.Expires.IsZero() {
		claims["exp"] = t.Expires.Unix()
	}
	if t.TTL > 0 {
		claims["ttl"] = int64(t.TTL / time.Second)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	h := jws.NewHeaders()
	h.Set("typ", "statuslist+jwt")
	if kid != "" {
		h.Set("kid", kid)
	}
	a, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok {
		return nil, fmt.Errorf("statuslist: unknown algorithm %s", alg)
	}
	return jws.Sign(payload, jws.WithKey(a, key, jws.WithProtectedHeaders(h)))
}

// SignCWT signs the token as a CWT (COSE_Sign1, typ
// application/statuslist+cwt) with go-cose.
func SignCWT(t Token, alg cose.Algorithm, kid []byte, key crypto.Signer) ([]byte, error) {
	claims := map[any]any{
		2:     t.URI,
		6:     t.IssuedAt.Unix(),
		65533: map[any]any{"bits": t.Bits, "lst": t.Lst},
	}
	if t.Issuer != "" {
		claims[1] = t.Issuer
	}
	if !t.Expires.IsZero() {
		claims[4] = t.Expires.Unix()
	}
	if t.TTL > 0 {
		claims[65534] = uint64(t.TTL / time.Second)
	}
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	payload, err := em.Marshal(claims)
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(alg, key)
	if err != nil {
		return nil, err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	msg.Headers.Protected[cose.HeaderLabelType] = "application/statuslist+cwt"
	if kid != nil {
		msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	}
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, err
	}
	return msg.MarshalCBOR()
}
