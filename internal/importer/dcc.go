package importer

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apostille/apostille/verifier"
)

// DCCEntry is one certificate of an EU DCC signer-certificate list, as the
// EU gateway publishes it (trustList) and national lists repeat it.
type DCCEntry struct {
	Kid             string `json:"kid"`
	Country         string `json:"country"`
	CertificateType string `json:"certificateType"`
	RawData         string `json:"rawData"` // base64 DER
	Thumbprint      string `json:"thumbprint,omitempty"`
	Timestamp       string `json:"timestamp,omitempty"`
	Signature       string `json:"signature,omitempty"`
}

// maxDCCEntries bounds a signer list; the real one holds a few thousand.
const maxDCCEntries = 100000

// DCCSignerList makes one issuer per country ("dcc-XX") of an EU DCC
// signer-certificate list. It reads the gateway's JSON array, an object
// {"certificates": [...]}, and national lists that put a signature line
// before the JSON (that signature is the national distributor's and is not
// checked here: the bundle that carries the result is what gets signed).
// Only document signer certificates (certificateType DSC, or none) become
// keys; each entry's kid must be the certificate's (first 8 bytes of its
// SHA-256, base64), as documents name their signer by it.
func DCCSignerList(data []byte) ([]verifier.BundleIssuer, error) {
	entries, err := dccEntries(data)
	if err != nil {
		return nil, err
	}
	byCountry := map[string]*verifier.BundleIssuer{}
	seen := map[string]bool{}
	for i, e := range entries {
		if e.CertificateType != "" && !strings.EqualFold(e.CertificateType, "DSC") {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(e.RawData)
		if err != nil {
			return nil, fmt.Errorf("importer: DCC entry %d: rawData is not base64", i)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("importer: DCC entry %d: %w", i, err)
		}
		kid := DCCKid(c)
		if e.Kid != "" && e.Kid != kid {
			return nil, fmt.Errorf("importer: DCC entry %d: kid %q is not the certificate's (%s)", i, e.Kid, kid)
		}
		if seen[kid] {
			continue // the same certificate listed twice
		}
		seen[kid] = true
		country := strings.ToUpper(strings.TrimSpace(e.Country))
		if country == "" && len(c.Subject.Country) > 0 {
			country = strings.ToUpper(c.Subject.Country[0])
		}
		if len(country) != 2 {
			return nil, fmt.Errorf("importer: DCC entry %d: country %q is not a two-letter code", i, e.Country)
		}
		k, err := CertificateKey(c, kid)
		if err != nil {
			return nil, fmt.Errorf("importer: DCC entry %d: %w", i, err)
		}
		is := byCountry[country]
		if is == nil {
			is = &verifier.BundleIssuer{ID: "dcc-" + strings.ToLower(country), Name: "EU DCC document signers (" + country + ")", Country: country}
			byCountry[country] = is
		}
		is.Keys = append(is.Keys, k)
	}
	if len(byCountry) == 0 {
		return nil, errors.New("importer: the DCC list holds no document signer certificate")
	}
	countries := make([]string, 0, len(byCountry))
	for c := range byCountry {
		countries = append(countries, c)
	}
	sort.Strings(countries)
	out := make([]verifier.BundleIssuer, 0, len(countries))
	for _, c := range countries {
		out = append(out, *byCountry[c])
	}
	return out, nil
}

// DCCKid is the EU DCC key identifier of a certificate: the first 8 bytes
// of the SHA-256 of its DER, base64.
func DCCKid(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.StdEncoding.EncodeToString(sum[:8])
}

func dccEntries(data []byte) ([]DCCEntry, error) {
	body := bytes.TrimSpace(data)
	// National lists (e.g. Germany's) put a base64 signature line first.
	if len(body) > 0 && body[0] != '[' && body[0] != '{' {
		if i := bytes.IndexByte(body, '\n'); i > 0 {
			body = bytes.TrimSpace(body[i+1:])
		}
	}
	if len(body) == 0 {
		return nil, errors.New("importer: empty DCC list")
	}
	var entries []DCCEntry
	switch body[0] {
	case '[':
		if err := json.Unmarshal(body, &entries); err != nil {
			return nil, fmt.Errorf("importer: DCC list: %w", err)
		}
	case '{':
		var obj struct {
			Certificates []DCCEntry `json:"certificates"`
		}
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, fmt.Errorf("importer: DCC list: %w", err)
		}
		entries = obj.Certificates
	default:
		return nil, errors.New("importer: a DCC list is a JSON array or an object with certificates")
	}
	if len(entries) > maxDCCEntries {
		return nil, fmt.Errorf("importer: DCC list of %d entries; the limit is %d", len(entries), maxDCCEntries)
	}
	return entries, nil
}
