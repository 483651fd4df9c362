package demo

import (
	"crypto"
	"crypto/rand"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// SignCOSE signs a tagged COSE_Sign1 with go-cose, an implementation
// independent of the verifier's, deterministically.
func SignCOSE(payload []byte, alg cose.Algorithm, key crypto.Signer, protected, unprotected map[any]any) ([]byte, error) {
	signer, err := cose.NewSigner(alg, Deterministic{Signer: key})
	if err != nil {
		return nil, err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	for k, v := range protected {
		msg.Headers.Protected[k] = v
	}
	for k, v := range unprotected {
		msg.Headers.Unprotected[k] = v
	}
	msg.Payload = payload
	// The reader is unused: Deterministic signs without randomness.
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, err
	}
	return msg.MarshalCBOR()
}

// CWT claim keys (RFC 8392).
const (
	cwtIss = 1
	cwtSub = 2
	cwtExp = 4
	cwtNbf = 5
	cwtIat = 6
)

func (w *World) coseSamples() error {
	lu := w.EdKey("issuer/" + IssuerLUCTIE)
	claims := map[any]any{
		cwtIss: "https://ctie.example.lu", cwtIat: Issued.Unix(), cwtNbf: Issued.Unix(), cwtExp: Until.Unix(),
		"given_name": "Mari", "family_name": "Maasikas", "birthdate": "1990-05-17",
		"residence": "Luxembourg",
	}
	payload, err := canonicalCBOR(claims)
	if err != nil {
		return err
	}
	doc, err := SignCOSE(payload, cose.AlgorithmEdDSA, lu, nil, map[any]any{cose.HeaderLabelKeyID: []byte(KidLUCTIE)})
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "lu-residence-attestation.cwt", Title: "Residence attestation (Luxembourg)", Format: "cwt",
		Verdict: "valid", Description: "A CBOR Web Token signed with Ed25519 by Luxembourg's state IT centre."}, doc); err != nil {
		return err
	}
	bad := append([]byte(nil), doc...)
	bad[len(bad)-70] ^= 0x01 // inside the payload, before the 64-byte signature
	return w.addDocument(Sample{File: "lu-residence-attestation-tampered.cwt", Title: "Residence attestation, altered after signing", Format: "cwt",
		Verdict: "invalid", Reason: "signature_invalid", Description: "The same token with one bit of its content flipped."}, bad)
}

// canonicalCBOR encodes with RFC 8949 core deterministic encoding, so that
// map order does not vary between runs.
func canonicalCBOR(v any) ([]byte, error) {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(v)
}
