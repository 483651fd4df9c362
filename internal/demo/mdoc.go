package demo

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/apostille/apostille/verifier"
)

// MDocItem is one data element of an mdoc.
type MDocItem struct {
	Namespace, ID string
	Value         any
}

// MDocSessionTranscript is the session transcript the demo's device signs
// over (18013-5 SessionTranscript: engagement, reader key, handover; the
// demo has no real session, so a fixed handover stands in).
var MDocSessionTranscript = mustCBOR([]any{nil, nil, "apostille-demo-session"})

func mustCBOR(v any) []byte {
	b, err := canonicalCBOR(v)
	if err != nil {
		panic(err)
	}
	return b
}

func tag24(b []byte) ([]byte, error) { return canonicalCBOR(cbor.Tag{Number: 24, Content: b}) }

// FullDate is an 18013-5 full-date (tag 1004).
func FullDate(s string) cbor.Tag { return cbor.Tag{Number: 1004, Content: s} }

func tdate(t time.Time) cbor.Tag {
	return cbor.Tag{Number: 0, Content: t.UTC().Format(time.RFC3339)}
}

// coseKey writes an EC2 P-256 public key as a COSE_Key.
func coseKey(k *ecdsa.PublicKey) (map[any]any, error) {
	point, err := k.Bytes()
	if err != nil {
		return nil, err
	}
	return map[any]any{1: 2, -1: 1, -2: point[1:33], -3: point[33:]}, nil
}

// IssueMDoc builds a DeviceResponse with one document: the items, digested
// in an MSO signed by the document signer (x5chain: its certificate), and
// a device signature by devKey over transcript. spoil, when set, may change
// an item's encoding after the MSO is made.
func IssueMDoc(docType string, items []MDocItem, signed, validUntil time.Time, dsKey crypto.Signer, dsDER []byte, devKey *ecdsa.PrivateKey, transcript []byte, spoil func(i int, item map[string]any)) ([]byte, error) {
	return IssueMDocWith(MDocSpec{DocType: docType, Items: items, Signed: signed, ValidUntil: validUntil,
		DSKey: dsKey, DSDER: dsDER, DevKey: devKey, Transcript: transcript, Spoil: spoil})
}

// MDocSpec is everything IssueMDocWith makes a DeviceResponse of.
type MDocSpec struct {
	DocType            string
	Items              []MDocItem
	Signed, ValidUntil time.Time
	DSKey              crypto.Signer
	DSDER              []byte // the document signer's certificate (x5chain)
	DevKey             *ecdsa.PrivateKey
	Transcript         []byte
	// Spoil, when set, may change an item's encoding after the MSO is made.
	Spoil func(i int, item map[string]any)
	// Status, when set, is the MSO's status reference
	// ({"status_list": {"idx": …, "uri": …}}).
	Status map[string]any
	// ReaderKey, when set, makes the device authenticate with a MAC for
	// this reader's ephemeral key (18013-5 9.1.3.5) instead of a signature.
	ReaderKey *ecdh.PrivateKey
}

// IssueMDocWith builds a DeviceResponse with one document from spec.
func IssueMDocWith(spec MDocSpec) ([]byte, error) {
	docType, items := spec.DocType, spec.Items
	nameSpaces := map[string][]cbor.RawMessage{}
	digests := map[string]map[uint64][]byte{}
	for i, it := range items {
		random := sha256.Sum256([]byte(fmt.Sprintf("apostille demo mdoc random %s %s %s", docType, it.Namespace, it.ID)))
		item := map[string]any{"digestID": uint64(i), "random": random[:16], "elementIdentifier": it.ID, "elementValue": it.Value}
		raw, err := itemBytes(item)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		if digests[it.Namespace] == nil {
			digests[it.Namespace] = map[uint64][]byte{}
		}
		digests[it.Namespace][uint64(i)] = sum[:]
		if spec.Spoil != nil {
			spec.Spoil(i, item)
			if raw, err = itemBytes(item); err != nil {
				return nil, err
			}
		}
		nameSpaces[it.Namespace] = append(nameSpaces[it.Namespace], raw)
	}
	ck, err := coseKey(&spec.DevKey.PublicKey)
	if err != nil {
		return nil, err
	}
	msoMap := map[string]any{
		"version": "1.0", "digestAlgorithm": "SHA-256", "valueDigests": digests,
		"deviceKeyInfo": map[string]any{"deviceKey": ck}, "docType": docType,
		"validityInfo": map[string]any{"signed": tdate(spec.Signed), "validFrom": tdate(spec.Signed), "validUntil": tdate(spec.ValidUntil)},
	}
	if spec.Status != nil {
		msoMap["status"] = spec.Status
	}
	mso, err := canonicalCBOR(msoMap)
	if err != nil {
		return nil, err
	}
	payload, err := tag24(mso)
	if err != nil {
		return nil, err
	}
	issuerAuth, err := SignCOSE(payload, cose.AlgorithmES256, spec.DSKey, nil, map[any]any{int64(33): spec.DSDER})
	if err != nil {
		return nil, err
	}
	deviceNS, err := tag24(mustCBOR(map[string]any{}))
	if err != nil {
		return nil, err
	}
	da, err := canonicalCBOR([]any{"DeviceAuthentication", cbor.RawMessage(spec.Transcript), docType, cbor.RawMessage(deviceNS)})
	if err != nil {
		return nil, err
	}
	daBytes, err := tag24(da)
	if err != nil {
		return nil, err
	}
	var deviceAuth map[string]any
	if spec.ReaderKey != nil {
		mac, err := deviceMAC(spec.DevKey, spec.ReaderKey, spec.Transcript, daBytes)
		if err != nil {
			return nil, err
		}
		deviceAuth = map[string]any{"deviceMac": cbor.RawMessage(mac)}
	} else {
		devSig, err := SignCOSE(daBytes, cose.AlgorithmES256, spec.DevKey, nil, nil)
		if err != nil {
			return nil, err
		}
		if devSig, err = detach(devSig); err != nil {
			return nil, err
		}
		deviceAuth = map[string]any{"deviceSignature": cbor.RawMessage(untag(devSig))}
	}
	return canonicalCBOR(map[string]any{
		"version": "1.0", "status": 0,
		"documents": []any{map[string]any{
			"docType": docType,
			"issuerSigned": map[string]any{
				"nameSpaces": nameSpaces,
				"issuerAuth": cbor.RawMessage(untag(issuerAuth)),
			},
			"deviceSigned": map[string]any{
				"nameSpaces": cbor.RawMessage(deviceNS),
				"deviceAuth": deviceAuth,
			},
		}},
	})
}

// deviceMAC is an untagged COSE_Mac0 (HMAC 256/256, detached payload)
// over daBytes under EMacKey: ECDH of the device key with the reader's
// ephemeral key, HKDF-SHA-256 salted with SHA-256 of the transcript's
// tag-24 form, info "EMacKey" (18013-5 9.1.3.5).
func deviceMAC(dev *ecdsa.PrivateKey, reader *ecdh.PrivateKey, transcript, daBytes []byte) ([]byte, error) {
	devECDH, err := dev.ECDH()
	if err != nil {
		return nil, err
	}
	z, err := devECDH.ECDH(reader.PublicKey())
	if err != nil {
		return nil, err
	}
	stBytes, err := tag24(transcript)
	if err != nil {
		return nil, err
	}
	salt := sha256.Sum256(stBytes)
	key, err := hkdf.Key(sha256.New, z, salt[:], "EMacKey", 32)
	if err != nil {
		return nil, err
	}
	protected := mustCBOR(map[any]any{1: 5})
	toMAC, err := canonicalCBOR([]any{"MAC0", protected, []byte{}, daBytes})
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, key)
	h.Write(toMAC)
	return canonicalCBOR([]any{protected, map[any]any{}, nil, h.Sum(nil)})
}

func itemBytes(item map[string]any) ([]byte, error) {
	b, err := canonicalCBOR(item)
	if err != nil {
		return nil, err
	}
	return tag24(b)
}

// untag drops the COSE_Sign1 tag (18): 18013-5 carries COSE_Sign1 untagged.
func untag(msg []byte) []byte {
	if len(msg) > 0 && msg[0] == 0xd2 {
		return msg[1:]
	}
	return msg
}

// detach makes a signed COSE_Sign1's payload null: the signature still
// covers it, and the verifier supplies it.
func detach(msg []byte) ([]byte, error) {
	var tag cbor.RawTag
	if err := cbor.Unmarshal(msg, &tag); err != nil {
		return nil, err
	}
	var arr []cbor.RawMessage
	if err := cbor.Unmarshal(tag.Content, &arr); err != nil || len(arr) != 4 {
		return nil, fmt.Errorf("demo: not a COSE_Sign1")
	}
	arr[2] = cbor.RawMessage{0xf6}
	content, err := cbor.Marshal(arr)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(cbor.RawTag{Number: tag.Number, Content: content})
}

// portrait draws the demo's portrait, a small grey PNG.
func portrait() []byte {
	img := image.NewGray(image.Rect(0, 0, 24, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 24; x++ {
			d := (x-12)*(x-12) + (y-12)*(y-12)
			img.SetGray(x, y, color.Gray{Y: uint8(min(255, 90+d*2))})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// EKUMDLDocumentSigner is the 18013-5 document signer key usage.
var EKUMDLDocumentSigner = asn1.ObjectIdentifier{1, 0, 18013, 5, 1, 2}

// MDLItems are the demo citizen's driving licence elements.
func MDLItems() []MDocItem {
	ns := "org.iso.18013.5.1"
	return []MDocItem{
		{ns, "family_name", "Maasikas"},
		{ns, "given_name", "Mari"},
		{ns, "birth_date", FullDate("1990-05-17")},
		{ns, "issue_date", FullDate("2026-01-15")},
		{ns, "expiry_date", FullDate("2036-01-15")},
		{ns, "issuing_country", "LU"},
		{ns, "document_number", "LU-DL-2026-004417"},
		{ns, "driving_privileges", []any{map[string]any{"vehicle_category_code": "B", "issue_date": FullDate("2010-06-01")}}},
		{ns, "portrait", portrait()},
	}
}

// MDLSigner returns the demo's mDL document signer key and certificate.
func (w *World) MDLSigner() (crypto.Signer, []byte, error) {
	iaca, _, err := w.caCert("ca/"+IssuerLUMDL, "LU IACA demo", "SNCA", "LU", 20, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	key := w.ECKey("issuer/" + IssuerLUMDL)
	der, err := signerCert("LU mDL document signer 2026", "SNCA", "LU", 21, key, iaca, w.ECKey("ca/"+IssuerLUMDL), []asn1.ObjectIdentifier{EKUMDLDocumentSigner})
	return key, der, err
}

// MDLDeviceKey is the demo holder's device key.
func (w *World) MDLDeviceKey() *ecdsa.PrivateKey { return w.ECKey("holder/mdl-device") }

func (w *World) mdocSamples() error {
	_, iacaDER, err := w.caCert("ca/"+IssuerLUMDL, "LU IACA demo", "SNCA", "LU", 20, nil, nil)
	if err != nil {
		return err
	}
	key, der, err := w.MDLSigner()
	if err != nil {
		return err
	}
	w.Bundle.Issuers = append(w.Bundle.Issuers, verifier.BundleIssuer{
		ID: IssuerLUMDL, Name: "Société Nationale de Circulation Automobile (SNCA)", Country: "LU",
		Anchors:       []string{base64.StdEncoding.EncodeToString(iacaDER)},
		DocumentTypes: []string{TypeMDL},
	})
	issue := func(file string, s Sample, signed, until time.Time, spoil func(int, map[string]any)) error {
		doc, err := IssueMDoc(TypeMDL, MDLItems(), signed, until, key, der, w.MDLDeviceKey(), MDocSessionTranscript, spoil)
		if err != nil {
			return err
		}
		s.File, s.Format = file, "mdoc"
		return w.addDocument(s, doc)
	}
	if err := issue("lu-mdl.mdoc", Sample{Title: "Mobile driving licence (Luxembourg)", Verdict: "valid",
		Description: "An ISO 18013-5 mDL device response with name, birth date, driving privileges and portrait."}, Issued, Until, nil); err != nil {
		return err
	}
	if err := issue("lu-mdl-tampered.mdoc", Sample{Title: "Mobile driving licence, category altered", Verdict: "invalid", Reason: "disclosure_mismatch",
		Description: "The same licence presenting category C instead of B: the element no longer matches its signed digest."}, Issued, Until,
		func(i int, item map[string]any) {
			if item["elementIdentifier"] == "driving_privileges" {
				item["elementValue"] = []any{map[string]any{"vehicle_category_code": "C", "issue_date": FullDate("2010-06-01")}}
			}
		}); err != nil {
		return err
	}
	return issue("lu-mdl-expired.mdoc", Sample{Title: "Mobile driving licence, signature validity ended", Verdict: "invalid", Reason: "expired",
		Description: "An mDL signed in July 2025 whose issuer-signed validity ended on 31 December 2025."},
		time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), nil)
}
