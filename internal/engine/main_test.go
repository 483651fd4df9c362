package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// world is the demo world the tests verify, built once.
var world struct {
	dir string
	man demo.Manifest
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apostille-engine-test-")
	if err != nil {
		panic(err)
	}
	w, err := demo.Build(dir, "")
	if err != nil {
		panic(err)
	}
	world.dir, world.man = dir, w.Man
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// at is a time at which the demo world's trust and documents are valid.
var at = demo.Issued.Add(30 * 24 * time.Hour)

func path(name string) string { return filepath.Join(world.dir, name) }

// sample returns a demo document and the options it verifies with: the
// time, and its proof when it has one.
func sample(t *testing.T, file string) ([]byte, verifier.Options) {
	t.Helper()
	for _, s := range world.man.Samples {
		if filepath.Base(s.File) != file {
			continue
		}
		b, err := os.ReadFile(path(s.File))
		if err != nil {
			t.Fatal(err)
		}
		opts := verifier.Options{Time: at}
		if s.Proof != "" {
			if opts.Proof, err = os.ReadFile(path(s.Proof)); err != nil {
				t.Fatal(err)
			}
		}
		return b, opts
	}
	t.Fatalf("no demo sample %s", file)
	return nil, verifier.Options{}
}

// withoutLists writes the demo bundle without the status lists it ships.
func withoutLists(t *testing.T) (bundle string, list []byte) {
	t.Helper()
	b, err := os.ReadFile(path(world.man.Trust))
	if err != nil {
		t.Fatal(err)
	}
	var bundleJSON verifier.Bundle
	if err := json.Unmarshal(b, &bundleJSON); err != nil {
		t.Fatal(err)
	}
	list = []byte(bundleJSON.StatusLists[0])
	bundleJSON.StatusLists = nil
	out, _ := json.Marshal(bundleJSON)
	bundle = filepath.Join(t.TempDir(), "trust.json")
	if err := os.WriteFile(bundle, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle, list
}

// decision is what a report decided.
func decision(t *testing.T, rep []byte) verifier.Summary {
	t.Helper()
	s, err := verifier.ReadSummary(rep)
	if err != nil {
		t.Fatalf("not a report: %.200s", rep)
	}
	return s
}
