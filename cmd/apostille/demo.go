package main

import (
	"fmt"
	"io"
	"os"

	"github.com/apostille/apostille/internal/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", stdout, stderr, "usage: apostille demo [--seed S] [--operator-key FILE] DIR")
	seed := fs.String("seed", demo.DefaultSeed, "seed from which every key and document is derived")
	opKey := fs.String("operator-key", "", "also write the demo trust-list operator's private key (PKCS#8 PEM) to FILE, to sign new editions of the demo trust list with `apostille trust sign`")
	if code, ok := fs.parse(args, func() string { return fs.operands(1, "directory") }); !ok {
		return code
	}
	w, err := demo.Build(fs.Arg(0), *seed)
	if err != nil {
		fmt.Fprintln(stderr, "apostille demo:", err)
		return exitUsage
	}
	if *opKey != "" {
		pem, err := w.OperatorPrivateKey()
		if err == nil {
			err = os.WriteFile(*opKey, pem, 0o600)
		}
		if err != nil {
			fmt.Fprintln(stderr, "apostille demo:", err)
			return exitUsage
		}
	}
	fmt.Fprintf(stdout, "demo world in %s: trust bundle %s (%d issuers, %d trust services from the demo trusted list %s), %d documents (manifest.json lists them)\n",
		fs.Arg(0), w.Man.Trust, len(w.Bundle.Issuers), len(w.Services), demo.TrustedListFile, len(w.Man.Samples))
	return exitOK
}
