package demo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

// TestDemoAttestations: every valid demo document that has a proof (beside
// it or bundled) is attested by both embassies, named and placed by the
// trust bundle; the logs in the world are the ones the proofs name.
func TestDemoAttestations(t *testing.T) {
	dir := t.TempDir()
	w, err := Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := os.ReadFile(filepath.Join(dir, "trust.json"))
	trust, err := verifier.ParseTrust("demo", tb)
	if err != nil {
		t.Fatal(err)
	}
	attested := 0
	for _, s := range w.Man.Samples {
		if s.Verdict != "valid" || (s.Proof == "" && s.Format != "attested") {
			continue
		}
		doc, _ := os.ReadFile(filepath.Join(dir, s.File))
		var proof []byte
		if s.Proof != "" {
			proof, _ = os.ReadFile(filepath.Join(dir, s.Proof))
		}
		rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Proof: proof})
		if len(rep.Attestations) != 2 {
			t.Fatalf("%s: %d attestations", s.File, len(rep.Attestations))
		}
		got := map[string]string{}
		for _, a := range rep.Attestations {
			got[a.Country] = a.Embassy
			if a.CosignedAt != CosignedAt.Format(time.RFC3339) {
				t.Fatalf("%s: cosigned at %s", s.File, a.CosignedAt)
			}
			if _, err := os.Stat(filepath.Join(dir, "logs")); err != nil {
				t.Fatal(err)
			}
		}
		if got["LU"] == "" || got["EE"] == "" {
			t.Fatalf("%s: embassies %v", s.File, got)
		}
		attested++
	}
	if attested < 3 {
		t.Fatalf("only %d attested samples", attested)
	}
}
