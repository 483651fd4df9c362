package verifier

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// A report names a certificate's subject and issuer as strings, and those
// strings are part of the report's bytes, which must not depend on the Go
// release that built the verifier: the module a Go user receives is built
// with one release and their native build may use another, and the two
// must write the same report. pkix.Name.String is not stable across
// releases: Go 1.27 writes an attribute without a short name (the given
// name and surname of every Estonian ID card certificate) as text where
// Go 1.26 wrote its DER in hex. nameString therefore writes a name as Go
// 1.26 did, the format of every report so far: the attributes
// pkix.Name has no field for first, each as its own RDN, then the fields
// in ToRDNSequence's order, the whole in reverse (RFC 2253 order); an
// attribute without a short name as its OID and "#" with the hex of its
// value marshalled by encoding/asn1 (RFC 4514 §2.4); the rest as the
// short name and the value with RFC 2253's specials escaped.

// nameField is the short name of an attribute type pkix.Name has a field
// for (Go 1.26's attributeTypeNames), "" for any other.
func nameField(oid asn1.ObjectIdentifier) string {
	if len(oid) != 4 || oid[0] != 2 || oid[1] != 5 || oid[2] != 4 {
		return ""
	}
	switch oid[3] {
	case 3:
		return "CN"
	case 5:
		return "SERIALNUMBER"
	case 6:
		return "C"
	case 7:
		return "L"
	case 8:
		return "ST"
	case 9:
		return "STREET"
	case 10:
		return "O"
	case 11:
		return "OU"
	case 17:
		return "POSTALCODE"
	}
	return ""
}

// nameString is n.String() as Go 1.26 wrote it.
func nameString(n pkix.Name) string {
	var rdns []pkix.RelativeDistinguishedNameSET
	if n.ExtraNames == nil {
		for _, atv := range n.Names {
			if nameField(atv.Type) == "" {
				rdns = append(rdns, pkix.RelativeDistinguishedNameSET{atv})
			}
		}
	}
	rdns = appendNameFields(rdns, n)
	var b []byte
	for i := len(rdns) - 1; i >= 0; i-- {
		if i < len(rdns)-1 {
			b = append(b, ',')
		}
		for j, atv := range rdns[i] {
			if j > 0 {
				b = append(b, '+')
			}
			b = appendNameAttr(b, atv)
		}
	}
	return string(b)
}

// appendNameFields appends n's fields as Go 1.26's ToRDNSequence did: all
// values of a field as one RDN, a field ExtraNames also carries left to
// ExtraNames, which come last.
func appendNameFields(rdns []pkix.RelativeDistinguishedNameSET, n pkix.Name) []pkix.RelativeDistinguishedNameSET {
	var cn, serial []string
	if n.CommonName != "" {
		cn = []string{n.CommonName}
	}
	if n.SerialNumber != "" {
		serial = []string{n.SerialNumber}
	}
	fields := [...]struct {
		values []string
		last   int
	}{
		{n.Country, 6}, {n.Province, 8}, {n.Locality, 7}, {n.StreetAddress, 9}, {n.PostalCode, 17},
		{n.Organization, 10}, {n.OrganizationalUnit, 11}, {cn, 3}, {serial, 5},
	}
fields:
	for _, f := range fields {
		if len(f.values) == 0 {
			continue
		}
		oid := asn1.ObjectIdentifier{2, 5, 4, f.last}
		for _, atv := range n.ExtraNames {
			if atv.Type.Equal(oid) {
				continue fields
			}
		}
		set := make(pkix.RelativeDistinguishedNameSET, len(f.values))
		for i, v := range f.values {
			set[i] = pkix.AttributeTypeAndValue{Type: oid, Value: v}
		}
		rdns = append(rdns, set)
	}
	for _, atv := range n.ExtraNames {
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{atv})
	}
	return rdns
}

// appendNameAttr appends one attribute: "#" and hex for a type without a
// short name whose value encoding/asn1 marshals, the escaped value
// otherwise.
func appendNameAttr(b []byte, atv pkix.AttributeTypeAndValue) []byte {
	name := nameField(atv.Type)
	if name == "" {
		name = atv.Type.String()
		if der, err := asn1.Marshal(atv.Value); err == nil {
			b = append(b, name...)
			b = append(b, '=', '#')
			return hex.AppendEncode(b, der)
		}
	}
	b = append(b, name...)
	b = append(b, '=')
	s, ok := atv.Value.(string)
	if !ok {
		s = fmt.Sprint(atv.Value) // never for a parsed certificate, whose values are strings
	}
	for k, c := range s {
		escape := false
		switch c {
		case ',', '+', '"', '\\', '<', '>', ';':
			escape = true
		case ' ':
			escape = k == 0 || k == len(s)-1
		case '#':
			escape = k == 0
		}
		if escape {
			b = append(b, '\\')
		}
		b = utf8.AppendRune(b, c)
	}
	return b
}
