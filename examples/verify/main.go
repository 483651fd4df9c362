// Command verify verifies documents with the Apostille WebAssembly module
// from a program of your own: it imports only public packages (wasm/host
// and verifier), so it can be copied out of this repository as it stands.
// The module comes embedded in wasm/host: nothing needs building first.
//
//	go run ./examples/verify -trust trust.jws -trust-key operator.pub.jwk -at 2026-11-27T12:00:00Z DOCUMENT...
//
// It prints one line per document: its verdict, and the reason for a
// verdict other than valid. A document's embassy attestation is read from
// DOCUMENT.tlog-proof when it is there. README.md says more.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run verifies the documents args name and says whether all were valid:
// 0 when they were, 1 when one was not, 2 on a usage or I/O error.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	trustPath := fs.String("trust", "", "trust bundle (signed or not), JWK Set or PEM certificates")
	keyPath := fs.String("trust-key", "", "pinned operator key (public JWK) of a signed trust bundle")
	at := fs.String("at", "", "verification time, RFC 3339 (default: now)")
	if fs.Parse(args) != nil || *trustPath == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: verify -trust FILE [-trust-key FILE] [-at RFC3339] DOCUMENT...")
		return 2
	}
	when := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintln(stderr, "verify: -at:", err)
			return 2
		}
		when = t
	}
	cfg := host.Config{}
	trust, err := os.ReadFile(*trustPath)
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	cfg.Trust = []host.TrustSource{{Name: filepath.Base(*trustPath), Data: trust}}
	if *keyPath != "" {
		key, err := os.ReadFile(*keyPath)
		if err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		cfg.OperatorKeys = [][]byte{key}
	}
	ctx := context.Background()
	e, err := host.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	defer e.Close(ctx)

	code := 0
	for _, p := range fs.Args() {
		doc, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		proof, _ := os.ReadFile(p + ".tlog-proof") // none: nil
		sum, err := verifier.ReadSummary(e.Verify(ctx, doc, verifier.Options{Time: when, Proof: proof}))
		if err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		if sum.Verdict == verifier.Valid {
			fmt.Fprintf(stdout, "%s: valid\n", filepath.Base(p))
			continue
		}
		fmt.Fprintf(stdout, "%s: %s (%s)\n", filepath.Base(p), sum.Verdict, sum.Reason)
		code = 1
	}
	return code
}
