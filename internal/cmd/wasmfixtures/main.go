// Command wasmfixtures writes the corpus (internal/corpus) with the report
// the Go host gives for each document, for the JS tests to require the same
// bytes from the same module; and the option cases (corpus.OptionSets) with
// the native verifier's report, so that every option goes through the JS
// loader's encoder.
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
	"time"

	"github.com/apostille/apostille/internal/corpus"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

type fixtureSet struct {
	Name  string         `json:"name"`
	Trust []fixtureTrust `json:"trust"`
	// OperatorKeys are pinned keys (public JWKs) for signed trust.
	OperatorKeys [][]byte      `json:"operator_keys,omitempty"`
	Cases        []fixtureCase `json:"cases"`
}

type fixtureTrust struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

type fixtureCase struct {
	Name    string `json:"name"`
	Doc     []byte `json:"doc"`
	Payload []byte `json:"payload,omitempty"`
	// Options are the case's options as the ES module takes them, byte
	// members base64 (the test decodes them).
	Options *jsOptions `json:"options,omitempty"`
	Report  string     `json:"report"`
}

// jsOptions are verify()'s options of wasm/js (apostille.d.ts).
type jsOptions struct {
	At                     string    `json:"at,omitempty"`
	Format                 string    `json:"format,omitempty"`
	Payload                []byte    `json:"payload,omitempty"`
	Proof                  []byte    `json:"proof,omitempty"`
	MaxSize                int       `json:"maxSize,omitempty"`
	ClockSkewSeconds       *float64  `json:"clockSkewSeconds,omitempty"`
	ExternalAAD            []byte    `json:"externalAAD,omitempty"`
	Holder                 *jsHolder `json:"holder,omitempty"`
	StatusLists            [][]byte  `json:"statusLists,omitempty"`
	AcceptStaleTrustUnsafe bool      `json:"acceptStaleTrustUnsafe,omitempty"`
}

type jsHolder struct {
	Audience          string `json:"audience,omitempty"`
	Nonce             string `json:"nonce,omitempty"`
	RequireBinding    bool   `json:"requireBinding,omitempty"`
	SessionTranscript []byte `json:"sessionTranscript,omitempty"`
	ReaderKey         []byte `json:"readerKey,omitempty"`
}

// jsOptionsOf writes o as the ES module's options; nil for the zero
// options.
func jsOptionsOf(o verifier.Options) *jsOptions {
	j := &jsOptions{Format: string(o.Format), Payload: o.Payload, Proof: o.Proof, MaxSize: o.MaxSize,
		ExternalAAD: o.ExternalAAD, StatusLists: o.StatusLists, AcceptStaleTrustUnsafe: o.AcceptStaleTrustUnsafe}
	if !o.Time.IsZero() {
		j.At = o.Time.UTC().Format(time.RFC3339Nano)
	}
	if o.ClockSkew != 0 {
		s := max(o.ClockSkew, 0).Seconds() // the loader's 0 means none
		j.ClockSkewSeconds = &s
	}
	if h := o.Holder; h.Audience != "" || h.Nonce != "" || h.RequireBinding || len(h.SessionTranscript) > 0 || len(h.ReaderKey) > 0 {
		j.Holder = &jsHolder{h.Audience, h.Nonce, h.RequireBinding, h.SessionTranscript, h.ReaderKey}
	}
	if b, _ := json.Marshal(j); string(b) == "{}" {
		return nil
	}
	return j
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
		At         string       `json:"at"`
		Sets       []fixtureSet `json:"sets"`
		OptionSets []fixtureSet `json:"option_sets"`
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
			opts := c.VerifyOptions()
			rep := e.Verify(ctx, c.Doc, opts)
			fs.Cases = append(fs.Cases, fixtureCase{Name: c.Name, Doc: c.Doc, Payload: opts.Payload, Options: jsOptionsOf(c.Options), Report: string(rep)})
		}
		e.Close(ctx)
		doc.Sets = append(doc.Sets, fs)
	}
	osets, err := corpus.OptionSets(root, filepath.Join(tmp, "options"))
	if err != nil {
		return err
	}
	for _, s := range osets {
		trust, err := s.NativeTrust()
		if err != nil {
			return err
		}
		fs := fixtureSet{Name: s.Name, OperatorKeys: s.OperatorKeys}
		for _, t := range s.Trust {
			fs.Trust = append(fs.Trust, fixtureTrust(t))
		}
		for _, c := range s.Cases {
			o := c.Options
			o.Trust = trust
			rep := verifier.Verify(c.Doc, o).AppendJSON(nil)
			fs.Cases = append(fs.Cases, fixtureCase{Name: c.Name, Doc: c.Doc, Options: jsOptionsOf(c.Options), Report: string(rep)})
		}
		doc.OptionSets = append(doc.OptionSets, fs)
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
