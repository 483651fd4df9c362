package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// BundleType is the JWS "typ" of a signed trust bundle. A JWS of any other
// type (a document, a status list) is never taken for trust, and a bundle
// is never taken for a document.
const BundleType = "apostille-trust+jwt"

// MaxBundleSize bounds a signed trust bundle in bytes, checked before any
// parsing.
const MaxBundleSize = 16 << 20

// OperatorKey is the public key of a trust-list operator, pinned by the host:
// a public JWK with "kid" and "alg" (EdDSA or ES256 recommended).
type OperatorKey struct {
	key *Key
}

// ParseOperatorKey reads a pinned operator key: one public JWK with kid and
// alg.
func ParseOperatorKey(data []byte) (*OperatorKey, error) {
	j, err := ParseJWK(bytes.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("operator key: %w", err)
	}
	if j.Kid == "" || j.Alg == "" {
		return nil, errors.New("operator key: a pinned key needs kid and alg")
	}
	k, err := jwkKey(j)
	if err != nil {
		return nil, fmt.Errorf("operator key: %w", err)
	}
	return &OperatorKey{key: k}, nil
}

// ID is the operator key's kid.
func (k *OperatorKey) ID() string { return k.key.ID }

// BundleError says why a trust bundle was refused. Reason is TrustInvalid
// (unreadable, not signed by a pinned key, one byte changed) or
// TrustRollback (older than one the host already accepted).
type BundleError struct {
	Reason Reason
	Detail string
}

func (e *BundleError) Error() string { return string(e.Reason) + ": " + e.Detail }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func trustInvalid(format string, a ...any) error {
	return &BundleError{Reason: TrustInvalid, Detail: fmt.Sprintf(format, a...)}
}

// OpenBundle verifies a signed trust bundle (a compact JWS of type
// BundleType over a trust bundle v1) with the pinned operator keys and
// returns its trust. Whether it is fresh is decided per verification, at
// the verification time (trust_stale); whether it is older than one
// already accepted is the host's to remember (CheckRollback).
func OpenBundle(signed []byte, keys []*OperatorKey) (*Trust, error) {
	if len(signed) > MaxBundleSize {
		return nil, trustInvalid("the bundle is larger than %d bytes", MaxBundleSize)
	}
	j, err := parseJWS(bytes.TrimSpace(signed), nil)
	if err != nil {
		return nil, trustInvalid("not a signed trust bundle: %v", err)
	}
	if j.format != formatJWSCompact {
		return nil, trustInvalid("a signed trust bundle is a compact JWS")
	}
	if j.h.Typ != BundleType {
		return nil, trustInvalid("the JWS type is %q, not %q", clip(j.h.Typ), BundleType)
	}
	if len(j.h.Crit) > 0 || j.h.B64 != nil {
		return nil, trustInvalid("a signed trust bundle uses no JWS extensions")
	}
	if forbiddenAlg(j.h.Alg) {
		return nil, trustInvalid("algorithm %q is never accepted", clip(j.h.Alg))
	}
	var key *Key
	for _, k := range keys {
		if k != nil && k.key.ID == j.h.Kid {
			key = k.key
			break
		}
	}
	switch {
	case key == nil:
		return nil, trustInvalid("no pinned operator key has kid %q", clip(j.h.Kid))
	case !key.allows(Alg(j.h.Alg)):
		return nil, trustInvalid("the pinned key is for %s, not %s", algList(key.Algs), clip(j.h.Alg))
	case VerifyPrimitive(j.h.Alg, key.Public, j.signingInput(), j.sig) != nil:
		return nil, trustInvalid("the signature does not verify with the pinned operator key %q", clip(key.ID))
	}
	var b Bundle
	if err := strictUnmarshal(j.payload, &b); err != nil {
		return nil, trustInvalid("the signed content is not a trust bundle: %v", err)
	}
	if b.Operator == "" || b.Sequence == 0 || b.IssuedAt == "" || b.NextUpdate == "" {
		return nil, trustInvalid("a signed bundle names its operator, sequence, issued_at and next_update")
	}
	t := &Trust{}
	if err := t.addBundle(&b); err != nil {
		return nil, trustInvalid("%v", err)
	}
	if !t.NextUpdate.After(t.IssuedAt) {
		return nil, trustInvalid("next_update is not after issued_at")
	}
	t.Info.Signed = true
	t.Info.OperatorKey = key.ID
	t.index()
	return t, nil
}

// CheckRollback refuses a signed bundle whose sequence is lower than the
// highest the host has accepted from the same operator.
func CheckRollback(t *Trust, highest uint64) error {
	if t == nil || !t.Info.Signed {
		return nil
	}
	if t.Info.Sequence < highest {
		return &BundleError{Reason: TrustRollback, Detail: fmt.Sprintf("sequence %d of %q is older than the accepted %d", t.Info.Sequence, clip(t.Info.Operator), highest)}
	}
	return nil
}

// TrustErrorReport is the report for a document that could not be verified
// because its trust was refused: every document gets one, with the reason
// (trust_invalid, trust_rollback) of the bundle.
func TrustErrorReport(err error, at time.Time) *Report {
	reason, detail := TrustInvalid, "the trust bundle was refused"
	var be *BundleError
	if errors.As(err, &be) {
		reason, detail = be.Reason, be.Detail
	}
	b := newReport(at)
	b.fail(CheckTrustBundle, reason, detail)
	return b.finish()
}

// checkTrust records which trust decides and refuses a signed bundle past
// its next_update, unless the caller accepted stale trust. It returns false
// when verification must stop: with stale trust nothing can be decided, not
// even that a document is invalid (its key may since have been rotated).
func (v *verification) checkTrust() bool {
	t := v.opts.Trust
	if t == nil {
		return true
	}
	// The report holds the copy (report.trust): no allocation of its own.
	info := &v.rep.trust
	*info = t.Info
	if !t.IssuedAt.IsZero() && !v.opts.Time.Before(t.IssuedAt) {
		info.AgeSeconds = int64(v.opts.Time.Sub(t.IssuedAt) / time.Second)
	}
	v.rep.r.Trust = info
	if !info.Signed {
		return true
	}
	if !t.NextUpdate.IsZero() && v.opts.Time.After(t.NextUpdate) {
		if !v.opts.AcceptStaleTrustUnsafe {
			v.rep.fail(CheckTrustBundle, TrustStale, fmt.Sprintf("the trust bundle of %s (sequence %d) needed an update by %s", clip(info.Operator), info.Sequence, timeString(t.NextUpdate)))
			return false
		}
		info.StaleAcceptedUnsafe = true
		v.rep.warn(TrustStale, "the trust bundle is past its next_update and was accepted by the caller's choice")
	}
	v.rep.pass(CheckTrustBundle, fmt.Sprintf("%s, sequence %d", clip(info.Operator), info.Sequence))
	return true
}

// IsSignedBundle tells a signed trust bundle (a compact JWS) from the JSON
// and certificates ParseTrust reads. It does not verify anything.
func IsSignedBundle(data []byte) bool {
	t := bytes.TrimSpace(data)
	return bytes.HasPrefix(t, []byte("eyJ")) && bytes.Count(t, []byte{'.'}) == 2
}

// LoadTrust reads one trust source: a signed bundle, opened with the pinned
// operator keys (OpenBundle), or anything else ParseTrust reads. A host
// that pins an operator key takes trust bundles only as that operator
// signed them: an unsigned bundle, which names an operator and an edition
// that nothing vouches for, is then refused, so that a file swapped for an
// unsigned one cannot stand in for the operator's list. Certificates and
// JWK Sets a person brings are still taken as theirs (and reported as not
// signed). Hosts that keep a rollback state check it themselves
// (CheckRollback) before trusting a signed bundle.
func LoadTrust(name string, data []byte, keys []*OperatorKey) (*Trust, error) {
	if IsSignedBundle(data) {
		if len(keys) == 0 {
			return nil, &BundleError{Reason: TrustInvalid, Detail: "a signed trust bundle needs a pinned operator key"}
		}
		return OpenBundle(data, keys)
	}
	if len(keys) > 0 && isBundleJSON(data) {
		return nil, &BundleError{Reason: TrustInvalid, Detail: "an operator key is pinned, and this trust bundle is not signed"}
	}
	return ParseTrust(name, data)
}

// isBundleJSON tells an unsigned trust bundle (a JSON object with
// trust_bundle) from the other trust ParseTrust reads.
func isBundleJSON(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	m, err := parseJSONMembers(t)
	return err == nil && m["trust_bundle"] != nil
}
