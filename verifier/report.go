package verifier

import (
	"time"
)

// ReportVersion is the value of Report.Report. It changes only when the
// report's JSON changes incompatibly.
const ReportVersion = "v1"

// Verdict is the outcome of a verification, after ETSI EN 319 102-1:
// TOTAL-PASSED, TOTAL-FAILED and INDETERMINATE.
type Verdict string

const (
	// Valid: every required check passed.
	Valid Verdict = "valid"
	// Invalid: a check failed; the document is not what it claims to be.
	Invalid Verdict = "invalid"
	// Indeterminate: the verifier could not decide (unknown issuer, stale
	// trust, unknown status, an input it cannot read). Never valid by default.
	Indeterminate Verdict = "indeterminate"
)

// Status is the outcome of one check.
type Status string

const (
	Passed              Status = "passed"
	Failed              Status = "failed"
	StatusIndeterminate Status = "indeterminate"
	Skipped             Status = "skipped"
)

// Names of checks, in the order a verification runs them.
const (
	CheckInput               = "input"
	CheckDecode              = "decode"
	CheckAlgorithm           = "algorithm"
	CheckIssuerTrust         = "issuer_trust"
	CheckCertificateChain    = "certificate_chain"
	CheckSignature           = "signature"
	CheckClaims              = "claims"
	CheckDocumentType        = "document_type"
	CheckValidityPeriod      = "validity_period"
	CheckDisclosures         = "disclosures"
	CheckHolderBinding       = "holder_binding"
	CheckRevocation          = "revocation"
	CheckEmbassyAttestation  = "embassy_attestation"
	CheckTrustBundle         = "trust_bundle"
	CheckCertificateValidNow = "certificate_validity_now"
)

// Report is the result of one verification. It is the same JSON from the
// native verifier, the WebAssembly module under wazero, Node and a browser.
type Report struct {
	Report       string        `json:"report"`
	Verdict      Verdict       `json:"verdict"`
	Reason       Reason        `json:"reason,omitempty"`
	Warnings     []Warning     `json:"warnings"`
	Checks       []Check       `json:"checks"`
	Document     *Document     `json:"document,omitempty"`
	Container    *Container    `json:"container,omitempty"`
	Attestations []Attestation `json:"attestations,omitempty"`
	Trust        *TrustInfo    `json:"trust,omitempty"`
	VerifiedAt   string        `json:"verified_at"`
}

// Warning is something the reader should know about a valid document.
type Warning struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// Check is one step of the verification.
type Check struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	Reason Reason `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	// StatusList is the status list entry a revocation check looked up,
	// as the signed document names it: a host whose check says
	// status_unknown fetches the list at URI and hands it in
	// (Options.StatusLists). The verifier never fetches.
	StatusList *StatusListEntry `json:"status_list,omitempty"`
}

// StatusListEntry is a document's entry in a status list
// (draft-ietf-oauth-status-list section 6): the list's uri and the
// document's index in it.
type StatusListEntry struct {
	URI   string `json:"uri"`
	Index uint64 `json:"index"`
}

// Document describes what was verified, in fields a person can compare
// against the paper. Values come from the document; names of issuers come
// from the trust bundle, never from the document.
type Document struct {
	Format     string          `json:"format"`
	Type       string          `json:"type,omitempty"`
	Issuer     *DocumentIssuer `json:"issuer,omitempty"`
	SignedAt   string          `json:"signed_at,omitempty"`
	ValidFrom  string          `json:"valid_from,omitempty"`
	ValidUntil string          `json:"valid_until,omitempty"`
	Subject    *Subject        `json:"subject,omitempty"`
	Claims     map[string]any  `json:"claims,omitempty"`
	Technical  *Technical      `json:"technical,omitempty"`
}

// DocumentIssuer is the issuer as the trust bundle names it.
type DocumentIssuer struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Country string `json:"country,omitempty"`
	KeyID   string `json:"kid,omitempty"`
}

// Subject is the person a document is about, as far as the document says.
type Subject struct {
	Name           string `json:"name,omitempty"`
	GivenName      string `json:"given_name,omitempty"`
	FamilyName     string `json:"family_name,omitempty"`
	BirthDate      string `json:"birth_date,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
	// Portrait is a data: URL (image/jpeg or image/png) a page can show.
	Portrait string `json:"portrait,omitempty"`
}

// Technical holds details a person does not need but an expert may.
type Technical struct {
	Algorithm    string            `json:"alg,omitempty"`
	Headers      map[string]any    `json:"headers,omitempty"`
	Certificates []CertificateInfo `json:"certificates,omitempty"`
}

// CertificateInfo summarises one certificate of the signer's chain, signer
// first.
type CertificateInfo struct {
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	Serial    string `json:"serial"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
}

// Attestation is one embassy's statement that it holds the issuer's log up to
// a checkpoint that includes the document.
type Attestation struct {
	Embassy    string `json:"embassy"`
	Country    string `json:"country,omitempty"`
	CosignedAt string `json:"cosigned_at"`
	Origin     string `json:"origin"`
	Index      uint64 `json:"index"`
	TreeSize   uint64 `json:"tree_size"`
}

// TrustInfo says which trust decided.
type TrustInfo struct {
	Operator string `json:"operator,omitempty"`
	// OperatorKey is the kid of the pinned key that verified a signed bundle.
	OperatorKey string `json:"operator_key,omitempty"`
	Sequence    uint64 `json:"sequence,omitempty"`
	IssuedAt    string `json:"issued_at,omitempty"`
	NextUpdate  string `json:"next_update,omitempty"`
	// AgeSeconds is the bundle's age at the verification time.
	AgeSeconds int64 `json:"age_seconds,omitempty"`
	// Signed is false for trust given directly (an unsigned bundle, a JWKS, certificates).
	Signed bool `json:"signed"`
	// StaleAcceptedUnsafe is set when the caller accepted a stale bundle.
	StaleAcceptedUnsafe bool `json:"stale_accepted_unsafe,omitempty"`
}

// maxDetail bounds any text taken from a document into a detail, so that
// a 64 KB kid does not become a 64 KB report.
const maxDetail = 64

// clip shortens s for use in a detail.
func clip(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	return s[:maxDetail] + "…"
}

// timeString formats t for a report: RFC 3339 in UTC, whole seconds.
//
//go:noinline
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return string(appendRFC3339(make([]byte, 0, 20), t))
}

// report collects checks while a verification runs.
type report struct {
	r Report
	// checks backs r.Checks for the usual number of checks, and document
	// and trust r.Document and r.Trust, so that a report is one
	// allocation, not four.
	checks    [8]Check
	document  Document
	trust     TrustInfo
	technical Technical
	issuer    DocumentIssuer
}

func newReport(at time.Time) *report {
	b := &report{}
	b.init(at)
	return b
}

// init makes b an empty report of a verification at at.
func (b *report) init(at time.Time) {
	b.r = Report{
		Report:     ReportVersion,
		Warnings:   []Warning{},
		VerifiedAt: timeString(at),
	}
	b.r.Checks = b.checks[:0]
}

// The steps below are called at dozens of places and run a few times per
// document: kept out of line (go:noinline), each call is a call, not a copy
// of append's growth path (−100 KB of module code; docs/PERFORMANCE.md).
//
//go:noinline
func (b *report) pass(check, detail string) {
	b.r.Checks = append(b.r.Checks, Check{Check: check, Status: Passed, Detail: detail})
}

//go:noinline
func (b *report) skip(check, detail string) {
	b.r.Checks = append(b.r.Checks, Check{Check: check, Status: Skipped, Detail: detail})
}

// fail records a check that did not pass. Its status follows from the
// reason: a "could not decide" reason is indeterminate, any other failed.
//
//go:noinline
func (b *report) fail(check string, reason Reason, detail string) {
	st := Failed
	if reason.Verdict() == Indeterminate {
		st = StatusIndeterminate
	}
	b.r.Checks = append(b.r.Checks, Check{Check: check, Status: st, Reason: reason, Detail: detail})
}

//go:noinline
func (b *report) warn(reason Reason, detail string) {
	b.r.Warnings = append(b.r.Warnings, Warning{Reason: reason, Detail: detail})
}

func (b *report) doc() *Document {
	if b.r.Document == nil {
		b.r.Document = &b.document
	}
	return b.r.Document
}

// tech is doc().technical(), held by the report.
func (b *report) tech() *Technical {
	d := b.doc()
	if d.Technical == nil {
		d.Technical = &b.technical
	}
	return d.Technical
}

// finish decides the verdict: the first failed check decides invalid; else
// the first indeterminate check decides indeterminate; else valid. A report
// without a single passed signature check is never valid.
func (b *report) finish() *Report {
	r := &b.r
	r.Verdict, r.Reason = Valid, ""
	for _, c := range r.Checks {
		if c.Status == Failed {
			r.Verdict, r.Reason = Invalid, c.Reason
			return r
		}
	}
	for _, c := range r.Checks {
		if c.Status == StatusIndeterminate {
			r.Verdict, r.Reason = Indeterminate, c.Reason
			return r
		}
	}
	signed := false
	for _, c := range r.Checks {
		if c.Check == CheckSignature && c.Status == Passed {
			signed = true
		}
	}
	if !signed {
		r.Verdict, r.Reason = Indeterminate, Internal
		r.Checks = append(r.Checks, Check{Check: CheckSignature, Status: StatusIndeterminate, Reason: Internal, Detail: "no signature was checked"})
	}
	return r
}
