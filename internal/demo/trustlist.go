package demo

import (
	"time"

	"github.com/apostille/apostille/internal/statuslist"
	"github.com/apostille/apostille/internal/trustlist"
)

// The demo's status list: the Population Register's, where document 417 is
// revoked.
const (
	StatusListURI    = "https://rahvastikuregister.example.ee/statuslists/1"
	statusListSize   = 1024
	statusRevokedIdx = 417
	statusValidIdx   = 12
)

// OperatorName is the demo trust-list operator.
const OperatorName = "Apostille demo trust list"

// statusSamples issues the Population Register's status list, ships it in
// the bundle, and adds two residence certificates that refer to it: one
// valid, one revoked.
func (w *World) statusSamples() error {
	ee := w.ECKey("issuer/" + IssuerEEPopulation)
	l, err := statuslist.New(1, statusListSize)
	if err != nil {
		return err
	}
	l.Set(statusRevokedIdx, statuslist.Invalid)
	list, err := statuslist.SignJWT(statuslist.Token{URI: StatusListURI, Issuer: "https://rahvastikuregister.example.ee",
		IssuedAt: Issued, Expires: Until, TTL: 12 * time.Hour, Bits: l.Bits, Lst: l.Compressed()},
		"ES256", KidEEPopulation, Deterministic{Signer: ee})
	if err != nil {
		return err
	}
	if err := w.write("status/ee-population-register-1.jwt", list); err != nil {
		return err
	}
	w.Bundle.StatusLists = append(w.Bundle.StatusLists, string(list))
	for _, s := range []struct {
		idx    int
		sample Sample
	}{
		{statusValidIdx, Sample{File: "ee-residence-certificate.jwt", Title: "Residence certificate (Estonia), checked for revocation", Format: "jws-compact",
			Verdict: "valid", Description: "A residence certificate whose entry in the Population Register's status list says it stands."}},
		{statusRevokedIdx, Sample{File: "ee-residence-certificate-revoked.jwt", Title: "Residence certificate, revoked", Format: "jws-compact",
			Verdict: "invalid", Reason: "revoked", Description: "A well-signed residence certificate that the Population Register has since revoked in its status list."}},
	} {
		c := claims(map[string]any{
			"iss": "https://rahvastikuregister.example.ee", "vct": TypeResidenceCertificate,
			"iat": Issued.Unix(), "exp": Until.Unix(), "address": "Lossi plats 1a, Tallinn",
			"status": map[string]any{"status_list": map[string]any{"idx": s.idx, "uri": StatusListURI}},
		})
		tok, err := SignJWS(c, "ES256", ee, map[string]any{"kid": KidEEPopulation, "typ": "JWT"})
		if err != nil {
			return err
		}
		if err := w.addDocument(s.sample, tok); err != nil {
			return err
		}
	}
	return nil
}

// operatorKey is the demo trust-list operator's signing key.
func (w *World) operatorKey() (*trustlist.Key, error) {
	return trustlist.NewKey(w.EdKey("operator/trust-list"))
}

// OperatorPrivateKey is the demo operator's private key as PKCS#8 PEM (what
// `apostille trust keygen` writes), so that new editions of the demo trust
// list can be signed with `apostille trust sign`: the page's tests sign
// newer, older and stale editions with it. Anyone with the seed can derive
// it; it is written only on request, never into the world's folder.
func (w *World) OperatorPrivateKey() ([]byte, error) {
	k, err := w.operatorKey()
	if err != nil {
		return nil, err
	}
	return k.MarshalPrivate()
}

// signedTrust writes the operator's public key (to pin) and the bundle
// signed by it, next to the unsigned trust.json. It runs after every step,
// so that the signed bundle holds all they added.
func (w *World) signedTrust() error {
	k, err := w.operatorKey()
	if err != nil {
		return err
	}
	pub, err := k.PublicJWK()
	if err != nil {
		return err
	}
	b := w.Bundle
	b.Operator, b.Sequence = OperatorName, 1
	b.IssuedAt, b.NextUpdate = Issued.Format(time.RFC3339), Until.Format(time.RFC3339)
	signed, err := trustlist.SignWithServices(&b, w.Services, k, nil)
	if err != nil {
		return err
	}
	w.Man.SignedTrust, w.Man.OperatorKey = "trust.jws", "operator.pub.jwk"
	if err := w.write(w.Man.OperatorKey, pub); err != nil {
		return err
	}
	return w.write(w.Man.SignedTrust, append(signed, '\n'))
}
