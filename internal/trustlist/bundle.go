package trustlist

import (
	"encoding/json"
	"github.com/apostille/apostille/verifier/trustservices"
	"os"

	"github.com/apostille/apostille/verifier"
)

// Bundle is a trust bundle as the host writes it: verifier.Bundle and the
// trust services from EU trusted lists (docs/trust-bundle.md, "A
// service"). The verifier reads the services with trustservices.ParseServices;
// its Bundle leaves them out so that the module carries no code for them.
type Bundle struct {
	verifier.Bundle
	Services []trustservices.BundleService `json:"services,omitempty"`
}

// ReadServices reads the services of a bundle file (unsigned JSON).
func ReadServices(path string) ([]trustservices.BundleService, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b struct {
		Services []trustservices.BundleService `json:"services"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	return b.Services, nil
}
