package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/tsl"
)

// The demo's trusted list (ETSI TS 119 612): an Estonian-style provider
// with a qualified CA, an OCSP responder and a time-stamping authority,
// signed by the demo scheme operator. The world writes the list and the
// operator's certificate, verifies the list as `apostille trust build
// --tl FILE --tl-signer PEM` would, and puts its services into the bundle.
const (
	TrustedListFile   = "trusted-list/EE-demo.xml"
	TrustedListSigner = "trusted-list/EE-demo-signer.pem"
	tslProvider       = "Demo SK ID Solutions AS"
	tslCAName         = "Demo ESTEID 2026"
	tslOCSPName       = "Demo ESTEID 2026 OCSP Responder"
	tslTSAName        = "Demo SK Time-Stamping Authority 2026"
)

// trustedList builds, signs, verifies and imports the demo list.
func (w *World) trustedList() error {
	signerKey := w.ECKey("tsl/scheme-operator")
	signer, err := w.demoCert(signerKey, signerKey, nil, 10, "Demo Trusted List Scheme Operator", false, x509.KeyUsageDigitalSignature, nil)
	if err != nil {
		return err
	}
	p, err := w.provider()
	if err != nil {
		return err
	}
	ca, ocsp, tsa := p.ca, p.ocsp, p.tsa
	list := demoListXML(ca, ocsp, tsa)
	ctx, err := dsig.NewSigningContext(rawECDSA{signerKey}, [][]byte{signer.Raw})
	if err != nil {
		return err
	}
	ctx.IdAttribute = "Id"
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.ECDSASHA256SignatureMethod); err != nil {
		return err
	}
	signed, err := ctx.SignEnveloped(list)
	if err != nil {
		return err
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(signed)
	data, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	l, err := tsl.Read(data, tsl.Options{Signers: []*x509.Certificate{signer}, At: Issued.Add(time.Hour)})
	if err != nil {
		return err
	}
	if err := w.write(TrustedListFile, data); err != nil {
		return err
	}
	if err := w.write(TrustedListSigner, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: signer.Raw})); err != nil {
		return err
	}
	w.Services = append(w.Services, importer.TrustedListServices(l)...)
	return nil
}

// provider makes the listed provider's CA, OCSP responder and TSA, once:
// the trusted list names them and the DigiDoc containers use them.
func (w *World) provider() (*eeProvider, error) {
	if w.ee != nil {
		return w.ee, nil
	}
	p := &eeProvider{caKey: w.ECKey("tsl/ca"), ocspKey: w.ECKey("tsl/ocsp"), tsaKey: w.ECKey("tsl/tsa")}
	var err error
	if p.ca, err = w.demoCert(p.caKey, p.caKey, nil, 11, tslCAName, true, x509.KeyUsageCertSign|x509.KeyUsageCRLSign, nil); err != nil {
		return nil, err
	}
	if p.ocsp, err = w.demoCert(p.ocspKey, p.caKey, p.ca, 12, tslOCSPName, false, x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}); err != nil {
		return nil, err
	}
	// RFC 3161 2.3: the TSA's extended key usage is id-kp-timeStamping
	// alone and critical (Go writes the field non-critical).
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	if p.tsa, err = w.demoCert(p.tsaKey, p.caKey, p.ca, 13, tslTSAName, false, x509.KeyUsageDigitalSignature, nil,
		pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}); err != nil {
		return nil, err
	}
	w.ee = p
	return p, nil
}

// demoCert issues a demo certificate; parent nil makes it self-signed.
func (w *World) demoCert(key, issuerKey *ecdsa.PrivateKey, parent *x509.Certificate, serial int64, cn string, ca bool, ku x509.KeyUsage, eku []x509.ExtKeyUsage, exts ...pkix.Extension) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{tslProvider}, Country: []string{"EE"}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  ca,
		BasicConstraintsValid: true,
		KeyUsage:              ku,
		ExtKeyUsage:           eku,
		ExtraExtensions:       exts,
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(nil, tmpl, parent, key.Public(), Deterministic{Signer: issuerKey})
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// rawECDSA signs as XML Signature wants ECDSA values: r and s side by
// side (RFC 4050), deterministic (RFC 6979).
type rawECDSA struct{ key *ecdsa.PrivateKey }

func (r rawECDSA) Public() crypto.PublicKey { return r.key.Public() }

func (r rawECDSA) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	der, err := Deterministic{Signer: r.key}.Sign(nil, digest, opts)
	if err != nil {
		return nil, err
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return nil, err
	}
	n := (r.key.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	sig.R.FillBytes(out[:n])
	sig.S.FillBytes(out[n:])
	return out, nil
}

const (
	nsTSL = "http://uri.etsi.org/02231/v2#"
	nsECC = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
)

// demoListXML is the unsigned list.
func demoListXML(ca, ocsp, tsa *x509.Certificate) *etree.Element {
	root := etree.NewElement("TrustServiceStatusList")
	root.CreateAttr("xmlns", nsTSL)
	root.CreateAttr("xmlns:ecc", nsECC)
	root.CreateAttr("Id", "demo-EE")
	root.CreateAttr("TSLTag", "http://uri.etsi.org/19612/TSLTag")
	si := root.CreateElement("SchemeInformation")
	si.CreateElement("TSLVersionIdentifier").SetText("6")
	si.CreateElement("TSLSequenceNumber").SetText("1")
	si.CreateElement("TSLType").SetText("http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric")
	names(si.CreateElement("SchemeOperatorName"), "Apostille demo scheme operator")
	names(si.CreateElement("SchemeName"), "EE:Demo trusted list of the Apostille demo world")
	si.CreateElement("SchemeTerritory").SetText("EE")
	si.CreateElement("ListIssueDateTime").SetText(Issued.Format(time.RFC3339))
	si.CreateElement("NextUpdate").CreateElement("dateTime").SetText(Until.Format(time.RFC3339))
	tsp := root.CreateElement("TrustServiceProviderList").CreateElement("TrustServiceProvider")
	names(tsp.CreateElement("TSPInformation").CreateElement("TSPName"), tslProvider)
	svcs := tsp.CreateElement("TSPServices")
	granted := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ca1 := service(svcs, "CA/QC", tslCAName, ca, "granted", granted)
	ext := ca1.CreateElement("ServiceInformationExtensions")
	ext.CreateElement("Extension").CreateElement("AdditionalServiceInformation").CreateElement("URI").SetText("http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures")
	q := ext.CreateElement("Extension")
	q.CreateAttr("Critical", "true")
	qe := q.CreateElement("ecc:Qualifications").CreateElement("ecc:QualificationElement")
	for _, u := range []string{"QCStatement", "QCWithQSCD"} {
		qe.CreateElement("ecc:Qualifiers").CreateElement("ecc:Qualifier").CreateAttr("uri", "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"+u)
	}
	cl := qe.CreateElement("ecc:CriteriaList")
	cl.CreateAttr("assert", "all")
	bit := cl.CreateElement("ecc:KeyUsage").CreateElement("ecc:KeyUsageBit")
	bit.CreateAttr("name", "nonRepudiation")
	bit.SetText("true")
	service(svcs, "Certstatus/OCSP/QC", tslOCSPName, ocsp, "granted", granted)
	service(svcs, "TSA/QTST", tslTSAName, tsa, "granted", granted)
	// The CA was under supervision before it was granted: a history entry.
	hist := svcs.ChildElements()[0].CreateElement("ServiceHistory").CreateElement("ServiceHistoryInstance")
	hist.CreateElement("ServiceTypeIdentifier").SetText("http://uri.etsi.org/TrstSvc/Svctype/CA/QC")
	names(hist.CreateElement("ServiceName"), tslCAName)
	hist.CreateElement("ServiceDigitalIdentity").CreateElement("DigitalId").CreateElement("X509SubjectName").SetText(ca.Subject.String())
	hist.CreateElement("ServiceStatus").SetText("http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision")
	hist.CreateElement("StatusStartingTime").SetText(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339))
	return root
}

// service adds a TSPService and returns its ServiceInformation.
func service(svcs *etree.Element, typ, name string, cert *x509.Certificate, status string, start time.Time) *etree.Element {
	si := svcs.CreateElement("TSPService").CreateElement("ServiceInformation")
	si.CreateElement("ServiceTypeIdentifier").SetText("http://uri.etsi.org/TrstSvc/Svctype/" + typ)
	names(si.CreateElement("ServiceName"), name)
	si.CreateElement("ServiceDigitalIdentity").CreateElement("DigitalId").CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(cert.Raw))
	si.CreateElement("ServiceStatus").SetText("http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/" + status)
	si.CreateElement("StatusStartingTime").SetText(start.Format(time.RFC3339))
	return si
}

func names(el *etree.Element, name string) {
	n := el.CreateElement("Name")
	n.CreateAttr("xml:lang", "en")
	n.SetText(name)
}
