package verifier

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// statusRef is a referenced token's pointer into a status list
// (draft-ietf-oauth-status-list section 6): an index and the list's uri.
type statusRef struct {
	idx uint64
	uri string
}

// statusReference reads the status claim of a document's claims as the
// verifier reports them: "status" (JWT, SD-JWT, mdoc MSO) or "65535" (CWT).
// ok is false when the document refers to no status list.
func statusReference(claims map[string]any) (ref statusRef, ok bool, err error) {
	raw, present := claims["status"]
	if !present {
		raw, present = claims["65535"]
	}
	if !present {
		return statusRef{}, false, nil
	}
	status, isMap := raw.(map[string]any)
	if !isMap {
		return statusRef{}, true, errors.New("the status claim is not an object")
	}
	sl, present := status["status_list"]
	if !present {
		// Another status mechanism, which this verifier does not know:
		// it cannot say the document is not revoked.
		return statusRef{}, true, errUnknownMechanism
	}
	m, isMap := sl.(map[string]any)
	if !isMap {
		return statusRef{}, true, errors.New("status.status_list is not an object")
	}
	if ref.uri, _ = m["uri"].(string); ref.uri == "" {
		return statusRef{}, true, errors.New("status.status_list.uri is not a string")
	}
	if ref.idx, err = nonNegativeInt(m["idx"]); err != nil {
		return statusRef{}, true, fmt.Errorf("status.status_list.idx: %v", err)
	}
	return ref, true, nil
}

var errUnknownMechanism = errors.New("the document refers to a status mechanism other than a status list")

// checkStatus checks a document's status against the status lists the host
// supplied (Options.StatusLists, then the trust's). Formats call it once the
// signature and validity are checked, with the document's claims; documents
// without a status claim get no revocation check.
func (v *verification) checkStatus(claims map[string]any) {
	ref, ok, err := statusReference(claims)
	switch {
	case !ok:
		return
	case errors.Is(err, errUnknownMechanism):
		v.rep.fail(CheckRevocation, StatusUnknown, err.Error())
		return
	case err != nil:
		v.rep.fail(CheckRevocation, Malformed, err.Error())
		return
	}
	v.lookUpStatus(ref)
	// Whatever the check says, it names the entry it looked up: a host
	// fetches the list from there when it says status_unknown.
	checks := v.rep.r.Checks
	checks[len(checks)-1].StatusList = &StatusListEntry{URI: ref.uri, Index: ref.idx}
}

// lookUpStatus records the revocation check of a document's entry in its
// status list.
func (v *verification) lookUpStatus(ref statusRef) {
	list, why := v.findStatusList(ref.uri)
	if list == nil {
		v.rep.fail(CheckRevocation, StatusUnknown, why)
		return
	}
	st, err := list.statusAt(v.inflaters(), ref.idx)
	switch {
	case errors.Is(err, errListTooLong):
		v.rep.fail(CheckRevocation, LimitExceeded, err.Error())
		return
	case err != nil:
		v.rep.fail(CheckRevocation, StatusUnknown, fmt.Sprintf("index %d: %v", ref.idx, err))
		return
	}
	when := "status list of " + timeString(list.iat)
	switch st {
	case statusValid:
		// Concatenated, not formatted: the valid path of every document with
		// a status reference, and fmt is slow inside the module.
		v.rep.pass(CheckRevocation, "not revoked ("+when+", index "+strconv.FormatUint(ref.idx, 10)+")")
	case statusInvalid:
		v.rep.fail(CheckRevocation, Revoked, fmt.Sprintf("revoked by its issuer (%s, index %d)", when, ref.idx))
	case statusSuspended:
		v.rep.fail(CheckRevocation, Revoked, fmt.Sprintf("suspended by its issuer (%s, index %d)", when, ref.idx))
	default:
		v.rep.fail(CheckRevocation, StatusUnknown, fmt.Sprintf("application-specific status 0x%02x (%s, index %d)", st, when, ref.idx))
	}
}

// findStatusList returns the newest usable list for uri: signed by a key of
// the document's issuer, issued by now and not expired at the verification
// time. Otherwise it says why none could be used.
//
// ttl is a caching directive for the host that fetched the list (it refetches
// after ttl); the verifier, which cannot know when a list was fetched,
// enforces exp.
func (v *verification) findStatusList(uri string) (*statusList, string) {
	// The host's lists come with this request and are read here; the
	// trust's were read once when it was loaded and are found by uri, so
	// that a bundle shipping many lists costs a document nothing.
	var lists []*statusList
	for _, tok := range v.opts.StatusLists {
		if l, err := parseStatusList(tok, v.opts.Trust); err == nil && l.sub == uri {
			lists = append(lists, l)
		}
	}
	if v.opts.Trust != nil {
		lists = append(lists, v.opts.Trust.listsByURI[uri]...)
	}
	now, skew := v.opts.Time, v.opts.skew()
	why := "" // no list was given; written out below, only when it is the answer
	var best *statusList
	tried := 0
	for _, l := range lists {
		if tried++; tried > maxStatusCandidates {
			break
		}
		switch {
		case !l.signedByIssuerOf(v):
			why = "the status list is not signed by the document's issuer"
		case now.Before(l.iat.Add(-skew)):
			why = "the status list is issued in the future, on " + timeString(l.iat)
		case !l.exp.IsZero() && now.After(l.exp.Add(skew)):
			why = "the status list expired on " + timeString(l.exp)
		case best == nil || l.iat.After(best.iat):
			best = l
		}
	}
	if best == nil && why == "" {
		why = fmt.Sprintf("no status list for %q was given", clip(uri))
	}
	return best, why
}

// signedByIssuer checks a status list's signature with a key of the issuer
// that signed the document: one of its keys (by kid, or every key of the
// algorithm when the list names none), or a certificate chaining to its
// anchors at the list's issuing time.
func (v *verification) signedByIssuer(s *signed) bool {
	is := v.issuer
	if is == nil || forbiddenAlg(s.alg) {
		return false
	}
	alg := Alg(s.alg)
	if _, ok := algs[alg]; !ok {
		return false
	}
	at := s.at(v)
	if len(s.chain) > 0 {
		v.work.chainBuilds++
		k := chainToIssuer(is, s.chain, at)
		return k != nil && s.keyAllows(k, alg) && v.opts.checkSig(alg, k, s.msg, s.sig)
	}
	var candidates []*Key
	if s.kid != "" {
		for _, k := range v.opts.Trust.KeysByID(s.kid) {
			if k.Issuer == is {
				candidates = append(candidates, k)
			}
		}
	} else if s.allowUnnamed {
		candidates = is.Keys
	}
	for i, k := range candidates {
		if i >= maxUnnamedKeys {
			break
		}
		if !s.keyAllows(k, alg) || (!k.NotBefore.IsZero() && at.Before(k.NotBefore)) || (!k.NotAfter.IsZero() && at.After(k.NotAfter)) {
			continue
		}
		if v.opts.checkSig(alg, k, s.msg, s.sig) {
			return true
		}
	}
	return false
}

// listSigners remembers, for a status list the trust carries, whether a
// key of each issuer signed it. Every document of an issuer that names the
// list checks the list's signature with the issuer's keys, and the answer
// is a function of the list, the issuer and the trust alone when the list
// states its issuing time (the time its keys and certificates are judged
// at): one signature check per list and issuer rather than per document.
// The trust's issuers are few; the map is bounded all the same.
type listSigners struct {
	mu     sync.Mutex
	signed map[*Issuer]bool
}

// maxListSigners bounds the issuers a list remembers.
const maxListSigners = 64

// signedByIssuerOf is v.signedByIssuer(&l.sig), remembered for the
// trust's own lists.
func (l *statusList) signedByIssuerOf(v *verification) bool {
	m := l.signers
	if m == nil || v.issuer == nil || l.sig.signedAt.IsZero() {
		return v.signedByIssuer(&l.sig)
	}
	m.mu.Lock()
	ok, known := m.signed[v.issuer]
	m.mu.Unlock()
	if known {
		return ok
	}
	ok = v.signedByIssuer(&l.sig)
	m.mu.Lock()
	if m.signed == nil {
		m.signed = make(map[*Issuer]bool)
	}
	if len(m.signed) < maxListSigners {
		m.signed[v.issuer] = ok
	}
	m.mu.Unlock()
	return ok
}

// chainToIssuer verifies a certificate chain against one issuer's anchors
// and returns the signer's key.
func chainToIssuer(is *Issuer, chain [][]byte, at time.Time) *Key {
	if len(is.Anchors) == 0 || len(chain) > maxChainCerts {
		return nil
	}
	certs := make([]*x509.Certificate, 0, len(chain))
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil
		}
		certs = append(certs, c)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	leaf := certs[0]
	_, err := leaf.Verify(x509.VerifyOptions{Roots: is.anchors, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil
	}
	if reason, _ := signerUsage(leaf); reason != "" {
		return nil
	}
	return &Key{Algs: keyTypeAlgs(leaf.PublicKey), Public: leaf.PublicKey, Certificate: leaf, Issuer: is, spki: leaf.RawSubjectPublicKeyInfo}
}
