package verifier

import (
	"encoding/json"
	"math/big"
	"os"
	"testing"
)

// TestROCA checks the fingerprint on the ROCA key of Wycheproof's JWK suite
// and on keys that do not have it.
func TestROCA(t *testing.T) {
	b, err := os.ReadFile("testdata/wycheproof/json_web_key_test.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		TestGroups []struct {
			Comment string `json:"comment"`
			Public  struct {
				Keys []struct {
					N string `json:"n"`
				} `json:"keys"`
			} `json:"public"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	modulus := func(comment string) *big.Int {
		for _, g := range f.TestGroups {
			if g.Comment == comment && len(g.Public.Keys) > 0 {
				n, err := b64url(g.Public.Keys[0].N)
				if err != nil {
					t.Fatal(err)
				}
				return new(big.Int).SetBytes(n)
			}
		}
		t.Fatalf("no group %s", comment)
		return nil
	}
	if !rocaVulnerable(modulus("jws_rsa_roca_key")) {
		t.Error("the ROCA key is not detected")
	}
	if rocaVulnerable(modulus("rs256")) {
		t.Error("Wycheproof's ordinary RSA key is taken for a ROCA key")
	}
	for _, bits := range []int{2048, 3072} {
		if rocaVulnerable(sharedRSAKey(t, bits).N) {
			t.Errorf("a fresh %d-bit key is taken for a ROCA key", bits)
		}
	}
	// A modulus built to carry the fingerprint: 65537^k mod p for every
	// prime p is what ROCA primes produce; 1 is such a residue for all p.
	one := big.NewInt(1)
	m := new(big.Int).Set(one)
	for _, p := range rocaPrimes {
		m.Mul(m, big.NewInt(p))
	}
	m.Add(m, one) // ≡ 1 mod every p
	if !rocaVulnerable(m) {
		t.Error("a modulus ≡ 1 mod every fingerprint prime is not detected")
	}
}
