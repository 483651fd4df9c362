package verifier

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"
)

// signed is what a format hands to the common checks once it has parsed a
// signature: which algorithm and key the document names, what was signed,
// and when the document says it was signed.
type signed struct {
	alg string // algorithm as named by the document (JOSE name)
	// algUnprotected says the document names alg only in an unprotected
	// header: then only a trusted key that allows that one algorithm
	// alone may verify it, so that the trust, not unsigned data, decides.
	algUnprotected bool
	kid            string   // key identifier as named by the document, if any
	chain          [][]byte // x5c / x5chain certificates, DER, signer first
	msg            []byte   // the exact signing input
	sig            []byte
	signedAt       time.Time // iat or the format's equivalent; zero if none
	// allowUnnamed lets documents that name neither a kid nor a certificate
	// be tried against every trusted key of their algorithm (some COSE and
	// CWT documents carry no kid).
	allowUnnamed bool
	// usage, when set, is the format's own check of the signer
	// certificate, after the common one (the EU DCC restricts signers by
	// extended key usage to certificate types).
	usage func(c *x509.Certificate) (Reason, string)
}

// signerUsage checks that c may sign this document: the common key usage
// rules, then the format's own.
func (s *signed) signerUsage(c *x509.Certificate) (Reason, string) {
	if reason, detail := signerUsage(c); reason != "" {
		return reason, detail
	}
	if s.usage != nil {
		return s.usage(c)
	}
	return "", ""
}

// keyAllows reports whether k may verify this document under alg: the key
// allows alg, and if the document names alg only unprotected, allows it
// alone.
func (s *signed) keyAllows(k *Key, alg Alg) bool {
	return k.allows(alg) && (!s.algUnprotected || len(k.Algs) == 1)
}

// maxUnnamedKeys bounds how many keys a document without kid, or with a kid
// that many trusted keys share, may be tried against, so that one input
// cannot cost a signature check per trusted key.
const maxUnnamedKeys = 16

// at is the time at which keys and certificates must have been valid: the
// signing time the document states, else the verification time.
func (s *signed) at(v *verification) time.Time {
	if !s.signedAt.IsZero() {
		return s.signedAt
	}
	return v.opts.Time
}

// verifySigned runs the algorithm, issuer_trust, certificate_chain and
// signature checks. It returns the key that verified, or nil.
func (v *verification) verifySigned(s *signed) *Key {
	if forbiddenAlg(s.alg) {
		v.rep.fail(CheckAlgorithm, AlgNotAllowed, fmt.Sprintf("algorithm %q is never accepted", clip(s.alg)))
		return nil
	}
	alg := Alg(s.alg)
	if _, ok := algs[alg]; !ok {
		v.rep.fail(CheckAlgorithm, UnsupportedAlg, fmt.Sprintf("algorithm %q is not supported", clip(s.alg)))
		return nil
	}

	var candidates []*Key
	switch {
	case len(s.chain) > 0:
		k := v.chainKey(s)
		if k == nil {
			return nil
		}
		candidates = []*Key{k}
	case s.kid != "":
		candidates = v.opts.Trust.KeysByID(s.kid)
		if len(candidates) == 0 {
			v.rep.fail(CheckIssuerTrust, IssuerUnknown, fmt.Sprintf("no trusted key has kid %q", clip(s.kid)))
			return nil
		}
		// A kid that many trusted keys share (kids are the issuers' own
		// names, "1" is common) costs at most as many checks as a
		// document without one: the work never grows with the trust.
		candidates = candidates[:min(len(candidates), maxUnnamedKeys)]
	case s.allowUnnamed && v.opts.Trust != nil:
		return v.verifyUnnamed(s, alg)
	default:
		v.rep.fail(CheckIssuerTrust, IssuerUnknown, "the document names no trusted key (no kid, no certificate)")
		return nil
	}

	// Try each candidate; remember the most telling failure.
	at := s.at(v)
	var algMismatch, outOfWindow, badSig *Key
	for _, k := range candidates {
		switch {
		case !s.keyAllows(k, alg):
			algMismatch = k
		case !k.NotBefore.IsZero() && at.Before(k.NotBefore), !k.NotAfter.IsZero() && at.After(k.NotAfter):
			outOfWindow = k
		case !v.opts.checkSig(alg, k, s.msg, s.sig):
			badSig = k
		default:
			v.rep.pass(CheckAlgorithm, string(alg))
			v.issuerPassed(k, s, at)
			v.rep.pass(CheckSignature, "")
			return k
		}
	}
	switch {
	case badSig != nil && issuersOf(candidates) > 1:
		// The kid is several issuers' name for a key: which one the
		// document meant, only a verifying signature could say.
		v.rep.pass(CheckAlgorithm, string(alg))
		v.rep.fail(CheckIssuerTrust, IssuerUnknown, fmt.Sprintf("keys of several trusted issuers have kid %q, and none verifies the signature", clip(s.kid)))
	case badSig != nil:
		v.rep.pass(CheckAlgorithm, string(alg))
		v.issuerPassed(badSig, s, at)
		v.rep.fail(CheckSignature, SignatureInvalid, "the signature does not verify with the trusted key")
	case outOfWindow != nil:
		v.rep.pass(CheckAlgorithm, string(alg))
		v.issuerPassed(outOfWindow, s, at)
		v.rep.fail(CheckSignature, KeyNotValid, fmt.Sprintf("the key was not valid on %s", timeString(at)))
	case s.algUnprotected && algMismatch.allows(alg):
		v.rep.fail(CheckAlgorithm, AlgNotAllowed, fmt.Sprintf("the document names %s only in an unprotected header, and the trusted key allows %s", clip(s.alg), algList(algMismatch.Algs)))
	default:
		v.rep.fail(CheckAlgorithm, AlgNotAllowed, fmt.Sprintf("the trusted key is for %s, not %s", algList(algMismatch.Algs), clip(s.alg)))
	}
	return nil
}

// issuersOf counts the distinct issuers of keys.
func issuersOf(keys []*Key) int {
	n := 0
	for i, k := range keys {
		if !slices.ContainsFunc(keys[:i], func(o *Key) bool { return o.Issuer == k.Issuer }) {
			n++
		}
	}
	return n
}

// verifyUnnamed verifies a document that names neither a key nor a
// certificate against the trusted keys of its algorithm, at most
// maxUnnamedKeys of them. Nothing but a verifying signature says which
// issuer such a document claims: when none verifies, the issuer is unknown
// (indeterminate), never "this issuer's signature is invalid", which would
// call a genuine document of an issuer beyond the cap, or not trusted,
// forged. A key that verifies outside its window still names its issuer.
func (v *verification) verifyUnnamed(s *signed, alg Alg) *Key {
	all := v.opts.Trust.keysByAlg[alg]
	candidates := all
	if len(candidates) > maxUnnamedKeys {
		candidates = candidates[:maxUnnamedKeys]
	}
	at := s.at(v)
	for _, k := range candidates {
		if !s.keyAllows(k, alg) || !v.opts.checkSig(alg, k, s.msg, s.sig) {
			continue
		}
		v.rep.pass(CheckAlgorithm, string(alg))
		v.issuerPassed(k, s, at)
		if !k.NotBefore.IsZero() && at.Before(k.NotBefore) || !k.NotAfter.IsZero() && at.After(k.NotAfter) {
			v.rep.fail(CheckSignature, KeyNotValid, fmt.Sprintf("the key was not valid on %s", timeString(at)))
			return nil
		}
		v.rep.pass(CheckSignature, "")
		return k
	}
	switch {
	case len(all) == 0:
		v.rep.fail(CheckIssuerTrust, IssuerUnknown, "the document names no key, and no trusted key has its algorithm")
	case len(all) > len(candidates):
		v.rep.fail(CheckIssuerTrust, IssuerUnknown, fmt.Sprintf("the document names no key; none of the first %d trusted keys of its algorithm verifies it, and more are not tried", maxUnnamedKeys))
	default:
		v.rep.fail(CheckIssuerTrust, IssuerUnknown, "the document names no key, and no trusted key of its algorithm verifies it")
	}
	return nil
}

func algList(a []Alg) string {
	if len(a) == 1 {
		return string(a[0])
	}
	return fmt.Sprint(a)
}

// issuerPassed records the issuer_trust check and fills the report's issuer.
// A key whose certificate the trust names directly (not through a chain in
// the document) is still checked as a signer certificate at the time at.
func (v *verification) issuerPassed(k *Key, s *signed, at time.Time) {
	viaChain := len(s.chain) > 0
	v.issuer = k.Issuer
	d := v.rep.doc()
	v.rep.issuer = DocumentIssuer{ID: k.Issuer.ID, Name: k.Issuer.Name, Country: k.Issuer.Country, KeyID: clip(k.ID)}
	d.Issuer = &v.rep.issuer // held by the report: no allocation of its own
	v.rep.pass(CheckIssuerTrust, k.Issuer.Name)
	c := k.Certificate
	if c == nil || viaChain {
		return
	}
	v.certificates([]CertificateInfo{v.certMemo().describe(c)})
	switch reason, detail := s.signerUsage(c); {
	case reason != "":
		v.rep.fail(CheckCertificateChain, reason, detail)
	case at.Before(c.NotBefore) || at.After(c.NotAfter):
		v.rep.fail(CheckCertificateChain, CertificateExpired, fmt.Sprintf("the signer certificate was not valid at %s", timeString(at)))
	default:
		v.rep.pass(CheckCertificateChain, "the signer certificate is trusted directly")
		if v.opts.Time.After(c.NotAfter) {
			v.rep.warn(CertificateExpired, "the signer certificate has expired since the document was signed")
		}
	}
}

// maxChainCerts bounds the certificates a document may carry (x5c,
// x5chain): real chains are a leaf and two or three CAs.
const maxChainCerts = 10

// chainKey verifies a document's certificate chain against the trust
// anchors at the signing time and returns the signer's key. The chain is
// built once against the anchors of every issuer together, and its root
// names the issuer (the first in trust order, where two trust one root),
// so that the work is one chain build whatever the number of issuers: at
// most maxChainCerts certificates, and crypto/x509's own cap of 100
// signature checks per build.
func (v *verification) chainKey(s *signed) *Key {
	if len(s.chain) > maxChainCerts {
		v.rep.fail(CheckCertificateChain, LimitExceeded, fmt.Sprintf("the document carries %d certificates; at most %d are read", len(s.chain), maxChainCerts))
		return nil
	}
	memo := v.certMemo()
	certs := make([]*x509.Certificate, 0, len(s.chain))
	infos := make([]CertificateInfo, 0, len(s.chain))
	sums := make([][32]byte, 0, len(s.chain))
	for _, der := range s.chain {
		e, err := memo.parseCertificate(der)
		if err != nil {
			v.rep.fail(CheckDecode, Malformed, "a certificate in the document cannot be parsed")
			return nil
		}
		certs = append(certs, e.cert)
		infos = append(infos, e.info)
		sums = append(sums, e.sum)
	}
	leaf := certs[0]
	v.certificates(infos)
	at := s.at(v)
	is, err := v.buildChain(certs, sums, at)
	switch {
	case err != nil:
		if ce, ok := err.(x509.CertificateInvalidError); ok && ce.Reason == x509.Expired {
			v.rep.fail(CheckCertificateChain, CertificateExpired, fmt.Sprintf("a certificate of the chain was not valid at %s", timeString(at)))
			return nil
		}
		v.rep.fail(CheckCertificateChain, ChainUntrusted, "the signer certificate does not chain to a trusted anchor")
		return nil
	}
	if reason, detail := s.signerUsage(leaf); reason != "" {
		v.rep.fail(CheckCertificateChain, reason, detail)
		return nil
	}
	v.rep.pass(CheckCertificateChain, "chains to a trust anchor of "+is.Name+" at "+timeString(at))
	if v.opts.Time.After(leaf.NotAfter) {
		v.rep.warn(CertificateExpired, "the signer certificate has expired since the document was signed")
	}
	algs := keyTypeAlgs(leaf.PublicKey)
	return &Key{ID: s.kid, Algs: algs, Public: leaf.PublicKey, Certificate: leaf, Issuer: is, spki: leaf.RawSubjectPublicKeyInfo}
}

// buildChain verifies certs (leaf first, then intermediates in any order)
// against every trust anchor at once, at time at, and returns the issuer
// whose anchor ends a chain: of all chains found, the one of the issuer
// first in trust order. The trust remembers the outcome for the window in
// which it cannot change (chainmemo.go), keyed by sums, the SHA-256 of
// each certificate's DER (the certificate memo's, certmemo.go).
func (v *verification) buildChain(certs []*x509.Certificate, sums [][32]byte, at time.Time) (*Issuer, error) {
	t := v.opts.Trust
	if t == nil || t.anchorPool == nil {
		return nil, errNoAnchors
	}
	memo := t.chainMemo
	var key [32]byte
	if memo != nil {
		key = chainMemoKey(sums)
		if o, ok := memo.get(key, at); ok {
			return o.issuer, o.err
		}
	}
	is, err := v.buildChainOnce(certs, at)
	if memo != nil {
		from, until := memo.window(certs, at)
		memo.put(key, chainOutcome{from: from, until: until, issuer: is, err: err})
	}
	return is, err
}

// buildChainOnce is buildChain without the trust's memo.
func (v *verification) buildChainOnce(certs []*x509.Certificate, at time.Time) (*Issuer, error) {
	t := v.opts.Trust
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	v.work.chainBuilds++
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         t.anchorPool,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, err
	}
	var best *Issuer
	bestAt := -1
	for _, ch := range chains {
		for _, is := range t.anchorIssuers[string(ch[len(ch)-1].Raw)] {
			if i := t.issuerIndex[is]; bestAt < 0 || i < bestAt {
				best, bestAt = is, i
			}
		}
	}
	if best == nil {
		return nil, errNoAnchors
	}
	return best, nil
}

// errNoAnchors says no chain ends at a trust anchor.
var errNoAnchors = errors.New("no trusted anchor")

// signerUsage checks that a certificate may sign documents.
func signerUsage(c *x509.Certificate) (Reason, string) {
	if c.IsCA {
		return KeyUsage, "the signer certificate is a CA certificate"
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return KeyUsage, "the signer certificate lacks the digitalSignature key usage"
	}
	return "", ""
}

// certificates records the signer's chain in the report's technical details.
func (v *verification) certificates(infos []CertificateInfo) {
	t := v.rep.tech()
	t.Certificates = append(t.Certificates, infos...)
}

func clipLong(s string) string {
	if len(s) > 256 {
		return s[:256] + "…"
	}
	return s
}

func (d *Document) technical() *Technical {
	if d.Technical == nil {
		d.Technical = &Technical{}
	}
	return d.Technical
}

// checkDocumentType checks the issuer may issue this type of document.
func (v *verification) checkDocumentType(docType string) {
	if v.issuer == nil || len(v.issuer.DocumentTypes) == 0 {
		return
	}
	if slices.Contains(v.issuer.DocumentTypes, docType) {
		v.rep.pass(CheckDocumentType, clip(docType))
		return
	}
	v.rep.fail(CheckDocumentType, TypeNotAllowed, fmt.Sprintf("%s is not trusted for documents of type %q", v.issuer.Name, clip(docType)))
}

// validity holds the time claims common to JWT and CWT (RFC 7519, 8392).
type validity struct {
	iat, nbf, exp time.Time
}

// checkValidity checks exp, nbf and iat against the verification time,
// with the clock skew allowed, and fills the report's validity window.
func (v *verification) checkValidity(t validity) {
	now, skew := v.opts.Time, v.opts.skew()
	d := v.rep.doc()
	d.SignedAt = timeString(t.iat)
	d.ValidFrom = timeString(t.nbf)
	d.ValidUntil = timeString(t.exp)
	switch {
	case !t.exp.IsZero() && now.After(t.exp.Add(skew)):
		v.rep.fail(CheckValidityPeriod, Expired, "expired on "+timeString(t.exp))
	case !t.nbf.IsZero() && now.Before(t.nbf.Add(-skew)):
		v.rep.fail(CheckValidityPeriod, NotYetValid, "not valid before "+timeString(t.nbf))
	case !t.iat.IsZero() && now.Before(t.iat.Add(-skew)):
		v.rep.fail(CheckValidityPeriod, NotYetValid, "issued in the future, on "+timeString(t.iat))
	case t.exp.IsZero() && t.nbf.IsZero():
		v.rep.skip(CheckValidityPeriod, "the document states no validity period")
	default:
		v.rep.pass(CheckValidityPeriod, "")
	}
}
