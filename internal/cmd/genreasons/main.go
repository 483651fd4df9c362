// Command genreasons writes docs/reasons.md from verifier/reasons.go.
// It runs from `go generate ./verifier`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/apostille/apostille/internal/reasondoc"
)

func main() {
	out := flag.String("o", "../docs/reasons.md", "output file")
	in := flag.String("i", "reasons.go", "reasons source")
	flag.Parse()
	src, err := os.ReadFile(*in)
	if err == nil {
		var codes []reasondoc.Code
		if codes, err = reasondoc.Parse(src); err == nil {
			if err = reasondoc.Check(codes); err == nil {
				err = os.WriteFile(*out, reasondoc.Markdown(codes), 0o644)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genreasons:", err)
		os.Exit(1)
	}
}
