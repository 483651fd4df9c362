package importer

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/tsl"
	"github.com/apostille/apostille/verifier/trustservices"
)

// TrustedListServices turns a verified trusted list's services into bundle
// services (docs/trust-bundle.md, "A service"). A service known only by
// subject name or key identifier, without a certificate, is kept: its
// status still says what the list says of it.
func TrustedListServices(l *tsl.List) []trustservices.BundleService {
	var out []trustservices.BundleService
	for _, p := range l.Providers {
		for i := range p.Services {
			s := &p.Services[i]
			bs := trustservices.BundleService{
				Country:  l.Territory,
				Provider: p.Name,
				Name:     s.Name,
				Type:     short(s.Type, trustservices.ServiceTypePrefix),
			}
			if bs.Name == "" {
				bs.Name = p.Name
			}
			for _, c := range s.Certificates {
				bs.Certificates = append(bs.Certificates, base64.StdEncoding.EncodeToString(c.Raw))
			}
			for _, e := range s.Timeline() {
				h := trustservices.BundleServiceStatus{
					Status: short(e.Status, trustservices.ServiceStatusPrefix),
					Start:  e.Start.UTC().Format(time.RFC3339),
				}
				if t := short(e.Type, trustservices.ServiceTypePrefix); t != bs.Type {
					h.Type = t
				}
				for _, u := range e.AdditionalInfo {
					h.AdditionalInfo = append(h.AdditionalInfo, short(u, trustservices.ServiceInfoPrefix))
				}
				for _, q := range e.Qualifications {
					bq := trustservices.BundleQualifier{Assert: q.Assert, Policies: q.PolicyOIDs, KeyUsage: q.KeyUsage}
					for _, u := range q.Qualifiers {
						bq.Qualifiers = append(bq.Qualifiers, short(u, trustservices.ServiceInfoPrefix))
					}
					h.Qualifications = append(h.Qualifications, bq)
				}
				bs.History = append(bs.History, h)
			}
			out = append(out, bs)
		}
	}
	return out
}

// short drops a known prefix of a URI; a URI outside it stays whole.
func short(uri, prefix string) string {
	if rest, ok := strings.CutPrefix(uri, prefix); ok && rest != "" {
		return rest
	}
	return uri
}
