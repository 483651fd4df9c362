package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/apostille/apostille/verifier"
)

// JWKS makes an issuer of a JWK Set (RFC 7517) or a single JWK. Keys
// without kid are named by their thumbprint; keys without alg take the
// algorithm of their type (DefaultAlg). Private key material is refused.
func JWKS(id, name string, data []byte) (verifier.BundleIssuer, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	trimmed := bytes.TrimSpace(data)
	if err := json.Unmarshal(trimmed, &set); err != nil {
		return verifier.BundleIssuer{}, fmt.Errorf("importer: JWKS: %w", err)
	}
	if set.Keys == nil {
		set.Keys = []json.RawMessage{trimmed} // a single JWK
	}
	if len(set.Keys) == 0 {
		return verifier.BundleIssuer{}, errors.New("importer: JWKS without keys")
	}
	is := verifier.BundleIssuer{ID: id, Name: name}
	if is.Name == "" {
		is.Name = id
	}
	seen := map[string]bool{}
	for i, raw := range set.Keys {
		j, err := verifier.ParseJWK(raw)
		if err != nil {
			return verifier.BundleIssuer{}, fmt.Errorf("importer: JWK %d: %w", i, err)
		}
		pub, err := j.PublicKey()
		if err != nil {
			return verifier.BundleIssuer{}, fmt.Errorf("importer: JWK %d: %w", i, err)
		}
		if j.Alg == "" {
			if j.Alg, err = DefaultAlg(pub); err != nil {
				return verifier.BundleIssuer{}, err
			}
		}
		if j.Kid == "" {
			j.Kid = Thumbprint(*j)
		}
		if seen[j.Kid] {
			return verifier.BundleIssuer{}, fmt.Errorf("importer: JWK %d: duplicate kid %q", i, j.Kid)
		}
		seen[j.Kid] = true
		is.Keys = append(is.Keys, verifier.BundleKey{JWK: *j})
	}
	return is, nil
}
