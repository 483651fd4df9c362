package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// Example verifies documents through the WebAssembly module this package
// embeds, the same module as the citizen's browser runs. The trust is a
// signed trust bundle, which verifies only with its operator's pinned key.
// New compiles the module once (cached on disk across runs) and loads the
// trust into each instance; Verify then answers every document with a
// report. The files are the demo world's (testdata/README.md); nothing here
// is internal to the repository, so the example can be copied as it stands.
func Example() {
	trust, err := os.ReadFile("testdata/trust.jws")
	if err != nil {
		panic(err)
	}
	operator, err := os.ReadFile("testdata/operator.pub.jwk")
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	e, err := host.New(ctx, host.Config{
		Trust:        []host.TrustSource{{Name: "trust.jws", Data: trust}},
		OperatorKeys: [][]byte{operator},
	})
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)

	// The verification time is an input: the module reads no clock.
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"eu-dcc-vaccination.hc1", "eu-dcc-vaccination-tampered.hc1", "ee-birth-certificate.jwt"} {
		doc, err := os.ReadFile("testdata/" + name)
		if err != nil {
			panic(err)
		}
		// A document's embassy attestation sits next to it, if it has one.
		proof, _ := os.ReadFile("testdata/" + name + ".tlog-proof")
		var r verifier.Report
		if err := json.Unmarshal(e.Verify(ctx, doc, verifier.Options{Time: at, Proof: proof}), &r); err != nil {
			panic(err)
		}
		if r.Verdict != verifier.Valid {
			fmt.Printf("%s: %s (%s)\n", name, r.Verdict, r.Reason)
			continue
		}
		fmt.Printf("%s: %s, issued by %s\n", name, r.Verdict, r.Document.Issuer.Name)
		for _, a := range r.Attestations {
			fmt.Printf("  held by the data embassy in %s since %s\n", a.Country, a.CosignedAt)
		}
	}
	// Output:
	// eu-dcc-vaccination.hc1: valid, issued by Terviseamet (Health Board)
	// eu-dcc-vaccination-tampered.hc1: invalid (signature_invalid)
	// ee-birth-certificate.jwt: valid, issued by Rahvastikuregister (Population Register)
	//   held by the data embassy in LU since 2026-01-15T10:00:00Z
	//   held by the data embassy in EE since 2026-01-15T10:00:00Z
}
