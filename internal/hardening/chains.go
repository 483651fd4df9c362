package hardening

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// chains adds the certificate chain cases: the work of a chain must not
// grow with the number of trusted issuers, nor with what a document
// carries.
func (b *builder) chains() {
	var issuers []verifier.BundleIssuer
	var lastRoot *x509.Certificate
	var lastKey *ecdsa.PrivateKey
	for i := 1; i <= 20; i++ {
		label := fmt.Sprintf("chain/root-%02d", i)
		root, der, err := b.w.CACert(label, fmt.Sprintf("Root %02d", i), fmt.Sprintf("Authority %02d", i), "EE", int64(100+i), nil, nil)
		if err != nil {
			b.check(err)
			return
		}
		issuers = append(issuers, verifier.BundleIssuer{ID: fmt.Sprintf("authority-%02d", i), Name: fmt.Sprintf("Authority %02d", i), Country: "EE",
			Anchors: []string{base64.StdEncoding.EncodeToString(der)}})
		lastRoot, lastKey = root, b.w.ECKey(label)
	}
	trust := bundle(issuers...)
	inter, interDER, err := b.w.CACert("chain/inter", "Intermediate 20", "Authority 20", "EE", 200, lastRoot, lastKey)
	if err != nil {
		b.check(err)
		return
	}
	signer := b.w.ECKey("chain/signer")
	leaf, err := demo.SignerCert("Signer 20", "Authority 20", "EE", 201, signer, inter, b.w.ECKey("chain/inter"), nil)
	if err != nil {
		b.check(err)
		return
	}
	claims, _ := json.Marshal(map[string]any{"iss": "https://authority-20.example.ee", "iat": demo.Issued.Unix(), "exp": demo.Until.Unix()})
	std := base64.StdEncoding.EncodeToString
	doc, err := demo.SignJWS(claims, "ES256", signer, map[string]any{"x5c": []string{std(leaf), std(interDER)}})
	b.add(Case{Name: "jws-x5c-chain-to-20th-issuer-control", Issue: "11", Doc: doc, Trust: trust, Verdict: verifier.Valid}, err)

	// A leaf and 100 self-signed P-521 "Shared CA" certificates: each
	// could be the leaf's issuer, and chain building tries them against
	// each other. Refused by count before any is read.
	x5c := []string{std(leaf)}
	for i := 0; i < 100; i++ {
		der, err := sharedCA(i)
		if err != nil {
			b.check(err)
			return
		}
		x5c = append(x5c, std(der))
	}
	doc, err = SignES256(signer, map[string]any{"alg": "ES256", "x5c": x5c}, claims)
	b.add(Case{Name: "jws-x5c-100-shared-ca-certificates", Issue: "11", Doc: doc, Trust: trust,
		Verdict: verifier.Indeterminate, Reason: verifier.LimitExceeded}, err)
}

// SharedCAs are n self-signed P-521 certificates that all name "Shared CA"
// as subject and issuer, and a P-256 leaf issued by the first: the worst
// chain a document can carry for crypto/x509's chain building, whose
// every candidate issuer is tried against every other. Deterministic.
func SharedCAs(n int) (leafKey *ecdsa.PrivateKey, leaf []byte, cas [][]byte, err error) {
	w := &demo.World{Seed: "apostille-hardening-v1"}
	for i := 0; i < n; i++ {
		der, err := sharedCA(i)
		if err != nil {
			return nil, nil, nil, err
		}
		cas = append(cas, der)
	}
	leafKey = w.ECKey("chain/shared-leaf")
	ca, err := x509.ParseCertificate(cas[0])
	if err != nil {
		return nil, nil, nil, err
	}
	leaf, err = demo.SignerCert("Shared CA signer", "Shared", "EE", 9999, leafKey, ca, p521Key(0), []asn1.ObjectIdentifier(nil))
	return leafKey, leaf, cas, err
}

// sharedCA is the i-th self-signed "Shared CA".
func sharedCA(i int) ([]byte, error) {
	key := p521Key(i)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(1000 + i)), Subject: pkix.Name{CommonName: "Shared CA"},
		NotBefore: demo.Issued.AddDate(-1, 0, 0), NotAfter: demo.Until,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	return x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), demo.Deterministic{Signer: key})
}

// p521Key derives the i-th P-521 key: a 66-byte scalar below 2^513, so
// always below the group order.
func p521Key(i int) *ecdsa.PrivateKey {
	sum := sha512.Sum512([]byte(fmt.Sprintf("apostille hardening shared CA %d", i)))
	d := make([]byte, 66)
	copy(d[2:], sum[:])
	d[0], d[1] = 0x01, 0x5a
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P521(), d)
	if err != nil {
		panic(err)
	}
	return k
}
