package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// Example verifies documents through the WebAssembly module: compile once
// (cached on disk), load the trust once per instance, then verify. Programs
// built with `make build` leave Config.Module nil and get the embedded
// module; this example builds it from source so that it runs on a clean
// checkout.
func Example() {
	set, err := benchdocs.Make() // documents and the trust bundle that verifies them
	if err != nil {
		panic(err)
	}
	module, err := wasmbuild.FromSource()
	if err != nil {
		panic(err)
	}
	cache, _ := os.MkdirTemp("", "apostille-example-")
	defer os.RemoveAll(cache)

	ctx := context.Background()
	e, err := host.New(ctx, host.Config{
		Module:   module,
		Trust:    []host.TrustSource{{Name: "trust.json", Data: set.Trust}},
		CacheDir: cache,
	})
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)

	for _, d := range set.Docs {
		report := e.Verify(ctx, d.Data, verifier.Options{Time: benchdocs.At})
		var r verifier.Report
		if err := json.Unmarshal(report, &r); err != nil {
			panic(err)
		}
		fmt.Printf("%-10s %s, signed by %s\n", d.Name, r.Verdict, r.Document.Issuer.Name)
	}
	tampered := append([]byte(nil), set.Docs[0].Data...)
	tampered[len(tampered)/2] ^= 1
	var r verifier.Report
	json.Unmarshal(e.Verify(ctx, tampered, verifier.Options{Time: benchdocs.At}), &r)
	fmt.Printf("tampered   %s (%s)\n", r.Verdict, r.Reason)
	// Output:
	// ES256-JWS  valid, signed by Benchmark issuer
	// EdDSA-JWS  valid, signed by Benchmark issuer
	// RS256-JWS  valid, signed by Benchmark issuer
	// PS256-JWS  valid, signed by Benchmark issuer
	// ES256-COSE valid, signed by Benchmark issuer
	// tampered   invalid (signature_invalid)
}
