// Package reportschema validates reports against docs/report.schema.json for
// tests (the verifier's and the CLI's). It is test tooling: verifier/ never
// imports it, so the schema validator stays out of the WebAssembly module.
package reportschema

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Path is the schema's place in the repository.
const Path = "docs/report.schema.json"

// Schema is the compiled report schema.
type Schema struct{ s *jsonschema.Schema }

// Load compiles the schema, found by walking up from the working directory
// to the module root (the directory holding go.mod).
func Load() (*Schema, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("reportschema: no go.mod above the working directory")
		}
		dir = parent
	}
	raw, err := os.ReadFile(filepath.Join(dir, Path))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("report.schema.json", doc); err != nil {
		return nil, err
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		return nil, err
	}
	return &Schema{s}, nil
}

// Validate checks one report, as JSON.
func (s *Schema) Validate(report []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(report))
	if err != nil {
		return err
	}
	return s.s.Validate(inst)
}
