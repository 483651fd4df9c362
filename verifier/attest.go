package verifier

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// attestation is the outcome of checking one tlog proof for a document.
type attestation struct {
	// reason is empty when the proof binds the document to a checkpoint of
	// a trusted log and the quorum is met.
	reason Reason
	detail string
	// embassies are those whose cosignature verified and counts, in the
	// policy's order, whatever the outcome of the quorum.
	embassies []Attestation
}

// checkAttestation checks a c2sp.org/tlog-proof for the document doc under
// an issuer's policy, in the order c2sp.org/tlog-proof gives: the leaf from
// the document, the checkpoint's log signature and origin, the inclusion
// proof, then the cosignatures against the quorum. embassies name and place
// the cosigners. now bounds cosignature times (a cosignature from the
// future does not count).
func checkAttestation(doc, proofText []byte, pol *tlogPolicy, embassies []*Embassy, o *Options) attestation {
	return checkAttestationMemo(doc, proofText, pol, embassies, o, nil)
}

// checkAttestationMemo is checkAttestation with the trust's memo of opened
// checkpoints (checkpointmemo.go); a nil memo opens every checkpoint.
func checkAttestationMemo(doc, proofText []byte, pol *tlogPolicy, embassies []*Embassy, o *Options, cm *checkpointMemo) attestation {
	p, err := parseTLogProof(proofText)
	if err != nil {
		return attestation{reason: ProofInvalid, detail: err.Error()}
	}
	opened, fail := cm.open(p.checkpoint, pol, o)
	if fail != nil {
		return *fail
	}
	cp := opened.cp
	var hf HashFunc
	if o != nil {
		hf = o.Hash
	}
	if err := verifyInclusion(hf, leafHash(doc, hf), p.index, cp.size, p.path, cp.root); err != nil {
		return attestation{reason: ProofInvalid, detail: err.Error()}
	}

	cosigned, times, ignored := tallyCosignatures(cm.cosignatures(p.checkpoint, opened), o)
	var att attestation
	for _, w := range pol.witnesses {
		if !cosigned[w] {
			continue
		}
		name, country := w.key.name, ""
		if e := embassyFor(embassies, w.key); e != nil {
			name, country = e.Name, e.Country
		}
		att.embassies = append(att.embassies, Attestation{
			Embassy: name, Country: country, CosignedAt: timeString(times[w]),
			Origin: clip(cp.origin), Index: p.index, TreeSize: cp.size,
		})
	}
	var notes []string
	if p.hasExtra {
		notes = append(notes, "the proof's extra data is not authenticated and was ignored")
	}
	if cp.extensions > 0 {
		notes = append(notes, "the checkpoint's extension lines were not interpreted")
	}
	notes = append(notes, ignored...)
	if pol.quorum != nil && !pol.quorum.satisfied(cosigned) {
		att.reason = QuorumNotMet
		att.detail = strings.Join(append([]string{fmt.Sprintf("%d of the policy's %d embassies cosigned %s at size %d, short of its quorum", len(att.embassies), len(pol.witnesses), clip(cp.origin), cp.size)}, notes...), "; ")
		return att
	}
	att.detail = strings.Join(append([]string{"entry " + strconv.FormatUint(p.index, 10) + " of " + clip(cp.origin) +
		" (size " + strconv.FormatUint(cp.size, 10) + "), " + strconv.Itoa(len(att.embassies)) + " embassy cosignatures"}, notes...), "; ")
	return att
}

// signedBy reports whether a verified signature of n is by the log whose
// key name is origin.
func signedBy(n *note.Note, origin string) bool {
	for _, s := range n.Sigs {
		if s.Name == origin {
			return true
		}
	}
	return false
}

// cosigners verifies the checkpoint's cosignatures by the policy's
// witnesses. Each witness counts once, however many lines it signed; its
// time is its earliest valid cosignature. A cosignature that does not
// verify (over another checkpoint, say) or whose time is after the
// verification time (clock skew allowed) does not count; ignored says why.
func cosigners(n *note.Note, pol *tlogPolicy, o *Options) (map[*policyWitness]bool, map[*policyWitness]time.Time, []string) {
	return tallyCosignatures(cosignatureResults(n, pol, o), o)
}

// tallyCosignatures is cosigners on the checked signature lines
// (cosignatureResults), at the verification time.
func tallyCosignatures(rs []cosignatureResult, o *Options) (map[*policyWitness]bool, map[*policyWitness]time.Time, []string) {
	cosigned := map[*policyWitness]bool{}
	times := map[*policyWitness]time.Time{}
	var bad, future int
	latest := o.Time.Add(o.skew())
	for _, r := range rs {
		w, t := r.w, r.t
		switch {
		case !r.ok:
			bad++
		case t.After(latest):
			future++
		case !cosigned[w] || t.Before(times[w]):
			cosigned[w], times[w] = true, t
		}
	}
	var ignored []string
	if bad > 0 {
		ignored = append(ignored, fmt.Sprintf("%d cosignature(s) by policy witnesses did not verify over this checkpoint", bad))
	}
	if future > 0 {
		ignored = append(ignored, fmt.Sprintf("%d cosignature(s) dated after the verification time were not counted", future))
	}
	return cosigned, times, ignored
}

// embassyFor finds the trust bundle's embassy for a witness key: the same
// underlying public key (c2sp.org/tlog-policy calls vkeys that wrap one key
// duplicates, whatever their names).
func embassyFor(embassies []*Embassy, k *noteKey) *Embassy {
	for _, e := range embassies {
		if e.key != nil && string(e.key.pub) == string(k.pub) {
			return e
		}
	}
	return nil
}

// attest runs the embassy_attestation check once the document's own checks
// are done. It applies to documents whose signature verified with a key of
// a trusted issuer; that issuer's policy decides which logs and embassies
// count and whether attestation is required.
func (v *verification) attest() {
	proofText := v.proof
	if v.issuer == nil || !v.rep.passed(CheckSignature) {
		if len(proofText) > 0 {
			v.rep.skip(CheckEmbassyAttestation, "the proof was not checked: the document's issuer is not established")
		}
		return
	}
	pol := v.issuer.policy
	if pol == nil {
		if len(proofText) > 0 {
			v.rep.skip(CheckEmbassyAttestation, "the trust bundle gives this issuer no attestation policy")
		}
		return
	}
	required := v.issuer.Attestation != nil && v.issuer.Attestation.Required
	if len(proofText) == 0 {
		v.softFail(required, AttestationMissing, "no tlog proof came with the document")
		return
	}
	var embassies []*Embassy
	if v.opts.Trust != nil {
		embassies = v.opts.Trust.Embassies
	}
	att := checkAttestationMemo(v.input, proofText, pol, embassies, v.opts, v.checkpointMemo())
	v.rep.r.Attestations = att.embassies
	switch att.reason {
	case "":
		v.rep.pass(CheckEmbassyAttestation, att.detail)
	case ProofInvalid:
		// A proof that does not bind this document to the log is wrong
		// whatever the policy: it was presented as this document's.
		v.rep.r.Attestations = nil
		v.rep.fail(CheckEmbassyAttestation, ProofInvalid, att.detail)
	default:
		if att.reason == CheckpointUntrusted {
			v.rep.r.Attestations = nil
		}
		v.softFail(required, att.reason, att.detail)
	}
}

// softFail records a check that did not pass: as a failure that decides
// the verdict when the policy requires attestation, else as a skipped check
// with its reason and a warning, so that a valid document says what is
// missing.
func (v *verification) softFail(required bool, reason Reason, detail string) {
	if required {
		v.rep.fail(CheckEmbassyAttestation, reason, detail)
		return
	}
	v.rep.r.Checks = append(v.rep.r.Checks, Check{Check: CheckEmbassyAttestation, Status: Skipped, Reason: reason, Detail: detail})
	v.rep.warn(reason, detail)
}

// attestationPolicy parses an issuer's policy when the trust is loaded. A
// policy that names no log could never be met; it is an error in the
// bundle, not a reason to distrust every document later.
func attestationPolicy(a *BundleAttestation) (*tlogPolicy, error) {
	p, err := parsePolicy([]byte(a.Policy))
	if err != nil {
		return nil, err
	}
	if len(p.logs) == 0 {
		return nil, errors.New("the policy names no log")
	}
	return p, nil
}

// passed reports whether a check of that name passed.
func (b *report) passed(check string) bool {
	for _, c := range b.r.Checks {
		if c.Check == check && c.Status == Passed {
			return true
		}
	}
	return false
}
