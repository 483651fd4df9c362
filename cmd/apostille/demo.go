package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/apostille/apostille/internal/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.String("seed", demo.DefaultSeed, "seed from which every key and document is derived")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: apostille demo [--seed S] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	w, err := demo.Build(fs.Arg(0), *seed)
	if err != nil {
		fmt.Fprintln(stderr, "apostille demo:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "demo world in %s: trust bundle %s, %d documents (manifest.json lists them)\n", fs.Arg(0), w.Man.Trust, len(w.Man.Samples))
	return exitOK
}
