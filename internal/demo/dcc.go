package demo

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/apostille/apostille/verifier"
)

// EU DCC extended key usages (hcert section 5.1.1).
var (
	EKUDCCTest        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}
	EKUDCCVaccination = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}
	EKUDCCRecovery    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}
)

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Base45 encodes b (RFC 9285).
func Base45(b []byte) string {
	var s strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45%45])
		s.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45])
	}
	return s.String()
}

// HC1 wraps a COSE message for a QR code: "HC1:" + base45(zlib(cose)).
func HC1(coseMsg []byte) (string, error) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(coseMsg); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "HC1:" + Base45(z.Bytes()), nil
}

// DCCClaims is a CWT carrying one certificate (hcert claim -260).
func DCCClaims(country string, iat, exp time.Time, dcc map[string]any) map[any]any {
	return map[any]any{1: country, 6: iat.Unix(), 4: exp.Unix(), -260: map[any]any{1: dcc}}
}

// SignDCC signs CWT claims as a DCC with the signer's 8-byte kid.
func SignDCC(claims map[any]any, key crypto.Signer, signerDER []byte) ([]byte, error) {
	payload, err := canonicalCBOR(claims)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(signerDER)
	return SignCOSE(payload, cose.AlgorithmES256, key, map[any]any{cose.HeaderLabelKeyID: sum[:8]}, nil)
}

// demoDCC is the demo citizen's certificate with one entry of member.
func demoDCC(member string, entry map[string]any) map[string]any {
	base := map[string]any{"tg": "840539006", "co": "EE", "is": "Terviseamet", "ci": "URN:UVCI:01:EE:DEMO2026" + strings.ToUpper(member) + "0417#K"}
	for k, v := range entry {
		base[k] = v
	}
	return map[string]any{
		"ver":  "1.3.0",
		"nam":  map[string]any{"fn": "Maasikas", "fnt": "MAASIKAS", "gn": "Mari", "gnt": "MARI"},
		"dob":  "1990-05-17",
		member: []any{base},
	}
}

var (
	dccVaccination = map[string]any{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 3, "sd": 3, "dt": "2026-01-12"}
	dccTest        = map[string]any{"tt": "LP6464-4", "nm": "Roche LightCycler qPCR", "sc": "2026-01-14T08:30:00Z", "tr": "260415000", "tc": "Tallinn test centre"}
)

func (w *World) dccSamples() error {
	csca, _, err := w.caCert("ca/"+IssuerEEHealth, "EE DCC CSCA", "Terviseamet", "EE", 10, nil, nil)
	if err != nil {
		return err
	}
	dscKey := w.ECKey("issuer/" + IssuerEEHealth)
	dsc, err := signerCert("EE DCC DSC vaccination 2026", "Terviseamet", "EE", 11, dscKey, csca, w.ECKey("ca/"+IssuerEEHealth), []asn1.ObjectIdentifier{EKUDCCVaccination})
	if err != nil {
		return err
	}
	w.Bundle.Issuers = append(w.Bundle.Issuers, verifier.BundleIssuer{
		ID: IssuerEEHealth, Name: "Terviseamet (Health Board)", Country: "EE",
		Keys:          []verifier.BundleKey{w.certKey(dscKey.Public(), DCCKID(dsc), "ES256", dsc)},
		DocumentTypes: []string{"eu-dcc-vaccination", "eu-dcc-test", "eu-dcc-recovery"},
	})
	issue := func(file string, s Sample, claims map[any]any, spoil func([]byte) ([]byte, error)) error {
		msg, err := SignDCC(claims, dscKey, dsc)
		if err != nil {
			return err
		}
		if spoil != nil {
			if msg, err = spoil(msg); err != nil {
				return err
			}
		}
		hc1, err := HC1(msg)
		if err != nil {
			return err
		}
		s.File, s.Format = file, "dcc"
		return w.addDocument(s, []byte(hc1))
	}
	valid := DCCClaims("EE", Issued, Until, demoDCC("v", dccVaccination))
	if err := issue("eu-dcc-vaccination.hc1", Sample{Title: "EU Digital COVID Certificate, vaccination (Estonia)", Verdict: "valid",
		Description: "The QR payload of a vaccination certificate signed by the Estonian Health Board."}, valid, nil); err != nil {
		return err
	}
	altered := DCCClaims("EE", Issued, Until, demoDCC("v", map[string]any{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 4, "sd": 3, "dt": "2026-01-12"}))
	if err := issue("eu-dcc-vaccination-tampered.hc1", Sample{Title: "EU DCC, dose number altered after signing", Verdict: "invalid", Reason: "signature_invalid",
		Description: "The same certificate claiming a fourth dose, with the original signature."}, valid, func(m []byte) ([]byte, error) {
		return replacePayload(m, altered)
	}); err != nil {
		return err
	}
	old := DCCClaims("EE", time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC), demoDCC("v", dccVaccination))
	if err := issue("eu-dcc-vaccination-expired.hc1", Sample{Title: "EU DCC, expired", Verdict: "invalid", Reason: "expired",
		Description: "A vaccination certificate whose validity ended on 1 December 2025."}, old, nil); err != nil {
		return err
	}
	return issue("eu-dcc-test-wrong-signer.hc1", Sample{Title: "EU DCC test certificate from a vaccination-only signer", Verdict: "invalid", Reason: "key_usage",
		Description: "A test certificate signed with a key whose certificate may sign only vaccination certificates."},
		DCCClaims("EE", Issued, Until, demoDCC("t", dccTest)), nil)
}

// replacePayload swaps the payload of a signed COSE_Sign1, keeping the
// signature: a document changed after signing.
func replacePayload(msg []byte, claims map[any]any) ([]byte, error) {
	var tag cbor.RawTag
	if err := cbor.Unmarshal(msg, &tag); err != nil {
		return nil, err
	}
	var arr []cbor.RawMessage
	if err := cbor.Unmarshal(tag.Content, &arr); err != nil || len(arr) != 4 {
		return nil, fmt.Errorf("demo: not a COSE_Sign1")
	}
	payload, err := canonicalCBOR(claims)
	if err != nil {
		return nil, err
	}
	if arr[2], err = cbor.Marshal(payload); err != nil {
		return nil, err
	}
	content, err := cbor.Marshal(arr)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(cbor.RawTag{Number: tag.Number, Content: content})
}
