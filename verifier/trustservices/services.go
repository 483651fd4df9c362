// Package trustservices reads the trust services of a trust bundle (ETSI
// TS 119 612 services, docs/trust-bundle.md) and answers what a
// service's status was at a time and which services are of a type (which
// service issued a certificate the verifier decides itself, through its
// crypto path, which accepts the SHA-1 of older chains). The verifier
// reads a bundle's services with its own JSON decoder and ParseService
// (DigiDoc containers are judged by them); ParseServices, which uses
// encoding/json, is for hosts, so that the module does not link it.
package trustservices

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BundleService is a trust service from an ETSI TS 119 612 trusted list (a
// certificate authority, an OCSP responder, a time-stamping authority...)
// as the importer put it into the bundle. docs/trust-bundle.md describes
// the short forms of the URIs.
type BundleService struct {
	Country  string `json:"country"`
	Provider string `json:"provider"`
	Name     string `json:"name"`
	// Type is the current ServiceTypeIdentifier, short: "CA/QC" is
	// http://uri.etsi.org/TrstSvc/Svctype/CA/QC.
	Type string `json:"type"`
	// Certificates are the service's digital identities, base64 DER.
	Certificates []string `json:"certificates,omitempty"`
	// History is the current status and the earlier ones, newest first.
	History []BundleServiceStatus `json:"history"`
}

// BundleServiceStatus is what a service was from Start until the next
// entry began.
type BundleServiceStatus struct {
	// Status is short: "granted" is
	// http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted.
	Status string `json:"status"`
	Start  string `json:"start"`
	// Type, when set, is the type during this period if it was not the
	// service's current one.
	Type string `json:"type,omitempty"`
	// AdditionalInfo are the additional service information URIs, short
	// ("ForeSignatures", "ForeSeals", ...).
	AdditionalInfo []string          `json:"additional_info,omitempty"`
	Qualifications []BundleQualifier `json:"qualifications,omitempty"`
}

// BundleQualifier is a qualification the list asserts for the
// certificates its criteria select: qualifiers short ("QCWithQSCD"), the
// criteria's assert, certificate policy OIDs and key usage bits.
type BundleQualifier struct {
	Qualifiers []string `json:"qualifiers"`
	Assert     string   `json:"assert,omitempty"`
	Policies   []string `json:"policies,omitempty"`
	KeyUsage   []string `json:"key_usage,omitempty"`
}

// The prefixes the short forms leave out.
const (
	ServiceTypePrefix   = "http://uri.etsi.org/TrstSvc/Svctype/"
	ServiceStatusPrefix = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
	ServiceInfoPrefix   = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
)

// Service is a trust service of the bundle, parsed.
type Service struct {
	Country, Provider, Name, Type string
	Certificates                  []*x509.Certificate
	History                       []ServiceStatus // newest first
}

// ServiceStatus is one period of a service's history.
type ServiceStatus struct {
	Status         string
	Type           string // the service type during the period
	Start          time.Time
	AdditionalInfo []string
	Qualifications []BundleQualifier
}

// Granted says whether the status lets the service be relied on: granted,
// or the equivalents of lists from before July 2016 (undersupervision,
// supervisionincessation, accredited, setbynationallaw).
func (s ServiceStatus) Granted() bool {
	switch s.Status {
	case "granted", "undersupervision", "supervisionincessation", "accredited", "setbynationallaw", "recognisedatnationallevel":
		return true
	}
	return false
}

// StatusAt is the entry in force at t: the newest that began at or before
// t. ok is false when the service did not exist yet.
func (s *Service) StatusAt(t time.Time) (st ServiceStatus, ok bool) {
	for _, e := range s.History {
		if !e.Start.After(t) && (!ok || e.Start.After(st.Start)) {
			st, ok = e, true
		}
	}
	return st, ok
}

// ParseService reads one bundle service: its certificates parsed, its
// history's times read. The verifier reads a bundle's services with its own
// JSON decoder and this; ParseServices does both for hosts.
func ParseService(bs *BundleService) (*Service, error) {
	if bs.Name == "" || bs.Type == "" || len(bs.History) == 0 {
		return nil, errors.New("a service needs a name, a type and a status")
	}
	s := &Service{Country: bs.Country, Provider: bs.Provider, Name: bs.Name, Type: bs.Type}
	for i, c := range bs.Certificates {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: bad base64", i)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", i, err)
		}
		s.Certificates = append(s.Certificates, cert)
	}
	for i, h := range bs.History {
		start, err := time.Parse(time.RFC3339, h.Start)
		if err != nil || h.Status == "" {
			return nil, fmt.Errorf("history %d: needs a status and an RFC 3339 start", i)
		}
		typ := h.Type
		if typ == "" {
			typ = bs.Type
		}
		s.History = append(s.History, ServiceStatus{Status: h.Status, Type: typ, Start: start, AdditionalInfo: h.AdditionalInfo, Qualifications: h.Qualifications})
	}
	return s, nil
}

// ParseServices reads the trust services of a trust bundle (its
// "services" member, docs/trust-bundle.md). verifier.ParseTrust reads the
// rest and checks the bundle as a whole (duplicate names, its version);
// callers run it on the same bytes first, as the engine does. A service
// with a member this version does not know is refused.
func ParseServices(bundle []byte) ([]*Service, error) {
	var b struct {
		Services []json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(bundle), &b); err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	var out []*Service
	for i, raw := range b.Services {
		var bs BundleService
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&bs); err != nil {
			return nil, fmt.Errorf("trust: service %d: %w", i, err)
		}
		s, err := ParseService(&bs)
		if err != nil {
			return nil, fmt.Errorf("trust: service %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// ServicesOfType returns the services whose current type is typ or below
// it: "Certstatus/OCSP" finds OCSP responders, qualified or not; "TSA"
// every time-stamping service.
func ServicesOfType(services []*Service, typ string) []*Service {
	var out []*Service
	for _, s := range services {
		// typ+"/" as a prefix, without making the string for each service.
		if s.Type == typ || len(s.Type) > len(typ) && s.Type[len(typ)] == '/' && strings.HasPrefix(s.Type, typ) {
			out = append(out, s)
		}
	}
	return out
}
