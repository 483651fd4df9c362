package importer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/tlog"
	"github.com/apostille/apostille/verifier"
	"github.com/veraison/go-cose"
)

var at = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func ecKey(label string) *ecdsa.PrivateKey {
	d := sha256.Sum256([]byte("importer test " + label))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		panic(err)
	}
	return k
}

// trustOf writes issuers into a bundle and parses it as the verifier does.
func trustOf(t *testing.T, issuers []verifier.BundleIssuer, embassies ...verifier.BundleEmbassy) *verifier.Trust {
	t.Helper()
	b, err := json.Marshal(verifier.Bundle{TrustBundle: verifier.TrustBundleVersion, Issuers: issuers, Embassies: embassies})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := verifier.ParseTrust("test", b)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustValid(t *testing.T, doc []byte, tr *verifier.Trust, when time.Time) *verifier.Report {
	t.Helper()
	rep := verifier.Verify(doc, verifier.Options{Trust: tr, Time: when})
	if rep.Verdict != verifier.Valid {
		t.Fatalf("%s/%s: %+v", rep.Verdict, rep.Reason, rep.Checks)
	}
	return rep
}

func jwt(t *testing.T, key crypto.Signer, hdr map[string]any) []byte {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"iss": "https://issuer.example", "iat": at.Add(-time.Hour).Unix(), "given_name": "Mari"})
	tok, err := demo.SignJWS(payload, "ES256", key, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestJWKS(t *testing.T) {
	k := ecKey("jwks")
	j := importer.PublicJWK(k.Public(), "", "") // neither kid nor alg: both are derived
	j.Use = ""
	set, _ := json.Marshal(map[string]any{"keys": []any{j}})
	is, err := importer.JWKS("ee-jwks", "JWKS Issuer", set)
	if err != nil {
		t.Fatal(err)
	}
	kid := is.Keys[0].JWK.Kid
	if kid != importer.Thumbprint(j) || is.Keys[0].JWK.Alg != "ES256" {
		t.Fatalf("kid %q alg %q", kid, is.Keys[0].JWK.Alg)
	}
	rep := mustValid(t, jwt(t, k, map[string]any{"kid": kid}), trustOf(t, []verifier.BundleIssuer{is}), at)
	if rep.Document.Issuer.Name != "JWKS Issuer" {
		t.Fatalf("issuer %+v", rep.Document.Issuer)
	}
	// Private key material is refused.
	priv := strings.Replace(string(set), `"kty"`, `"d":"AAAA","kty"`, 1)
	if _, err := importer.JWKS("x", "", []byte(priv)); err == nil {
		t.Fatal("a private JWK was imported")
	}
}

// pki is a CA and a document signer under it.
type pki struct {
	caKey, leafKey *ecdsa.PrivateKey
	ca, leaf       *x509.Certificate
}

func newPKI(t *testing.T, label string) *pki {
	p := &pki{caKey: ecKey(label + " ca"), leafKey: ecKey(label + " leaf")}
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: label + " CA", Organization: []string{label + " Authority"}, Country: []string{"LU"}},
		NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(nil, caT, caT, p.caKey.Public(), p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	leafT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: label + " signer", Country: []string{"LU"}},
		NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err = x509.CreateCertificate(nil, leafT, p.ca, p.leafKey.Public(), p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.leaf, _ = x509.ParseCertificate(der)
	return p
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func TestPEM(t *testing.T) {
	p := newPKI(t, "PEM")
	is, err := importer.PEM("lu-pem", "", pemOf(p.ca, p.leaf))
	if err != nil {
		t.Fatal(err)
	}
	if len(is.Anchors) != 1 || len(is.Keys) != 1 || is.Country != "LU" || is.Name != "PEM Authority" {
		t.Fatalf("issuer %+v", is)
	}
	tr := trustOf(t, []verifier.BundleIssuer{is})
	// A document naming the signer certificate by x5t#S256...
	sum := sha256.Sum256(p.leaf.Raw)
	mustValid(t, jwt(t, p.leafKey, map[string]any{"kid": base64.RawURLEncoding.EncodeToString(sum[:])}), tr, at)
	// ...and one carrying it, chaining to the CA anchor.
	mustValid(t, jwt(t, p.leafKey, map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(p.leaf.Raw)}}), tr, at)
	// DER works too.
	if _, err := importer.PEM("der", "", p.leaf.Raw); err != nil {
		t.Fatal(err)
	}
}

func TestIACA(t *testing.T) {
	p := newPKI(t, "IACA")
	is, err := importer.IACA("lu-mdl", "", pemOf(p.ca), nil)
	if err != nil {
		t.Fatal(err)
	}
	if is.DocumentTypes[0] != importer.MDLDocType {
		t.Fatalf("document types %v", is.DocumentTypes)
	}
	// mdoc documents are the mdoc engineer's; a COSE_Sign1 whose x5chain
	// leads to the IACA shows the anchors at work (go-cose wants a media
	// type in typ, so the test names the document type as one).
	is, err = importer.IACA("lu-mdl", "", pemOf(p.ca), []string{"application/mdl-test+cose"})
	if err != nil {
		t.Fatal(err)
	}
	tr := trustOf(t, []verifier.BundleIssuer{is})
	payload := []byte{0xa1, 0x01, 0x61, 0x78} // {1: "x"}
	sign := func(typ string) []byte {
		doc, err := demo.SignCOSE(payload, cose.AlgorithmES256, p.leafKey, map[any]any{cose.HeaderLabelType: typ}, map[any]any{cose.HeaderLabelX5Chain: p.leaf.Raw})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	mustValid(t, sign("application/mdl-test+cose"), tr, at)
	if rep := verifier.Verify(sign("application/other+cose"), verifier.Options{Trust: tr, Time: at}); rep.Reason != verifier.TypeNotAllowed {
		t.Fatalf("other document type: %s/%s", rep.Verdict, rep.Reason)
	}
	if _, err := importer.IACA("x", "", pemOf(p.leaf), nil); err == nil {
		t.Fatal("a signer certificate was taken for an IACA")
	}
}

// dccVector is an EU DCC test vector (dgc-testdata, see testdata/dcc/SOURCE).
type dccVector struct {
	COSE    string
	TESTCTX struct {
		CERTIFICATE     string
		VALIDATIONCLOCK string
	}
}

func TestDCCSignerList(t *testing.T) {
	b, err := os.ReadFile("testdata/dcc/DE-1.json")
	if err != nil {
		t.Fatal(err)
	}
	var v dccVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(v.TESTCTX.CERTIFICATE)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	entry := importer.DCCEntry{Kid: importer.DCCKid(cert), Country: "DE", CertificateType: "DSC", RawData: v.TESTCTX.CERTIFICATE}
	csca := importer.DCCEntry{Kid: "x", Country: "DE", CertificateType: "CSCA", RawData: "not even base64"}
	gateway, _ := json.Marshal([]importer.DCCEntry{entry, csca})
	national, _ := json.Marshal(map[string]any{"certificates": []importer.DCCEntry{entry}})
	clock, err := time.Parse(time.RFC3339, v.TESTCTX.VALIDATIONCLOCK)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := hex.DecodeString(v.COSE)
	if err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string][]byte{
		"gateway":                 gateway,
		"national":                national,
		"national with signature": append([]byte("MEUCIQDsignaturelinebase64==\n"), national...),
	} {
		issuers, err := importer.DCCSignerList(list)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(issuers) != 1 || issuers[0].ID != "dcc-de" || issuers[0].Country != "DE" || len(issuers[0].Keys) != 1 {
			t.Fatalf("%s: %+v", name, issuers)
		}
		rep := mustValid(t, doc, trustOf(t, issuers), clock)
		if rep.Document.Issuer.Country != "DE" {
			t.Fatalf("%s: issuer %+v", name, rep.Document.Issuer)
		}
	}
	entry.Kid = "AAAAAAAAAAA="
	wrong, _ := json.Marshal([]importer.DCCEntry{entry})
	if _, err := importer.DCCSignerList(wrong); err == nil {
		t.Fatal("an entry whose kid is not its certificate's was imported")
	}
}

// testVKey derives a signed-note verifier key of a kind for a name.
func testVKey(t *testing.T, kind tlog.Kind, name string) string {
	t.Helper()
	seed := sha256.Sum256([]byte(name))
	v, err := tlog.VKey(tlog.SKey(name, seed[:]), kind)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTLogPolicy(t *testing.T) {
	policy := "# Population Register log and its embassies\n" +
		"log " + testVKey(t, tlog.KindLog, "example.ee/log") + "\n" +
		"witness lu-embassy " + testVKey(t, tlog.KindEmbassy, "lu.example/w") + "\n" +
		"witness ee-home " + testVKey(t, tlog.KindEmbassy, "ee.example/w") + "\n" +
		"group embassies 1 lu-embassy ee-home\nquorum embassies\n"
	info := []importer.EmbassyInfo{{Witness: "lu-embassy", Name: "Estonian data embassy in Luxembourg", Country: "LU"}}
	att, embs, err := importer.TLogPolicy([]byte(policy), true, info)
	if err != nil {
		t.Fatal(err)
	}
	if !att.Required || att.Policy != policy || len(embs) != 2 || embs[0].Name != info[0].Name || embs[0].Country != "LU" || embs[1].Name != "ee-home" {
		t.Fatalf("attestation %+v embassies %+v", att, embs)
	}
	is := verifier.BundleIssuer{ID: "ee", Name: "EE", Keys: []verifier.BundleKey{{JWK: importer.PublicJWK(ecKey("p").Public(), "p", "ES256")}}, Attestation: att}
	tr := trustOf(t, []verifier.BundleIssuer{is}, embs...)
	if tr.Issuers[0].Attestation.Policy != policy || len(tr.Embassies) != 2 {
		t.Fatal("the policy did not reach the trust")
	}
	for name, bad := range map[string]string{
		"no quorum":       "witness a vkey\n",
		"unknown keyword": "quorum none\nwitnesses a b\n",
		"undefined group": "group g 1 a\nquorum g\n",
		"two quorums":     "quorum none\nquorum none\n",
	} {
		if _, _, err := importer.TLogPolicy([]byte(bad), false, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
