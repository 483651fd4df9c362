// Package reportschema validates reports against docs/report.schema.json for
// tests (the verifier's and the CLI's). It is test tooling: verifier/ never
// imports it, so the schema validator stays out of the WebAssembly module.
package reportschema

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Path is the schema's place in the repository.
const Path = "docs/report.schema.json"

// Schema is the compiled report schema.
type Schema struct{ s *jsonschema.Schema }

// Load compiles the report schema, found by walking up from the working
// directory to the module root (the directory holding go.mod).
func Load() (*Schema, error) { return load(Path) }

// RecordPath is the output record schema's place in the repository.
const RecordPath = "docs/record.schema.json"

// LoadRecord compiles the output record schema, which refers to the report
// schema by its $id.
func LoadRecord() (*Schema, error) { return load(RecordPath) }

// ids maps the schemas' $ids to their files, so that one finds the other.
var ids = map[string]string{
	"https://apostille.example/schemas/report.v1.json": Path,
	"https://apostille.example/schemas/record.v1.json": RecordPath,
}

type docsLoader string // the module root

func (root docsLoader) Load(url string) (any, error) {
	p, ok := ids[url]
	if !ok {
		return nil, fmt.Errorf("reportschema: no schema %s", url)
	}
	raw, err := os.ReadFile(filepath.Join(string(root), p))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

func load(path string) (*Schema, error) {
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
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(docsLoader(dir))
	for id, p := range ids {
		if p == path {
			s, err := c.Compile(id)
			if err != nil {
				return nil, err
			}
			return &Schema{s}, nil
		}
	}
	return nil, fmt.Errorf("reportschema: no schema %s", path)
}

// Validate checks one report (or, for LoadRecord, one output record), as
// JSON.
func (s *Schema) Validate(report []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(report))
	if err != nil {
		return err
	}
	return s.s.Validate(inst)
}
