package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

// TestSamplesDecideAsListed verifies every demo document and requires the
// verdict and reason the manifest lists.
func TestSamplesDecideAsListed(t *testing.T) {
	dir := t.TempDir()
	w, err := Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	tb, err := os.ReadFile(filepath.Join(dir, "trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifier.ParseTrust("demo", tb)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, s := range w.Man.Samples {
		doc, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		var proof []byte
		if s.Proof != "" {
			if proof, err = os.ReadFile(filepath.Join(dir, s.Proof)); err != nil {
				t.Fatal(err)
			}
		}
		rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: at, Proof: proof})
		if string(rep.Verdict) != s.Verdict || string(rep.Reason) != s.Reason {
			t.Errorf("%s: got %s/%s, want %s/%s: %+v", s.File, rep.Verdict, rep.Reason, s.Verdict, s.Reason, rep.Checks)
		}
		var warnings []string
		for _, wr := range rep.Warnings {
			warnings = append(warnings, string(wr.Reason))
		}
		if strings.Join(warnings, ",") != strings.Join(s.Warnings, ",") {
			t.Errorf("%s: warnings %v, want %v", s.File, warnings, s.Warnings)
		}
	}
}

// TestDeterministic builds the world twice and compares every byte.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := Build(a, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(b, ""); err != nil {
		t.Fatal(err)
	}
	err := filepath.Walk(a, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || string(x) != string(y) {
			t.Errorf("%s differs between two builds", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
