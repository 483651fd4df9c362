package verifier

// Verifying a DigiDoc container (ASiC-E, BDOC 2.1, ASiC-S): the container
// rules (asic.go), then each XAdES signature on its own, in the spirit of
// ETSI EN 319 102-1 and SiVa's POLv4 as digidoc4j and libdigidocpp apply
// them. Checking an old container with today's trust is the normal case:
// the trust bundle's services (EU trusted lists) are judged by the status
// they had at the time that matters, never by their status now.

import (
	"crypto/x509"
	"encoding/hex"
	"strings"
)

// Container document formats, as Document.Format reports them.
const (
	formatASiCE = "asice"
	formatBDOC  = "bdoc"
	formatASiCS = "asics"
)

// verifyContainer verifies a container and reports each signature.
func (v *verification) verifyContainer(data []byte) {
	sc := v.scratch()
	defer v.putScratch(sc)
	c, err := readASiC(data, asicLimits{}, v.opts.Hash, sc)
	if err != nil {
		v.rep.fail(CheckDecode, errReason(err), err.Error())
		return
	}
	doc := v.rep.doc()
	doc.Format, doc.Type = formatASiCE, "ASiC-E"
	if c.MediaType == asicSMediaType {
		doc.Format, doc.Type = formatASiCS, "ASiC-S"
	}
	sigs := make([]*xadesSignature, len(c.Signatures))
	perr := make([]error, len(c.Signatures))
	for i, f := range c.Signatures {
		sigs[i], perr[i] = parseXAdES(f.XML, v.certMemo(), &sc.xml)
		if perr[i] == nil && sigs[i].PolicyOID == bdocPolicyOID && doc.Format == formatASiCE {
			doc.Format, doc.Type = formatBDOC, "BDOC 2.1"
		}
	}
	v.rep.pass(CheckDecode, doc.Type)
	rc := &Container{MediaType: c.MediaType, DataFiles: []DataFile{}, Signatures: []ContainerSignature{}}
	v.rep.r.Container = rc
	for _, f := range c.DataFiles {
		rc.DataFiles = append(rc.DataFiles, DataFile{Name: f.Display, MediaType: f.MediaType, Size: f.Size, SHA256: hex.EncodeToString(f.SHA256[:])})
	}
	for _, w := range c.Deviations {
		v.rep.warn(ContainerDeviation, string(w))
	}
	if len(c.Signatures) == 0 {
		v.rep.fail(CheckSignature, NoSignatures, "the container holds no signature")
		return
	}
	for i, f := range c.Signatures {
		cv := &containerCheck{v: v, c: c, file: f, bdoc: doc.Format == formatBDOC}
		cs := cv.run(sigs[i], perr[i])
		rc.Signatures = append(rc.Signatures, cs)
		detail := f.Display
		if cs.Signer != nil {
			detail += ": " + clip(cs.Signer.Name)
		}
		if cs.Verdict == Valid {
			v.rep.pass(CheckSignature, detail)
		} else {
			v.rep.fail(CheckSignature, cs.Reason, detail+": "+cv.detail)
		}
		for _, w := range cs.Warnings {
			v.rep.warn(w.Reason, f.Display+": "+w.Detail)
		}
		if i == 0 && cs.Signer != nil {
			doc.SignedAt = cs.SigningTime
			doc.Subject = &Subject{Name: cs.Signer.Name}
		}
	}
}

// containerCheck is the validation of one signature of a container.
type containerCheck struct {
	v    *verification
	c    *asicContainer
	file *asicFile
	bdoc bool
	cs   ContainerSignature
	s    *xadesSignature
	refs []dsigRef
	// detail says why the signature failed, for the report's check.
	detail string
}

// run validates one signature; the first failure decides its verdict.
func (k *containerCheck) run(s *xadesSignature, perr error) ContainerSignature {
	k.cs = ContainerSignature{File: k.file.Display, Level: levelB, Files: []string{}, Warnings: []Warning{}}
	if perr != nil {
		return k.fail(perr)
	}
	k.s = s
	k.cs.ID, k.cs.Level = s.ID, s.Level(k.bdoc)
	if err := s.pickSigner(k.v.opts.Hash); err != nil {
		return k.fail(err)
	}
	k.cs.Signer = signerOf(s.Certificate, k.v.certMemo())
	k.cs.ClaimedTime = timeString(s.ClaimedTime)
	if err := k.check(); err != nil {
		return k.fail(err)
	}
	k.cs.Verdict, k.cs.Indication = Valid, "TOTAL-PASSED"
	return k.cs
}

func (k *containerCheck) fail(err error) ContainerSignature {
	r := errReason(err)
	k.cs.Verdict, k.cs.Reason = r.Verdict(), r
	if k.cs.Verdict == Valid {
		k.cs.Verdict = Indeterminate
	}
	k.cs.Indication, k.cs.SubIndication = etsiIndication(k.cs.Verdict, r)
	k.detail = err.Error()
	return k.cs
}

func (k *containerCheck) warn(r Reason, detail string) {
	for _, w := range k.cs.Warnings {
		if w.Reason == r && w.Detail == detail {
			return
		}
	}
	k.cs.Warnings = append(k.cs.Warnings, Warning{Reason: r, Detail: detail})
}

// check runs the steps in the order EN 319 102-1's basic validation does:
// format and references, the signature's cryptography, the signing
// certificate, then the proofs of existence and revocation (with the
// trust at the times they prove), then the qualification.
func (k *containerCheck) check() error {
	s := k.s
	refs, err := s.checkRefs(k.lookup, k.v.opts.Hash)
	if err != nil {
		return err
	}
	covered := map[*asicFile]bool{}
	for i := range refs {
		if f := refs[i].File; f != nil {
			if covered[f] {
				return readFail(Malformed, "a data file is referenced twice")
			}
			covered[f] = true
			k.cs.Files = append(k.cs.Files, f.Display)
		}
	}
	for _, r := range refs {
		if r.WeakDigest {
			k.warn(SHA1Used, "a reference's digest is SHA-1")
		}
	}
	if err := s.checkValue(k.v.opts); err != nil {
		return err
	}
	if s.dsig.WeakAlg() {
		k.warn(SHA1Used, "the signature method hashes with SHA-1")
	}
	if err := checkSigningCert(s, k.v.opts.Hash); err != nil {
		return err
	}
	for _, f := range k.c.DataFiles {
		if !covered[f] {
			return readFail(FileNotSigned, "a data file of the container is not signed by this signature")
		}
	}
	cert := s.Certificate
	if cert.KeyUsage&x509.KeyUsageContentCommitment == 0 { // nonRepudiation
		return readFail(KeyUsage, "the signing certificate is not for non-repudiation")
	}
	k.refs = refs
	return k.checkProofs()
}

// lookup finds a data file by the name a reference decodes to.
func (k *containerCheck) lookup(name string) *asicFile {
	for _, f := range k.c.DataFiles {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// checkSigningCert holds the signing certificate to the issuer and serial
// SigningCertificate(V2) gives with its digest: a certificate whose digest
// matches but whose issuer-serial names another is refused.
func checkSigningCert(s *xadesSignature, hf HashFunc) error {
	c := s.Certificate
	for _, ref := range s.SigningCert {
		h, err := xmlDigestOf(ref.DigestAlg)
		if err != nil || !digestIs(hf, h, c.Raw, ref.Digest) {
			continue
		}
		if ref.Serial != nil && ref.Serial.Cmp(c.SerialNumber) != 0 {
			return readFail(KeySubstitution, "SigningCertificate names another serial number than the signing certificate")
		}
		if ref.IssuerDER != nil && string(ref.IssuerDER) != string(c.RawIssuer) {
			return readFail(KeySubstitution, "SigningCertificateV2 names another issuer than the signing certificate")
		}
	}
	return nil
}

// signerOf describes the signer from the certificate.
func signerOf(c *x509.Certificate, memo *certMemo) *Signer {
	name := c.Subject.CommonName
	if name == "" {
		name = strings.TrimSpace(subjectAttr(c, "2.5.4.42") + " " + subjectAttr(c, "2.5.4.4"))
	}
	return &Signer{
		Name:         clipLong(name),
		PersonalCode: clipLong(c.Subject.SerialNumber),
		Country:      clipLong(firstOf(c.Subject.Country)),
		// The names as strings, remembered with the certificate: made
		// afresh they were a sixth of a container's allocations.
		Certificate: memo.knownInfo(c),
	}
}

// etsiIndication maps a verdict and its reason to EN 319 102-1's
// indication and sub-indication (section 5.1.3).
func etsiIndication(v Verdict, r Reason) (string, string) {
	if v == Valid {
		return "TOTAL-PASSED", ""
	}
	if v == Invalid {
		switch r {
		case DigestMismatch, SignedFileMissing, TimeProofMismatch:
			return "TOTAL-FAILED", "HASH_FAILURE"
		case SignatureInvalid:
			return "TOTAL-FAILED", "SIG_CRYPTO_FAILURE"
		case Revoked:
			return "TOTAL-FAILED", "REVOKED"
		case CertificateExpired, Expired:
			return "TOTAL-FAILED", "EXPIRED"
		case NotYetValid:
			return "TOTAL-FAILED", "NOT_YET_VALID"
		case KeyUsage, KeySubstitution:
			return "TOTAL-FAILED", "SIG_CONSTRAINTS_FAILURE"
		case AlgNotAllowed:
			return "TOTAL-FAILED", "CRYPTO_CONSTRAINTS_FAILURE"
		}
		return "TOTAL-FAILED", "FORMAT_FAILURE"
	}
	switch r {
	case ChainUntrusted, IssuerUnknown:
		return "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"
	case NotQualified:
		return "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"
	case StatusUnknown, OCSPUntrusted:
		return "INDETERMINATE", "TRY_LATER"
	case RevocationNotFresh:
		return "INDETERMINATE", "REVOCATION_OUT_OF_BOUNDS_NO_POE"
	case NoPOE, TimestampUntrusted:
		return "INDETERMINATE", "NO_POE"
	case UnsupportedAlg:
		return "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	case LimitExceeded:
		return "INDETERMINATE", "FORMAT_FAILURE"
	}
	return "INDETERMINATE", ""
}

// subjectAttr is the first value of a subject attribute (given name,
// surname), which pkix.Name has no field for.
func subjectAttr(c *x509.Certificate, oid string) string {
	for _, a := range c.Subject.Names {
		if a.Type.String() == oid {
			if s, ok := a.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}
