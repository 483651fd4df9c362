// Package tsl reads ETSI TS 119 612 trusted lists: the European
// Commission's List of Trusted Lists (LOTL) and the Member States' national
// lists. Read checks a list's enveloped XML signature (XMLDSig with XAdES-BES
// signed properties) against the certificates the caller trusts for it, its
// dates and its sequence number, and returns what the signed bytes say:
// the scheme information, the pointers to other lists and every trust
// service provider's services with their certificates, status history and
// qualifiers. It runs on the host only (the importer); the verifier never
// parses XML trusted lists, it reads the services from the trust bundle.
package tsl

import (
	"crypto/x509"
	"fmt"
	"time"
)

// Reasons a list is refused. They are stable: the importer reports them and
// tests assert them.
const (
	ReasonTooLarge         = "too_large"          // the list is larger than Options.MaxSize
	ReasonTooDeep          = "too_deep"           // elements nest deeper than Options.MaxDepth
	ReasonDoctype          = "doctype"            // a DOCTYPE or ENTITY declaration (never expanded)
	ReasonMalformed        = "malformed"          // not well-formed XML, or not a TS 119 612 list
	ReasonUnsigned         = "unsigned"           // no enveloped signature
	ReasonWrappedSignature = "wrapped_signature"  // a second Signature, a copy of the list, a duplicate Id, a reference elsewhere
	ReasonSignerNotListed  = "signer_not_listed"  // signed by a certificate the caller does not trust for this list
	ReasonSignerExpired    = "signer_expired"     // the signer certificate is not valid at the judging time
	ReasonSignature        = "signature"          // the signature or a reference digest does not verify
	ReasonIssueDateFuture  = "issue_date_future"  // ListIssueDateTime is after the judging time
	ReasonNextUpdatePassed = "next_update_passed" // NextUpdate is before the judging time
	ReasonSequenceRollback = "sequence_rollback"  // an older sequence number than a previous import kept
	ReasonTerritory        = "territory_mismatch" // the list is not the one the pointer names
	ReasonFetch            = "fetch"              // the list could not be read or downloaded
)

// Error is a refused list: a stable reason and a detail for people.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "trusted list: " + e.Reason + ": " + e.Detail }

func refuse(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Namespaces of TS 119 612 v2 and the signature.
const (
	nsTSL    = "http://uri.etsi.org/02231/v2#"
	nsDSig   = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES  = "http://uri.etsi.org/01903/v1.3.2#"
	nsECC    = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
	nsAdditi = "http://uri.etsi.org/02231/v2/additionaltypes#"
)

// List is a verified trusted list.
type List struct {
	Territory    string // SchemeTerritory: EE, EU for the LOTL, EE_T for the Estonian test list
	Sequence     uint64 // TSLSequenceNumber
	Version      int    // TSLVersionIdentifier
	Type         string // TSLType URI
	OperatorName string // SchemeOperatorName (English where given)
	SchemeName   string
	IssueDate    time.Time // ListIssueDateTime
	NextUpdate   time.Time // zero for a closed list
	Pointers     []Pointer
	Providers    []Provider
	// Signer is the certificate that signed the list (one of those the
	// caller trusted).
	Signer *x509.Certificate
	// Warnings are what was accepted only because Options.Unsafe said so
	// (a past NextUpdate).
	Warnings []string
}

// Pointer is an OtherTSLPointer: where another list is and who signs it.
type Pointer struct {
	Location     string // TSLLocation
	Territory    string // SchemeTerritory of the pointed-to list
	Type         string // its TSLType
	MimeType     string // application/vnd.etsi.tsl+xml for XML lists
	OperatorName string
	Certificates []*x509.Certificate // who may sign it
}

// Provider is a trust service provider (TrustServiceProvider).
type Provider struct {
	Name      string
	TradeName string
	Services  []Service
}

// Service is a TSPService: its current information and its history.
type Service struct {
	Type         string // ServiceTypeIdentifier URI
	Name         string
	Certificates []*x509.Certificate
	// SubjectNames and SKIs are the other forms of digital identity
	// (X509SubjectName, X509SKI) a service may be given by.
	SubjectNames []string
	SKIs         [][]byte
	SupplyPoints []string
	// Status and StatusStart are the current status; History the earlier
	// ones, newest first as the list gives them.
	Status      string
	StatusStart time.Time
	// AdditionalInfo are the AdditionalServiceInformation URIs
	// (ForeSignatures, ForeSeals, ForWebSiteAuthentication, RootCA-QC, ...).
	AdditionalInfo []string
	Qualifications []Qualification
	History        []HistoryEntry
}

// HistoryEntry is a ServiceHistoryInstance: what the service was from
// StatusStart until the next entry began.
type HistoryEntry struct {
	Type           string
	Name           string
	Status         string
	StatusStart    time.Time
	AdditionalInfo []string
	Qualifications []Qualification
}

// Qualification is a Qualifications/QualificationElement of the
// eSignature extension: the qualifiers the list asserts for the
// certificates the criteria select.
type Qualification struct {
	Qualifiers []string // qualifier URIs (QCWithQSCD, QCStatement, NotQualified, ...)
	// Assert is the criteria list's assert: all, atLeastOne or none.
	Assert string
	// PolicyOIDs are the certificate policy identifiers of the criteria
	// (PolicySet), and KeyUsage the key usage bits they require
	// (name=true|false).
	PolicyOIDs []string
	KeyUsage   []string
}
