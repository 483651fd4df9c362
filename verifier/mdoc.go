package verifier

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// ISO/IEC 18013-5 mdoc (mobile driving licence and other mdocs): a
// DeviceResponse, or the IssuerSigned part alone. The issuer signs a
// MobileSecurityObject (MSO) holding a digest per data element; the holder
// discloses some elements, each of which must match its digest.

// tagEncodedCBOR is CBOR tag 24, "encoded CBOR data item" (RFC 8949
// section 3.4.5.1): mdoc wraps what it hashes and signs in it, so that the
// exact bytes travel.
const tagEncodedCBOR = 24

// mdocHashes are the MSO digest algorithms (18013-5 section 9.1.2.5).
var mdocHashes = map[string]crypto.Hash{
	"SHA-256": crypto.SHA256,
	"SHA-384": crypto.SHA384,
	"SHA-512": crypto.SHA512,
}

// The 18013-5 mDL namespace, whose elements fill the report's subject.
const mdlNamespace = "org.iso.18013.5.1"

type mdocDeviceResponse struct {
	Version   string         `cbor:"version"`
	Documents []mdocDocument `cbor:"documents"`
	Status    uint64         `cbor:"status"`
}

type mdocDocument struct {
	DocType      string            `cbor:"docType"`
	IssuerSigned mdocIssuerSigned  `cbor:"issuerSigned"`
	DeviceSigned *mdocDeviceSigned `cbor:"deviceSigned"`
}

type mdocIssuerSigned struct {
	NameSpaces map[string][]cbor.RawMessage `cbor:"nameSpaces"`
	IssuerAuth cbor.RawMessage              `cbor:"issuerAuth"`
}

type mdocDeviceSigned struct {
	// NameSpaces is DeviceNameSpacesBytes, tag 24 as received.
	NameSpaces cbor.RawMessage `cbor:"nameSpaces"`
	DeviceAuth struct {
		DeviceSignature cbor.RawMessage `cbor:"deviceSignature"`
		DeviceMac       cbor.RawMessage `cbor:"deviceMac"`
	} `cbor:"deviceAuth"`
}

type mdocIssuerSignedItem struct {
	DigestID          uint64          `cbor:"digestID"`
	Random            []byte          `cbor:"random"`
	ElementIdentifier string          `cbor:"elementIdentifier"`
	ElementValue      cbor.RawMessage `cbor:"elementValue"`
}

type mdocMSO struct {
	Version         string                       `cbor:"version"`
	DigestAlgorithm string                       `cbor:"digestAlgorithm"`
	ValueDigests    map[string]map[uint64][]byte `cbor:"valueDigests"`
	DeviceKeyInfo   struct {
		DeviceKey cbor.RawMessage `cbor:"deviceKey"`
	} `cbor:"deviceKeyInfo"`
	DocType string `cbor:"docType"`
	// Status is the MSO's status reference (ISO/IEC 18013-5 with
	// draft-ietf-oauth-status-list: {"status_list": {"idx", "uri"}}).
	Status       cbor.RawMessage `cbor:"status"`
	ValidityInfo struct {
		Signed     time.Time `cbor:"signed"`
		ValidFrom  time.Time `cbor:"validFrom"`
		ValidUntil time.Time `cbor:"validUntil"`
	} `cbor:"validityInfo"`
}

// oidMDLDocumentSigner is id-mdl-kp-mdlDS (ISO/IEC 18013-5 B.1.4), the
// extended key usage a document signer certificate must carry.
var oidMDLDocumentSigner = asn1.ObjectIdentifier{1, 0, 18013, 5, 1, 2}

// mdocSignerUsage holds the document signer to its extended key usage: a
// certificate of the right IACA made for another purpose (a TLS server,
// say) does not sign MSOs.
func mdocSignerUsage(c *x509.Certificate) (Reason, string) {
	for _, oid := range c.UnknownExtKeyUsage {
		if oid.Equal(oidMDLDocumentSigner) {
			return "", ""
		}
	}
	return KeyUsage, "the signer certificate lacks the mdoc document signer extended key usage (1.0.18013.5.1.2)"
}

// unwrap24 returns the CBOR item inside a tag-24 encoded item.
func unwrap24(raw []byte) ([]byte, error) {
	if inner, ok := unwrap24Plain(raw); ok {
		return inner, nil
	}
	return unwrap24Library(raw)
}

// unwrap24Library is unwrap24 through fxamacker/cbor alone.
func unwrap24Library(raw []byte) ([]byte, error) {
	var tag cbor.RawTag
	if err := cborUnmarshal(raw, &tag); err != nil || tag.Number != tagEncodedCBOR {
		return nil, fmt.Errorf("not a tag-24 encoded CBOR item")
	}
	var inner []byte
	if err := cborUnmarshal(tag.Content, &inner); err != nil {
		return nil, fmt.Errorf("tag 24 does not hold a byte string")
	}
	return inner, nil
}

// parseMDoc reads a DeviceResponse holding one document, or an
// IssuerSigned structure. outerDocType is empty for the latter.
func parseMDoc(data []byte) (*mdocDocument, error) {
	var top map[string]cbor.RawMessage
	if err := cborUnmarshal(data, &top); err != nil {
		return nil, coseMalformed("not a CBOR map with text keys: %v", err)
	}
	switch {
	case top["documents"] != nil && top["issuerAuth"] != nil:
		return nil, coseMalformed("the map is both a DeviceResponse and an IssuerSigned structure")
	case top["documents"] != nil:
		var r mdocDeviceResponse
		if err := cborUnmarshal(data, &r); err != nil {
			return nil, coseMalformed("not a DeviceResponse: %v", err)
		}
		if len(r.Documents) != 1 {
			return nil, &coseError{UnsupportedFormat, fmt.Sprintf("the DeviceResponse holds %d documents; one is verified at a time", len(r.Documents))}
		}
		doc := &r.Documents[0]
		if doc.DocType == "" {
			return nil, coseMalformed("the document has no docType")
		}
		return doc, nil
	case top["issuerAuth"] != nil:
		doc := &mdocDocument{}
		if err := cborUnmarshal(data, &doc.IssuerSigned); err != nil {
			return nil, coseMalformed("not an IssuerSigned structure: %v", err)
		}
		return doc, nil
	}
	return nil, coseMalformed("an mdoc is a DeviceResponse or IssuerSigned; this map is neither")
}

// parseMSO reads the MobileSecurityObject from issuerAuth's payload.
func parseMSO(payload []byte) (*mdocMSO, error) {
	inner, err := unwrap24(payload)
	if err != nil {
		return nil, fmt.Errorf("the MSO: %v", err)
	}
	var m mdocMSO
	if err := cborUnmarshal(inner, &m); err != nil {
		return nil, fmt.Errorf("the MSO cannot be read: %v", err)
	}
	switch {
	case m.DocType == "":
		return nil, fmt.Errorf("the MSO has no docType")
	case m.ValidityInfo.Signed.IsZero() || m.ValidityInfo.ValidFrom.IsZero() || m.ValidityInfo.ValidUntil.IsZero():
		return nil, fmt.Errorf("the MSO's validityInfo lacks signed, validFrom or validUntil")
	case mdocHashes[m.DigestAlgorithm] == 0:
		return nil, fmt.Errorf("the MSO's digest algorithm %q is not supported", clip(m.DigestAlgorithm))
	}
	return &m, nil
}

// verifyMDoc verifies an mdoc DeviceResponse or IssuerSigned.
func (v *verification) verifyMDoc(data []byte) {
	doc, err := parseMDoc(data)
	if err != nil {
		v.coseFail(err)
		return
	}
	d := v.rep.doc()
	d.Format = string(FormatMDoc)
	d.Type = doc.DocType
	m, err := parseSign1(doc.IssuerSigned.IssuerAuth, sign1Profile{})
	if err != nil {
		v.coseFail(err)
		return
	}
	alg, ok := v.coseDocument(m, string(FormatMDoc))
	if !ok {
		return
	}
	chain, err := m.x5chain()
	if err != nil {
		v.coseFail(err)
		return
	}
	if m.detached {
		v.rep.fail(CheckDecode, Malformed, "issuerAuth carries no MSO")
		return
	}
	mso, msoErr := parseMSO(m.payload)
	var signedAt time.Time
	if mso != nil {
		signedAt = mso.ValidityInfo.Signed
	}
	msg, err := m.sigStructure(m.payload, v.opts.ExternalAAD)
	if err != nil {
		v.rep.fail(CheckDecode, Malformed, "cannot build the signed structure")
		return
	}
	v.rep.pass(CheckDecode, d.Format)
	s := &signed{alg: alg, algUnprotected: m.algUnprotected(), chain: chain, msg: msg, sig: m.signature, signedAt: signedAt, usage: mdocSignerUsage}
	if v.verifySigned(s) == nil {
		return
	}
	if msoErr != nil {
		v.rep.fail(CheckClaims, Malformed, msoErr.Error())
		return
	}
	if doc.DocType != "" && doc.DocType != mso.DocType {
		v.rep.fail(CheckClaims, DisclosureMismatch, fmt.Sprintf("the document says it is a %q, the issuer signed a %q", clip(doc.DocType), clip(mso.DocType)))
		return
	}
	d.Type = mso.DocType
	v.rep.pass(CheckClaims, clip(mso.DocType))
	v.checkDocumentType(d.Type)
	claims, portraits, err := v.mdocDisclosures(doc, mso)
	if err != nil {
		v.sdFail(err)
		return
	}
	d.Claims = claims
	d.Subject = mdocSubject(claims, portraits)
	vi := mso.ValidityInfo
	v.checkValidity(validity{iat: vi.Signed, nbf: vi.ValidFrom, exp: vi.ValidUntil})
	if !v.mdocStatus(mso) {
		return
	}
	v.mdocDeviceAuth(doc, mso)
}

// mdocStatus puts the MSO's status reference through the revocation check
// every format's goes through (status.go); false when it cannot be read.
func (v *verification) mdocStatus(mso *mdocMSO) bool {
	if mso.Status == nil {
		return true
	}
	var st any
	if err := cborUnmarshal(mso.Status, &st); err != nil || cborKeysCollide(st) {
		v.rep.fail(CheckRevocation, Malformed, "the MSO's status cannot be read")
		return false
	}
	v.checkStatus(map[string]any{"status": cborToJSON(st)})
	return true
}

// mdocDisclosures checks every disclosed IssuerSignedItem against the MSO:
// the digest of its tag-24 bytes as received must be the one the MSO holds
// for its namespace and digestID, and no digestID or element may appear
// twice in a namespace. It returns the disclosed elements by namespace,
// and the values of the mDL namespace's "portrait" items in their order.
func (v *verification) mdocDisclosures(doc *mdocDocument, mso *mdocMSO) (claims map[string]any, portraits [][]byte, err error) {
	h := mdocHashes[mso.DigestAlgorithm]
	claims = map[string]any{}
	n := 0
	for ns, items := range doc.IssuerSigned.NameSpaces {
		digests := mso.ValueDigests[ns]
		ids := map[uint64]bool{}
		elems := map[string]any{}
		for i, raw := range items {
			inner, err := unwrap24(raw)
			if err != nil {
				return nil, nil, sdMalformed("%s item %d: %v", clip(ns), i, err)
			}
			var it mdocIssuerSignedItem
			if err := cborUnmarshal(inner, &it); err != nil || it.ElementIdentifier == "" || it.ElementValue == nil {
				return nil, nil, sdMalformed("%s item %d is not an IssuerSignedItem", clip(ns), i)
			}
			if ids[it.DigestID] {
				return nil, nil, sdMismatch("%s: digestID %d is used twice", clip(ns), it.DigestID)
			}
			ids[it.DigestID] = true
			if _, dup := elems[it.ElementIdentifier]; dup {
				return nil, nil, sdMismatch("%s: element %q is disclosed twice", clip(ns), clip(it.ElementIdentifier))
			}
			want, ok := digests[it.DigestID]
			if !ok || !digestIs(v.opts.Hash, h, raw, want) {
				return nil, nil, sdMismatch("%s: element %q does not match the issuer-signed digest", clip(ns), clip(it.ElementIdentifier))
			}
			claim, ok := mdocClaimPlain(it.ElementValue)
			if !ok {
				var val any
				if err := cborUnmarshal(it.ElementValue, &val); err != nil {
					return nil, nil, sdMalformed("%s: element %q has an unreadable value", clip(ns), clip(it.ElementIdentifier))
				}
				if cborKeysCollide(val) {
					return nil, nil, sdMalformed("%s: element %q has two keys of one name", clip(ns), clip(it.ElementIdentifier))
				}
				claim = mdocClaim(val)
			}
			elems[it.ElementIdentifier] = claim
			if ns == mdlNamespace && it.ElementIdentifier == "portrait" {
				portraits = append(portraits, it.ElementValue)
			}
			n++
		}
		claims[ns] = elems
	}
	v.rep.pass(CheckDisclosures, strconv.Itoa(n)+" elements disclosed, each matching its digest")
	return claims, portraits, nil
}

// mdocClaim turns a decoded element value into report JSON: dates as text,
// images left to the subject's portrait. It is applied as each element is
// read, not in a second pass over copies of the namespaces' maps: inside
// the module maps are the dearest of the allocations.
func mdocClaim(val any) any {
	if b, ok := val.([]byte); ok {
		if t := imageType(b); t != "" {
			return imageClaim(t, len(b))
		}
	}
	return mdocValue(val)
}

// imageClaim is what the report says of an image of type t and n bytes.
func imageClaim(t string, n int) string {
	return "(" + t + " image, " + strconv.Itoa(n) + " bytes)"
}

// mdocValue is cborToJSON with the dates of 18013-5 (tdate, tag 0;
// full-date, tag 1004) written as the text they are.
func mdocValue(x any) any {
	switch v := x.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case cbor.Tag:
		if s, ok := v.Content.(string); ok && (v.Number == 0 || v.Number == 1004) {
			return s
		}
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = mdocValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[cborKeyString(k)] = mdocValue(e)
		}
		return out
	}
	return cborToJSON(x)
}

// imageType recognises the portrait formats of 18013-5 (JPEG, JPEG 2000)
// and PNG by their first bytes.
func imageType(b []byte) string {
	switch {
	case len(b) > 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return "image/jpeg"
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) > 12 && string(b[4:12]) == "jP  \r\n\x87\n":
		return "image/jp2"
	}
	return ""
}

// mdocSubject fills the subject from the mDL namespace (whose element
// names the EU PID namespace shares), the portrait as a data: URL: the
// last of the namespace's "portrait" values that is an image.
func mdocSubject(claims map[string]any, portraits [][]byte) *Subject {
	var elems map[string]any
	for _, ns := range sortedKeys(claims) {
		if ns == mdlNamespace || elems == nil {
			elems, _ = claims[ns].(map[string]any)
		}
	}
	if elems == nil {
		return nil
	}
	str := func(k string) string { s, _ := elems[k].(string); return s }
	s := &Subject{
		GivenName:      str("given_name"),
		FamilyName:     str("family_name"),
		BirthDate:      str("birth_date"),
		DocumentNumber: str("document_number"),
	}
	s.Name = joinName(s.GivenName, s.FamilyName)
	for _, val := range portraits {
		if p := portraitOf(val); p != "" {
			s.Portrait = p
		}
	}
	if *s == (Subject{}) {
		return nil
	}
	return s
}

// portraitOf returns the data: URL of a portrait element's value, already
// checked against its digest.
func portraitOf(val []byte) string {
	var b []byte
	if cborUnmarshal(val, &b) != nil || imageType(b) == "" {
		return ""
	}
	return "data:" + imageType(b) + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
