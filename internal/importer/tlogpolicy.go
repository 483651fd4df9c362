package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apostille/apostille/verifier"
)

// EmbassyInfo names an embassy (a witness of a tlog-policy) for people:
// the policy's names have no meaning outside the policy file.
type EmbassyInfo struct {
	Witness string `json:"witness"` // the witness name in the policy
	Name    string `json:"name"`
	Country string `json:"country"`
}

// ParseEmbassyInfo reads a JSON array of EmbassyInfo.
func ParseEmbassyInfo(data []byte) ([]EmbassyInfo, error) {
	var out []EmbassyInfo
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("importer: embassies: %w", err)
	}
	return out, nil
}

// TLogPolicy reads a c2sp.org/tlog-policy file into an issuer's attestation
// policy and the embassies (witnesses) it names, with the names and
// countries of info. It checks the structure the bundle relies on: known
// keywords, groups and the quorum defined on earlier lines, exactly one
// quorum; the verifier of attestations checks the rest.
func TLogPolicy(data []byte, required bool, info []EmbassyInfo) (*verifier.BundleAttestation, []verifier.BundleEmbassy, error) {
	names := map[string]bool{"none": true}
	quorum := 0
	var embassies []verifier.BundleEmbassy
	byWitness := map[string]EmbassyInfo{}
	for _, e := range info {
		byWitness[e.Witness] = e
	}
	for n, line := range strings.Split(string(data), "\n") {
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		bad := func(msg string) error { return fmt.Errorf("importer: tlog-policy line %d: %s", n+1, msg) }
		switch f[0] {
		case "log":
			if len(f) < 2 || len(f) > 3 {
				return nil, nil, bad("log takes a vkey and an optional URL")
			}
		case "witness":
			if len(f) < 3 || len(f) > 4 {
				return nil, nil, bad("witness takes a name, a vkey and an optional URL")
			}
			if names[f[1]] {
				return nil, nil, bad("name " + f[1] + " is defined twice")
			}
			names[f[1]] = true
			e := verifier.BundleEmbassy{Name: f[1], Key: f[2]}
			if i, ok := byWitness[f[1]]; ok {
				if i.Name != "" {
					e.Name = i.Name
				}
				e.Country = i.Country
			}
			embassies = append(embassies, e)
		case "group":
			if len(f) < 4 {
				return nil, nil, bad("group takes a name, a threshold and members")
			}
			if names[f[1]] {
				return nil, nil, bad("name " + f[1] + " is defined twice")
			}
			for _, m := range f[3:] {
				if !names[m] || m == "none" {
					return nil, nil, bad("member " + m + " is not defined earlier")
				}
			}
			names[f[1]] = true
		case "quorum":
			if len(f) != 2 || !names[f[1]] {
				return nil, nil, bad("quorum names one witness or group defined earlier")
			}
			quorum++
		default:
			return nil, nil, bad("unknown keyword " + f[0])
		}
	}
	if quorum != 1 {
		return nil, nil, errors.New("importer: a tlog-policy has exactly one quorum line")
	}
	return &verifier.BundleAttestation{Policy: string(data), Required: required}, embassies, nil
}
