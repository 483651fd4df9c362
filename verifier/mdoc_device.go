package verifier

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// mdoc device authentication (18013-5 section 9.1.3): the holder's device
// signs, or MACs, the DeviceAuthentication structure, which binds the
// session transcript of this presentation to the document. Without the
// transcript there is nothing to bind to: the check is skipped, unless the
// caller requires binding (then it cannot be decided, never valid).

// COSE_Key parameters (RFC 9052 section 7, RFC 9053).
const (
	coseKeyKty = 1
	coseKeyCrv = -1
	coseKeyX   = -2
	coseKeyY   = -3
	ktyOKP     = 1
	ktyEC2     = 2
)

var coseCurves = map[int64]elliptic.Curve{1: elliptic.P256(), 2: elliptic.P384(), 3: elliptic.P521()}

// coseKeyPublic reads a public COSE_Key: EC2 on P-256/384/521, or OKP
// Ed25519.
func coseKeyPublic(raw []byte) (crypto.PublicKey, error) {
	var m map[int64]any
	if err := cborUnmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("the device key is not a COSE_Key")
	}
	kty, _ := intKey(m[coseKeyKty])
	crv, _ := intKey(m[coseKeyCrv])
	x, _ := m[coseKeyX].([]byte)
	switch kty {
	case ktyEC2:
		curve := coseCurves[crv]
		y, _ := m[coseKeyY].([]byte)
		size := 0
		if curve != nil {
			size = (curve.Params().BitSize + 7) / 8
		}
		if curve == nil || len(x) != size || len(y) != size {
			return nil, fmt.Errorf("the device key is not an EC2 key on a supported curve")
		}
		point := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(curve, point)
	case ktyOKP:
		if crv != 6 || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("the device key is not an Ed25519 key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("the device key type %d is not supported", kty)
}

// sessionTranscript returns SessionTranscript and SessionTranscriptBytes
// (its tag-24 form) from either, as the caller gave it.
func sessionTranscript(b []byte) (st, stBytes []byte, err error) {
	if inner, err := unwrap24(b); err == nil {
		return inner, b, nil
	}
	var probe cbor.RawMessage
	if err := cborUnmarshal(b, &probe); err != nil {
		return nil, nil, fmt.Errorf("the session transcript is not CBOR")
	}
	return b, appendCBORTag24(nil, b), nil
}

// deviceAuthenticationBytes is DeviceAuthenticationBytes (18013-5 section
// 9.1.3.4): #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript,
// DocType, DeviceNameSpacesBytes]), the transcript and the name spaces
// embedded as received.
func deviceAuthenticationBytes(st []byte, docType string, nameSpaces []byte) ([]byte, error) {
	da := appendCBORHead(nil, cborArray, 4)
	da = appendCBORText(da, "DeviceAuthentication")
	da, err := appendCBORRaw(da, st)
	if err != nil {
		return nil, err
	}
	da = appendCBORText(da, docType)
	if da, err = appendCBORRaw(da, nameSpaces); err != nil {
		return nil, err
	}
	return appendCBORTag24(nil, da), nil
}

// mac0Structure is MAC_structure for a COSE_Mac0 without payload and
// without external AAD (RFC 9052 section 6.3), over the detached content.
func mac0Structure(protected, content []byte) []byte {
	b := appendCBORHead(nil, cborArray, 4)
	b = appendCBORText(b, "MAC0")
	b = appendCBORByteString(b, protected)
	b = appendCBORByteString(b, []byte{})
	return appendCBORByteString(b, content)
}

// mdocDeviceAuth checks deviceSignature or deviceMac when the caller gave
// the session transcript.
func (v *verification) mdocDeviceAuth(doc *mdocDocument, mso *mdocMSO) {
	fail := func(format string, a ...any) {
		v.rep.fail(CheckHolderBinding, HolderBindingInvalid, fmt.Sprintf(format, a...))
	}
	h := v.opts.Holder
	if len(h.SessionTranscript) == 0 {
		if v.opts.bindingRequired() {
			// Audience and nonce have no place in an mdoc: they bind it
			// through the session transcript the caller builds.
			v.rep.fail(CheckHolderBinding, HolderBindingUnchecked, "holder binding is required, and without the session transcript device authentication cannot be checked")
			return
		}
		v.rep.skip(CheckHolderBinding, "no session transcript was given, so device authentication cannot be checked")
		return
	}
	ds := doc.DeviceSigned
	if ds == nil || ds.NameSpaces == nil {
		fail("the document has no deviceSigned part")
		return
	}
	st, stBytes, err := sessionTranscript(h.SessionTranscript)
	if err != nil {
		fail("%v", err)
		return
	}
	daBytes, err := deviceAuthenticationBytes(st, mso.DocType, ds.NameSpaces)
	if err != nil {
		fail("cannot build DeviceAuthentication")
		return
	}
	pub, err := coseKeyPublic(mso.DeviceKeyInfo.DeviceKey)
	if err != nil {
		fail("%v", err)
		return
	}
	switch {
	case ds.DeviceAuth.DeviceSignature != nil && ds.DeviceAuth.DeviceMac != nil:
		// DeviceAuth is one or the other (18013-5 9.1.3.4); with both,
		// which one was meant is not for the verifier to pick.
		fail("deviceAuth holds both deviceSignature and deviceMac")
	case ds.DeviceAuth.DeviceSignature != nil:
		v.mdocDeviceSignature(ds.DeviceAuth.DeviceSignature, pub, daBytes, fail)
	case ds.DeviceAuth.DeviceMac != nil:
		v.mdocDeviceMac(ds.DeviceAuth.DeviceMac, pub, daBytes, stBytes, fail)
	default:
		fail("deviceAuth holds neither deviceSignature nor deviceMac")
	}
}

func (v *verification) mdocDeviceSignature(raw []byte, pub crypto.PublicKey, daBytes []byte, fail func(string, ...any)) {
	m, err := parseSign1(raw, sign1Profile{})
	if err != nil {
		fail("deviceSignature cannot be read: %v", err)
		return
	}
	alg, err := m.alg()
	if err != nil {
		fail("deviceSignature: %v", err)
		return
	}
	if !m.detached {
		fail("deviceSignature must not carry its payload")
		return
	}
	msg, err := m.sigStructure(daBytes, nil)
	if err != nil {
		fail("cannot build the device's signed structure")
		return
	}
	spki, err := publicKeySPKI(pub)
	if err != nil {
		fail("the device key cannot be used")
		return
	}
	k := &Key{Algs: keyTypeAlgs(pub), Public: pub, spki: spki}
	if !(&signed{algUnprotected: m.algUnprotected()}).keyAllows(k, Alg(alg)) {
		fail("the device key is not for %s", alg)
		return
	}
	if !v.opts.checkSig(Alg(alg), k, msg, m.signature) {
		fail("the device signature does not verify with the device key the issuer signed")
		return
	}
	v.rep.pass(CheckHolderBinding, "signed by the device key for this session")
}

// coseMac0 is COSE_Mac0 (RFC 9052 section 6.2).
type coseMac0 struct {
	_           struct{} `cbor:",toarray"`
	Protected   cbor.RawMessage
	Unprotected cbor.RawMessage
	Payload     cbor.RawMessage
	Tag         cbor.RawMessage
}

// mdocDeviceMac checks deviceMac (18013-5 section 9.1.3.5): HMAC-SHA-256
// under EMacKey, which only the reader can derive: ECDH of its ephemeral
// private key with the device key, HKDF-SHA-256 salted with
// SHA-256(SessionTranscriptBytes), info "EMacKey".
func (v *verification) mdocDeviceMac(raw []byte, pub crypto.PublicKey, daBytes, stBytes []byte, fail func(string, ...any)) {
	var mac coseMac0
	if err := cborUnmarshal(raw, &mac); err != nil {
		if t := (cbor.RawTag{}); cborUnmarshal(raw, &t) != nil || t.Number != tagCOSEMac0 || cborUnmarshal(t.Content, &mac) != nil {
			fail("deviceMac is not a COSE_Mac0")
			return
		}
	}
	protected, err := plainBytes(mac.Protected, "protected header")
	if err != nil {
		fail("deviceMac: %v", err)
		return
	}
	tag, err := plainBytes(mac.Tag, "tag")
	if err != nil {
		fail("deviceMac: %v", err)
		return
	}
	var prot map[any]any
	if cborUnmarshal(protected, &prot) != nil {
		fail("deviceMac's protected header cannot be read")
		return
	}
	if alg, _ := intKey(prot[int64(labelAlg)]); alg != 5 {
		fail("deviceMac uses algorithm %d; 18013-5 uses HMAC 256/256 (5)", alg)
		return
	}
	if len(mac.Payload) != 1 || mac.Payload[0] != 0xf6 {
		fail("deviceMac must not carry its payload")
		return
	}
	if len(v.opts.Holder.ReaderKey) == 0 {
		// A transcript asks for device authentication: required but
		// uncheckable is never valid.
		v.rep.fail(CheckHolderBinding, HolderBindingUnchecked, "the device authenticates with a MAC, which only the reader's session key can check; none was given")
		return
	}
	priv, err := readerKey(v.opts.Holder.ReaderKey)
	if err != nil {
		fail("%v", err)
		return
	}
	devPub, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		fail("the device key cannot agree a MAC key")
		return
	}
	devECDH, err := devPub.ECDH()
	if err != nil || devECDH.Curve() != priv.Curve() {
		fail("the reader key and the device key are not on the same curve")
		return
	}
	z, err := priv.ECDH(devECDH)
	if err != nil {
		fail("cannot agree the MAC key")
		return
	}
	salt := sha256.Sum256(stBytes)
	key, err := hkdf.Key(sha256.New, z, salt[:], "EMacKey", 32)
	if err != nil {
		fail("cannot derive the MAC key")
		return
	}
	toMAC := mac0Structure(protected, daBytes)
	hm := hmac.New(sha256.New, key)
	hm.Write(toMAC)
	if !hmac.Equal(hm.Sum(nil), tag) {
		fail("the device MAC does not verify for this session")
		return
	}
	v.rep.pass(CheckHolderBinding, "MACed by the device for this session")
}

// readerKey reads the reader's ephemeral private key: the raw scalar of a
// P-256, P-384 or P-521 key, told apart by its length. (Not PKCS#8: its
// parser would bring RSA private keys into the module for nothing.)
func readerKey(raw []byte) (*ecdh.PrivateKey, error) {
	var c ecdh.Curve
	switch len(raw) {
	case 32:
		c = ecdh.P256()
	case 48:
		c = ecdh.P384()
	case 66:
		c = ecdh.P521()
	default:
		return nil, fmt.Errorf("the reader key is not a P-256, P-384 or P-521 private scalar")
	}
	k, err := c.NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("the reader key is not a valid private key")
	}
	return k, nil
}
