// Package hardening makes the hostile documents of docs/security.md: for
// each way a document was once called valid although the specifications
// or our own documents say otherwise (or a genuine one forged, or one
// document cost seconds), a document of that shape, the trust and the
// options it is verified with, and the verdict and reason it must get.
//
// The verifier's tests hold the native verifier to each case; the
// differential corpus (internal/corpus) carries every case through the
// WebAssembly module, with and without host crypto, and the JS loader. The
// documents are deterministic: built from a seed, signed without
// randomness. It issues documents, so it lives outside verifier/.
package hardening

import (
	"encoding/json"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// At is the verification time of every case.
var At = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Case is one hostile document.
type Case struct {
	// Name says what the document breaks; Issue names the case of issue
	// 12 it comes from ("3"), or "audit" for what the audit of the same
	// classes found.
	Name  string
	Issue string
	Doc   []byte
	// Trust is a trust bundle v1 (JSON).
	Trust []byte
	// Options are the verification options, Trust left out (Time is At
	// unless the case says otherwise).
	Options verifier.Options
	Verdict verifier.Verdict
	Reason  verifier.Reason
}

// TrustCase is trust that must be refused when it is loaded.
type TrustCase struct {
	Name         string
	Issue        string
	Data         []byte
	OperatorKeys [][]byte // pinned operator keys (public JWK), if any
}

// builder holds what the cases share: the seed's keys and the issuers
// every bundle is made of.
type builder struct {
	w     *demo.World
	cases []Case
	err   error
}

// Cases builds every case.
func Cases() ([]Case, error) {
	b := &builder{w: &demo.World{Seed: "apostille-hardening-v1"}}
	b.jose()
	b.cose()
	b.mdoc()
	b.chains()
	if b.err != nil {
		return nil, b.err
	}
	return b.cases, nil
}

// add records a case; the first error of any builder step is kept.
func (b *builder) add(c Case, err error) {
	if err != nil {
		b.check(err)
		return
	}
	if c.Options.Time.IsZero() {
		c.Options.Time = At
	}
	b.cases = append(b.cases, c)
}

// check keeps err if it is the first.
func (b *builder) check(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// bundle is a trust bundle v1 of the given issuers, as JSON.
func bundle(issuers ...verifier.BundleIssuer) []byte {
	b, err := json.Marshal(verifier.Bundle{TrustBundle: verifier.TrustBundleVersion, Issuers: issuers})
	if err != nil {
		panic(err)
	}
	return b
}

// keyOf is a bundle key for a public key with kid and alg.
func keyOf(pub any, kid, alg string) verifier.BundleKey {
	return verifier.BundleKey{JWK: demo.PublicJWK(pub, kid, alg)}
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
