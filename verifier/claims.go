package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// jwtClaims reads a JWS payload as a JWT claims set (RFC 7519) when it is a
// JSON object; any other payload is opaque content and has no claims
// (content.go says how the two are told apart). A claims set with duplicate
// names is malformed: RFC 7519 section 4 lets a parser take the last, which
// lets "exp" say two things.
func jwtClaims(payload []byte) (map[string]any, validity, error) {
	p := bytes.TrimLeft(payload, " \t\r\n")
	if len(p) == 0 || p[0] != '{' {
		return nil, validity{}, nil
	}
	v, err := parseJSON(payload, true)
	switch {
	case errors.Is(err, errJSONSyntax):
		// Text that only starts like an object is content (content.go).
		return nil, validity{}, nil
	case err != nil:
		return nil, validity{}, fmt.Errorf("the claims are not valid JSON: %v", err)
	}
	claims, ok := v.(map[string]any)
	if !ok {
		return nil, validity{}, errors.New("the claims are not a JSON object")
	}
	val, err := claimsValidity(claims)
	if err != nil {
		return nil, validity{}, err
	}
	return claims, val, nil
}

// claimsValidity reads iat, nbf and exp from JSON claims decoded with
// UseNumber. SD-JWT calls it on the payload after disclosures are applied.
func claimsValidity(claims map[string]any) (validity, error) {
	var val validity
	for i, name := range [...]string{"iat", "nbf", "exp"} {
		raw, ok := claims[name]
		if !ok {
			continue
		}
		n, ok := raw.(json.Number)
		if !ok {
			return validity{}, fmt.Errorf("claim %q is not a NumericDate", name)
		}
		f, err := n.Float64()
		if err != nil {
			return validity{}, fmt.Errorf("claim %q is not a NumericDate", name)
		}
		t, ok := numericDate(f)
		if !ok {
			return validity{}, fmt.Errorf("claim %q is out of range", name)
		}
		switch i {
		case 0:
			val.iat = t
		case 1:
			val.nbf = t
		default:
			val.exp = t
		}
	}
	return val, nil
}

// maxNumericDate is 9999-12-31, beyond which a date is not a date.
const maxNumericDate = 253402300799

// numericDate converts seconds since the epoch, refusing NaN, negative and
// absurd values.
func numericDate(f float64) (time.Time, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// subjectFromClaims takes the fields a person compares with the paper from
// claims named as in OpenID Connect and the EU PID rulebook.
func subjectFromClaims(c map[string]any) *Subject {
	str := func(names ...string) string {
		for _, n := range names {
			if s, ok := c[n].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	s := &Subject{
		Name:           str("name"),
		GivenName:      str("given_name"),
		FamilyName:     str("family_name"),
		BirthDate:      str("birthdate", "birth_date"),
		DocumentNumber: str("document_number"),
	}
	if s.Name == "" && (s.GivenName != "" || s.FamilyName != "") {
		s.Name = joinName(s.GivenName, s.FamilyName)
	}
	if *s == (Subject{}) {
		return nil
	}
	return s
}

func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}
