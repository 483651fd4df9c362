package tsl

import (
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// parseList reads the signed content of a list.
func parseList(root *etree.Element) (*List, error) {
	si := child(root, nsTSL, "SchemeInformation")
	if si == nil {
		return nil, refuse(ReasonMalformed, "no SchemeInformation")
	}
	l := &List{
		Territory:    text(child(si, nsTSL, "SchemeTerritory")),
		Type:         text(child(si, nsTSL, "TSLType")),
		OperatorName: name(child(si, nsTSL, "SchemeOperatorName")),
		SchemeName:   name(child(si, nsTSL, "SchemeName")),
	}
	var err error
	if l.Sequence, err = strconv.ParseUint(text(child(si, nsTSL, "TSLSequenceNumber")), 10, 64); err != nil {
		return nil, refuse(ReasonMalformed, "bad TSLSequenceNumber")
	}
	if l.Version, err = strconv.Atoi(text(child(si, nsTSL, "TSLVersionIdentifier"))); err != nil {
		return nil, refuse(ReasonMalformed, "bad TSLVersionIdentifier")
	}
	if l.IssueDate, err = parseTime(text(child(si, nsTSL, "ListIssueDateTime"))); err != nil {
		return nil, refuse(ReasonMalformed, "bad ListIssueDateTime")
	}
	if nu := child(si, nsTSL, "NextUpdate"); nu != nil {
		if dt := child(nu, nsTSL, "dateTime"); dt != nil {
			if l.NextUpdate, err = parseTime(text(dt)); err != nil {
				return nil, refuse(ReasonMalformed, "bad NextUpdate")
			}
		}
	}
	if l.Territory == "" {
		return nil, refuse(ReasonMalformed, "no SchemeTerritory")
	}
	if ptrs := child(si, nsTSL, "PointersToOtherTSL"); ptrs != nil {
		for _, p := range children(ptrs, nsTSL, "OtherTSLPointer") {
			l.Pointers = append(l.Pointers, l.pointer(p))
		}
	}
	if tsps := child(root, nsTSL, "TrustServiceProviderList"); tsps != nil {
		for _, p := range children(tsps, nsTSL, "TrustServiceProvider") {
			l.Providers = append(l.Providers, l.provider(p))
		}
	}
	return l, nil
}

func (l *List) pointer(p *etree.Element) Pointer {
	ptr := Pointer{Location: text(child(p, nsTSL, "TSLLocation"))}
	if ids := child(p, nsTSL, "ServiceDigitalIdentities"); ids != nil {
		for _, sdi := range children(ids, nsTSL, "ServiceDigitalIdentity") {
			certs, _, _ := l.identities(sdi, "pointer "+ptr.Location)
			ptr.Certificates = append(ptr.Certificates, certs...)
		}
	}
	if ai := child(p, nsTSL, "AdditionalInformation"); ai != nil {
		for _, oi := range children(ai, nsTSL, "OtherInformation") {
			for _, c := range oi.ChildElements() {
				switch c.Tag {
				case "TSLType":
					ptr.Type = text(c)
				case "SchemeTerritory":
					ptr.Territory = text(c)
				case "MimeType":
					ptr.MimeType = text(c)
				case "SchemeOperatorName":
					ptr.OperatorName = name(c)
				}
			}
		}
	}
	return ptr
}

func (l *List) provider(p *etree.Element) Provider {
	var pr Provider
	if info := child(p, nsTSL, "TSPInformation"); info != nil {
		pr.Name = name(child(info, nsTSL, "TSPName"))
		pr.TradeName = name(child(info, nsTSL, "TSPTradeName"))
	}
	if svcs := child(p, nsTSL, "TSPServices"); svcs != nil {
		for _, s := range children(svcs, nsTSL, "TSPService") {
			l.service(&pr, s)
		}
	}
	return pr
}

func (l *List) service(pr *Provider, s *etree.Element) {
	info := child(s, nsTSL, "ServiceInformation")
	if info == nil {
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s: a service without ServiceInformation, left out", clip(pr.Name)))
		return
	}
	sv := Service{
		Type:   text(child(info, nsTSL, "ServiceTypeIdentifier")),
		Name:   name(child(info, nsTSL, "ServiceName")),
		Status: text(child(info, nsTSL, "ServiceStatus")),
	}
	var err error
	if sv.StatusStart, err = parseTime(text(child(info, nsTSL, "StatusStartingTime"))); err != nil {
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s / %s: bad StatusStartingTime, left out", clip(pr.Name), clip(sv.Name)))
		return
	}
	if ids := child(info, nsTSL, "ServiceDigitalIdentity"); ids != nil {
		sv.Certificates, sv.SubjectNames, sv.SKIs = l.identities(ids, pr.Name+" / "+sv.Name)
	}
	if sp := child(info, nsTSL, "ServiceSupplyPoints"); sp != nil {
		for _, u := range children(sp, nsTSL, "ServiceSupplyPoint") {
			sv.SupplyPoints = append(sv.SupplyPoints, text(u))
		}
	}
	sv.AdditionalInfo, sv.Qualifications = extensions(child(info, nsTSL, "ServiceInformationExtensions"))
	if h := child(s, nsTSL, "ServiceHistory"); h != nil {
		for _, hi := range children(h, nsTSL, "ServiceHistoryInstance") {
			e := HistoryEntry{
				Type:   text(child(hi, nsTSL, "ServiceTypeIdentifier")),
				Name:   name(child(hi, nsTSL, "ServiceName")),
				Status: text(child(hi, nsTSL, "ServiceStatus")),
			}
			if e.StatusStart, err = parseTime(text(child(hi, nsTSL, "StatusStartingTime"))); err != nil {
				l.Warnings = append(l.Warnings, fmt.Sprintf("%s / %s: a history entry with a bad StatusStartingTime, left out", clip(pr.Name), clip(sv.Name)))
				continue
			}
			e.AdditionalInfo, e.Qualifications = extensions(child(hi, nsTSL, "ServiceInformationExtensions"))
			sv.History = append(sv.History, e)
		}
	}
	pr.Services = append(pr.Services, sv)
}

// identities reads a ServiceDigitalIdentity. A certificate that cannot be
// parsed is left out with a warning; the service keeps its other ones.
func (l *List) identities(sdi *etree.Element, where string) (certs []*x509.Certificate, names []string, skis [][]byte) {
	for _, d := range children(sdi, nsTSL, "DigitalId") {
		for _, c := range d.ChildElements() {
			switch c.Tag {
			case "X509Certificate":
				der, err := decodeB64(c.Text())
				if err != nil {
					l.Warnings = append(l.Warnings, clip(where)+": a certificate that is not base64, left out")
					continue
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					l.Warnings = append(l.Warnings, clip(where)+": a certificate that cannot be parsed, left out")
					continue
				}
				certs = append(certs, cert)
			case "X509SubjectName":
				names = append(names, text(c))
			case "X509SKI":
				if ski, err := decodeB64(c.Text()); err == nil {
					skis = append(skis, ski)
				}
			}
		}
	}
	return certs, names, skis
}

// extensions reads ServiceInformationExtensions: the additional service
// information URIs and the eSignature qualifications.
func extensions(exts *etree.Element) (info []string, quals []Qualification) {
	if exts == nil {
		return nil, nil
	}
	for _, ext := range children(exts, nsTSL, "Extension") {
		for _, c := range ext.ChildElements() {
			switch {
			case c.Tag == "AdditionalServiceInformation" && c.NamespaceURI() == nsTSL:
				if u := text(child(c, nsTSL, "URI")); u != "" {
					info = append(info, u)
				}
			case c.Tag == "Qualifications" && c.NamespaceURI() == nsECC:
				for _, qe := range children(c, nsECC, "QualificationElement") {
					quals = append(quals, qualification(qe))
				}
			}
		}
	}
	return info, quals
}

func qualification(qe *etree.Element) Qualification {
	var q Qualification
	if qs := child(qe, nsECC, "Qualifiers"); qs != nil {
		for _, x := range children(qs, nsECC, "Qualifier") {
			if u := x.SelectAttrValue("uri", ""); u != "" {
				q.Qualifiers = append(q.Qualifiers, u)
			}
		}
	}
	if cl := child(qe, nsECC, "CriteriaList"); cl != nil {
		q.Assert = cl.SelectAttrValue("assert", "")
		for _, ku := range children(cl, nsECC, "KeyUsage") {
			for _, bit := range children(ku, nsECC, "KeyUsageBit") {
				q.KeyUsage = append(q.KeyUsage, bit.SelectAttrValue("name", "")+"="+text(bit))
			}
		}
		for _, ps := range children(cl, nsECC, "PolicySet") {
			for _, pi := range children(ps, nsECC, "PolicyIdentifier") {
				if id := child(pi, nsXAdES, "Identifier"); id != nil {
					q.PolicyOIDs = append(q.PolicyOIDs, strings.TrimPrefix(text(id), "urn:oid:"))
				}
			}
		}
	}
	return q
}

// name picks the English Name of a multilingual name list, else the first.
func name(el *etree.Element) string {
	if el == nil {
		return ""
	}
	ns := children(el, nsTSL, "Name")
	for _, n := range ns {
		if strings.EqualFold(n.SelectAttrValue("xml:lang", ""), "en") {
			return text(n)
		}
	}
	if len(ns) > 0 {
		return text(ns[0])
	}
	return ""
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// parseTime reads an xsd:dateTime; one without a zone is UTC.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	return t.UTC(), err
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
