package verifier

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The hcert claim of an EU DCC (eu-dcc-hcert-spec section 3.3.1, the
// eu-dcc-schema): claim -260 holds a map whose key 1 is the Digital COVID
// Certificate itself.
const (
	cwtHCert  = -260
	hcertDCC1 = 1
	// Their names in the report's claims (cborKeyString), written out: a
	// name made with strconv for each DCC would be an allocation each.
	cwtHCertName  = "-260"
	hcertDCC1Name = "1"
)

// Certificate types, by the member of the DCC that holds the entry.
const (
	dccVaccination = "vaccination"
	dccTest        = "test"
	dccRecovery    = "recovery"
)

var dccKinds = map[string]string{"v": dccVaccination, "t": dccTest, "r": dccRecovery}

// dccTypePrefix makes a certificate type a document type for trust
// bundles: "eu-dcc-vaccination", "eu-dcc-test", "eu-dcc-recovery".
const dccTypePrefix = "eu-dcc-"

// dccEKUs are the extended key usages by which a signer certificate is
// restricted to certificate types (hcert section 5.1.1). Both arcs occur in
// issued certificates: the specification's 1.3.6.1.4.1.1847.2021.1.x and
// 1.3.6.1.4.1.0.1847.2021.1.x, which several countries used.
var dccEKUs = map[string]string{
	"1.3.6.1.4.1.1847.2021.1.1":   dccTest,
	"1.3.6.1.4.1.1847.2021.1.2":   dccVaccination,
	"1.3.6.1.4.1.1847.2021.1.3":   dccRecovery,
	"1.3.6.1.4.1.0.1847.2021.1.1": dccTest,
	"1.3.6.1.4.1.0.1847.2021.1.2": dccVaccination,
	"1.3.6.1.4.1.0.1847.2021.1.3": dccRecovery,
}

// dccUsage returns the signer check for a certificate of the given type: a
// certificate without any of the DCC key usages may sign every type; one
// with some may sign only those.
func dccUsage(kind string) func(*x509.Certificate) (Reason, string) {
	return func(c *x509.Certificate) (Reason, string) {
		allowed := map[string]bool{}
		for _, oid := range c.UnknownExtKeyUsage {
			if k, ok := dccEKUs[oid.String()]; ok {
				allowed[k] = true
			}
		}
		if len(allowed) == 0 || allowed[kind] {
			return "", ""
		}
		var names []string
		for _, k := range []string{dccVaccination, dccTest, dccRecovery} {
			if allowed[k] {
				names = append(names, k)
			}
		}
		return KeyUsage, fmt.Sprintf("the signer certificate may sign %s certificates, not %s", strings.Join(names, " and "), kind)
	}
}

// hcert is a Digital COVID Certificate checked against the parts of the
// schema a verifier relies on.
type hcert struct {
	kind  string         // vaccination, test or recovery
	entry map[string]any // the one v, t or r entry
	dcc   map[string]any // the whole certificate, for the report
}

// hcertFromDecoded reads the DCC from a CWT payload decoded into a map,
// given the decoding's error. claims is what cwtClaimsFrom made of raw, or
// nil: where it holds the certificate already turned into JSON values it is
// taken from there rather than converted a second time. (cwtClaimsFrom
// refuses a payload with two keys of one name, so its "-260" and "1" are
// the integer keys read here.)
func hcertFromDecoded(raw map[any]any, err error, claims map[string]any) (*hcert, error) {
	if err != nil {
		return nil, fmt.Errorf("the CWT claims are not well-formed CBOR: %v", err)
	}
	hc, ok := raw[int64(cwtHCert)]
	if !ok {
		return nil, errNoHCert
	}
	m, ok := hc.(map[any]any)
	if !ok {
		return nil, errHCertNotMap
	}
	dcc, ok := m[int64(hcertDCC1)]
	if !ok {
		return nil, errHCertEmpty
	}
	if hj, ok := claims[cwtHCertName].(map[string]any); ok {
		if j, ok := hj[hcertDCC1Name]; ok {
			return parseHCert(j)
		}
	}
	return parseHCert(cborToJSON(dcc))
}

// hcertFromClaims reads the DCC from claims that cwtClaimsPlain read: there
// a name such as "-260" or "1" is always an integer key's, so the
// certificate is where hcertFromDecoded finds it.
func hcertFromClaims(claims map[string]any) (*hcert, error) {
	hc, ok := claims[cwtHCertName]
	if !ok {
		return nil, errNoHCert
	}
	m, ok := hc.(map[string]any)
	if !ok {
		return nil, errHCertNotMap
	}
	dcc, ok := m[hcertDCC1Name]
	if !ok {
		return nil, errHCertEmpty
	}
	return parseHCert(dcc)
}

var (
	errHCertNotMap = errors.New("the hcert claim is not a map")
	errHCertEmpty  = errors.New("the hcert claim holds no certificate (key 1)")
)

// parseHCert checks a certificate, given as decoded JSON or CBOR: the
// version, the name, the date of birth and exactly one vaccination, test
// or recovery entry with the fields that identify it. A certificate holding
// several entries is refused (eu-dcc-schema: one entry per certificate).
func parseHCert(v any) (*hcert, error) {
	dcc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the certificate is not a map")
	}
	if err := needStrings(dcc, "ver", "dob"); err != nil {
		return nil, err
	}
	nam, ok := dcc["nam"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the certificate has no name (nam)")
	}
	if err := needStrings(nam, "fnt"); err != nil {
		return nil, fmt.Errorf("name: %v", err)
	}
	for _, f := range []string{"fn", "gn", "gnt"} {
		if x, present := nam[f]; present {
			if _, ok := x.(string); !ok {
				return nil, fmt.Errorf("name: %s is not text", f)
			}
		}
	}
	h := &hcert{dcc: dcc}
	for member, kind := range dccKinds {
		x, present := dcc[member]
		if !present || x == nil {
			// Schema 1.0.0 encoders wrote absent members as null.
			continue
		}
		if h.kind != "" {
			return nil, fmt.Errorf("the certificate holds more than one of vaccination, test and recovery")
		}
		list, ok := x.([]any)
		if !ok || len(list) != 1 {
			return nil, fmt.Errorf("%s must hold exactly one entry", member)
		}
		entry, ok := list[0].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the %s entry is not a map", kind)
		}
		if err := checkDCCEntry(member, entry); err != nil {
			return nil, fmt.Errorf("%s entry: %v", kind, err)
		}
		h.kind, h.entry = kind, entry
	}
	if h.kind == "" {
		return nil, fmt.Errorf("the certificate holds no vaccination, test or recovery entry")
	}
	return h, nil
}

// dccRequired are the fields every version of the schema requires in an
// entry, by member.
var dccRequired = map[string][]string{
	"v": {"tg", "vp", "mp", "ma", "dt", "co", "is", "ci"},
	"t": {"tg", "tt", "co", "is", "ci"},
	"r": {"tg", "fr", "co", "is", "df", "du", "ci"},
}

func checkDCCEntry(member string, e map[string]any) error {
	if err := needStrings(e, dccRequired[member]...); err != nil {
		return err
	}
	switch member {
	case "v":
		for _, f := range []string{"dn", "sd"} {
			if !isNumber(e[f]) {
				return fmt.Errorf("%s is not a number", f)
			}
		}
	case "t":
		if _, ok := e["sc"]; !ok {
			return fmt.Errorf("sc (sample collection time) is missing")
		}
	}
	return nil
}

func needStrings(m map[string]any, names ...string) error {
	for _, n := range names {
		if _, ok := m[n].(string); !ok {
			return fmt.Errorf("%s is missing or not text", n)
		}
	}
	return nil
}

func isNumber(x any) bool {
	switch x.(type) {
	case int64, uint64, float64, json.Number:
		return true
	}
	return false
}

// report fills the document: the name, date of birth, type, country,
// identifier and the certificate itself.
func (h *hcert) report(d *Document, cwt map[string]any) {
	d.Type = dccTypePrefix + h.kind
	nam := h.dcc["nam"].(map[string]any)
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	s := &Subject{
		GivenName:      str(nam, "gn"),
		FamilyName:     str(nam, "fn"),
		BirthDate:      str(h.dcc, "dob"),
		DocumentNumber: str(h.entry, "ci"),
	}
	if s.GivenName == "" && s.FamilyName == "" {
		// Only the transliterated (ICAO 9303) name is mandatory.
		s.GivenName, s.FamilyName = str(nam, "gnt"), str(nam, "fnt")
	}
	s.Name = joinName(s.GivenName, s.FamilyName)
	d.Subject = s
	country := str(h.entry, "co")
	if iss, ok := cwt["iss"].(string); ok && iss != "" {
		country = iss
	}
	d.Claims = map[string]any{
		"certificate_type":       h.kind,
		"issuing_country":        country,
		"certificate_identifier": str(h.entry, "ci"),
		"dcc":                    h.dcc,
	}
}
