package demo

// DigiDoc containers (ASiC-E, ETSI EN 319 162-1; BDOC 2.1) signed by the
// demo Estonian provider's citizens: one per XAdES level, and the ways a
// container goes wrong that a verifier must catch.

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash/crc32"
	"math/big"
	"time"
)

const asicEMediaType = "application/vnd.etsi.asic-e+zip"

// signedAt is when the demo's citizens sign: after the documents were
// issued, while every certificate is valid.
var signedAt = time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)

// The demo's citizens, as an Estonian ID card names them: CN
// "SURNAME,GIVEN,CODE", the personal code in serialNumber as PNOEE-….
var citizens = []struct{ label, surname, given, code string }{
	{"mari", "MÄNNIK", "MARI-LIIS", "47101010033"},
	{"jaak", "JÕEORG", "JAAK-KRISTJAN", "38001085718"},
	{"toomas", "TAMM", "TOOMAS", "37605030299"},
}

// containers writes the DigiDoc samples.
func (w *World) containers() error {
	p, err := w.provider()
	if err != nil {
		return err
	}
	people := map[string]idCard{}
	for i, c := range citizens {
		pc, err := w.citizen(p, int64(200+i), c.label, c.surname, c.given, c.code)
		if err != nil {
			return err
		}
		people[c.label] = pc
	}
	revoked := people["toomas"]
	revoked.revokedAt = signedAt.AddDate(0, 0, -10)

	contract := []dataFile{
		{"leping.txt", "text/plain", []byte("Üürileping\n\nÜürileandja Mari-Liis Männik ja üürnik Jaak-Kristjan Jõeorg lepivad kokku korteri üürimises alates 1. märtsist 2026.\nÜür: 650 eurot kuus.\n")},
		{"lisa-1.csv", "text/csv", []byte("ruum,pindala_m2\nelutuba,21.5\nmagamistuba,12.0\nköök,8.3\n")},
	}
	decision := []dataFile{{"otsus.txt", "text/plain", []byte("Otsus nr 17\n\nVallavalitsus kinnitab detailplaneeringu.\n")}}
	sign := func(level string, files []dataFile, who idCard, id string, mod func(*xadesSpec)) ([]byte, error) {
		s := xadesSpec{id: id, level: level, files: files, signer: who, at: signedAt}
		if mod != nil {
			mod(&s)
		}
		return p.xadesSignature(s)
	}
	type sample struct {
		s        Sample
		files    []dataFile
		sigs     func() ([][]byte, error)
		zipFiles []dataFile // what the ZIP holds, if not files
	}
	one := func(level string, files []dataFile, who idCard, mod func(*xadesSpec)) func() ([][]byte, error) {
		return func() ([][]byte, error) {
			b, err := sign(level, files, who, "S0", mod)
			return [][]byte{b}, err
		}
	}
	changed := append([]dataFile(nil), decision...)
	changed[0].data = bytes.Replace(changed[0].data, []byte("kinnitab"), []byte("tühistab"), 1)
	added := append(append([]dataFile(nil), decision...), dataFile{"lisa.txt", "text/plain", []byte("Lisatud hiljem.\n")})
	samples := []sample{
		{s: Sample{File: "digidoc-contract-b-lt.asice", Title: "Lease contract signed by two citizens (ASiC-E, XAdES B-LT)", Verdict: "valid"},
			files: contract, sigs: func() ([][]byte, error) {
				a, err := sign("B-LT", contract, people["mari"], "S0", nil)
				if err != nil {
					return nil, err
				}
				b, err := sign("B-LT", contract, people["jaak"], "S1", func(s *xadesSpec) { s.at = s.at.Add(20 * time.Minute) })
				return [][]byte{a, b}, err
			}},
		{s: Sample{File: "digidoc-decision-b-lta.asice", Title: "Municipal decision with an archive time stamp (ASiC-E, XAdES B-LTA)", Verdict: "valid"},
			files: decision, sigs: one("B-LTA", decision, people["mari"], nil)},
		{s: Sample{File: "digidoc-notary-tm.bdoc", Title: "Notarial deed with a time mark (BDOC 2.1, BDOC-TM)", Verdict: "valid"},
			files: decision, sigs: one("BDOC-TM", decision, people["jaak"], nil)},
		{s: Sample{File: "digidoc-b-t.asice", Title: "Signed and time-stamped, without revocation data (XAdES B-T)", Verdict: "indeterminate", Reason: "status_unknown",
			Description: "a time stamp proves when, but no OCSP response says the certificate was good then"},
			files: decision, sigs: one("B-T", decision, people["mari"], nil)},
		{s: Sample{File: "digidoc-b-b.asice", Title: "Signed without a time stamp (XAdES B-B)", Verdict: "indeterminate", Reason: "no_poe",
			Description: "nothing proves the signature existed while the certificate was valid"},
			files: decision, sigs: one("B-B", decision, people["mari"], nil)},
		{s: Sample{File: "digidoc-bad-file-changed.asice", Title: "A data file changed after signing", Verdict: "invalid", Reason: "digest_mismatch"},
			files: decision, zipFiles: changed, sigs: one("B-LT", decision, people["mari"], nil)},
		{s: Sample{File: "digidoc-bad-file-added.asice", Title: "A data file added after signing", Verdict: "invalid", Reason: "file_not_signed"},
			files: decision, zipFiles: added, sigs: one("B-LT", decision, people["mari"], nil)},
		{s: Sample{File: "digidoc-bad-tm-nonce.bdoc", Title: "A time mark for another signature (OCSP nonce wrong)", Verdict: "invalid", Reason: "time_proof_mismatch"},
			files: decision, sigs: one("BDOC-TM", decision, people["jaak"], func(s *xadesSpec) { s.nonceOver = []byte("another signature value") })},
		{s: Sample{File: "digidoc-bad-revoked.asice", Title: "The signer's certificate was revoked before signing", Verdict: "invalid", Reason: "revoked"},
			files: decision, sigs: one("B-LT", decision, revoked, nil)},
		{s: Sample{File: "digidoc-bad-timestamp.asice", Title: "A time stamp over other bytes", Verdict: "invalid", Reason: "time_proof_mismatch"},
			files: decision, sigs: one("B-LT", decision, people["mari"], func(s *xadesSpec) { s.timestampOver = []byte("other bytes") })},
		{s: Sample{File: "digidoc-bad-wrapped.asice", Title: "A wrapped signature (the signed properties moved, others in their place)", Verdict: "invalid", Reason: "signature_wrapping"},
			files: decision, sigs: one("B-LT", decision, people["mari"], func(s *xadesSpec) { s.wrap = true })},
	}
	for _, sm := range samples {
		sigs, err := sm.sigs()
		if err != nil {
			return err
		}
		zf := sm.zipFiles
		if zf == nil {
			zf = sm.files
		}
		data, err := asicZip(zf, sigs)
		if err != nil {
			return err
		}
		sm.s.Format = "asice"
		if bytes.HasSuffix([]byte(sm.s.File), []byte(".bdoc")) {
			sm.s.Format = "bdoc"
		}
		if err := w.addDocument(sm.s, data); err != nil {
			return err
		}
	}
	return nil
}

// citizen issues an ID card's qualified signing certificate: non-repudiation
// only, QC statements (compliance, QSCD, esign), the personal code.
func (w *World) citizen(p *eeProvider, serial int64, label, surname, given, code string) (idCard, error) {
	key := w.ECKey("digidoc/" + label)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject: pkix.Name{
			Country:      []string{"EE"},
			CommonName:   surname + "," + given + "," + code,
			SerialNumber: "PNOEE-" + code,
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: surname},
				{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: given},
			},
		},
		NotBefore:             time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageContentCommitment,
		PolicyIdentifiers:     []asn1.ObjectIdentifier{oidNaturalPersonPol},
		ExtraExtensions:       []pkix.Extension{{Id: oidQCStatements, Value: qcStatements()}},
	}
	der, err := x509.CreateCertificate(nil, tmpl, p.ca, key.Public(), Deterministic{Signer: p.caKey})
	if err != nil {
		return idCard{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return idCard{}, err
	}
	return idCard{key: key, cert: cert}, nil
}

// asicZip writes an ASiC-E container: mimetype first, stored, without an
// extra field (so its bytes sit at offset 38, as the format wants); the
// data files; the manifest; one signatures<n>.xml per signature.
func asicZip(files []dataFile, sigs [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	mt := []byte(asicEMediaType)
	// No modification time: with one, archive/zip writes an extended-
	// timestamp extra field, which mimetype must not have; and the bytes
	// stay the same every build.
	h := &zip.FileHeader{Name: "mimetype", Method: zip.Store, CRC32: crc32.ChecksumIEEE(mt),
		CompressedSize64: uint64(len(mt)), UncompressedSize64: uint64(len(mt))}
	wr, err := zw.CreateRaw(h)
	if err != nil {
		return nil, err
	}
	if _, err := wr.Write(mt); err != nil {
		return nil, err
	}
	put := func(name string, data []byte) error {
		wr, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		_, err = wr.Write(data)
		return err
	}
	for _, f := range files {
		if err := put(f.name, f.data); err != nil {
			return nil, err
		}
	}
	if err := put("META-INF/manifest.xml", manifestXML(files)); err != nil {
		return nil, err
	}
	for i, s := range sigs {
		if err := put("META-INF/signatures"+string(rune('0'+i))+".xml", s); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// manifestXML is META-INF/manifest.xml (OpenDocument 1.2).
func manifestXML(files []dataFile) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no" ?>` + "\n")
	b.WriteString(`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` + "\n")
	entry := func(path, mt string) {
		b.WriteString(` <manifest:file-entry manifest:full-path="` + escapeAttr(path) + `" manifest:media-type="` + escapeAttr(mt) + `"/>` + "\n")
	}
	entry("/", asicEMediaType)
	for _, f := range files {
		entry(f.name, f.mediaType)
	}
	b.WriteString("</manifest:manifest>\n")
	return b.Bytes()
}
