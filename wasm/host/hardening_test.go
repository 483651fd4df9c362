package host

import (
	"context"
	"testing"

	"github.com/apostille/apostille/internal/hardening"
	"github.com/apostille/apostille/internal/wasmbuild"
)

// TestHardeningTrustInModule: the module refuses the trust the native
// verifier refuses (internal/hardening's trust cases: member names that
// fold onto others, unsigned trust under a pinned operator key).
func TestHardeningTrustInModule(t *testing.T) {
	mod := wasmbuild.ForTest(t)
	ctx := context.Background()
	for _, c := range hardening.TrustCases() {
		e, err := New(ctx, Config{Module: mod, Trust: []TrustSource{{c.Name, c.Data}}, OperatorKeys: c.OperatorKeys, Instances: 1, CacheDir: cacheDir(t)})
		if err == nil {
			e.Close(ctx)
			t.Errorf("%s (case %s): the module loaded it", c.Name, c.Issue)
		}
	}
}
