package trustlist

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/apostille/apostille/verifier/trustservices"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Sign signs a bundle as a compact JWS of type verifier.BundleType with jwx
// v3 (an implementation independent of the verifier's). The bundle must name
// its operator, sequence, issued_at and next_update, and parse as trust.
// signer, when not nil, replaces k.Signer (the demo signs deterministically).
func Sign(b *verifier.Bundle, k *Key, signer crypto.Signer) ([]byte, error) {
	return SignWithServices(b, nil, k, signer)
}

// SignWithServices signs a bundle with its trust services (Bundle).
func SignWithServices(b *verifier.Bundle, services []trustservices.BundleService, k *Key, signer crypto.Signer) ([]byte, error) {
	if b.Operator == "" || b.Sequence == 0 || b.IssuedAt == "" || b.NextUpdate == "" {
		return nil, errors.New("trustlist: a signed bundle needs operator, sequence, issued_at and next_update")
	}
	payload, err := json.Marshal(Bundle{Bundle: *b, Services: services})
	if err != nil {
		return nil, err
	}
	if _, err := verifier.ParseTrust("bundle", payload); err != nil {
		return nil, err
	}
	if _, err := trustservices.ParseServices(payload); err != nil {
		return nil, err
	}
	iat, err1 := time.Parse(time.RFC3339, b.IssuedAt)
	nu, err2 := time.Parse(time.RFC3339, b.NextUpdate)
	if err1 != nil || err2 != nil || !nu.After(iat) {
		return nil, errors.New("trustlist: issued_at and next_update are RFC 3339 times, next_update after issued_at")
	}
	return SignJWS(payload, verifier.BundleType, k, signer)
}

// SignJWS signs payload as a compact JWS with typ and the key's kid and alg.
func SignJWS(payload []byte, typ string, k *Key, signer crypto.Signer) ([]byte, error) {
	if signer == nil {
		signer = k.Signer
	}
	h := jws.NewHeaders()
	if err := h.Set("typ", typ); err != nil {
		return nil, err
	}
	if err := h.Set("kid", k.Kid); err != nil {
		return nil, err
	}
	alg, ok := jwa.LookupSignatureAlgorithm(k.Alg)
	if !ok {
		return nil, fmt.Errorf("trustlist: unknown algorithm %s", k.Alg)
	}
	return jws.Sign(payload, jws.WithKey(alg, signer, jws.WithProtectedHeaders(h)))
}
