package main

import (
	"os"

	"github.com/apostille/apostille/internal/benchdocs"
)

func main() {
	set, _ := benchdocs.Make()
	os.WriteFile("/tmp/bd/trust.json", set.Trust, 0o644)
	for _, d := range set.Docs {
		os.WriteFile("/tmp/bd/"+d.Name, d.Data, 0o644)
	}
}
