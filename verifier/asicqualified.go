package verifier

// Whether a container signature is a qualified electronic signature (ETSI
// TS 119 615): the certificate's QC statements (EN 319 412-5) and what the
// trusted list's qualifiers say of the certificates its CA service issued.

import (
	"crypto/x509"

	"github.com/apostille/apostille/verifier/trustservices"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// qualification decides whether the signature is a qualified electronic
// signature, from the certificate's QC statements and what the trusted
// list's qualifiers say of it (ETSI TS 119 615), at its issuance.
func (k *containerCheck) qualification(cert *x509.Certificate, ca trustservices.ServiceStatus) error {
	qc, qscd := qcStatements(cert)
	notQualified := false
	for _, q := range ca.Qualifications {
		if !qualifierApplies(q, cert) {
			continue
		}
		for _, u := range q.Qualifiers {
			switch u {
			case "QCStatement":
				qc = true
			case "NotQualified":
				notQualified = true
			case "QCWithSSCD", "QCWithQSCD":
				qscd = true
			case "QCNoSSCD", "QCNoQSCD":
				qscd = false
			}
		}
	}
	switch {
	case qc && !notQualified && qscd:
		k.cs.Qualified = "qes"
		return nil
	case qc && !notQualified:
		k.cs.Qualified = "adesqc"
		return readFail(NotQualified, "the certificate is qualified but not on a qualified signature creation device")
	}
	k.cs.Qualified = "ades"
	return readFail(NotQualified, "the certificate is not a qualified certificate")
}

// qualifierApplies evaluates a qualification's criteria: each key usage
// bit and each policy is one criterion, combined as assert says.
func qualifierApplies(q trustservices.BundleQualifier, cert *x509.Certificate) bool {
	total, met := 0, 0
	for _, ku := range q.KeyUsage {
		total++
		if keyUsageMatches(ku, cert) {
			met++
		}
	}
	for _, p := range q.Policies {
		total++
		for _, cp := range cert.PolicyIdentifiers {
			if cp.String() == p {
				met++
				break
			}
		}
	}
	switch {
	case total == 0:
		return true
	case q.Assert == "all":
		return met == total
	case q.Assert == "none":
		return met == 0
	}
	return met > 0
}

// keyUsageBits are the names of RFC 5280's key usage bits, in order.
var keyUsageBits = []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "crlSign", "encipherOnly", "decipherOnly"}

// keyUsageMatches reads "name=true|false" (internal/tsl's form).
func keyUsageMatches(ku string, cert *x509.Certificate) bool {
	for i, name := range keyUsageBits {
		for _, want := range []bool{true, false} {
			form := name + "=false"
			if want {
				form = name + "=true"
			}
			if len(ku) == len(form) && equalFoldASCII(ku, form) {
				return (cert.KeyUsage&(1<<i) != 0) == want
			}
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// QC statement identifiers (ETSI EN 319 412-5).
var (
	oidQCStatements = []int{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance = oid("\x04\x00\x8e\x46\x01\x01") // 0.4.0.1862.1.1
	oidQcSSCD       = oid("\x04\x00\x8e\x46\x01\x04") // 0.4.0.1862.1.4
)

// qcStatements reads the certificate's QC statements: whether it claims
// to be qualified and to be on a QSCD.
func qcStatements(cert *x509.Certificate) (qc, qscd bool) {
	for _, e := range cert.Extensions {
		if !e.Id.Equal(oidQCStatements) {
			continue
		}
		s := cryptobyte.String(e.Value)
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			return false, false
		}
		for !seq.Empty() {
			var st cryptobyte.String
			var id oid
			if !seq.ReadASN1(&st, cbasn1.SEQUENCE) || !readOID(&st, &id) {
				return false, false
			}
			switch id {
			case oidQcCompliance:
				qc = true
			case oidQcSSCD:
				qscd = true
			}
		}
	}
	return qc, qscd
}
