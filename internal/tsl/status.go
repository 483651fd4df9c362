package tsl

import (
	"strings"
	"time"
)

// Status is what a service was during a period: its type, status and
// qualifiers from Start until the next entry began.
type Status struct {
	Type           string
	Status         string
	Start          time.Time
	AdditionalInfo []string
	Qualifications []Qualification
}

// Timeline is the service's current information and its history as one
// list, newest first.
func (s *Service) Timeline() []Status {
	out := []Status{{Type: s.Type, Status: s.Status, Start: s.StatusStart, AdditionalInfo: s.AdditionalInfo, Qualifications: s.Qualifications}}
	for _, h := range s.History {
		e := Status{Type: h.Type, Status: h.Status, Start: h.StatusStart, AdditionalInfo: h.AdditionalInfo, Qualifications: h.Qualifications}
		if e.Type == "" {
			e.Type = s.Type
		}
		out = append(out, e)
	}
	// Newest first, whatever order the list gave (insertion sort: a
	// history is short).
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start.After(out[j-1].Start); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// StatusAt is the entry in force at t: the one with the latest start not
// after t. ok is false when t is before the service's first entry.
func (s *Service) StatusAt(t time.Time) (Status, bool) {
	for _, e := range s.Timeline() {
		if !e.Start.After(t) {
			return e, true
		}
	}
	return Status{}, false
}

// Granted says whether a status URI means the service may be relied on:
// granted (TS 119 612 v2 for the EU) and, for the lists of before July
// 2016 (Directive 1999/93/EC), undersupervision, supervisionincessation,
// accredited and setbynationallaw.
func Granted(status string) bool {
	switch ShortStatus(status) {
	case "granted", "undersupervision", "supervisionincessation", "accredited", "setbynationallaw", "recognisedatnationallevel":
		return true
	}
	return false
}

// ShortStatus is the last segment of a status URI: granted, withdrawn, ...
func ShortStatus(uri string) string {
	return uri[strings.LastIndexByte(uri, '/')+1:]
}

// ShortType is a service type URI without its common prefix: CA/QC,
// Certstatus/OCSP/QC, TSA/QTST, ...
func ShortType(uri string) string {
	return strings.TrimPrefix(uri, "http://uri.etsi.org/TrstSvc/Svctype/")
}

// ShortURI is a qualifier or additional information URI's last segment:
// QCWithQSCD, ForeSignatures, ...
func ShortURI(uri string) string {
	return uri[strings.LastIndexByte(uri, '/')+1:]
}
