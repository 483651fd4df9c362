package verifier

// Reason is a stable, machine-readable code saying why a check did not pass.
// Codes are snake_case, never renamed and never reused for another meaning:
// hosts translate them (the citizen's page does, in four languages) and
// institutions file them. Tests assert codes, never message text.
//
// Every code is listed below with one line "X results when …"; docs/reasons.md
// is generated from these comments (go generate ./verifier) and a test fails
// when it is stale.
type Reason string

//go:generate go run ../internal/cmd/genreasons -o ../docs/reasons.md

// Input and decoding.
const (
	// Malformed results when the input is not well-formed for the format it
	// claims or appears to be (bad base64, bad JSON or CBOR, wrong structure,
	// duplicate names, trailing data). It is never used for a bad signature.
	Malformed Reason = "malformed"
	// TooLarge results when the input is larger than Options.MaxSize, or,
	// when that is 0, than the default of its kind: 64 MiB for a ZIP
	// container, 1 MiB for anything else (MaxSizeFor). It is checked before
	// any parsing.
	TooLarge Reason = "too_large"
	// UnsupportedFormat results when the input is recognised but is of a kind
	// this verifier does not verify (for example COSE_Mac0 or COSE_Encrypt).
	UnsupportedFormat Reason = "unsupported_format"
	// LimitExceeded results when a resource limit is reached while processing
	// (decompressed size, nesting depth, memory or time in a host).
	LimitExceeded Reason = "limit_exceeded"
	// Internal results when the verifier failed for a reason of its own (a
	// recovered panic, a trapped module instance); the document was not judged.
	Internal Reason = "internal"
	// InputUnreadable results when a host could not read an input (a file
	// missing or unreadable, a read that failed): the document was never
	// seen. The detail is the operating system's error.
	InputUnreadable Reason = "input_unreadable"
	// TimeMissing results when the caller gave no verification time; the
	// verifier never reads a clock.
	TimeMissing Reason = "time_missing"
	// PayloadMissing results when a signature has detached content and the
	// caller supplied none.
	PayloadMissing Reason = "payload_missing"
	// XMLForbidden results when an XML document uses what a signed XML
	// document must not: a document type declaration, an entity other than
	// the five XML predefines, or a processing instruction (XXE and entity
	// expansion are refused before they can do anything).
	XMLForbidden Reason = "xml_forbidden"
)

// Algorithms and headers.
const (
	// UnsupportedAlg results when the document names a signature algorithm
	// that this verifier does not implement.
	UnsupportedAlg Reason = "unsupported_alg"
	// AlgNotAllowed results when the algorithm is refused by policy: "none",
	// HMAC (a verifier holding the key could forge), or any algorithm other
	// than the one fixed by the trusted key.
	AlgNotAllowed Reason = "alg_not_allowed"
	// CritUnsupported results when a header lists in "crit" an extension
	// this verifier does not understand.
	CritUnsupported Reason = "crit_unsupported"
)

// Issuer trust and signature.
const (
	// IssuerUnknown results when no trusted issuer key matches the document
	// (no matching kid, no certificate chaining to a trusted anchor). Keys
	// carried by the document itself (jwk, jku, x5u) are never trusted.
	IssuerUnknown Reason = "issuer_unknown"
	// KeyNotValid results when the trusted key that matches was outside its
	// validity window at the signing time.
	KeyNotValid Reason = "key_not_valid"
	// SignatureInvalid results when the signature does not verify with the
	// trusted key over the bytes as received.
	SignatureInvalid Reason = "signature_invalid"
	// TypeNotAllowed results when the issuer is trusted, but not for this
	// type of document.
	TypeNotAllowed Reason = "type_not_allowed"
)

// Certificates.
const (
	// ChainUntrusted results when the signer certificate does not chain to a
	// trust anchor of the bundle.
	ChainUntrusted Reason = "chain_untrusted"
	// CertificateExpired results when a certificate in the chain was not
	// valid at the signing time, or when a document claims validity beyond
	// its signer certificate's expiry (EU DCC). As a warning, it says that
	// the signer certificate has expired since the document was signed.
	CertificateExpired Reason = "certificate_expired"
	// KeyUsage results when the signer certificate may not sign documents:
	// it is a CA certificate, lacks the digitalSignature key usage, or its
	// extended key usage excludes this document type.
	KeyUsage Reason = "key_usage"
)

// Validity and status.
const (
	// Expired results when the document's validity ended before the
	// verification time (JWT/CWT exp, mdoc validUntil), clock skew allowed.
	Expired Reason = "expired"
	// NotYetValid results when the document is not valid yet at the
	// verification time (nbf, validFrom) or claims to be issued in the future.
	NotYetValid Reason = "not_yet_valid"
	// Revoked results when the issuer's status list marks the document as
	// revoked or suspended, or a container signer's OCSP response says the
	// certificate was revoked at the signing time.
	Revoked Reason = "revoked"
	// StatusUnknown results when the document refers to a status list and no
	// usable list (present, signed by the issuer, fresh, matching) was given.
	StatusUnknown Reason = "status_unknown"
	// TimeProofMismatch results when the proof of the time a signature
	// existed is about other bytes: a time stamp whose message imprint is not
	// the digest of what it claims to time-stamp, or a BDOC time-mark OCSP
	// response whose nonce is not the digest of the signature's value.
	TimeProofMismatch Reason = "time_proof_mismatch"
)

// Selective disclosure and device binding.
const (
	// DisclosureMismatch results when disclosed data does not match the
	// issuer-signed digests: a tampered, unreferenced or duplicated
	// disclosure, or a reused digest identifier.
	DisclosureMismatch Reason = "disclosure_mismatch"
	// HolderBindingInvalid results when the holder's key binding (an SD-JWT
	// KB-JWT, an mdoc device signature) is missing where required, or does
	// not verify, or does not match the presentation (sd_hash, aud, nonce).
	HolderBindingInvalid Reason = "holder_binding_invalid"
	// HolderBindingUnchecked results when the caller requires holder binding
	// and the presentation's binding cannot be checked with what the caller
	// gave: an mdoc without the session transcript, or one whose device
	// authenticates with a MAC when the reader's key was not given.
	HolderBindingUnchecked Reason = "holder_binding_unchecked"
)

// Embassy attestations.
const (
	// ProofInvalid results when a tlog proof does not bind the document to
	// the checkpoint: malformed proof, wrong index, size or path length, or a
	// root that does not match.
	ProofInvalid Reason = "proof_invalid"
	// CheckpointUntrusted results when the checkpoint's origin is not a log
	// trusted for this issuer, or it carries no valid signature by that log.
	CheckpointUntrusted Reason = "checkpoint_untrusted"
	// QuorumNotMet results when fewer embassies than the issuer's policy
	// requires attest to the checkpoint. It is a warning when attestation is
	// optional.
	QuorumNotMet Reason = "quorum_not_met"
	// AttestationMissing results when the issuer's policy requires an
	// embassy attestation and the document came with no proof.
	AttestationMissing Reason = "attestation_missing"
)

// Trust bundles.
const (
	// TrustInvalid results when the trust bundle's signature does not verify
	// with the pinned operator key, or the bundle cannot be read.
	TrustInvalid Reason = "trust_invalid"
	// TrustStale results when the verification time is past the trust
	// bundle's next_update.
	TrustStale Reason = "trust_stale"
	// TrustRollback results when a trust bundle has a lower sequence number
	// than one already accepted from the same operator.
	TrustRollback Reason = "trust_rollback"
)

// Signed containers (ASiC-E, BDOC 2.1, ASiC-S with XAdES).
const (
	// NoSignatures results when a signed container holds no signature: it
	// is never valid.
	NoSignatures Reason = "no_signatures"
	// FileNotSigned results when a container holds a data file that one of
	// its signatures does not cover.
	FileNotSigned Reason = "file_not_signed"
	// SignedFileMissing results when a signature references a data file
	// that the container does not hold.
	SignedFileMissing Reason = "signed_file_missing"
	// DigestMismatch results when a signed reference's digest is not the
	// digest of what it references: a changed data file or signed
	// properties.
	DigestMismatch Reason = "digest_mismatch"
	// SignatureWrapping results when a XML signature's references or
	// qualifying properties point at something other than what this
	// signature signs: an element outside it, another signature's
	// properties, a moved SignedProperties.
	SignatureWrapping Reason = "signature_wrapping"
	// KeySubstitution results when the certificate that verifies a XAdES
	// signature is not the one its signed SigningCertificate names (digest
	// or issuer and serial).
	KeySubstitution Reason = "key_substitution"
	// OCSPUntrusted results when a signature's OCSP response is signed by
	// neither a responder the trust lists nor a responder the signer's CA
	// delegated, or is not about the signer's certificate.
	OCSPUntrusted Reason = "ocsp_untrusted"
	// TimestampUntrusted results when a signature's time stamp comes from a
	// time-stamping authority the trust does not list as granted when it
	// stamped, or cannot be verified.
	TimestampUntrusted Reason = "timestamp_untrusted"
	// NoPOE results when nothing proves that a signature existed while its
	// certificate was valid: a XAdES B-level signature, without time stamp
	// or time mark.
	NoPOE Reason = "no_poe"
	// RevocationNotFresh results when a signature's OCSP response was
	// produced before its time stamp, or more than a day after it.
	RevocationNotFresh Reason = "revocation_not_fresh"
	// SHA1Used results when a container signature, one of its references
	// or proofs relies on SHA-1: a warning on a valid signature.
	SHA1Used Reason = "sha1_used"
	// OCSPLate results when a signature's OCSP response was produced 15
	// minutes or more after its time stamp: a warning, accepted up to a day.
	OCSPLate Reason = "ocsp_late"
	// ContainerDeviation results when a container departs from EN 319
	// 162-1 in a way that changes nothing of what it means and that the
	// reference validators accept (a compressed or padded mimetype entry):
	// a warning.
	ContainerDeviation Reason = "container_deviation"
	// NotQualified results when a container signature is not a qualified
	// electronic signature: its CA service was not a qualified one (CA/QC,
	// granted) when the certificate was issued, or the trusted list says
	// the certificate is not qualified or not on a qualified device.
	NotQualified Reason = "not_qualified"
)

// reasonVerdict says which verdict a reason decides when it is the deciding
// failure. "Could not decide" codes give indeterminate (ETSI EN 319 102-1):
// the document may be genuine, but we cannot say so.
var reasonVerdict = map[Reason]Verdict{
	Malformed:              Invalid,
	TooLarge:               Indeterminate,
	UnsupportedFormat:      Indeterminate,
	LimitExceeded:          Indeterminate,
	Internal:               Indeterminate,
	InputUnreadable:        Indeterminate,
	TimeMissing:            Indeterminate,
	PayloadMissing:         Indeterminate,
	XMLForbidden:           Invalid,
	UnsupportedAlg:         Indeterminate,
	AlgNotAllowed:          Invalid,
	CritUnsupported:        Invalid,
	IssuerUnknown:          Indeterminate,
	KeyNotValid:            Invalid,
	SignatureInvalid:       Invalid,
	TypeNotAllowed:         Invalid,
	ChainUntrusted:         Indeterminate,
	CertificateExpired:     Invalid,
	KeyUsage:               Invalid,
	Expired:                Invalid,
	NotYetValid:            Invalid,
	Revoked:                Invalid,
	StatusUnknown:          Indeterminate,
	TimeProofMismatch:      Invalid,
	DisclosureMismatch:     Invalid,
	HolderBindingInvalid:   Invalid,
	HolderBindingUnchecked: Indeterminate,
	ProofInvalid:           Invalid,
	CheckpointUntrusted:    Indeterminate,
	QuorumNotMet:           Indeterminate,
	AttestationMissing:     Indeterminate,
	TrustInvalid:           Indeterminate,
	TrustStale:             Indeterminate,
	TrustRollback:          Indeterminate,
	NoSignatures:           Invalid,
	FileNotSigned:          Invalid,
	SignedFileMissing:      Invalid,
	DigestMismatch:         Invalid,
	KeySubstitution:        Invalid,
	SignatureWrapping:      Invalid,
	OCSPUntrusted:          Indeterminate,
	TimestampUntrusted:     Indeterminate,
	NoPOE:                  Indeterminate,
	RevocationNotFresh:     Indeterminate,
	SHA1Used:               Valid,
	OCSPLate:               Valid,
	NotQualified:           Indeterminate,
	ContainerDeviation:     Valid,
}

// Reasons returns every reason code, in documentation order.
func Reasons() []Reason {
	return append([]Reason(nil), allReasons...)
}

var allReasons = []Reason{
	Malformed, TooLarge, UnsupportedFormat, LimitExceeded, Internal, InputUnreadable, TimeMissing, PayloadMissing, XMLForbidden,
	UnsupportedAlg, AlgNotAllowed, CritUnsupported,
	IssuerUnknown, KeyNotValid, SignatureInvalid, TypeNotAllowed,
	ChainUntrusted, CertificateExpired, KeyUsage,
	Expired, NotYetValid, Revoked, StatusUnknown, TimeProofMismatch,
	DisclosureMismatch, HolderBindingInvalid, HolderBindingUnchecked,
	ProofInvalid, CheckpointUntrusted, QuorumNotMet, AttestationMissing,
	TrustInvalid, TrustStale, TrustRollback,
	NoSignatures, FileNotSigned, SignedFileMissing, DigestMismatch, SignatureWrapping, KeySubstitution,
	OCSPUntrusted, TimestampUntrusted, NoPOE, RevocationNotFresh, SHA1Used, OCSPLate, NotQualified, ContainerDeviation,
}

// Verdict returns the verdict this reason decides when it is the deciding
// failure of a report.
func (r Reason) Verdict() Verdict {
	if v, ok := reasonVerdict[r]; ok {
		return v
	}
	return Indeterminate
}
