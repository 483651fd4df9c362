// Command wasmfixtures writes the corpus (internal/corpus) with the report
// the Go host gives for each document, for the JS tests to require the same
// bytes from the same module.
//
//	go run ./internal/cmd/wasmfixtures -module bin/apostille.wasm -o build/js-fixtures.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apostille/apostille/internal/corpus"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

type fixtureSet struct {
	Name  string         `json:"name"`
	Trust []fixtureTrust `json:"trust"`
	Cases []fixtureCase  `json:"cases"`
}

type fixtureTrust struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

type fixtureCase struct {
	Name    string `json:"name"`
	Doc     []byte `json:"doc"`
	Payload []byte `json:"payload,omitempty"`
	Report  string `json:"report"`
}

func main() {
	modPath := flag.String("module", "bin/apostille.wasm", "the module the JS tests load")
	out := flag.String("o", "build/js-fixtures.json", "output")
	flag.Parse()
	if err := run(*modPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "wasmfixtures:", err)
		os.Exit(1)
	}
}

func run(modPath, out string) error {
	mod, err := os.ReadFile(modPath)
	if err != nil {
		return err
	}
	root, err := wasmbuild.Root()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "apostille-fixtures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sets, err := corpus.Collect(root, tmp)
	if err != nil {
		return err
	}
	ctx := context.Background()
	doc := struct {
		At   string       `json:"at"`
		Sets []fixtureSet `json:"sets"`
	}{At: corpus.At.Format("2006-01-02T15:04:05Z")}
	for _, s := range sets {
		fs := fixtureSet{Name: s.Name}
		var src []host.TrustSource
		for _, t := range s.Trust {
			src = append(src, host.TrustSource{Name: t.Name, Data: t.Data})
			fs.Trust = append(fs.Trust, fixtureTrust(t))
		}
		e, err := host.New(ctx, host.Config{Module: mod, Trust: src, Instances: 1, NoCache: true})
		if err != nil {
			return err
		}
		for _, c := range s.Cases {
			rep := e.Verify(ctx, c.Doc, verifier.Options{Time: corpus.At, Payload: c.Payload})
			fs.Cases = append(fs.Cases, fixtureCase{Name: c.Name, Doc: c.Doc, Payload: c.Payload, Report: string(rep)})
		}
		e.Close(ctx)
		doc.Sets = append(doc.Sets, fs)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
