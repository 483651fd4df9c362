package verifier

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
)

// The documents of one issuer carry the same certificates over and over
// (an x5c or x5chain of a signer and its CAs), and crypto/x509 parses a
// certificate at a cost that, inside the WebAssembly module, exceeds the
// rest of a verification: the ASN.1 walk, the names, the public key. A
// trust therefore remembers the certificates its documents carried,
// parsed, keyed by their exact DER, with the report's description of each
// (the names as strings). A parsed certificate is never changed after
// parsing, so one can serve every verification; a certificate that does
// not parse is not remembered, so an error is always found afresh. The
// memo is bounded in entries and in the size of each certificate, and
// belongs to one Trust: a new trust starts empty.

// maxCertMemo bounds the certificates one trust remembers; maxMemoCertDER
// the size of one (larger ones are parsed every time).
const (
	maxCertMemo    = 1024
	maxMemoCertDER = 16 << 10
)

// certMemo remembers parsed certificates by their DER (memo.go), and
// which certificate signed which (signedBy).
type certMemo struct {
	m    *memo
	sigs *memo
}

// memoCert is a parsed certificate, its report entry and the SHA-256 of
// its DER (for the chain memo's key).
type memoCert struct {
	cert *x509.Certificate
	info CertificateInfo
	sum  [32]byte
}

func newCertMemo() *certMemo {
	return &certMemo{m: newMemo(maxCertMemo), sigs: newMemo(maxCertMemo)}
}

// parseCertificate parses der as x509.ParseCertificate does, from the
// memo when it holds der. The certificate returned never shares memory
// with der, which may be the caller's buffer.
func (m *certMemo) parseCertificate(der []byte) (*memoCert, error) {
	if m != nil {
		if e, ok := m.m.getBytes(der); ok {
			return e.(*memoCert), nil
		}
	}
	owned := bytes.Clone(der)
	c, err := x509.ParseCertificate(owned)
	if err != nil {
		return nil, err
	}
	e := &memoCert{cert: c, info: certificateInfo(c), sum: sha256.Sum256(owned)}
	if m == nil || len(der) > maxMemoCertDER {
		return e, nil
	}
	m.m.put(string(owned), e)
	return e, nil
}

// parseCertificateLenient parses der as crypto/x509 does, through the
// memo, and failing that reads a negative RSA modulus (certlenient.go):
// a certificate crypto/x509 parses is remembered as parseCertificate
// remembers it; one that needs its modulus fixed is parsed afresh every
// time and never remembered, so the strict parseCertificate of other
// formats never finds it here.
func (m *certMemo) parseCertificateLenient(der []byte) (*x509.Certificate, error) {
	e, err := m.parseCertificate(der)
	if err == nil {
		return e.cert, nil
	}
	return parseFixedRSAModulus(bytes.Clone(der), err)
}

// certificateInfo is c as the report's technical details describe it.
func certificateInfo(c *x509.Certificate) CertificateInfo {
	return CertificateInfo{
		Subject:   clipLong(nameString(c.Subject)),
		Issuer:    clipLong(nameString(c.Issuer)),
		Serial:    clipLong(c.SerialNumber.String()),
		NotBefore: timeString(c.NotBefore),
		NotAfter:  timeString(c.NotAfter),
	}
}

// describe returns c's report entry, remembered by its DER (c is a
// trust's own certificate, such as a key trusted directly).
func (m *certMemo) describe(c *x509.Certificate) CertificateInfo {
	if m == nil || len(c.Raw) > maxMemoCertDER {
		return certificateInfo(c)
	}
	if e, ok := m.m.getBytes(c.Raw); ok {
		return e.(*memoCert).info
	}
	e := &memoCert{cert: c, info: certificateInfo(c), sum: sha256.Sum256(c.Raw)}
	m.m.put(string(c.Raw), e)
	return e.info
}

// knownInfo returns c's report entry from the memo when c was parsed
// through it, and makes it otherwise without remembering c (which may be
// a certificate parseCertificateLenient fixed, never to be remembered).
func (m *certMemo) knownInfo(c *x509.Certificate) CertificateInfo {
	if m != nil {
		if e, ok := m.m.getBytes(c.Raw); ok {
			return e.(*memoCert).info
		}
	}
	return certificateInfo(c)
}

// certMemo is the trust's memo of certificates, nil without a trust.
func (v *verification) certMemo() *certMemo {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.certMemo
}

// signedBy is certSignedBy through the memo. Every DigiDoc container checks
// that its signer's CA, its time-stamping unit and its OCSP responder were
// issued by a service of the trusted lists: the same few pairs of
// certificates, one signature check each, per container. The answer is a
// function of the two certificates' DER alone, so it is remembered under
// the child's DER with the parents' DER it was asked about: a lookup
// converts no bytes and joins no strings (Go's map index by string(b) does
// not copy), which in the module would cost more than a small memo saves.
func (m *certMemo) signedBy(o *Options, child, parent *x509.Certificate) bool {
	if m == nil || len(child.Raw) > maxMemoCertDER || len(parent.Raw) > maxMemoCertDER {
		return certSignedBy(o, child, parent)
	}
	var known []issuerAnswer
	if v, ok := m.sigs.getBytes(child.Raw); ok {
		known = v.([]issuerAnswer)
		for _, a := range known {
			if a.parent == string(parent.Raw) {
				return a.signed
			}
		}
	}
	ok := certSignedBy(o, child, parent)
	if len(known) < maxIssuerAnswers {
		// A new slice: the memo's may be read by another verification.
		m.sigs.put(string(child.Raw), append(known[:len(known):len(known)], issuerAnswer{string(parent.Raw), ok}))
	}
	return ok
}

// issuerAnswer is one remembered certSignedBy of a child certificate.
type issuerAnswer struct {
	parent string // the DER of the certificate asked about
	signed bool
}

// maxIssuerAnswers bounds the parents remembered per certificate: a
// certificate is asked about the few services whose names it chains to.
const maxIssuerAnswers = 8
