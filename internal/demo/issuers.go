package demo

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/verifier"
)

// Demo issuer identifiers.
const (
	IssuerEEPopulation = "ee-population-register"
	IssuerLUCTIE       = "lu-ctie"
	IssuerEERIA        = "ee-ria"
)

// Demo document types.
const (
	TypeBirthCertificate     = "https://apostille.example/types/birth-certificate"
	TypeResidenceCertificate = "https://apostille.example/types/residence-certificate"
)

// Key identifiers of the demo keys.
const (
	KidEEPopulation = "ee-pr-2026"
	KidLUCTIE       = "lu-ctie-2026"
	KidUnknown      = "xx-unknown-2026"
)

// issuers adds the demo issuers and their keys to the bundle.
func (w *World) issuers() error {
	ee := w.ECKey("issuer/" + IssuerEEPopulation)
	lu := w.EdKey("issuer/" + IssuerLUCTIE)
	root, rootDER, err := w.riaRoot()
	if err != nil {
		return err
	}
	_ = root
	w.Bundle.Issuers = append(w.Bundle.Issuers,
		verifier.BundleIssuer{
			ID: IssuerEEPopulation, Name: "Rahvastikuregister (Population Register)", Country: "EE",
			Keys:          []verifier.BundleKey{w.bundleKey(ee.Public(), KidEEPopulation, "ES256")},
			DocumentTypes: []string{TypeBirthCertificate, TypeResidenceCertificate},
		},
		verifier.BundleIssuer{
			ID: IssuerLUCTIE, Name: "Centre des technologies de l'information de l'État", Country: "LU",
			Keys: []verifier.BundleKey{w.bundleKey(lu.Public(), KidLUCTIE, "EdDSA")},
		},
		verifier.BundleIssuer{
			ID: IssuerEERIA, Name: "Riigi Infosüsteemi Amet (Information System Authority)", Country: "EE",
			Anchors: []string{base64.StdEncoding.EncodeToString(rootDER)},
		},
	)
	return nil
}

func (w *World) bundleKey(pub crypto.PublicKey, kid, alg string) verifier.BundleKey {
	return verifier.BundleKey{
		JWK:       PublicJWK(pub, kid, alg),
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
		NotAfter:  time.Date(2037, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
	}
}

// PublicJWK writes a public key as a JWK with kid and alg.
func PublicJWK(pub crypto.PublicKey, kid, alg string) verifier.JWK {
	return importer.PublicJWK(pub, kid, alg)
}

// riaRoot is the root CA of the Information System Authority, the anchor
// for documents that carry their signer certificate (x5c).
func (w *World) riaRoot() (*x509.Certificate, []byte, error) {
	key := w.ECKey("ca/" + IssuerEERIA)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "RIA Demo Root CA", Organization: []string{"Riigi Infosüsteemi Amet"}, Country: []string{"EE"}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), Deterministic{Signer: key})
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	return c, der, err
}

// riaSigner issues the RSA document-signing certificate under the root.
func (w *World) riaSigner() ([]byte, error) {
	root, _, err := w.riaRoot()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "RIA Document Signer 2026", Organization: []string{"Riigi Infosüsteemi Amet"}, Country: []string{"EE"}},
		NotBefore:    time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	return x509.CreateCertificate(nil, tmpl, root, w.RSAKey().Public(), Deterministic{Signer: w.ECKey("ca/" + IssuerEERIA)})
}
