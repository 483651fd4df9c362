package importer

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apostille/apostille/verifier"
)

// Certificates reads X.509 certificates from PEM (one or many) or DER.
func Certificates(data []byte) ([]*x509.Certificate, error) {
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("importer: neither PEM nor a DER certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for rest := trimmed; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("importer: certificate %d: %w", len(out), err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("importer: no CERTIFICATE in PEM")
	}
	return out, nil
}

// CertificateKey is the bundle key of a signer certificate: its public key
// with the certificate as x5c, trusted within the certificate's validity.
// An empty kid becomes the certificate's x5t#S256.
func CertificateKey(c *x509.Certificate, kid string) (verifier.BundleKey, error) {
	alg, err := DefaultAlg(c.PublicKey)
	if err != nil {
		return verifier.BundleKey{}, err
	}
	if kid == "" {
		sum := sha256.Sum256(c.Raw)
		kid = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	j := PublicJWK(c.PublicKey, kid, alg)
	j.X5c = []string{base64.StdEncoding.EncodeToString(c.Raw)}
	return verifier.BundleKey{
		JWK:       j,
		NotBefore: c.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:  c.NotAfter.UTC().Format(time.RFC3339),
	}, nil
}

// PEM makes an issuer of certificates: CA certificates become trust
// anchors for chains in documents (x5c, x5chain), other certificates
// signer keys that documents name by kid (x5t#S256, or the DCC kid).
func PEM(id, name string, data []byte) (verifier.BundleIssuer, error) {
	certs, err := Certificates(data)
	if err != nil {
		return verifier.BundleIssuer{}, err
	}
	is := verifier.BundleIssuer{ID: id, Name: name}
	for _, c := range certs {
		if c.IsCA {
			is.Anchors = append(is.Anchors, base64.StdEncoding.EncodeToString(c.Raw))
			continue
		}
		k, err := CertificateKey(c, "")
		if err != nil {
			return verifier.BundleIssuer{}, err
		}
		is.Keys = append(is.Keys, k)
	}
	nameFromCert(&is, certs[0])
	return is, nil
}

// MDLDocType is the ISO/IEC 18013-5 mobile driving licence document type.
const MDLDocType = "org.iso.18013.5.1.mDL"

// IACA makes an mdoc issuer of IACA root certificates (ISO/IEC 18013-5
// Annex B): the anchors to which document signer certificates in an mdoc's
// x5chain must chain. docTypes default to the mDL.
func IACA(id, name string, data []byte, docTypes []string) (verifier.BundleIssuer, error) {
	certs, err := Certificates(data)
	if err != nil {
		return verifier.BundleIssuer{}, err
	}
	if len(docTypes) == 0 {
		docTypes = []string{MDLDocType}
	}
	is := verifier.BundleIssuer{ID: id, Name: name, DocumentTypes: docTypes}
	for i, c := range certs {
		if !c.IsCA {
			return verifier.BundleIssuer{}, fmt.Errorf("importer: IACA certificate %d is not a CA certificate", i)
		}
		is.Anchors = append(is.Anchors, base64.StdEncoding.EncodeToString(c.Raw))
	}
	nameFromCert(&is, certs[0])
	return is, nil
}

// nameFromCert fills an issuer's missing name and country from a
// certificate's subject.
func nameFromCert(is *verifier.BundleIssuer, c *x509.Certificate) {
	if is.Name == "" {
		switch {
		case len(c.Subject.Organization) > 0:
			is.Name = strings.TrimSpace(c.Subject.Organization[0])
		case c.Subject.CommonName != "":
			is.Name = c.Subject.CommonName
		default:
			is.Name = is.ID
		}
	}
	if is.Country == "" && len(c.Subject.Country) > 0 {
		is.Country = strings.ToUpper(strings.TrimSpace(c.Subject.Country[0]))
	}
}
