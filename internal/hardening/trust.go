package hardening

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// TrustCases are trust sources that must be refused when loaded.
func TrustCases() []TrustCase {
	w := &demo.World{Seed: "apostille-hardening-v1"}
	jwk := func(label string) string {
		b, _ := json.Marshal(demo.PublicJWK(w.ECKey(label).Public(), label, "ES256"))
		return string(b)
	}
	honest, evil := jwk("trust/honest"), jwk("trust/evil")
	op, _ := json.Marshal(demo.PublicJWK(w.EdKey("trust/operator").Public(), "op-1", "EdDSA"))
	unsigned, _ := json.Marshal(verifier.Bundle{TrustBundle: verifier.TrustBundleVersion,
		Issuers: []verifier.BundleIssuer{{ID: "ee", Name: "EE", Keys: []verifier.BundleKey{{JWK: demo.PublicJWK(w.ECKey("trust/honest").Public(), "k", "ES256")}}}}})
	return []TrustCase{
		// "\u212A" is the Kelvin sign, which folds to k; "\u017F" the long
		// s, which folds to s.
		{Name: "bundle-kelvin-sign-keys", Issue: "7", Data: []byte(fmt.Sprintf(
			`{"trust_bundle":"v1","issuers":[{"id":"ee","name":"EE","keys":[{"jwk":%s}],"\u212Aeys":[{"jwk":%s}]}]}`, honest, evil))},
		{Name: "jwks-kelvin-sign-keys", Issue: "7", Data: []byte(fmt.Sprintf(`{"keys":[%s],"\u212Aeys":[%s]}`, honest, evil))},
		{Name: "jwks-upper-case-keys", Issue: "7", Data: []byte(fmt.Sprintf(`{"keys":[%s],"KEYS":[%s]}`, honest, evil))},
		{Name: "bundle-long-s-issuers", Issue: "7", Data: []byte(fmt.Sprintf(
			`{"trust_bundle":"v1","issuers":[{"id":"ee","name":"EE","keys":[{"jwk":%s}]}],"i\u017F\u017Fuers":[{"id":"xx","name":"XX","keys":[{"jwk":%s}]}]}`, honest, evil))},
		{Name: "jwk-kelvin-sign-kid", Issue: "7", Data: []byte(strings.Replace(honest, `{`, `{"\u212Aid":"evil",`, 1))},
		{Name: "unsigned-bundle-under-pinned-key", Issue: "pinned", Data: unsigned, OperatorKeys: [][]byte{op}},
	}
}
