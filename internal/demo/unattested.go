package demo

import (
	"os"
	"path/filepath"
)

// unattestedSamples adds the Luxembourg token once more without its embassy
// proof: Luxembourg's policy makes attestation optional, so it is valid
// with an attestation_missing warning — the "valid with warnings" state
// the citizen's page must be able to show. It runs after attestations, so
// that this copy is not logged and gets no proof.
func (w *World) unattestedSamples() error {
	doc, err := os.ReadFile(filepath.Join(w.Dir, "documents", "lu-residence-attestation.cwt"))
	if err != nil {
		return err
	}
	return w.addDocument(Sample{File: "lu-residence-attestation-unattested.cwt", Title: "Residence attestation (Luxembourg), without its embassy proof",
		Format: "cwt", Verdict: "valid", Warnings: []string{"attestation_missing"},
		Description: "The genuine Luxembourg token alone: it verifies, but no embassy confirms it was logged, which Luxembourg's policy allows."}, doc)
}
