package hardening

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"

	"github.com/fxamacker/cbor/v2"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/statuslist"
	"github.com/apostille/apostille/verifier"
)

// COSE header labels and CWT claim keys (RFC 9052, 8392, 9597).
const (
	labelAlg       = 1
	labelCrit      = 2
	labelCty       = 3
	labelKid       = 4
	labelCWTClaims = 15
	labelTyp       = 16
	cwtIss         = 1
	cwtExp         = 4
	cwtIat         = 6
	cwtStatus      = 65535
	algES256       = -7
	algPS256       = -37
)

// cose adds the COSE_Sign1 and CWT cases.
func (b *builder) cose() {
	key := b.w.ECKey("cose/issuer")
	const typ = "urn:apostille:residence"
	trust := bundle(verifier.BundleIssuer{ID: "lu-ctie", Name: "LU CTIE", Country: "LU",
		Keys: []verifier.BundleKey{keyOf(key.Public(), "lu-1", "ES256")}, DocumentTypes: []string{typ}})
	claims := func(extra map[any]any) []byte {
		c := map[any]any{cwtIss: "https://ctie.example.lu", cwtIat: demo.Issued.Unix(), cwtExp: demo.Until.Unix(), "given_name": "Mari"}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		return canonical(c)
	}
	kid := map[any]any{labelKid: []byte("lu-1")}
	alg := map[any]any{labelAlg: algES256}
	typed := map[any]any{labelAlg: algES256, labelTyp: typ}

	b.add(Case{Name: "cwt-protected-type-control", Issue: "3", Doc: sign1(key, typed, kid, claims(nil)), Trust: trust, Verdict: verifier.Valid}, nil)
	b.add(Case{Name: "cwt-type-in-unprotected-header", Issue: "3", Doc: sign1(key, alg, map[any]any{labelKid: []byte("lu-1"), labelTyp: typ}, claims(nil)),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.TypeNotAllowed}, nil)
	b.add(Case{Name: "cwt-unprotected-type-over-protected-cty", Issue: "3",
		Doc:   sign1(key, map[any]any{labelAlg: algES256, labelCty: "application/other"}, map[any]any{labelKid: []byte("lu-1"), labelTyp: typ}, claims(nil)),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.TypeNotAllowed}, nil)

	// A status list typed only in its unprotected header is no status list.
	status := map[any]any{cwtStatus: map[any]any{"status_list": map[any]any{"idx": 3, "uri": "https://ctie.example.lu/status/1"}}}
	withStatus := sign1(key, typed, kid, claims(status))
	list, err := statuslist.New(1, 16)
	if err == nil {
		tok := map[any]any{2: "https://ctie.example.lu/status/1", cwtIat: At.Unix() - 3600,
			65533: map[any]any{"bits": 1, "lst": list.Compressed()}}
		good := sign1(key, map[any]any{labelAlg: algES256, labelTyp: "application/statuslist+cwt"}, kid, canonical(tok))
		bad := sign1(key, alg, map[any]any{labelKid: []byte("lu-1"), labelTyp: "application/statuslist+cwt"}, canonical(tok))
		b.add(Case{Name: "cwt-status-list-control", Issue: "3", Doc: withStatus, Trust: trust,
			Options: verifier.Options{StatusLists: [][]byte{good}}, Verdict: verifier.Valid}, nil)
		b.add(Case{Name: "cwt-status-list-typed-unprotected", Issue: "3", Doc: withStatus, Trust: trust,
			Options: verifier.Options{StatusLists: [][]byte{bad}}, Verdict: verifier.Indeterminate, Reason: verifier.StatusUnknown}, nil)
	}
	b.check(err)

	// Content given beside a COSE_Sign1 that carries its own.
	b.add(Case{Name: "cose-payload-embedded-and-detached", Issue: "4", Doc: sign1(key, typed, kid, claims(nil)), Trust: trust,
		Options: verifier.Options{Payload: []byte("the user's file")}, Verdict: verifier.Invalid, Reason: verifier.Malformed}, nil)

	// crit: only what the verifier processes may be critical; CWT claims
	// in the protected header are processed (RFC 9597).
	expired := map[any]any{cwtExp: demo.Issued.Unix() + 3600}
	b.add(Case{Name: "cose-crit-15-header-claims-expired", Issue: "6",
		Doc:   sign1(key, map[any]any{labelAlg: algES256, labelTyp: typ, labelCrit: []any{labelCWTClaims}, labelCWTClaims: expired}, kid, claims(map[any]any{cwtExp: nil})),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Expired}, nil)
	b.add(Case{Name: "cose-header-claims-contradict-payload", Issue: "6",
		Doc:   sign1(key, map[any]any{labelAlg: algES256, labelTyp: typ, labelCWTClaims: expired}, kid, claims(nil)),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, nil)
	b.add(Case{Name: "cose-crit-7-counter-signature", Issue: "6",
		Doc:   sign1(key, map[any]any{labelAlg: algES256, labelTyp: typ, labelCrit: []any{7}, 7: []byte("x")}, kid, claims(nil)),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.CritUnsupported}, nil)

	// One name, two claims.
	b.add(Case{Name: "cwt-exp-as-integer-and-text", Issue: "audit", Doc: sign1(key, typed, kid, claims(map[any]any{"exp": demo.Issued.Unix() + 60})),
		Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, nil)

	// A signed document has one encoding: tagged byte strings refused.
	good := sign1(key, typed, kid, claims(nil))
	for _, t := range []struct {
		name   string
		member int
		tag    uint64
	}{{"cose-payload-tag-1234", 2, 1234}, {"cose-payload-tag-24", 2, 24}, {"cose-signature-tagged", 3, 1234}, {"cose-protected-tagged", 0, 24}} {
		doc, err := retag(good, t.member, t.tag)
		b.add(Case{Name: t.name, Issue: "12", Doc: doc, Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)
	}

	// Preferred serialization: the envelope, which no signature covers as
	// bytes, written with a longer head than needed.
	longArray := append([]byte{0xd2, 0x98, 0x04}, good[2:]...)
	b.add(Case{Name: "cose-array-head-not-preferred", Issue: "audit", Doc: longArray, Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, nil)
	longSig, err := longSignatureHead(good)
	b.add(Case{Name: "cose-signature-length-not-preferred", Issue: "audit", Doc: longSig, Trust: trust, Verdict: verifier.Invalid, Reason: verifier.Malformed}, err)

	// Unnamed keys: a document without kid is tried against at most 16
	// keys of its algorithm; one that none of them verifies has no
	// issuer we can name.
	var many []verifier.BundleIssuer
	var last, stranger *ecdsa.PrivateKey
	for i := 1; i <= 17; i++ {
		k := b.w.ECKey(fmt.Sprintf("cose/unnamed-%d", i))
		many = append(many, verifier.BundleIssuer{ID: fmt.Sprintf("issuer-%02d", i), Name: fmt.Sprintf("Issuer %02d", i), Country: "EE",
			Keys: []verifier.BundleKey{keyOf(k.Public(), fmt.Sprintf("k-%02d", i), "ES256")}})
		last = k
	}
	stranger = b.w.ECKey("cose/stranger")
	b.add(Case{Name: "cose-no-kid-17th-trusted-key", Issue: "10", Doc: sign1(last, alg, nil, claims(nil)), Trust: bundle(many...),
		Verdict: verifier.Indeterminate, Reason: verifier.IssuerUnknown}, nil)
	b.add(Case{Name: "cose-no-kid-untrusted-key", Issue: "10", Doc: sign1(stranger, alg, nil, claims(nil)), Trust: bundle(many[:3]...),
		Verdict: verifier.Indeterminate, Reason: verifier.IssuerUnknown}, nil)
	b.add(Case{Name: "cose-no-kid-2nd-trusted-key-control", Issue: "10", Doc: sign1(b.w.ECKey("cose/unnamed-2"), alg, nil, claims(nil)),
		Trust: bundle(many...), Verdict: verifier.Valid}, nil)

	// alg only in the unprotected header: accepted where the trusted key
	// allows that one algorithm (a bundle key), refused where the trust
	// does not fix it (an RSA certificate allows six).
	b.add(Case{Name: "cose-alg-unprotected-bundle-key-control", Issue: "3", Doc: sign1(key, map[any]any{labelTyp: typ}, map[any]any{labelAlg: algES256, labelKid: []byte("lu-1")}, claims(nil)),
		Trust: trust, Verdict: verifier.Valid}, nil)
	rsaPEM, rsaKID, err := rsaCertificate(b.w.RSAKey())
	b.add(Case{Name: "cose-alg-unprotected-rsa-certificate", Issue: "3", Doc: sign1(b.w.RSAKey(), map[any]any{}, map[any]any{labelAlg: algPS256, labelKid: rsaKID}, claims(nil)),
		Trust: rsaPEM, Verdict: verifier.Invalid, Reason: verifier.AlgNotAllowed}, err)
	b.add(Case{Name: "cose-alg-protected-rsa-certificate-control", Issue: "3", Doc: sign1(b.w.RSAKey(), map[any]any{labelAlg: algPS256}, map[any]any{labelKid: rsaKID}, claims(nil)),
		Trust: rsaPEM, Verdict: verifier.Valid}, err)
}

// canonical encodes v with RFC 8949 core deterministic encoding.
func canonical(v any) []byte {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	b, err := em.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// sign1 is a tagged COSE_Sign1 with the headers exactly as given, signed
// over Sig_structure (ES256 with an EC key, PS256 with an RSA key), without
// randomness. An empty protected map is sent as a zero-length bstr.
func sign1(key crypto.Signer, protected, unprotected map[any]any, payload []byte) []byte {
	prot := []byte{}
	if len(protected) > 0 {
		prot = canonical(protected)
	}
	tbs := canonical([]any{"Signature1", prot, []byte{}, payload})
	sum := sha256.Sum256(tbs)
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		der, err := demo.Deterministic{Signer: k}.Sign(nil, sum[:], crypto.SHA256)
		if err != nil {
			panic(err)
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			panic(err)
		}
		sig = append(rs.R.FillBytes(make([]byte, 32)), rs.S.FillBytes(make([]byte, 32))...)
	case *rsa.PrivateKey:
		var err error
		if sig, err = (demo.Deterministic{Signer: k}).Sign(nil, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}); err != nil {
			panic(err)
		}
	}
	if unprotected == nil {
		unprotected = map[any]any{}
	}
	msg := canonical([]any{prot, unprotected, payload, sig})
	return append([]byte{0xd2}, msg...)
}

// retag wraps member i of a tagged COSE_Sign1 in CBOR tag n.
func retag(msg []byte, i int, n uint64) ([]byte, error) {
	var arr []cbor.RawMessage
	if err := cbor.Unmarshal(msg[1:], &arr); err != nil || len(arr) != 4 {
		return nil, fmt.Errorf("hardening: not a COSE_Sign1")
	}
	var content []byte
	if err := cbor.Unmarshal(arr[i], &content); err != nil {
		return nil, err
	}
	tagged, err := cbor.Marshal(cbor.Tag{Number: n, Content: content})
	if err != nil {
		return nil, err
	}
	arr[i] = tagged
	out, err := cbor.Marshal(arr)
	return append([]byte{0xd2}, out...), err
}

// rsaCertificate is a self-signed certificate for k as PEM trust, and the
// COSE kid that names it (the first 8 bytes of its SHA-256).
func rsaCertificate(k *rsa.PrivateKey) ([]byte, []byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "RSA signer", Organization: []string{"RSA signer"}, Country: []string{"EE"}},
		NotBefore: demo.Issued.AddDate(-1, 0, 0), NotAfter: demo.Until, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), demo.Deterministic{Signer: k})
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(der)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), sum[:8], nil
}

// longSignatureHead writes a tagged COSE_Sign1's 64-byte signature with a
// two-byte length head (0x59 0x00 0x40) instead of one byte (0x58 0x40).
func longSignatureHead(msg []byte) ([]byte, error) {
	n := len(msg)
	if n < 66 || msg[n-66] != 0x58 || msg[n-65] != 0x40 {
		return nil, fmt.Errorf("hardening: the signature is not the last 64-byte bstr")
	}
	out := append(bytes.Clone(msg[:n-66]), 0x59, 0x00, 0x40)
	return append(out, msg[n-64:]...), nil
}
