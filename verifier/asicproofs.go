package verifier

// The proofs around a container signature and the trust that judges them:
// the signer's CA service, the time stamp (or BDOC time mark) that proves
// when the signature existed, and the OCSP response that proves the
// signer's certificate was good then. Each trust service is judged by the
// status it had at the time that matters (the certificate's issuance for
// the CA, as libdigidocpp does; the time stamp's genTime for the TSA; the
// response's producedAt for the OCSP responder), from the bundle's
// services (EU trusted lists, ETSI TS 119 612).

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"time"

	"github.com/apostille/apostille/verifier/trustservices"
)

// Service types a container's proofs need, short (trustservices).
const (
	svcCAQC    = "CA/QC"
	svcOCSPQC  = "Certstatus/OCSP/QC"
	svcTSAQTST = "TSA/QTST"
)

// How late an OCSP response may be after the time stamp: later than
// ocspLateWarn is worth a warning, later than ocspLateMax it no longer
// proves the certificate's status at the signing time (SiVa, digidoc4j).
const (
	ocspLateWarn = 15 * time.Minute
	ocspLateMax  = 24 * time.Hour
)

func (k *containerCheck) services() []*trustservices.Service {
	if t := k.v.opts.Trust; t != nil {
		return t.Services
	}
	return nil
}

// checkProofs decides the signature on its proofs: the CA, the time of
// signing, the certificate's status then, and its qualification.
func (k *containerCheck) checkProofs() error {
	s := k.s
	cert := s.Certificate
	issuer, ca, err := k.caService(cert)
	if err != nil {
		return err
	}
	atIssuance, _ := ca.StatusAt(cert.NotBefore)
	var signingTime time.Time
	level := k.cs.Level
	switch {
	case len(s.TimeStamps) > 0:
		if signingTime, err = k.checkTimeStamp(s.TimeStamps[0]); err != nil {
			return err
		}
	case level == levelBDOCTM:
		// The time mark's producedAt is the signing time (checkOCSP).
	default:
		return readFail(NoPOE, "a B-level signature: nothing proves it existed while its certificate was valid")
	}
	if len(s.OCSPs) == 0 {
		return readFail(StatusUnknown, "no OCSP response: the signer's certificate status at the signing time is unknown")
	}
	produced, err := k.checkOCSP(cert, issuer, level == levelBDOCTM, signingTime)
	if err != nil {
		return err
	}
	if level == levelBDOCTM {
		signingTime = produced
	} else {
		switch late := produced.Sub(signingTime); {
		case late < 0:
			return readFail(RevocationNotFresh, "the OCSP response was produced before the time stamp")
		case late > ocspLateMax:
			return readFail(RevocationNotFresh, "the OCSP response was produced more than a day after the time stamp")
		case late >= ocspLateWarn:
			k.warn(OCSPLate, "the OCSP response was produced 15 minutes or more after the time stamp")
		}
	}
	if len(s.ArchiveTimeStamps) > 0 {
		if err := k.checkArchiveTimeStamps(k.refs, signingTime); err != nil {
			return err
		}
	}
	k.cs.SigningTime = timeString(signingTime)
	switch {
	case signingTime.Before(cert.NotBefore):
		return readFail(NotYetValid, "the signing certificate was not valid yet at the signing time")
	case signingTime.After(cert.NotAfter):
		return readFail(CertificateExpired, "the signing certificate had expired at the signing time")
	case signingTime.After(k.v.opts.Time.Add(k.v.opts.skew())):
		return readFail(NotYetValid, "the signing time is after the verification time")
	}
	// Qualified when issued and when signed (ETSI TS 119 615 4.3): the
	// list may have changed what it says of the CA since the issuance.
	atSigning, ok := ca.StatusAt(signingTime)
	if !ok || !atSigning.Granted() || atSigning.Type != svcCAQC {
		return readFail(NotQualified, "the signer's CA was not a granted qualified CA service at the signing time")
	}
	if err := k.qualification(cert, atIssuance); err != nil {
		return err
	}
	if err := k.qualification(cert, atSigning); err != nil {
		return err
	}
	if s.weakKey {
		return readFail(AlgNotAllowed, "the signing key is RSA of %d bits; %d are required", cert.PublicKey.(*rsa.PublicKey).N.BitLen(), minRSABits)
	}
	return nil
}

// caService finds the CA service of the trust that issued cert (directly,
// or through one intermediate CA certificate the signature carries, for
// lists that name a root) and was a granted CA/QC service when cert was
// issued. It returns the certificate that issued cert (for the OCSP
// response's CertID) and the service.
func (k *containerCheck) caService(cert *x509.Certificate) (*x509.Certificate, *trustservices.Service, error) {
	issuer, svc, state := k.serviceOf(cert, cert.NotBefore)
	if state == caNone {
		for _, ic := range append(append([]*x509.Certificate(nil), k.s.CertValues...), k.s.keyInfo...) {
			if !ic.IsCA || cert.NotBefore.Before(ic.NotBefore) || cert.NotBefore.After(ic.NotAfter) || !k.v.certMemo().signedBy(k.v.opts, cert, ic) {
				continue
			}
			if _, isvc, istate := k.serviceOf(ic, cert.NotBefore); istate == caGranted {
				issuer, svc, state = ic, isvc, istate
				break
			}
		}
	}
	switch state {
	case caGranted:
		if cert.SignatureAlgorithm == x509.SHA1WithRSA {
			k.warn(SHA1Used, "the signing certificate is signed with SHA-1")
		}
		return issuer, svc, nil
	case caNotQC:
		return nil, nil, readFail(NotQualified, "the signer's CA was not a qualified CA service when the certificate was issued")
	case caNotGranted:
		return nil, nil, readFail(ChainUntrusted, "the signer's CA service was not granted when the certificate was issued")
	}
	return nil, nil, readFail(ChainUntrusted, "the signer's certificate was not issued by a CA service of the trust")
}

// What the trust says of the CA that issued a certificate.
const (
	caNone       = iota // no service issued it
	caNotGranted        // a service did, not granted (or not a CA) then
	caNotQC             // a granted CA service, not qualified
	caGranted           // a granted CA/QC service
)

// serviceOf finds the service whose certificate issued c, judged at t.
//
//go:noinline
func (k *containerCheck) serviceOf(c *x509.Certificate, t time.Time) (*x509.Certificate, *trustservices.Service, int) {
	state := caNone
	for _, svc := range k.services() {
		var issuer *x509.Certificate
		for _, sc := range svc.Certificates {
			if k.v.certMemo().signedBy(k.v.opts, c, sc) {
				issuer = sc
				break
			}
		}
		if issuer == nil {
			continue
		}
		st, ok := svc.StatusAt(t)
		switch {
		case !ok || !st.Granted() || !strings.HasPrefix(st.Type, "CA/"):
			state = max(state, caNotGranted)
		case st.Type != svcCAQC:
			state = max(state, caNotQC)
		default:
			return issuer, svc, caGranted
		}
	}
	return nil, nil, state
}

// certAlgs are the certificate signature algorithms a container's chain
// may use, by the verifier's names: SHA-1 among them, which crypto/x509
// refuses and which Estonian certificates of 2011-2016 are signed with
// (reported with a warning).
var certAlgs = map[x509.SignatureAlgorithm]Alg{
	x509.SHA1WithRSA: RS1, x509.SHA256WithRSA: RS256, x509.SHA384WithRSA: RS384, x509.SHA512WithRSA: RS512,
	x509.SHA256WithRSAPSS: PS256, x509.SHA384WithRSAPSS: PS384, x509.SHA512WithRSAPSS: PS512,
	x509.ECDSAWithSHA256: ES256, x509.ECDSAWithSHA384: ES384, x509.ECDSAWithSHA512: ES512,
}

// certSignedBy reports whether parent issued child: names chained and the
// signature verified through the verifier's crypto path.
func certSignedBy(o *Options, child, parent *x509.Certificate) bool {
	alg, ok := certAlgs[child.SignatureAlgorithm]
	return ok && string(child.RawIssuer) == string(parent.RawSubject) &&
		o.checkCertSig(alg, parent, child.RawTBSCertificate, child.Signature)
}

// checkTimeStamp checks the signature time stamp: over the canonical
// SignatureValue element, signed by a granted qualified TSA of the trust.
// It returns the genTime.
func (k *containerCheck) checkTimeStamp(ts xadesTimeStamp) (time.Time, error) {
	tok, err := parseTimeStampToken(ts.Token, k.v.certMemo())
	if err != nil {
		return time.Time{}, err
	}
	m, err := c14nMethodOf(ts.C14N, "")
	if err != nil {
		return time.Time{}, err
	}
	b, err := canonicalize(k.s.signatureValue, m, nil)
	if err != nil {
		return time.Time{}, err
	}
	if err := tok.checkImprint(b, k.v.opts.Hash); err != nil {
		return time.Time{}, err
	}
	tsa, err := k.checkTSA(tok)
	if err != nil {
		return time.Time{}, err
	}
	k.cs.TimeStamp = clipLong(tsa.Subject.CommonName)
	return tok.GenTime, nil
}

// checkTSA verifies a token's signature and that its signer is a TSA/QTST
// service granted at its genTime: the unit's own certificate listed, or
// one a listed TSA certificate issued (lists name a TSA's CA too).
func (k *containerCheck) checkTSA(tok *timeStampToken) (*x509.Certificate, error) {
	tsa, err := tok.verify(k.v.opts, k.candidates("TSA"))
	if err != nil {
		if errReason(err) == IssuerUnknown {
			return nil, readFail(TimestampUntrusted, "the time stamp's signer is not known")
		}
		return nil, err
	}
	if tok.ImprintHash == crypto.SHA1 || tok.SignatureAlg == RS1 {
		k.warn(SHA1Used, "a time stamp relies on SHA-1")
	}
	if !k.listed(tsa, tok.GenTime, svcTSAQTST, true) {
		return nil, readFail(TimestampUntrusted, "the time stamp is not from a qualified time-stamping service granted when it stamped")
	}
	return tsa, nil
}

// candidates are the certificates that may have signed a proof: those the
// signature carries and those of the trust's services of a type.
//
//go:noinline
func (k *containerCheck) candidates(typ string) []*x509.Certificate {
	svcs := trustservices.ServicesOfType(k.services(), typ)
	n := len(k.s.CertValues) + len(k.s.keyInfo)
	for _, svc := range svcs {
		n += len(svc.Certificates)
	}
	out := make([]*x509.Certificate, 0, n) // one list, made to size
	out = append(append(out, k.s.CertValues...), k.s.keyInfo...)
	for _, svc := range svcs {
		out = append(out, svc.Certificates...)
	}
	return out
}

// listed reports whether c is a certificate of a service whose status at
// t was granted with type typ; issued also accepts a certificate such a
// service's certificate issued.
//
//go:noinline
func (k *containerCheck) listed(c *x509.Certificate, t time.Time, typ string, issued bool) bool {
	for _, svc := range k.services() {
		st, ok := svc.StatusAt(t)
		if !ok || !st.Granted() || st.Type != typ {
			continue
		}
		for _, sc := range svc.Certificates {
			if sc.Equal(c) || issued && k.v.certMemo().signedBy(k.v.opts, c, sc) {
				return true
			}
		}
	}
	return false
}

// checkOCSP finds the OCSP response about cert, checks who signed it and
// what it says, and returns its producedAt. For a time mark the nonce must
// be the digest of the signature value.
//
// A certificate revoked after the time stamp leaves the signature valid
// (EN 319 102-1 5.6.2.4: the signature existed before the revocation),
// with a warning; revoked before it, or in a time mark, it is Revoked.
func (k *containerCheck) checkOCSP(cert, issuer *x509.Certificate, tm bool, stamped time.Time) (time.Time, error) {
	var lastErr error = errNoOCSPAbout
	for _, der := range k.s.OCSPs {
		r, err := parseOCSPResponse(der, k.v.certMemo())
		if err != nil {
			lastErr = err
			continue
		}
		single, err := r.find(cert, issuer)
		if err != nil {
			lastErr = err
			continue
		}
		if err := k.checkResponder(r, issuer); err != nil {
			return time.Time{}, err
		}
		k.cs.OCSPProducedAt = timeString(r.ProducedAt)
		if tm {
			h, err := r.checkTMNonce(k.s.Value)
			if err != nil {
				return time.Time{}, err
			}
			if h == crypto.SHA1 {
				k.warn(SHA1Used, "the time mark's nonce is a SHA-1 digest")
			}
		}
		switch {
		case single.Status == ocspRevoked && !tm && single.RevokedAt.After(stamped):
			k.warn(Revoked, "the signer's certificate was revoked after the signature was time-stamped")
		case single.Status == ocspRevoked:
			return time.Time{}, readFail(Revoked, "the OCSP response says the signer's certificate is revoked")
		case single.Status == ocspUnknown:
			return time.Time{}, readFail(StatusUnknown, "the OCSP responder does not know the signer's certificate")
		}
		return r.ProducedAt, nil
	}
	return time.Time{}, lastErr
}

// checkResponder verifies the response's signature and that its signer
// may answer: an OCSP/QC service of the trust granted when the response
// was produced, or the signer's CA itself or its delegate (RFC 6960
// 4.2.2.2).
func (k *containerCheck) checkResponder(r *ocspResponse, issuer *x509.Certificate) error {
	responder, err := r.verifySignature(k.v.opts, append(k.candidates("Certstatus/OCSP"), issuer))
	if err != nil {
		if errReason(err) == IssuerUnknown {
			return readFail(OCSPUntrusted, "the OCSP responder is not known")
		}
		return err
	}
	k.cs.OCSPResponder = clipLong(responder.Subject.CommonName)
	if r.SignatureAlg == RS1 {
		k.warn(SHA1Used, "the OCSP response is signed with SHA-1")
	}
	if k.listed(responder, r.ProducedAt, svcOCSPQC, false) || r.authority(responder, issuer) != ocspNotAuthorized {
		return nil
	}
	return readFail(OCSPUntrusted, "the OCSP response is signed by neither a granted OCSP service of the trust nor the signer's CA")
}

// Failures made once, not on every call: the readers name them at their
// start, and in the WebAssembly module each error made is two allocations.
var (
	errNoOCSPAbout = &readError{StatusUnknown, "no OCSP response is about the signer's certificate"}
)
