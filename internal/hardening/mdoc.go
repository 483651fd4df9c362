package hardening

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// oidServerAuth is id-kp-serverAuth: a TLS server, not a document signer.
var oidServerAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}

// mdoc adds the ISO 18013-5 cases.
func (b *builder) mdoc() {
	iacaKey := b.w.ECKey("mdoc/iaca")
	iaca, iacaDER, err := b.w.CACert("mdoc/iaca", "Hardening IACA", "Hardening", "LU", 1, nil, nil)
	if err != nil {
		b.check(err)
		return
	}
	dsKey := b.w.ECKey("mdoc/ds")
	ds, dsErr := demo.SignerCert("Hardening DS", "Hardening", "LU", 2, dsKey, iaca, iacaKey, []asn1.ObjectIdentifier{demo.EKUMDLDocumentSigner})
	tls, tlsErr := demo.SignerCert("Hardening TLS server", "Hardening", "LU", 3, dsKey, iaca, iacaKey, []asn1.ObjectIdentifier{oidServerAuth})
	if err := firstErr(dsErr, tlsErr); err != nil {
		b.check(err)
		return
	}
	trust := bundle(verifier.BundleIssuer{ID: "lu-snca", Name: "LU SNCA", Country: "LU",
		Anchors: []string{base64.StdEncoding.EncodeToString(iacaDER)}, DocumentTypes: []string{demo.TypeMDL}})
	reader, err := b.w.ECKey("mdoc/reader").ECDH()
	b.check(err)
	spec := func(edit func(*demo.MDocSpec)) demo.MDocSpec {
		s := demo.MDocSpec{DocType: demo.TypeMDL, Items: demo.MDLItems(), Signed: demo.Issued, ValidUntil: demo.Until,
			DSKey: dsKey, DSDER: ds, DevKey: b.w.ECKey("mdoc/device"), Transcript: demo.MDocSessionTranscript}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	transcript := verifier.HolderOptions{SessionTranscript: demo.MDocSessionTranscript}

	doc, err := demo.IssueMDocWith(spec(nil))
	b.add(Case{Name: "mdoc-device-signature-control", Issue: "2", Doc: doc, Trust: trust,
		Options: verifier.Options{Holder: transcript}, Verdict: verifier.Valid}, err)
	b.add(Case{Name: "mdoc-nonce-without-transcript", Issue: "1", Doc: doc, Trust: trust,
		Options: verifier.Options{Holder: verifier.HolderOptions{Nonce: "n-4711"}}, Verdict: verifier.Indeterminate, Reason: verifier.HolderBindingUnchecked}, err)
	b.add(Case{Name: "mdoc-with-detached-payload", Issue: "4", Doc: doc, Trust: trust,
		Options: verifier.Options{Payload: []byte("the user's file")}, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)

	mac, err := demo.IssueMDocWith(spec(func(s *demo.MDocSpec) { s.ReaderKey = reader }))
	if err == nil {
		mac, err = overwriteMACTag(mac)
	}
	b.add(Case{Name: "mdoc-mac-overwritten-no-reader-key", Issue: "2", Doc: mac, Trust: trust,
		Options: verifier.Options{Holder: verifier.HolderOptions{SessionTranscript: demo.MDocSessionTranscript, RequireBinding: true}},
		Verdict: verifier.Indeterminate, Reason: verifier.HolderBindingUnchecked}, err)

	withStatus, err := demo.IssueMDocWith(spec(func(s *demo.MDocSpec) {
		s.Status = map[string]any{"status_list": map[string]any{"idx": 412, "uri": "https://snca.example.lu/status/mdl/1"}}
	}))
	b.add(Case{Name: "mdoc-status-without-list", Issue: "5", Doc: withStatus, Trust: trust,
		Verdict: verifier.Indeterminate, Reason: verifier.StatusUnknown}, err)

	serverAuth, err := demo.IssueMDocWith(spec(func(s *demo.MDocSpec) { s.DSDER = tls }))
	b.add(Case{Name: "mdoc-signer-eku-server-auth", Issue: "9", Doc: serverAuth, Trust: trust,
		Verdict: verifier.Invalid, Reason: verifier.KeyUsage}, err)
}

// overwriteMACTag changes the last byte of a DeviceResponse's deviceMac
// tag.
func overwriteMACTag(resp []byte) ([]byte, error) {
	var top struct {
		Documents []struct {
			DeviceSigned struct {
				DeviceAuth struct {
					DeviceMac []cbor.RawMessage `cbor:"deviceMac"`
				} `cbor:"deviceAuth"`
			} `cbor:"deviceSigned"`
		} `cbor:"documents"`
	}
	if err := cbor.Unmarshal(resp, &top); err != nil || len(top.Documents) != 1 || len(top.Documents[0].DeviceSigned.DeviceAuth.DeviceMac) != 4 {
		return nil, fmt.Errorf("hardening: no deviceMac")
	}
	var tag []byte
	if err := cbor.Unmarshal(top.Documents[0].DeviceSigned.DeviceAuth.DeviceMac[3], &tag); err != nil || bytes.Count(resp, tag) != 1 {
		return nil, fmt.Errorf("hardening: the MAC tag is not found once")
	}
	out := bytes.Clone(resp)
	out[bytes.Index(resp, tag)+len(tag)-1] ^= 0xff
	return out, nil
}
