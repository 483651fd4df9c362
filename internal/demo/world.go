package demo

import (
	"encoding/json"
	"fmt"
	"github.com/apostille/apostille/verifier/trustservices"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
)

// DefaultSeed is the seed `apostille demo` uses unless told otherwise.
const DefaultSeed = "apostille-demo-v1"

// Issued is when the demo's documents were issued; they stay valid until
// Until, so that the demo verifies with the real clock for years.
var (
	Issued = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	Until  = time.Date(2036, 1, 15, 9, 0, 0, 0, time.UTC)
)

// Sample is one demo document and what verifying it must say.
type Sample struct {
	File        string `json:"file"`
	Title       string `json:"title"`
	Format      string `json:"format"`
	Verdict     string `json:"verdict"`
	Reason      string `json:"reason,omitempty"`
	Description string `json:"description,omitempty"`
	// Payload is a detached payload file next to the document, if any.
	Payload string `json:"payload,omitempty"`
	// Proof is the document's detached tlog proof, next to it as
	// <document>.tlog-proof, if any.
	Proof string `json:"proof,omitempty"`
	// Warnings are the reason codes of the warnings a valid document gets.
	Warnings []string `json:"warnings,omitempty"`
}

// Manifest lists the demo world's files.
type Manifest struct {
	Seed  string `json:"seed"`
	Trust string `json:"trust"`
	// SignedTrust is the same bundle signed by the demo operator, whose
	// public key (to pin) is OperatorKey.
	SignedTrust string   `json:"signed_trust,omitempty"`
	OperatorKey string   `json:"operator_key,omitempty"`
	Samples     []Sample `json:"samples"`
}

// World is a demo world under construction.
type World struct {
	Seed   string
	Dir    string
	Bundle verifier.Bundle
	// Services are the bundle's trust services (the demo trusted list's).
	Services []trustservices.BundleService
	Man      Manifest
	// ee is the demo Estonian provider (tsl.go), made once.
	ee *eeProvider
}

// Build writes the demo world into dir: trust.json, documents/ and
// manifest.json. The same seed always gives the same bytes.
func Build(dir, seed string) (*World, error) {
	if seed == "" {
		seed = DefaultSeed
	}
	w := &World{Seed: seed, Dir: dir, Man: Manifest{Seed: seed, Trust: "trust.json"}}
	w.Bundle = verifier.Bundle{TrustBundle: verifier.TrustBundleVersion, Operator: "Apostille demo trust list", Sequence: 1,
		IssuedAt: Issued.Format(time.RFC3339), NextUpdate: Until.Format(time.RFC3339)}
	if err := os.MkdirAll(filepath.Join(dir, "documents"), 0o755); err != nil {
		return nil, err
	}
	// attestations stays last: it logs the genuine documents of the
	// issuers that keep logs, whichever step made them.
	for _, step := range []func() error{w.issuers, w.joseSamples, w.coseSamples, w.govSamples, w.statusSamples, w.attestations, w.unattestedSamples, w.trustedList, w.containers} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := w.writeJSON("trust.json", trustlist.Bundle{Bundle: w.Bundle, Services: w.Services}); err != nil {
		return nil, err
	}
	if err := w.signedTrust(); err != nil { // trustlist.go: trust.jws, operator.pub.jwk
		return nil, err
	}
	if err := w.writeJSON("manifest.json", w.Man); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *World) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return w.write(name, append(b, '\n'))
}

func (w *World) write(name string, data []byte) error {
	p := filepath.Join(w.Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// addDocument writes a sample under documents/ and lists it.
func (w *World) addDocument(s Sample, data []byte) error {
	s.File = "documents/" + s.File
	w.Man.Samples = append(w.Man.Samples, s)
	if err := w.write(s.File, data); err != nil {
		return fmt.Errorf("demo: %s: %w", s.File, err)
	}
	return nil
}
