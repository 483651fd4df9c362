package demo

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/apostille/apostille/verifier"
)

// Government document formats of the demo: an EU Digital COVID
// Certificate, an ISO 18013-5 mobile driving licence and an SD-JWT VC
// person identification credential, each valid and spoilt.

// Demo issuers of the government formats.
const (
	IssuerEEHealth = "ee-terviseamet"
	IssuerLUMDL    = "lu-snca"
	IssuerEEPID    = "ee-pid-provider"
)

// Document types of the government formats.
const (
	TypeDCCVaccination = "eu-dcc-vaccination"
	TypeMDL            = "org.iso.18013.5.1.mDL"
	TypePID            = "urn:eudi:pid:ee:1"
	KidEEPID           = "ee-pid-2026"
)

// govSamples adds the issuers and documents of the government formats.
func (w *World) govSamples() error {
	for _, step := range []func() error{w.dccSamples, w.mdocSamples, w.sdjwtSamples} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// caCert issues a CA certificate (self-signed when parent is nil).
func (w *World) caCert(label, cn, org, country string, serial int64, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, []byte, error) {
	key := w.ECKey(label)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{org}, Country: []string{country}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(nil, tmpl, parent, key.Public(), Deterministic{Signer: parentKey})
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	return c, der, err
}

// CACert issues a CA certificate for the world's key of label, self-signed
// when parent is nil (tests that need an IACA or a root of their own).
func (w *World) CACert(label, cn, org, country string, serial int64, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, []byte, error) {
	return w.caCert(label, cn, org, country, serial, parent, parentKey)
}

// SignerCert issues a document signer certificate for key under ca, with
// the given extended key usages.
func SignerCert(cn, org, country string, serial int64, key crypto.Signer, ca *x509.Certificate, caKey crypto.Signer, ekus []asn1.ObjectIdentifier) ([]byte, error) {
	return signerCert(cn, org, country, serial, key, ca, caKey, ekus)
}

// signerCert issues a document signer certificate for key under ca.
func signerCert(cn, org, country string, serial int64, key crypto.Signer, ca *x509.Certificate, caKey crypto.Signer, ekus []asn1.ObjectIdentifier) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(serial),
		Subject:            pkix.Name{CommonName: cn, Organization: []string{org}, Country: []string{country}},
		NotBefore:          time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:           time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: ekus,
	}
	return x509.CreateCertificate(nil, tmpl, ca, key.Public(), Deterministic{Signer: caKey})
}

// DCCKID is the EU DCC key identifier of a signer certificate: the first 8
// bytes of its SHA-256, base64 as trust lists write it.
func DCCKID(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:8])
}

// certKey is a bundle key for a certificate's key, carrying the
// certificate in x5c.
func (w *World) certKey(pub crypto.PublicKey, kid, alg string, der []byte) verifier.BundleKey {
	k := w.bundleKey(pub, kid, alg)
	k.JWK.X5c = []string{base64.StdEncoding.EncodeToString(der)}
	return k
}
